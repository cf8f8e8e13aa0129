"""A real browser: a worker tells, on a phone, what they want to learn, is told when a matching
class opens and marks the notice read; the wish pages pass axe at desktop and phone size."""

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


def test_a_worker_tells_what_they_want_to_learn_and_hears_of_a_class(
        browser, site, demo_password):  # noqa: F811
    from jineng.training import wishes
    from jineng.training.models import TrainingWish, WishNotice
    from tests.training import factories

    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, site, "worker_411402", demo_password)
    page.goto(f"{site}/training/my/wishes/")
    page.get_by_test_id("add-wish").click()
    page.fill("input[name=occupation]", "电工")
    page.select_option("select[name=level]", label="四级/中级工")
    page.fill("input[name=time_note]", "周末")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{site}/training/my/wishes/")
    table = page.get_by_test_id("my-wishes").inner_text()
    assert "电工" in table and "四级/中级工" in table and "梁园区" in table and "周末" in table
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    wish = TrainingWish.objects.get(person__user__username="worker_411402", is_active=True,
                                    occupation__code="6-31-01-03")

    course = factories.training_class(factories.institution("411402"),
                                      start=dt.date.today() + dt.timedelta(days=7))
    assert wishes.notify_class_opened(course) >= 1
    page.goto(f"{site}/training/my/wishes/")
    page.get_by_test_id("unread").click()
    page.get_by_role("link", name=course.name).click()
    assert course.venue in page.get_by_test_id("class").inner_text()
    page.get_by_test_id("mark-read").click()
    page.wait_for_url(f"{site}/training/my/notices/")
    assert WishNotice.objects.get(wish=wish, training_class=course).read_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_wish_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    from jineng.orgs.models import User
    from jineng.training import demo_wishes, wishes
    from jineng.training.models import WishNotice
    from tests.training import factories

    demo_wishes.load_wishes()
    course = factories.training_class(factories.institution("411402"))
    wishes.notify_class_opened(course)
    zhang = User.objects.get(username="worker_411402")
    notice = WishNotice.objects.filter(wish__person__user=zhang).first()
    wish = wishes.wish_list(user=User.objects.get(username="county_411402")).first()
    visits = [
        ("county_411402", ["/training/wishes/", f"/training/wishes/{wish.pk}/",
                           "/training/wishes/new/", "/training/wishes/import/",
                           "/training/wishes/summary/"]),
        ("inst_411402", ["/training/wishes/summary/"]),
        ("worker_411402", ["/training/my/wishes/", "/training/my/wishes/new/",
                           "/training/my/notices/", f"/training/my/notices/{notice.pk}/",
                           "/people/me/"]),
    ]
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
