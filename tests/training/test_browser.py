"""A real browser: an officer ends 金蓝领's demo designation, the institution applies again
on a phone, and the officer sees the application in the list."""

import datetime as dt

import pytest

from tests.core.test_accessibility import SIZES, serious_violations
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser


def test_institution_applies_and_the_officer_sees_it(browser, site, demo_password):  # noqa: F811
    year = dt.date.today().year
    officer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(officer, site, "county_411402", demo_password)
    officer.goto(f"{site}/training/designations/")
    officer.get_by_role("link", name="商丘市梁园区金蓝领职业培训学校").click()
    officer.fill("#exit-reason", "到期不再续办")
    officer.get_by_role("button", name="退出定点").click()
    assert officer.get_by_test_id("status").inner_text() == "已退出"

    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, site, "inst_411402", demo_password)
    page.goto(f"{site}/training/designations/apply/")
    page.select_option("select[name=ownership]", "private")
    page.fill("input[name=occupation_codes]", "6-31-01-03")
    page.get_by_label("四级/中级工").check()
    page.fill("input[name=valid_from]", f"{year}-03-01")
    page.fill("input[name=valid_to]", f"{year + 1}-12-31")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("status").inner_text() == "已申请（待审核）"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

    officer.goto(f"{site}/training/designations/?status=applied")
    listing = officer.get_by_test_id("list").inner_text()
    assert "商丘市梁园区金蓝领职业培训学校" in listing and "电工" in listing


@pytest.mark.parametrize("size", SIZES)
def test_training_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    from jineng.training.models import Designation

    detail = f"/training/designations/{Designation.objects.order_by('pk').first().pk}/"
    visits = [(None, ["/training/directory/?region=梁园区"]),
              ("county_411402", [detail, "/training/teachers/", "/training/engagements/"]),
              ("county_411403", ["/training/school-reports/"]),
              ("inst_411402", ["/training/designations/apply/", "/training/teachers/new/"])]
    found = {}
    for username, paths in visits:
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        if username:
            sign_in(page, site, username, demo_password)
        for path in paths:
            page.goto(f"{site}{path}")
            problems = serious_violations(page)
            if problems:
                found[f"{username or '未登录'} {path}"] = problems
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
