"""A real browser on the public catalogue (phone) and the officer's in-force page. The live
server fixtures come from the platform's browser tests."""

import pytest

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser


def test_public_catalogue_on_a_phone(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(f"{site}/catalogue/")
    assert not page.url.startswith(f"{site}/login/")  # no login needed
    page.fill("input[name=region]", "411402")
    page.fill("input[name=date]", "2024-01-01")
    page.fill("input[name=q]", "养老")
    page.get_by_role("button", name="查询").click()
    table = page.get_by_test_id("list").inner_text()
    assert "养老护理员" in table and "家政服务员" not in table
    assert "示例数据" in page.get_by_test_id("version").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename == "补贴性培训职业目录-梁园区-2024-01-01.xlsx"
    context.close()


def test_officer_sees_policies_from_above(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    page.get_by_role("navigation").get_by_role("link", name="参考数据").click()
    page.get_by_role("main").get_by_role("link", name="在用政策").click()
    table = page.get_by_test_id("in-force").inner_text()
    assert "上级（商丘市）" in table and "商政办〔2022〕9号" in table
    page.get_by_test_id("in-force").get_by_role("link").first.click()
    assert "200.00 元" in page.get_by_test_id("figures").inner_text()
    context.close()
