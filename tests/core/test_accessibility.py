"""axe-core (vendored in tests/vendor, nothing fetched at run time) over each page kind at
desktop and phone size: no serious or critical violation (WCAG 2.1 AA)."""

from pathlib import Path

import pytest

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-4.14.1.min.js"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _detail_path() -> str:
    from jineng.catalog.models import PolicyVersion

    version = PolicyVersion.objects.filter(region__code="411400").order_by("pk").first()
    return f"/catalog/policies/{version.pk}/"


# Who looks at which pages: each role's home, and one page of every other kind.
VISITS = [
    (None, ["/login/", "/catalogue/?region=411402&date=2024-01-01", "/api/v1/docs",
            "/no-such-page/"]),
    ("county_411402", ["/", "/orgs/institutions/", "/orgs/institutions/new/", "/people/",
                       "/people/imports/", "detail"]),
    ("worker_411402", ["/", "/people/me/"]),
    ("auditadmin", ["/", "/core/audit/"]),
    ("sysadmin", ["/", "/orgs/users/"]),
    ("secadmin", ["/"]),
    ("province_410000", ["/"]),
    ("city_411400", ["/"]),
    ("reviewer_411400", ["/"]),
    ("dept_411400", ["/"]),
    ("inst_411402", ["/"]),
    ("ent_411402", ["/"]),
]


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        for v in result["violations"] if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("size", SIZES)
def test_every_page_kind_passes_axe(browser, site, demo_password, size):  # noqa: F811
    found = {}
    for username, paths in VISITS:
        # bypass_csp: axe is injected as an inline script, which the site's CSP forbids.
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        if username:
            sign_in(page, site, username, demo_password)
        for path in paths:
            path = _detail_path() if path == "detail" else path
            page.goto(f"{site}{path}")
            if path == "/api/v1/docs":
                page.locator(".opblock").first.wait_for(timeout=15000)
            problems = serious_violations(page)
            if size == "phone" and path == "/" and username:
                page.get_by_role("button", name="菜单").click()  # the open phone menu too
                problems += serious_violations(page)
            if problems:
                found[f"{username or '未登录'} {path}"] = problems
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
