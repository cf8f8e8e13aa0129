"""Completion (结业考核): attendance from sessions with a confirmed check-in AND check-out plus
counted online hours, over planned hours; a trainee completes at or above the policy's
minimum attendance (the labelled sample: 80 %) and with a pass (60 of 100); the class moves to
completed; the results page, the .xlsx import and the API; the archive shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jineng.core.errors import NotFound, ServiceError
from jineng.core.models import AuditEvent
from jineng.core.spreadsheets import xlsx_bytes
from jineng.training import completion
from jineng.training.models import (
    Attendance,
    AttendanceStatus,
    CheckKind,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    OnlineHours,
)
from tests.training import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _school(user_named):
    return user_named("inst_411402").institution  # 金蓝领, 梁园区


def _class(user_named, *, start=None, sessions=3, planned=15, **fields):
    """Three past sessions of 4 hours; 15 planned hours: all three sessions are 80 %."""
    return factories.training_class(_school(user_named), start=start or TODAY - dt.timedelta(7),
                                    days=3, sessions=sessions, planned_hours=planned, **fields)


def _attend(enrolment, sessions, *, out=True, status=AttendanceStatus.CONFIRMED):
    for s in sessions:
        Attendance.objects.create(enrolment=enrolment, session=s, kind=CheckKind.IN,
                                  at=s.starts_at, status=status)
        if out:
            Attendance.objects.create(enrolment=enrolment, session=s, kind=CheckKind.OUT,
                                      at=s.ends_at, status=status)


def _results(actor, training_class, scores: dict):
    return completion.exam_results_record(actor=actor, training_class=training_class, results=[
        {"enrolment": e, "score": s, "absent": s == "缺考"} for e, s in scores.items()])


def test_at_the_minimum_and_a_pass_completes_below_it_fails_with_the_figures(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    sessions = list(training_class.sessions.all())
    full, short = factories.enrolment(training_class), factories.enrolment(training_class)
    _attend(full, sessions)          # 12 of 15 hours: exactly 80 %
    _attend(short, sessions[:2])     # 8 of 15: 53.3 %
    _results(operator, training_class, {full: "60", short: "95"})
    outcome = completion.class_completion_submit(actor=operator, training_class=training_class)
    full.refresh_from_db()
    short.refresh_from_db()
    training_class.refresh_from_db()
    assert (full.status, full.attendance_share, full.attended_hours) == (
        EnrolmentStatus.COMPLETED, Decimal("0.8"), Decimal(12))
    assert full.completed_at is not None and full.reason == ""
    assert short.status == EnrolmentStatus.FAILED
    assert short.reason == ("出勤率 53.3%（出勤 8 课时、线上计入 0 学时，计划 15 课时）"
                            "低于结业最低出勤率 80%")
    assert training_class.status == ClassStatus.COMPLETED and not training_class.results_late
    assert [e.pk for e in outcome.completed] == [full.pk]
    actions = set(AuditEvent.objects.filter(object_type="training.enrolment").values_list(
        "action", flat=True))
    assert {"enrolment_complete", "enrolment_fail"} <= actions


def test_a_check_in_without_a_check_out_counts_no_hours(user_named):
    training_class = _class(user_named)
    sessions = list(training_class.sessions.all())
    enrolment = factories.enrolment(training_class)
    _attend(enrolment, sessions[:2])
    _attend(enrolment, sessions[2:], out=False)  # signed in and left
    figures = completion.class_figures(training_class, [enrolment],
                                       completion.class_policy(training_class))[enrolment.pk]
    assert (figures.attended, figures.sessions_attended, figures.half_sessions) == (8, 2, 1)
    assert not figures.meets


def test_unconfirmed_check_ins_do_not_count(user_named):
    training_class = _class(user_named)
    enrolment = factories.enrolment(training_class)
    _attend(enrolment, training_class.sessions.all(), status=AttendanceStatus.UNCONFIRMED)
    figures = completion.class_figures(training_class, [enrolment],
                                       completion.class_policy(training_class))[enrolment.pk]
    assert figures.attended == 0


def test_an_exam_below_sixty_or_missed_fails_with_the_reason(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    low, absent = factories.enrolment(training_class), factories.enrolment(training_class)
    for e in (low, absent):
        _attend(e, training_class.sessions.all())
    _results(operator, training_class, {low: "59.5", absent: "缺考"})
    completion.class_completion_submit(actor=operator, training_class=training_class)
    low.refresh_from_db()
    absent.refresh_from_db()
    assert (low.status, low.reason) == (EnrolmentStatus.FAILED,
                                        "结业考核未通过（59.5 分，60 分及格）")
    assert (absent.status, absent.reason) == (EnrolmentStatus.FAILED, "结业考核缺考")


def test_both_reasons_are_given_when_both_fail(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    enrolment = factories.enrolment(training_class)
    _results(operator, training_class, {enrolment: "30"})
    completion.class_completion_submit(actor=operator, training_class=training_class)
    enrolment.refresh_from_db()
    assert enrolment.reason.startswith("出勤率 0%")
    assert enrolment.reason.endswith("；结业考核未通过（30 分，60 分及格）")


def test_submitting_with_results_missing_is_refused_and_nothing_changes(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    done, missing = factories.enrolment(training_class), factories.enrolment(training_class)
    _results(operator, training_class, {done: "80"})
    with pytest.raises(ServiceError) as exc:
        completion.class_completion_submit(actor=operator, training_class=training_class)
    assert exc.value.errors["exam"] == (f"以下学员尚未录入结业考核结果：{missing.person.name}"
                                        "（缺考请录入“缺考”）")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.APPROVED
    assert not Enrolment.objects.filter(training_class=training_class).exclude(
        status=EnrolmentStatus.ENROLLED).exists()


def test_a_class_whose_last_session_has_not_ended_cannot_complete(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named, start=TODAY + dt.timedelta(days=1))
    enrolment = factories.enrolment(training_class)
    _results(operator, training_class, {enrolment: "80"})
    with pytest.raises(ServiceError) as exc:
        completion.class_completion_submit(actor=operator, training_class=training_class)
    assert "尚未结束，不能提交结业" in exc.value.message


def test_a_completed_class_cannot_complete_again_or_take_results(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    enrolment = factories.enrolment(training_class)
    _results(operator, training_class, {enrolment: "80"})
    completion.class_completion_submit(actor=operator, training_class=training_class)
    with pytest.raises(ServiceError) as again:
        completion.class_completion_submit(actor=operator, training_class=training_class)
    assert "当前为「已结业」" in again.value.message
    with pytest.raises(ServiceError) as results:
        _results(operator, training_class, {enrolment: "90"})
    assert "不能录入考核结果" in results.value.message


def test_results_past_the_deadline_complete_only_once_an_officer_approves(user_named):
    from jineng.training import attendance

    operator = user_named("inst_411402")
    training_class = _class(user_named, start=TODAY - dt.timedelta(days=30))  # ended 27 days ago
    enrolment = factories.enrolment(training_class)
    _results(operator, training_class, {enrolment: "80"})
    with pytest.raises(ServiceError) as refused:
        completion.class_completion_submit(actor=operator, training_class=training_class)
    assert refused.value.code == "results_late" and "审批" in str(refused.value)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED  # nobody completed on late results
    attendance.attendance_results_submit(actor=operator, training_class=training_class)
    attendance.attendance_late_approve(actor=user_named("county_411402"),
                                       training_class=training_class, reason="核实后同意")
    outcome = completion.class_completion_submit(actor=operator, training_class=training_class)
    training_class.refresh_from_db()
    assert outcome.late and training_class.results_late
    assert outcome.failed == [enrolment]  # decided now (no check-ins: on attendance)


def test_another_county_cannot_record_or_complete(user_named):
    training_class = _class(user_named)
    enrolment = factories.enrolment(training_class)
    with pytest.raises(NotFound):
        _results(user_named("county_411403"), training_class, {enrolment: "80"})
    with pytest.raises(NotFound):
        completion.class_completion_submit(actor=user_named("county_411403"),
                                           training_class=training_class)
    # the county of the class may
    _results(user_named("county_411402"), training_class, {enrolment: "80"})


def test_bad_scores_are_all_named_and_nothing_is_saved(user_named):
    operator = user_named("inst_411402")
    training_class = _class(user_named)
    good, bad, worse = (factories.enrolment(training_class) for _ in range(3))
    with pytest.raises(ServiceError) as exc:
        completion.exam_results_record(actor=operator, training_class=training_class, results=[
            {"enrolment": good, "score": "88", "row": "甲"},
            {"enrolment": bad, "score": "120", "row": "乙"},
            {"enrolment": worse, "score": "优秀", "row": "丙"}])
    assert list(exc.value.errors.values()) == [
        f"乙（{bad.person.name}）：成绩 120 应在 0–100 之间",
        f"丙（{worse.person.name}）：成绩「优秀」应为 0–100 的数字，或填“缺考”"]
    good.refresh_from_db()
    assert good.exam_score is None


# ---------------------------------------------------------------- online hours in the rate


def test_online_hours_count_up_to_the_policy_share(user_named):
    """Planned 20: the sample policy lets online hours count for at most half (10)."""
    operator = user_named("inst_411402")
    training_class = _class(user_named, planned=20, allows_online=True)
    enrolment = factories.enrolment(training_class)
    _attend(enrolment, list(training_class.sessions.all())[:1])  # 4 hours in class
    OnlineHours.objects.create(platform="p", record_id="1", person=enrolment.person,
                               enrolment=enrolment, course="安全用电", hours=Decimal(14),
                               studied_on=training_class.start_date)
    _results(operator, training_class, {enrolment: "75"})
    completion.class_completion_submit(actor=operator, training_class=training_class)
    enrolment.refresh_from_db()
    # 4 + min(14, 10) = 14 of 20 = 70 % < 80 %
    assert (enrolment.online_hours, enrolment.attendance_share) == (Decimal(10), Decimal("0.7"))
    assert enrolment.status == EnrolmentStatus.FAILED
    assert "线上计入 10 学时" in enrolment.reason


# ---------------------------------------------------------------- pages, file, API, archive


def test_the_institution_records_scores_on_the_page_and_submits(client_for, user_named):
    training_class = _class(user_named)
    a, b = factories.enrolment(training_class), factories.enrolment(training_class)
    _attend(a, training_class.sessions.all())
    client = client_for("inst_411402")
    url = f"/training/classes/{training_class.pk}/results/"
    page = client.get(url)
    assert page.status_code == 200
    assert "出勤率不低于 80%" in page.content.decode()
    bad = client.post(url, {f"score-{a.pk}": "101", f"score-{b.pk}": "70"})
    assert bad.status_code == 400
    assert f"{a.person.name}（{a.person.name}）：成绩 101 应在 0–100 之间" in bad.content.decode()
    b.refresh_from_db()
    assert b.exam_score is None  # nothing half-written
    saved = client.post(url, {f"score-{a.pk}": "90", f"absent-{b.pk}": "on"})
    assert saved.status_code == 302
    done = client.post(f"/training/classes/{training_class.pk}/complete/", follow=True)
    html = done.content.decode()
    assert "已提交结业：1 人结业，1 人未通过" in html
    assert "结业考核缺考" in html
    a.refresh_from_db()
    assert a.status == EnrolmentStatus.COMPLETED


def test_the_results_page_is_not_found_for_another_county(client_for, user_named):
    training_class = _class(user_named)
    assert client_for("county_411403").get(
        f"/training/classes/{training_class.pk}/results/").status_code == 404
    assert client_for("county_411402").get(
        f"/training/classes/{training_class.pk}/results/").status_code == 200


def _xlsx(rows, headers=("证件号码", "姓名", "成绩")):
    return SimpleUploadedFile("成绩.xlsx", xlsx_bytes(list(headers), rows))


def test_the_xlsx_import_names_bad_rows_and_saves_nothing(client_for, user_named):
    training_class = _class(user_named)
    a, b, c = (factories.enrolment(training_class) for _ in range(3))
    stranger = factories.person()
    url = f"/training/classes/{training_class.pk}/results/import/"
    response = client_for("inst_411402").post(url, {"file": _xlsx([
        [a.person.full_id, a.person.name, 88],
        [b.person.full_id, "别人", 70],
        [stranger.full_id, stranger.name, 60],
        [a.person.full_id, a.person.name, 90],
        [c.person.full_id, c.person.name, "很好"]])})
    html = response.content.decode()
    assert response.status_code == 400
    assert "第 3 行「姓名」：别人 与该证件号码登记的姓名不符" in html
    assert "第 4 行「证件号码」：不是本班学员" in html
    assert "第 5 行「证件号码」：与第 2 行是同一学员" in html
    assert "第 6 行「成绩」：成绩「很好」应为 0–100 的数字，或填“缺考”" in html
    a.refresh_from_db()
    assert a.exam_score is None


def test_a_good_xlsx_records_every_row(client_for, user_named):
    training_class = _class(user_named)
    a, b = factories.enrolment(training_class), factories.enrolment(training_class)
    response = client_for("inst_411402").post(
        f"/training/classes/{training_class.pk}/results/import/",
        {"file": _xlsx([[a.person.full_id, a.person.name, 88.5], [b.person.full_id, "", "缺考"]])})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.exam_score, a.exam_passed) == (Decimal("88.5"), True)
    assert (b.exam_score, b.exam_passed) == (None, False)


def test_the_api_records_results_and_completes(api_for, user_named):
    training_class = _class(user_named)
    a, b = factories.enrolment(training_class), factories.enrolment(training_class)
    _attend(a, training_class.sessions.all())
    api = api_for("inst_411402")
    base = f"/api/v1/training/classes/{training_class.pk}"
    refused = api.post(f"{base}/results", {"results": [{"enrolment_id": a.pk, "score": -1}]},
                       content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "row1": f"第 1 项（{a.person.name}）：成绩 -1 应在 0–100 之间"}
    ok = api.post(f"{base}/results", {"results": [{"enrolment_id": a.pk, "score": 72},
                                                  {"enrolment_id": b.pk, "absent": True}]},
                  content_type="application/json")
    assert ok.status_code == 200
    assert {r["enrolment_id"]: r["exam_result"] for r in ok.json()} == {
        a.pk: "72 分（通过）", b.pk: "缺考"}
    done = api.post(f"{base}/completion")
    body = done.json()
    assert (done.status_code, body["status"], body["completed"], body["failed"]) == (
        200, "completed", 1, 1)
    assert api_for("county_411403").get(f"{base}/results").status_code == 404


def test_the_class_page_panel_and_the_archive_show_completion(client_for, user_named):
    from django.template.loader import render_to_string

    operator = user_named("inst_411402")
    worker = user_named("worker_411402")
    training_class = _class(user_named)
    enrolment = factories.enrolment(training_class, who=worker.person)
    _attend(enrolment, training_class.sessions.all())
    _results(operator, training_class, {enrolment: "91"})
    completion.class_completion_submit(actor=operator, training_class=training_class)
    training_class.refresh_from_db()
    panel = render_to_string("training/completion_panel.html", {
        "completion": completion.completion_summary(user=operator,
                                                    training_class=training_class)})
    assert "已结业 1 人，未通过 0 人。" in panel and worker.person.name in panel
    archive = client_for("worker_411402").get("/people/me/", follow=True).content.decode()
    assert "结业记录" in archive and training_class.name in archive and "91 分（通过）" in archive


def test_the_demo_completes_the_past_class_and_is_idempotent(user_named):
    from jineng.training.demo_completion import load_completion
    from jineng.training.models import ClassRating

    past = _class(user_named, allows_online=True, start=TODAY - dt.timedelta(days=5))
    trainees = [factories.enrolment(past) for _ in range(4)]
    worker = factories.enrolment(past, who=user_named("worker_411402").person)
    for e in [*trainees[:3], worker]:
        _attend(e, past.sessions.all())
    _attend(trainees[3], list(past.sessions.all())[:1])  # fails on attendance
    running = factories.training_class(start=TODAY - dt.timedelta(days=3), days=10,
                                       allows_online=True, status=ClassStatus.RUNNING)
    online = factories.enrolment(running)
    classes = {"past": past, "running": running, "upcoming": None, "suiyang": None,
               "apprenticeship": None}
    load_completion(classes)
    past.refresh_from_db()
    assert past.status == ClassStatus.COMPLETED
    outcome = {e.pk: Enrolment.objects.get(pk=e.pk).status for e in [*trainees, worker]}
    assert outcome[trainees[3].pk] == EnrolmentStatus.FAILED
    assert outcome[worker.pk] == EnrolmentStatus.COMPLETED
    assert list(outcome.values()).count(EnrolmentStatus.COMPLETED) == 4
    failed = Enrolment.objects.get(pk=trainees[3].pk)
    assert "低于结业最低出勤率" in failed.reason and "55 分" in failed.reason
    ratings = ClassRating.objects.filter(enrolment__training_class=past)
    # every completer on their own login (made for the demo), worker_411402 left to rate
    assert ratings.count() == 3 and not ratings.filter(enrolment=worker).exists()
    online.refresh_from_db()
    assert online.online_hours == Decimal("5.5")
    load_completion(classes)  # again: nothing new
    assert ratings.count() == 3
    assert OnlineHours.objects.filter(enrolment=online).count() == 2
