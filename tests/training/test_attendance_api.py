"""Attendance over HTTP: POST /api/v1/attendance/check-in answers in Chinese with a stable
code (and the same answer for a repeated scan), refusals name the field; the class's screen
and its JSON state carry the QR code and the count; the supervision list, a record's page
with an officer's decision, the class's attendance page, and the worker's own records."""

import contextlib
import datetime as dt
import json
import re
import types
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from jineng.orgs.services import token_create
from jineng.training import attendance
from jineng.training import views_attendance as views
from jineng.training.models import Attendance, AttendanceStatus
from tests.training import factories
from tests.training.test_attendance import FAR, VENUE, make_worker, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(db):
    return factories.training_class(start=timezone.localdate() - dt.timedelta(days=2), days=3)


@pytest.fixture
def session(klass):
    return klass.sessions.order_by("starts_at").first()


@pytest.fixture
def trainee(klass):
    worker = make_worker("赵学员")
    factories.enrolment(klass, who=worker.person)
    return worker


def bearer(user_named, user) -> Client:
    _, raw = token_create(actor=user_named("sysadmin"), user=user, name="测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def clock(now):
    """The attendance module's clock set to `now`, and nothing else's (a session saved with
    a patched global clock would expire at once)."""
    shim = types.SimpleNamespace(now=lambda: now, localtime=timezone.localtime,
                                 localdate=timezone.localdate,
                                 get_current_timezone=timezone.get_current_timezone)
    patches = [mock.patch.object(module, "timezone", shim) for module in (attendance, views)]
    stack = contextlib.ExitStack()
    for patch in patches:
        stack.enter_context(patch)
    return stack


def post_at(client, url, body, now, **extra):
    with clock(now):
        return client.post(url, json.dumps(body), content_type="application/json", **extra)


def _body(session, now, at=VENUE, device="phone-1"):
    return {"token": attendance.qr_token(session, now=now), "lat": float(at[0]),
            "lng": float(at[1]), "device_id": device}


def test_check_in_answers_in_chinese_and_again_the_same(trainee, session, user_named):
    api = bearer(user_named, trainee)
    now = session.starts_at + dt.timedelta(minutes=4)
    first = post_at(api, "/api/v1/attendance/check-in", _body(session, now), now)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["code"], body["message"]) == ("checked_in", "签到成功（09:04）")
    assert body["attendance"]["status_label"] == "已确认"
    assert body["attendance"]["class_code"] == session.training_class.code
    again = post_at(api, "/api/v1/attendance/check-in", _body(session, now), now)
    assert again.json() == body
    assert Attendance.objects.filter(session=session).count() == 1


def test_a_flagged_check_in_says_what_to_verify(trainee, session, user_named):
    api = bearer(user_named, trainee)
    now = session.starts_at + dt.timedelta(minutes=4)
    body = post_at(api, "/api/v1/attendance/check-in", _body(session, now, at=FAR), now).json()
    assert body["code"] == "flagged" and "不在培训地点范围内" in body["message"]
    assert body["attendance"]["flags"] == ["outside_venue"]
    assert body["attendance"]["status"] == "unconfirmed"


def test_check_out_through_the_api(trainee, session, user_named):
    api = bearer(user_named, trainee)
    scan(trainee, session)
    now = session.ends_at + dt.timedelta(minutes=1)
    body = post_at(api, "/api/v1/attendance/check-out", _body(session, now), now).json()
    assert (body["code"], body["message"]) == ("checked_out", "签退成功（12:01）")


@pytest.mark.parametrize("case, code, field", [
    ("expired", "qr_expired", "token"), ("forged", "qr_forged", "token"),
    ("other", "qr_other_session", "token"), ("no_location", "location_missing", "lat")])
def test_refusals_name_the_field_in_chinese(trainee, session, user_named, case, code, field):
    api = bearer(user_named, trainee)
    now = session.starts_at + dt.timedelta(minutes=4)
    body = _body(session, now)
    if case == "expired":
        body["token"] = attendance.qr_token(session, now=now - dt.timedelta(minutes=2))
    elif case == "forged":
        body["token"] = body["token"][:-4] + "AAAA"
    elif case == "other":
        body["token"] = attendance.qr_token(factories.training_class().sessions.first(), now=now)
    else:
        body.pop("lat"), body.pop("lng")
    response = post_at(api, "/api/v1/attendance/check-in", body, now)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == code and field in answer["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer["message"])  # said in Chinese
    assert not Attendance.objects.filter(session__training_class=session.training_class).exists()


def test_the_institution_is_refused_on_the_api(session, trainee, api_for):
    response = api_for("inst_411402").post(
        "/api/v1/attendance/check-in", _body(session, timezone.now()),
        content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"] == attendance.ONLY_SELF


def test_a_session_login_posts_with_its_csrf_token(trainee, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    now = session.starts_at + dt.timedelta(minutes=4)
    refused = post_at(client, "/api/v1/attendance/check-in", _body(session, now), now)
    assert refused.status_code in (401, 403)  # no CSRF token: a forged cross-site post
    page = client.get(f"/training/checkin/?t={attendance.qr_token(session, now=now)}")
    # what training/checkin.js sends: the form token the page carries
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    done = post_at(client, "/api/v1/attendance/check-in", _body(session, now), now,
                   headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.json()["code"] == "checked_in"


def test_officers_correct_through_the_api(trainee, session, api_for):
    record = scan(trainee, session, at=FAR).attendance
    officer = api_for("county_411403")
    refused = officer.post(f"/api/v1/attendance/{record.pk}/decision",
                           {"decision": "confirm", "reason": ""},
                           content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"] == {"reason": "确认须填写原因"}
    done = officer.post(f"/api/v1/attendance/{record.pk}/decision",
                        {"decision": "confirm", "reason": "已电话核实"},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    sibling = api_for("county_411402").post(f"/api/v1/attendance/{record.pk}/decision",
                                            {"decision": "void", "reason": "x"},
                                            content_type="application/json")
    assert sibling.status_code == 404
    later = session.training_class.sessions.order_by("starts_at")[1]
    manual = officer.post("/api/v1/attendance/manual", {
        "enrolment_id": record.enrolment_id, "session_id": later.pk, "kind": "in",
        "at": (later.starts_at + dt.timedelta(minutes=2)).isoformat(), "reason": "手机没电"},
        content_type="application/json")
    assert manual.status_code == 201 and manual.json()["is_manual"]
    listed = officer.get(f"/api/v1/attendance?class_code={session.training_class.code}"
                         "&flagged=1").json()
    assert {i["id"] for i in listed["items"]} == {record.pk, manual.json()["id"]}


def test_results_and_late_approval_through_the_api(api_for):
    ended = factories.training_class(start=timezone.localdate() - dt.timedelta(days=30), days=3)
    done = api_for("county_411403").post(f"/api/v1/attendance/classes/{ended.pk}/results")
    assert done.status_code == 200, done.content
    assert done.json()["results_late"] and done.json()["results_state"] == "late"
    assert "待人社部门审批" in done.json()["results_label"]
    assert api_for("county_411402").post(
        f"/api/v1/attendance/classes/{ended.pk}/late-approval", {"reason": "同意"},
        content_type="application/json").status_code == 404
    approved = api_for("city_411400").post(
        f"/api/v1/attendance/classes/{ended.pk}/late-approval", {"reason": "同意"},
        content_type="application/json")
    assert approved.status_code == 200 and approved.json()["late_approved"]


# ---------------------------------------------------------------- pages


def test_the_screen_shows_a_qr_code_of_the_check_in_page(klass, session, client_for):
    client = client_for("county_411403")
    now = session.starts_at + dt.timedelta(minutes=1)
    with clock(now):
        page = client.get(f"/training/attendance/classes/{klass.pk}/screen/")
        state = client.get(f"/training/attendance/classes/{klass.pk}/screen/state/").json()
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and "请用手机扫码签到" in html
    assert "training/checkin-screen.js" in html
    assert state["kind"] == "in" and state["qr"].startswith("data:image/svg+xml")
    assert "/training/checkin/?t=" in state["url"] and state["url"].endswith("&k=in")
    token = state["url"].split("t=")[1].split("&")[0]
    assert attendance.qr_token_read(token, now=now) == session.pk
    assert state["count_text"] == "已签到 0 / 0 人，签退 0 人"
    assert 1 <= state["refresh_in"] <= 30


def test_the_screen_is_not_for_a_sibling_county_or_a_worker(klass, client_for, trainee):
    assert client_for("county_411402").get(
        f"/training/attendance/classes/{klass.pk}/screen/state/").status_code == 404
    worker = Client()
    worker.force_login(trainee)
    assert worker.get(f"/training/attendance/classes/{klass.pk}/screen/").status_code in (403,
                                                                                         404)


def test_the_count_on_the_screen_moves(klass, session, trainee, client_for):
    scan(trainee, session)
    now = session.starts_at + dt.timedelta(minutes=6)
    with clock(now):
        state = client_for("county_411403").get(
            f"/training/attendance/classes/{klass.pk}/screen/state/").json()
    assert state["checked_in"] == 1 and state["count_text"] == "已签到 1 / 1 人，签退 0 人"


def test_the_phone_page_carries_the_token(trainee, session):
    client = Client()
    client.force_login(trainee)
    token = attendance.qr_token(session)
    html = client.get(f"/training/checkin/?t={token}&k=out").content.decode()
    assert f'data-token="{token}"' in html and 'data-kind="out"' in html
    assert 'data-api-url="/api/v1/attendance/check-out"' in html
    assert "training/checkin.js" in html and "正在获取位置" in html


def test_the_supervision_list_shows_flags_and_late_classes(trainee, session, klass,
                                                           client_for, user_named):
    record = scan(trainee, session, at=FAR).attendance
    clean = scan(trainee, klass.sessions.order_by("starts_at")[1]).attendance
    ended = factories.training_class(start=timezone.localdate() - dt.timedelta(days=30), days=3)
    attendance.attendance_results_submit(actor=user_named("county_411403"),
                                         training_class=ended)
    client = client_for("county_411403")
    page = client.get("/training/attendance/")
    pks = {a.pk for a in page.context["page"].object_list}
    assert record.pk in pks and clean.pk not in pks  # flagged ones by default
    html = page.content.decode()
    assert "不在培训地点范围内" in html and "逾期提交考勤结果、待审批的培训班" in html
    assert ended.name in html
    everything = client.get(f"/training/attendance/?flagged=all&class_code={klass.code}")
    assert {a.pk for a in everything.context["page"].object_list} == {record.pk, clean.pk}
    sibling = client_for("county_411402").get("/training/attendance/?flagged=all")
    assert record.pk not in {a.pk for a in sibling.context["page"].object_list}


def test_an_officer_decides_on_the_records_page(trainee, session, client_for):
    record = scan(trainee, session, at=FAR).attendance
    client = client_for("county_411403")
    page = client.get(f"/training/attendance/{record.pk}/").content.decode()
    assert "不在培训地点范围内" in page and "核实处理" in page
    refused = client.post(f"/training/attendance/{record.pk}/decide/", {"decision": "reject"})
    assert refused.status_code == 400
    done = client.post(f"/training/attendance/{record.pk}/decide/",
                       {"decision": "reject", "reason": "定位在家中"}, follow=True)
    assert "已处理" in done.content.decode()
    record.refresh_from_db()
    assert record.status == AttendanceStatus.REJECTED and record.reason == "定位在家中"
    assert client_for("inst_411402").post(f"/training/attendance/{record.pk}/decide/", {
        "decision": "void", "reason": "x"}).status_code == 403


def test_the_class_attendance_page_and_its_forms(trainee, session, klass, client_for):
    scan(trainee, session, at=FAR)
    officer = client_for("county_411403")
    html = officer.get(f"/training/attendance/classes/{klass.pk}/").content.decode()
    assert 'data-testid="attendance-panel"' in html and "人工补录" in html
    later = klass.sessions.order_by("starts_at")[1]
    at = timezone.localtime(later.starts_at).strftime("%Y-%m-%dT%H:%M")
    enrolment = trainee.person.enrolments.get()
    refused = officer.post(f"/training/attendance/classes/{klass.pk}/manual/", {
        "enrolment": enrolment.pk, "session": later.pk, "kind": "in", "at": at, "reason": ""})
    assert refused.status_code == 400
    done = officer.post(f"/training/attendance/classes/{klass.pk}/manual/", {
        "enrolment": enrolment.pk, "session": later.pk, "kind": "in", "at": at,
        "reason": "现场核实"}, follow=True)
    assert "已人工补录" in done.content.decode()
    assert Attendance.objects.filter(session=later, is_manual=True).count() == 1
    early = officer.post(f"/training/attendance/classes/{klass.pk}/results/", follow=True)
    assert "尚未结束" in early.content.decode()  # the class ends tomorrow


def test_a_worker_is_sent_to_their_own_records(trainee, session):
    record = scan(trainee, session, at=FAR).attendance
    client = Client()
    client.force_login(trainee)
    response = client.get("/training/attendance/")
    assert response.status_code == 302 and response["Location"] == "/training/attendance/mine/"
    html = client.get("/training/attendance/mine/").content.decode()
    assert session.training_class.code in html and "不在培训地点范围内" in html
    assert client.get(f"/training/attendance/{record.pk}/").status_code == 200
    other = make_worker("旁人")
    nosy = Client()
    nosy.force_login(other)
    assert nosy.get(f"/training/attendance/{record.pk}/").status_code == 404


def test_the_bench_view_is_off_by_default(client_for):
    assert client_for("county_411403").get("/training/bench/lookup/1/").status_code == 404


def test_openapi_lists_the_check_in(client_for):
    schema = client_for("county_411403").get("/api/v1/openapi.json").json()
    assert "/api/v1/attendance/check-in" in schema["paths"]
    operation = schema["paths"]["/api/v1/attendance/check-in"]["post"]
    assert "本人" in operation["summary"]

