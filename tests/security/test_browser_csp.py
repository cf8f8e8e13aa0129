"""A real browser under the Content-Security-Policy: the pages an officer and the public use,
htmx swapping in the region picker's options, and the API docs all load with no policy
violation (no inline style or script was left, and nothing comes from elsewhere)."""

import pytest

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser

# Runs before each page's own scripts (Playwright injects it outside the page's CSP).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


def _watched_page(context):
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return page, console


def _violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_officer_pages_and_htmx_run_with_no_policy_violation(browser, site, demo_password):  # noqa: F811
    from jineng.people.models import Person

    person = Person.objects.filter(household_region__code="411402").order_by("pk").first()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page, console = _watched_page(context)
    seen = {}
    page.goto(f"{site}/login/")
    seen["/login/"] = _violations(page)
    sign_in(page, site, "county_411402", demo_password)
    for path in ("/", "/people/", f"/people/{person.pk}/", "/people/imports/new/",
                 "/orgs/institutions/", "/core/reference/"):
        page.goto(f"{site}{path}")
        assert page.locator("main").is_visible(), path
        seen[path] = _violations(page)

    page.goto(f"{site}/people/")
    picker = page.locator("[data-region-input]").first
    picker.fill("梁园")  # htmx fetches and swaps in the options
    page.locator(".region-options [role=option]").first.wait_for(timeout=10000)
    page.goto(f"{site}/people/{person.pk}/")
    page.get_by_test_id("reveal").click()  # the archive page with its own stylesheet
    page.get_by_test_id("id-number").locator("strong").wait_for()
    seen["htmx and reveal"] = _violations(page)

    assert {k: v for k, v in seen.items() if v} == {}
    assert [m for m in console if "Content Security Policy" in m] == []

    # The watch itself works: an inline style put in now is refused and seen.
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color:red">x</p>')""")
    page.wait_for_function("window.__violations.length > 0", timeout=5000)
    assert _violations(page)[0].startswith("style-src")
    context.close()


def test_public_catalogue_and_api_docs_run_with_no_policy_violation(browser, site):  # noqa: F811
    context = browser.new_context()
    page, console = _watched_page(context)
    page.goto(f"{site}/catalogue/?region=411402&date=2024-01-01&q=养老")
    assert "养老护理员" in page.get_by_test_id("list").inner_text()
    catalogue = _violations(page)
    page.goto(f"{site}/api/v1/docs")
    page.locator(".opblock").first.wait_for(timeout=15000)
    page.locator(".opblock-summary").first.click()  # an operation opens (React renders it)
    page.locator(".opblock-body").first.wait_for(timeout=5000)
    assert (catalogue, _violations(page)) == ([], [])
    assert [m for m in console if "Content Security Policy" in m] == []
    context.close()
