"""A real browser: a worker who completed a class rates it on a phone-sized page; the pages of
completion and ratings pass axe at desktop and phone size."""

import pytest

from tests.core.test_accessibility import SIZES, serious_violations
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser


def _completed_class():
    """A finished class of 金蓝领 with worker_411402 completed in it (built in the live
    database, committed: the browser's server reads it)."""
    import datetime as dt

    from django.utils import timezone

    from jineng.orgs.models import User
    from jineng.training.models import EnrolmentStatus
    from tests.training import factories

    school = User.objects.get(username="inst_411402").institution
    training_class = factories.training_class(
        school, start=timezone.localdate() - dt.timedelta(days=7), days=3, planned_hours=12)
    worker = User.objects.get(username="worker_411402")
    enrolment = factories.enrolment(training_class, who=worker.person,
                                    status=EnrolmentStatus.COMPLETED, exam_score=88,
                                    exam_passed=True, attendance_share=1)
    factories.enrolment(training_class)  # an enrolled trainee: the results page has a form
    return training_class, enrolment


def test_a_worker_rates_the_class_on_a_phone(browser, site, demo_password):  # noqa: F811
    from jineng.training.models import ClassRating

    training_class, enrolment = _completed_class()
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, site, "worker_411402", demo_password)
    page.goto(f"{site}/training/ratings/mine/")
    page.get_by_test_id(f"enrolment-{enrolment.pk}").get_by_role("link", name="去评价").click()
    for n in range(1, 5):
        page.locator(f"input[name=q{n}][value='{6 - n if n < 3 else 4}']").check()
    page.fill("textarea[name=comment]", "老师讲得很细")
    page.get_by_role("button", name="保存").click()
    assert "感谢您的评价" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    rating = ClassRating.objects.get(enrolment=enrolment)
    assert rating.scores == [5, 4, 4, 4] and rating.comment == "老师讲得很细"
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_completion_and_rating_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    training_class, enrolment = _completed_class()
    visits = [("inst_411402", [f"/training/classes/{training_class.pk}/results/",
                               f"/training/classes/{training_class.pk}/results/import/"]),
              ("county_411402", ["/training/online-hours/", "/training/ratings/",
                                 "/training/ratings/flagged/"]),
              ("worker_411402", ["/training/ratings/mine/",
                                 f"/training/enrolments/{enrolment.pk}/rate/"])]
    found = {}
    for username, paths in visits:
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        sign_in(page, site, username, demo_password)
        for path in paths:
            response = page.goto(f"{site}{path}")
            assert response.status == 200, (username, path, response.status)
            problems = serious_violations(page)
            if problems:
                found[f"{username} {path}"] = problems
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
