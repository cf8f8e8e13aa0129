"""A real browser: 金蓝领's operator puts the class's QR code on a screen; a worker opens the
code's address on a phone-sized page with the location granted and reads 签到成功; another
checks in from a kilometre away and reads that the check-in waits to be verified; the
screen's count moves without a reload. And the attendance pages pass axe."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.core.test_accessibility import SIZES, serious_violations
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    SHOTS,
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def _class_now():
    """A class of 金蓝领 with a session starting in five minutes (its check-in is open)."""
    from django.utils import timezone

    from jineng.orgs.models import User
    from jineng.training.models import Session
    from tests.training import factories

    school = User.objects.get(username="inst_411402").institution
    klass = factories.training_class(school, start=timezone.localdate(), sessions=0)
    begins = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    Session.objects.create(training_class=klass, starts_at=begins,
                           ends_at=begins + dt.timedelta(hours=3), hours=4,
                           teacher=klass.teachers.get().teacher)
    return klass


def _trainee(klass, name, password):
    from tests.training import factories
    from tests.training.test_attendance import make_worker

    worker = make_worker(name)
    worker.set_password(password)
    worker.save()
    factories.enrolment(klass, who=worker.person)
    return worker


def _phone(browser, lat, lng):  # noqa: F811
    return browser.new_context(geolocation={"latitude": float(lat), "longitude": float(lng)},
                               permissions=["geolocation"], **PHONE)


def test_a_worker_checks_in_on_a_phone(browser, site, demo_password):  # noqa: F811
    from jineng.training.models import Attendance, AttendanceStatus
    from tests.training.factories import VENUE

    klass = _class_now()
    near, far = (_trainee(klass, "扫码学员", demo_password),
                 _trainee(klass, "远处学员", demo_password))

    screen = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    operator = screen.new_page()
    sign_in(operator, site, "inst_411402", demo_password)
    operator.goto(f"{site}/training/attendance/classes/{klass.pk}/screen/")
    qr = operator.get_by_test_id("screen-qr")
    assert qr.is_visible() and qr.get_attribute("src").startswith("data:image/svg+xml")
    assert operator.get_by_test_id("screen-message").inner_text() == "请用手机扫码签到"
    assert operator.get_by_test_id("screen-count").inner_text() == "已签到 0 / 2 人，签退 0 人"
    url = qr.get_attribute("data-url")
    assert url.startswith(f"{site}/training/checkin/?t=")

    phone = _phone(browser, VENUE[0], VENUE[1])
    page = phone.new_page()
    sign_in(page, site, near.username, demo_password)
    page.goto(url)
    result = page.get_by_test_id("checkin-result")
    result.filter(has_text="签到成功").wait_for(timeout=15000)
    assert result.inner_text().startswith("签到成功（")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "jineng-checkin-phone.png"), full_page=True)
    phone.close()

    away = _phone(browser, VENUE[0] + Decimal("0.01"), VENUE[1])  # about 1.1 km north
    page = away.new_page()
    sign_in(page, site, far.username, demo_password)
    page.goto(url)
    result = page.get_by_test_id("checkin-result")
    result.filter(has_text="待核实").wait_for(timeout=15000)
    text = result.inner_text()
    assert text.startswith("已记录签到（") and "不在培训地点范围内" in text
    assert "签到范围 300 米" in text
    page.screenshot(path=str(SHOTS / "jineng-checkin-flagged-phone.png"), full_page=True)
    away.close()

    # the screen's count moves by itself (polling), no reload
    operator.get_by_test_id("screen-count").filter(has_text="已签到 2 / 2 人").wait_for(
        timeout=15000)
    screen.close()
    statuses = dict(Attendance.objects.filter(session__training_class=klass)
                    .values_list("enrolment__person__name", "status"))
    assert statuses == {"扫码学员": AttendanceStatus.CONFIRMED,
                        "远处学员": AttendanceStatus.UNCONFIRMED}


def test_a_phone_without_location_is_told_to_allow_it(browser, site, demo_password):  # noqa: F811
    from jineng.training import attendance
    from jineng.training.models import Attendance

    klass = _class_now()
    worker = _trainee(klass, "无定位学员", demo_password)
    context = browser.new_context(**PHONE)  # no geolocation permission
    page = context.new_page()
    sign_in(page, site, worker.username, demo_password)
    page.goto(f"{site}/training/checkin/?t={attendance.qr_token(klass.sessions.get())}")
    result = page.get_by_test_id("checkin-result")
    result.filter(has_text="未取得位置信息").wait_for(timeout=20000)
    assert "允许手机获取位置" in result.inner_text()
    assert not Attendance.objects.filter(session__training_class=klass).exists()
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_attendance_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    from jineng.training import attendance
    from tests.training.test_attendance import FAR, make_worker

    klass = _class_now()
    worker = make_worker("无障碍学员")
    from tests.training import factories

    factories.enrolment(klass, who=worker.person)
    worker.set_password(demo_password)
    worker.save()
    session = klass.sessions.get()
    from django.utils import timezone

    record = attendance.check_in(actor=worker, token=attendance.qr_token(session),
                                 lat=FAR[0], lng=FAR[1], device_id="axe",
                                 now=timezone.now()).attendance
    visits = [("county_411402", ["/training/attendance/", f"/training/attendance/{record.pk}/",
                                 f"/training/attendance/classes/{klass.pk}/"]),
              ("inst_411402", [f"/training/attendance/classes/{klass.pk}/screen/"]),
              (worker.username, ["/training/attendance/mine/",
                                 f"/training/checkin/?t={attendance.qr_token(session)}"])]
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
            if size == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
