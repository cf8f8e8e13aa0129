"""A real browser through the review: the county officer sees "待我审核 1 件" on the home
page, opens the queue from the menu, is told that a return needs a reason, approves, and the
filing moves on to the city; on a phone the queue reads as cards."""

import pytest

from tests.core.review_kit import FIRST, KIND, SECOND, grant, setup_kind, subject
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    SHOTS,
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser


def _submitted(user_named):
    from jineng.core.review import review_submit

    setup_kind()
    grant(user_named("county_411402"), FIRST)
    grant(user_named("reviewer_411400"), SECOND)
    return review_submit(actor=user_named("inst_411402"), kind=KIND, subject=subject())


def test_queue_to_decision(browser, site, demo_password, user_named):  # noqa: F811
    from jineng.core.review import review_of

    review = _submitted(user_named)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    assert "待我审核 1 件" in page.content()
    page.get_by_role("navigation").get_by_role("link", name="待我审核").click()
    page.wait_for_url(f"{site}/core/reviews/")
    row = page.get_by_test_id("review-queue").inner_text()
    assert "商丘市梁园区金蓝领职业培训学校的备案" in row and "第 1 步/共 2 步" in row
    page.get_by_role("link", name="审核", exact=True).click()
    page.wait_for_url(f"{site}/core/reviews/{review.pk}/")

    page.get_by_label("退回修改").check()
    page.get_by_role("button", name="提交审核意见").click()
    assert "退回修改须填写理由" in page.get_by_test_id("decision-form").inner_text()

    page.get_by_label("通过").check()
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(f"{site}/core/reviews/")
    assert "已审核" in page.locator(".msg.success").inner_text()
    assert "没有待您审核的事项" in page.get_by_test_id("review-queue").inner_text()
    page.screenshot(path=str(SHOTS / "jineng-review-queue.png"), full_page=True)
    assert review_of(subject()).step_index == 1
    context.close()


def test_queue_on_a_phone(browser, site, demo_password, user_named):  # noqa: F811
    _submitted(user_named)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    page.goto(f"{site}/core/reviews/")
    assert "第 1 步/共 2 步" in page.get_by_test_id("review-queue").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "jineng-review-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_review_pages_pass_axe(browser, site, demo_password, user_named, size):  # noqa: F811
    from tests.core.test_accessibility import SIZES, serious_violations

    review = _submitted(user_named)
    visits = [("county_411402", ["/core/reviews/", f"/core/reviews/{review.pk}/"]),
              ("province_410000", ["/core/reviews/chains/", f"/core/reviews/chains/{KIND}/"])]
    for username, paths in visits:
        # bypass_csp: axe is injected as an inline script, which the site's CSP forbids.
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        sign_in(page, site, username, demo_password)
        for path in paths:
            page.goto(f"{site}{path}")
            assert serious_violations(page) == [], (username, path)
            name = path.strip("/").replace("/", "-").replace(".", "_")
            page.screenshot(path=str(SHOTS / f"jineng-{name}-{size}.png"), full_page=True)
            if size == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        context.close()
