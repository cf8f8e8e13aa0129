"""Attendance services: the QR token (expired, forged, for another session), the trainee's
own check-in with location (refused without one), each flag (outside the venue, a shared
device, after the window, impossible travel), a repeated scan, the institution refused,
an officer's corrections, and results submitted late needing approval."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.models import AuditEvent
from jineng.orgs.models import Region, Role, User
from jineng.training import attendance
from jineng.training.models import (
    Attendance,
    AttendanceFlag,
    AttendanceStatus,
    CheckKind,
    ClassStatus,
    EnrolmentStatus,
    Session,
)
from tests.training import factories

pytestmark = pytest.mark.django_db

VENUE = factories.VENUE
_names = itertools.count(1)
# About 1.1 km north of the venue: outside its 300 m.
FAR = (VENUE[0] + Decimal("0.01"), VENUE[1])
NEAR = (VENUE[0] + Decimal("0.0005"), VENUE[1])  # ~55 m


def make_worker(name: str = "", region_code: str = "411403") -> User:
    """A signed-up worker (the worker role) whose account is their person's."""
    n = next(_names)
    user = User.objects.create(username=f"attend_worker_{n}", full_name=name or f"学员{n}",
                               region=Region.objects.get(code=region_code),
                               must_change_password=False)
    user.roles.add(Role.objects.get(code="worker"))
    factories.person(region_code, name or f"学员{n}", user=user)
    return user


@pytest.fixture
def klass(db):
    """A class of 睢阳区 that started two days ago, with three sessions at 09:00–12:00."""
    return factories.training_class(start=timezone.localdate() - dt.timedelta(days=2), days=3)


@pytest.fixture
def session(klass):
    return klass.sessions.order_by("starts_at").first()


@pytest.fixture
def trainee(klass):
    worker = make_worker("王学员")
    factories.enrolment(klass, who=worker.person)
    return worker


def scan(actor, session, *, minutes=5, at=VENUE, device="phone-1", kind=CheckKind.IN,
         token_minutes=None, token=None):
    """The trainee scans the screen's code `minutes` after the session starts (or ends, for a
    check-out), the code shown `token_minutes` after (the same moment by default)."""
    base = session.starts_at if kind == CheckKind.IN else session.ends_at
    now = base + dt.timedelta(minutes=minutes)
    shown = base + dt.timedelta(minutes=minutes if token_minutes is None else token_minutes)
    token = token or attendance.qr_token(session, now=shown)
    lat, lng = at if at is not None else (None, None)
    return attendance.check_in(actor=actor, token=token, lat=lat, lng=lng, device_id=device,
                               kind=kind, now=now)


def refusal(exc) -> tuple[str, str]:
    return exc.value.code, exc.value.message


# ---------------------------------------------------------------- the token


def test_a_token_is_good_for_its_slot_and_the_one_after(session):
    now = session.starts_at
    token = attendance.qr_token(session, now=now)
    assert attendance.qr_token_read(token, now=now) == session.pk
    later = now + dt.timedelta(seconds=attendance.SLOT_SECONDS)
    assert attendance.qr_token_read(token, now=later) == session.pk
    assert len(token) <= 40  # compact: a small QR code


def test_an_expired_token_is_refused_in_its_own_words(trainee, session):
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, minutes=5, token_minutes=3)  # shown two minutes before
    assert refusal(exc) == ("qr_expired", attendance.EXPIRED)
    assert "已过期" in exc.value.errors["token"]
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


@pytest.mark.parametrize("tamper", ["mac", "session", "garbage", "future", "empty"])
def test_a_forged_token_is_refused(trainee, session, klass, tamper):
    now = session.starts_at + dt.timedelta(minutes=5)
    good = attendance.qr_token(session, now=now)
    sid, slot, mac = good.split(".")
    other = klass.sessions.exclude(pk=session.pk).first()
    token = {
        "mac": f"{sid}.{slot}.{'A' * len(mac)}",
        "session": f"{other.pk}.{slot}.{mac}",  # the mac binds the session: not another's
        "garbage": "https://example.com/not-a-token",
        "future": attendance.qr_token(session, now=now + dt.timedelta(minutes=2)),
        "empty": "",
    }[tamper]
    with pytest.raises(ServiceError) as exc:
        attendance.check_in(actor=trainee, token=token, lat=VENUE[0], lng=VENUE[1],
                            device_id="p", now=now)
    assert refusal(exc) == ("qr_forged", attendance.FORGED)
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


def test_a_token_of_another_class_is_refused(trainee, session):
    elsewhere = factories.training_class(start=session.starts_at.date())
    other = elsewhere.sessions.first()
    with pytest.raises(ServiceError) as exc:
        scan(trainee, other)
    code, message = refusal(exc)
    assert code == "qr_other_session"
    assert f"「{elsewhere.name}」" in message and "您没有报名该培训班" in message


def test_a_token_read_for_a_given_session_names_the_other(session, klass):
    other = klass.sessions.exclude(pk=session.pk).first()
    with pytest.raises(ServiceError) as exc:
        attendance.qr_token_read(attendance.qr_token(other), session=session)
    assert exc.value.code == "qr_other_session" and "另一课次" in exc.value.message


# ---------------------------------------------------------------- a clean check-in


def test_the_trainee_checks_in_at_the_venue(trainee, session):
    done = scan(trainee, session, at=NEAR, device="phone-A")
    record = done.attendance
    assert done.created
    assert record.status == AttendanceStatus.CONFIRMED and record.flags == []
    assert 40 <= record.distance_m <= 70
    assert (record.lat, record.lng, record.device_id) == (NEAR[0], NEAR[1], "phone-A")
    assert record.at == session.starts_at + dt.timedelta(minutes=5)
    assert attendance.check_in_answer(record) == ("checked_in", "签到成功（09:05）")
    event = AuditEvent.objects.get(object_type="training.attendance", object_id=str(record.pk))
    assert event.action == "attendance_check_in" and event.actor_name == trainee.username


def test_a_check_in_without_a_location_is_refused_naming_the_field(trainee, session):
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, at=None)
    assert exc.value.code == "location_missing"
    assert "lat" in exc.value.errors and "位置" in exc.value.errors["lat"]
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


@pytest.mark.parametrize("lat, lng, field", [(91, 115, "lat"), (34, "东经", "lng")])
def test_a_location_out_of_range_is_refused(trainee, session, lat, lng, field):
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, at=(lat, lng))
    assert exc.value.code == "location_invalid" and field in exc.value.errors


def test_before_the_window_opens_nothing_is_recorded(trainee, session):
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, minutes=-31)  # the sample policy opens 30 minutes before
    assert exc.value.code == "window_not_open" and "08:30 起可以签到" in exc.value.message
    scan(trainee, session, minutes=-29)  # inside the window
    assert Attendance.objects.filter(session=session).count() == 1


# ---------------------------------------------------------------- flags, not refusals


def test_outside_the_venue_is_flagged(trainee, session):
    record = scan(trainee, session, at=FAR).attendance
    assert record.flags == [AttendanceFlag.OUTSIDE_VENUE]
    assert record.status == AttendanceStatus.UNCONFIRMED
    assert 1080 <= record.distance_m <= 1140
    code, message = attendance.check_in_answer(record)
    assert code == "flagged"
    assert message.startswith("已记录签到（09:05），待核实：")
    assert "不在培训地点范围内（距培训地点约 1.1 公里" in message
    assert "签到范围 300 米" in message


def test_after_the_window_is_flagged(trainee, session):
    record = scan(trainee, session, minutes=16).attendance  # closes 15 minutes after
    assert record.flags == [AttendanceFlag.AFTER_WINDOW]
    assert record.status == AttendanceStatus.UNCONFIRMED
    assert "已超过签到时段" in attendance.check_in_answer(record)[1]


def test_one_device_for_two_trainees_flags_both(trainee, session, klass):
    friend = make_worker("李学员")
    factories.enrolment(klass, who=friend.person)
    first = scan(trainee, session, device="shared").attendance
    assert first.status == AttendanceStatus.CONFIRMED
    second = scan(friend, session, minutes=6, device="shared").attendance
    assert second.flags == [AttendanceFlag.SHARED_DEVICE]
    first.refresh_from_db()
    assert first.flags == [AttendanceFlag.SHARED_DEVICE]
    assert first.status == second.status == AttendanceStatus.UNCONFIRMED
    event = AuditEvent.objects.get(object_type="training.attendance", object_id=str(second.pk))
    assert event.changes["also_flagged"] == [None, [first.pk]]
    # the same device on another day's session is no flag
    later = klass.sessions.order_by("starts_at")[1]
    assert scan(friend, later, device="shared").attendance.flags == []


def test_checking_in_too_far_away_too_soon_is_flagged(trainee, session):
    # The same trainee in a second class ~150 km away, whose session starts at the same time.
    away = factories.training_class(start=timezone.localdate(session.starts_at),
                                    venue_lat=Decimal("35.700000"), venue_lng=Decimal("115.0"))
    factories.enrolment(away, who=trainee.person)
    far_session = away.sessions.first()
    assert scan(trainee, session, minutes=0).attendance.flags == []
    record = scan(trainee, far_session, minutes=10, at=(Decimal("35.700000"),
                                                        Decimal("115.0"))).attendance
    assert record.flags == [AttendanceFlag.IMPOSSIBLE_TRAVEL]  # inside its own venue
    assert "相距过远" in attendance.check_in_answer(record)[1]


def test_far_apart_but_hours_apart_is_no_flag(trainee, session):
    away = factories.training_class(start=timezone.localdate(session.starts_at),
                                    venue_lat=Decimal("34.500000"), venue_lng=Decimal("115.65"))
    factories.enrolment(away, who=trainee.person)
    scan(trainee, session, minutes=0)
    # ~12 km, 3 hours later: 4 km/h
    record = scan(trainee, away.sessions.first(), minutes=180, token_minutes=180,
                  at=(Decimal("34.500000"), Decimal("115.65"))).attendance
    assert AttendanceFlag.IMPOSSIBLE_TRAVEL not in record.flags


def test_checking_out_far_from_where_one_checked_in_is_flagged(trainee, session):
    scan(trainee, session, minutes=0)
    # a check-out ~445 km away, three hours (the session's length) less a minute later
    record = scan(trainee, session, kind=CheckKind.OUT, minutes=-1,
                  at=(VENUE[0] + Decimal("4"), VENUE[1])).attendance
    assert set(record.flags) == {AttendanceFlag.OUTSIDE_VENUE, AttendanceFlag.IMPOSSIBLE_TRAVEL}


# ---------------------------------------------------------------- idempotency


def test_a_repeated_scan_gives_the_same_answer_and_no_second_row(trainee, session):
    first = scan(trainee, session, minutes=1, at=FAR)
    again = scan(trainee, session, minutes=2, at=VENUE, device="another")
    assert not again.created and again.attendance.pk == first.attendance.pk
    assert attendance.check_in_answer(again.attendance) == attendance.check_in_answer(
        first.attendance)
    assert Attendance.objects.filter(session=session).count() == 1
    assert AuditEvent.objects.filter(object_type="training.attendance",
                                     object_id=str(first.attendance.pk)).count() == 1


# ---------------------------------------------------------------- only the trainee


def test_the_institution_cannot_check_a_trainee_in(session, trainee, user_named):
    operator = user_named("inst_411402")
    with pytest.raises(Forbidden) as exc:
        scan(operator, session)
    assert exc.value.message == attendance.ONLY_SELF
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


def test_an_officer_without_a_person_cannot_check_in(session, trainee, user_named):
    with pytest.raises(ServiceError) as exc:
        scan(user_named("county_411403"), session)
    assert refusal(exc) == ("not_trainee", attendance.ONLY_SELF)


def test_a_withdrawn_trainee_cannot_check_in(session, trainee):
    trainee.person.enrolments.update(status=EnrolmentStatus.WITHDRAWN)
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session)
    assert exc.value.code == "withdrawn"


def test_a_class_not_yet_approved_takes_no_check_in(session, trainee, klass):
    klass.status = ClassStatus.FILED
    klass.save()
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session)
    assert exc.value.code == "class_not_running"


# ---------------------------------------------------------------- check-out


def test_check_out_needs_a_check_in_and_its_own_window(trainee, session):
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, kind=CheckKind.OUT)
    assert exc.value.code == "not_checked_in"
    scan(trainee, session)
    with pytest.raises(ServiceError) as exc:
        scan(trainee, session, kind=CheckKind.OUT, minutes=-45)  # 45 minutes before the end
    assert exc.value.code == "window_not_open" and "11:30 起可以签退" in exc.value.message
    out = scan(trainee, session, kind=CheckKind.OUT, minutes=2).attendance
    assert out.kind == CheckKind.OUT and out.status == AttendanceStatus.CONFIRMED
    assert attendance.check_in_answer(out) == ("checked_out", "签退成功（12:02）")


# ---------------------------------------------------------------- officers' corrections


def test_an_officer_records_a_check_in_with_a_reason(trainee, session, user_named):
    officer = user_named("county_411403")
    enrolment = trainee.person.enrolments.get()
    at = session.starts_at + dt.timedelta(minutes=3)
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_record_manual(actor=officer, enrolment=enrolment, session=session,
                                            kind=CheckKind.IN, at=at, reason=" ")
    assert exc.value.errors == {"reason": "人工补录须填写原因"}
    record = attendance.attendance_record_manual(
        actor=officer, enrolment=enrolment, session=session, kind=CheckKind.IN, at=at,
        reason="学员手机故障，现场核实到课")
    assert record.is_manual and record.status == AttendanceStatus.CONFIRMED
    assert record.flags == [AttendanceFlag.MANUAL] and record.recorded_by == officer
    event = AuditEvent.objects.get(object_type="training.attendance", object_id=str(record.pk))
    assert event.action == "attendance_manual"
    assert "手机故障" in record.reason and event.changes["reason"] == [None, record.reason]
    with pytest.raises(Conflict):
        attendance.attendance_record_manual(actor=officer, enrolment=enrolment, session=session,
                                            kind=CheckKind.IN, at=at, reason="再补一次")
    # the trainee's scan afterwards is the same record
    assert scan(trainee, session).attendance.pk == record.pk


def test_no_manual_record_before_a_session_and_no_decision_after_completion(
        trainee, session, user_named):
    officer = user_named("county_411403")
    enrolment = trainee.person.enrolments.get()
    record = attendance.attendance_record_manual(
        actor=officer, enrolment=enrolment, session=session, kind=CheckKind.IN,
        at=session.starts_at + dt.timedelta(minutes=3), reason="现场核实到课")
    begins = timezone.now() + dt.timedelta(days=2)
    coming = Session.objects.create(training_class=session.training_class, starts_at=begins,
                                    ends_at=begins + dt.timedelta(hours=3), hours=4,
                                    teacher=session.teacher)
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_record_manual(
            actor=officer, enrolment=enrolment, session=coming, kind=CheckKind.IN,
            at=begins + dt.timedelta(minutes=3), reason="提前补录")
    assert exc.value.code == "not_yet"
    session.training_class.__class__.objects.filter(pk=session.training_class_id).update(
        status=ClassStatus.COMPLETED)
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_decide(actor=officer, attendance=record, decision="void",
                                     reason="复核")
    assert exc.value.code == "class_completed"  # a completed class's results stand


def test_manual_records_are_for_officers_of_the_class_region(trainee, session, user_named):
    enrolment = trainee.person.enrolments.get()
    fields = dict(enrolment=enrolment, session=session, kind=CheckKind.IN,
                  at=session.starts_at, reason="补录")
    with pytest.raises(Forbidden):
        attendance.attendance_record_manual(actor=user_named("inst_411402"), **fields)
    with pytest.raises(NotFound):
        attendance.attendance_record_manual(actor=user_named("county_411402"), **fields)
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_record_manual(actor=user_named("county_411403"),
                                            **{**fields, "at": session.starts_at
                                               + dt.timedelta(days=1)})
    assert exc.value.code == "wrong_day"
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


def test_an_officer_confirms_rejects_or_voids_with_a_reason(trainee, session, user_named):
    officer = user_named("county_411403")
    record = scan(trainee, session, at=FAR).attendance
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_decide(actor=officer, attendance=record, decision="confirm",
                                     reason="")
    assert exc.value.errors == {"reason": "确认须填写原因"}
    record = attendance.attendance_decide(actor=officer, attendance=record, decision="confirm",
                                          reason="培训点临时移至对面楼，已核实")
    assert record.status == AttendanceStatus.CONFIRMED and record.is_manual
    assert record.flags == [AttendanceFlag.OUTSIDE_VENUE]  # the evidence stays
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_decide(actor=officer, attendance=record, decision="confirm",
                                     reason="再次确认")
    assert exc.value.code == "wrong_state"
    record = attendance.attendance_decide(actor=officer, attendance=record, decision="void",
                                          reason="课次取消")
    assert record.status == AttendanceStatus.VOIDED
    actions = list(AuditEvent.objects.filter(object_type="training.attendance",
                                             object_id=str(record.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["attendance_check_in", "attendance_confirm", "attendance_void"]


def test_decisions_are_not_for_the_institution_or_a_sibling_county(trainee, session,
                                                                     user_named):
    record = scan(trainee, session, at=FAR).attendance
    with pytest.raises(Forbidden):
        attendance.attendance_decide(actor=user_named("inst_411402"), attendance=record,
                                     decision="reject", reason="不认")
    with pytest.raises(NotFound):
        attendance.attendance_decide(actor=user_named("county_411402"), attendance=record,
                                     decision="reject", reason="不认")
    record.refresh_from_db()
    assert record.status == AttendanceStatus.UNCONFIRMED


# ---------------------------------------------------------------- results and the deadline


@pytest.fixture
def ended(db):
    """A class of 睢阳区 that ran for three days and ended 20 days ago."""
    start = timezone.localdate() - dt.timedelta(days=23)
    return factories.training_class(start=start, days=3, sessions=3)


def _at(day: dt.date, hour=10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_results_in_time_are_accepted(ended, user_named):
    operator = user_named("county_411403")
    done = attendance.attendance_results_submit(actor=operator, training_class=ended,
                                                now=_at(ended.end_date + dt.timedelta(days=7)))
    assert done.results_submitted_at is not None and not done.results_late
    assert attendance.results_accepted(done)
    with pytest.raises(Conflict) as exc:
        attendance.attendance_results_submit(actor=operator, training_class=ended)
    assert "不能重复提交" in exc.value.message


def test_results_before_the_class_ends_are_refused(ended, user_named):
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_results_submit(actor=user_named("county_411403"),
                                             training_class=ended,
                                             now=_at(ended.end_date - dt.timedelta(days=1)))
    assert exc.value.code == "not_ended" and "尚未结束" in exc.value.message


def test_late_results_need_an_officers_approval(ended, user_named):
    late = attendance.attendance_results_submit(
        actor=user_named("county_411403"), training_class=ended,
        now=_at(ended.end_date + dt.timedelta(days=8)))  # the sample gives 7 days
    assert late.results_late and not attendance.results_accepted(late)
    assert attendance.results_state(late)[0] == "late"
    officer = user_named("county_411403")
    assert list(attendance.late_results_list(user=officer)) == [late]
    assert late not in list(attendance.late_results_list(user=user_named("county_411402")))
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_late_approve(actor=officer, training_class=late, reason="")
    assert exc.value.errors == {"reason": "逾期审批须填写原因"}
    with pytest.raises(NotFound):
        attendance.attendance_late_approve(actor=user_named("county_411402"),
                                           training_class=late, reason="同意")
    approved = attendance.attendance_late_approve(actor=officer, training_class=late,
                                                  reason="系统故障导致逾期，同意")
    assert approved.late_approved_by == officer and attendance.results_accepted(approved)
    assert list(attendance.late_results_list(user=officer)) == []
    actions = list(AuditEvent.objects.filter(object_type="training.trainingclass",
                                             object_id=str(ended.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["attendance_results_submit", "attendance_late_approve"]


def test_results_of_a_class_in_time_need_no_approval(ended, user_named):
    done = attendance.attendance_results_submit(actor=user_named("county_411403"),
                                                training_class=ended,
                                                now=_at(ended.end_date + dt.timedelta(days=1)))
    with pytest.raises(ServiceError) as exc:
        attendance.attendance_late_approve(actor=user_named("county_411403"),
                                           training_class=done, reason="同意")
    assert exc.value.code == "not_late"


def test_a_sibling_institution_cannot_submit_results(ended, user_named):
    with pytest.raises(NotFound):  # 金蓝领 of 梁园区, not the class's institution
        attendance.attendance_results_submit(actor=user_named("inst_411402"),
                                             training_class=ended)
    with pytest.raises(Forbidden):  # a worker holds no such permission
        attendance.attendance_results_submit(actor=make_worker(), training_class=ended)


# ---------------------------------------------------------------- reads


def test_the_summary_counts_sessions_and_lists_flags(trainee, session, klass):
    scan(trainee, session, at=FAR)
    summary = attendance.attendance_summary(klass)
    first = summary["sessions"][0]
    assert (first["in"], first["out"], first["flagged"]) == (1, 0, 1)
    assert summary["enrolled"] == 1 and summary["flagged_count"] == 1
    assert summary["flagged"][0]["texts"][0].startswith("不在培训地点范围内")
    assert summary["results_code"] == "not_submitted"


def test_the_screen_shows_the_session_whose_window_is_open(klass, session):
    assert attendance.current_session(klass, now=session.starts_at) == (session, CheckKind.IN)
    assert attendance.current_session(klass, now=session.ends_at) == (session, CheckKind.OUT)
    evening = session.ends_at + dt.timedelta(hours=2)
    upcoming, kind = attendance.current_session(klass, now=evening)
    assert kind == "" and upcoming.starts_at > evening


def test_the_supervision_list_filters_by_flag_class_and_date(trainee, session, klass,
                                                             user_named):
    officer = user_named("county_411403")
    flagged = scan(trainee, session, at=FAR).attendance
    clean = scan(trainee, klass.sessions.order_by("starts_at")[1]).attendance
    listed = attendance.attendance_list(user=officer, flagged="1", class_code=klass.code)
    assert list(listed) == [flagged]
    assert list(attendance.attendance_list(user=officer, flag=AttendanceFlag.OUTSIDE_VENUE,
                                           class_code=klass.code)) == [flagged]
    assert list(attendance.attendance_list(user=officer, flag=AttendanceFlag.SHARED_DEVICE,
                                           class_code=klass.code)) == []
    day = timezone.localdate(clean.session.starts_at)
    assert list(attendance.attendance_list(user=officer, date=day.isoformat(),
                                           class_code=klass.code)) == [clean]
    assert list(attendance.attendance_list(user=officer, date="not a day")) == []
    assert list(attendance.attendance_list(user=user_named("county_411402"),
                                           class_code=klass.code)) == []


# ---------------------------------------------------------------- demo


def test_the_demo_checks_in_the_past_class_through_the_service(db):
    from jineng.training.demo_attendance import load_attendance

    past = factories.training_class(start=timezone.localdate() - dt.timedelta(days=30), days=3)
    people = [factories.enrolment(past).person for _ in range(3)]
    made = load_attendance({"past": past})
    records = Attendance.objects.filter(session__training_class=past)
    # three sessions in and out for two trainees, and the first day only for the third
    assert made == records.count() == 3 * 2 * 2 + 2
    flagged = [a for a in records if AttendanceFlag.OUTSIDE_VENUE in a.flags]
    late = [a for a in records if AttendanceFlag.AFTER_WINDOW in a.flags]
    assert flagged and late
    for person in people:
        person.refresh_from_db()
        assert person.user is not None and person.user.has_permission("training.add_attendance")
    events = AuditEvent.objects.filter(
        object_type="training.attendance", action="attendance_check_in",
        object_id__in=[str(pk) for pk in records.values_list("pk", flat=True)]).count()
    assert events == 3 * 2 + 1
    assert load_attendance({"past": past}) == 0  # idempotent
    assert records.count() == made


def test_a_check_in_costs_a_fixed_number_of_queries(trainee, session, klass):
    """Pinned: the session, the trainee's enrolment (locked in the query that finds it), the
    records near it (one query for the repeat, the shared device and the travel checks), the
    policy, the insert (no savepoint: the lock leaves no race to catch) and the audit event
    (chain head, event, head, with no savepoint of its own); no query per other record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trainee.active_roles()
    friend = make_worker("同课学员")
    factories.enrolment(klass, who=friend.person)
    friend.active_roles()
    scan(friend, session, device="p2")
    with CaptureQueriesContext(connection) as queries:
        scan(trainee, session, device="p1")
    statements = [q["sql"].lstrip("(").split()[0] for q in queries.captured_queries]
    assert len([s for s in statements if s in ("SELECT", "INSERT", "UPDATE")]) == 8, statements
    # the service's own (the test runs in a transaction); none for the insert or the audit
    assert statements.count("SAVEPOINT") == 1, statements
    if connection.vendor == "postgresql":
        enrolment = [q["sql"] for q in queries.captured_queries
                     if q["sql"].startswith('SELECT "training_enrolment"')]
        assert len(enrolment) == 1 and "FOR UPDATE" in enrolment[0], enrolment
