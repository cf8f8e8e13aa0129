"""A real browser: the class pages pass axe at desktop and phone size, and on a phone an
institution reads a class's timetable and fills a session row without sideways scrolling."""

import pytest

from tests.core.test_accessibility import SIZES, serious_violations
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", SIZES)
def test_class_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    from jineng.training.demo_classes import demo_classes

    found_classes = demo_classes()
    running = f"/training/classes/{found_classes['running'].pk}/"
    apprenticeship = f"/training/classes/{found_classes['apprenticeship'].pk}/"
    upcoming = found_classes["upcoming"].pk
    visits = [("county_411402", ["/training/classes/", running]),
              ("inst_411402", ["/training/classes/file/", f"/training/classes/{upcoming}/change/",
                               apprenticeship]),
              ("ent_411402", ["/training/enterprise-staff/", "/training/enterprise-staff/new/"])]
    found = {}
    for username, paths in visits:
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        sign_in(page, site, username, demo_password)
        for path in paths:
            page.goto(f"{site}{path}")
            problems = serious_violations(page)
            if problems:
                found[f"{username} {path}"] = problems
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())


def test_a_phone_reads_the_timetable_and_fills_a_session_row(browser, site,  # noqa: F811
                                                            demo_password):
    from jineng.training.demo_classes import demo_classes

    running = demo_classes()["running"]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, site, "inst_411402", demo_password)
    page.goto(f"{site}/training/classes/{running.pk}/")
    assert "王淑芬" in page.get_by_test_id("sessions").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{site}/training/classes/file/")
    page.get_by_label("第 1 课次 日期").fill("2030-01-07")
    page.get_by_label("第 1 课次 课时").fill("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
