"""Learning platforms post online hours with a token of their own (role 学习平台, which may do
nothing else): each record counts toward the person's class that allows online study and
covers the day, up to the policy's share of planned hours; a repeat is counted once; a record
for an unknown person or with no such class is refused with the reason, the others go on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core.identity import make_resident_number
from jineng.orgs.models import Region, Role, User
from jineng.training import completion
from jineng.training.models import ClassStatus, OnlineHours
from tests.training import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PLATFORM = "platform_410000"  # the demo's 河南省 learning platform
URL = "/api/v1/training/online-hours"


def _class(**fields):
    """Running since a week ago, online study allowed; planned 20 hours: 10 may be online."""
    return factories.training_class(start=TODAY - dt.timedelta(days=7), days=14, sessions=2,
                                    planned_hours=20, allows_online=True,
                                    status=ClassStatus.RUNNING, **fields)


def _record(person, record_id="R1", hours="2.5", studied_on=None, course="安全用电基础"):
    return {"record_id": record_id, "id_number": person.full_id, "course": course,
            "hours": hours, "studied_on": str(studied_on or TODAY - dt.timedelta(days=1))}


def _post(api, *records):
    return api.post(URL, {"records": list(records)}, content_type="application/json")


def test_a_platform_posts_hours_that_count_toward_the_class(api_for):
    enrolment = factories.enrolment(_class())
    response = _post(api_for(PLATFORM), _record(enrolment.person))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["refused"]) == (1, 0)
    item = body["items"][0]
    assert (item["status"], item["status_label"], item["class_code"]) == (
        "accepted", "已计入", enrolment.training_class.code)
    enrolment.refresh_from_db()
    assert enrolment.online_hours == Decimal("2.5")
    assert enrolment.attendance_share == Decimal("0.125")  # 2.5 of 20
    row = OnlineHours.objects.get()
    assert (row.platform, row.enrolment_id, row.hours) == (PLATFORM, enrolment.pk, Decimal("2.5"))


def test_hours_count_only_up_to_the_policy_share(api_for):
    enrolment = factories.enrolment(_class())
    response = _post(api_for(PLATFORM), _record(enrolment.person, "A", "6"),
                     _record(enrolment.person, "B", "6"))
    second = response.json()["items"][1]
    assert second["counted_hours"] == "10.00"
    assert second["message"] == (f"已计入「{enrolment.training_class.name}」；"
                                 "线上学时累计 12 学时，已达上限 10 学时（计划课时的 50%），"
                                 "超出部分不计入出勤")
    enrolment.refresh_from_db()
    assert enrolment.online_hours == Decimal(10)
    assert OnlineHours.objects.filter(enrolment=enrolment).count() == 2  # both kept as reported


def test_a_repeated_record_is_counted_once(api_for):
    enrolment = factories.enrolment(_class())
    api = api_for(PLATFORM)
    first = _post(api, _record(enrolment.person))
    again = _post(api, _record(enrolment.person), _record(enrolment.person))
    assert first.json()["accepted"] == 1
    assert [i["status"] for i in again.json()["items"]] == ["duplicate", "duplicate"]
    assert OnlineHours.objects.count() == 1
    enrolment.refresh_from_db()
    assert enrolment.online_hours == Decimal("2.5")


def test_the_same_record_id_with_other_content_is_refused(api_for):
    enrolment = factories.enrolment(_class())
    api = api_for(PLATFORM)
    _post(api, _record(enrolment.person))
    changed = _post(api, _record(enrolment.person, hours="3")).json()["items"][0]
    assert changed["status"] == "refused"
    assert "内容与本次不同；已接收的记录不能修改，更正请使用新的记录号" in changed["message"]
    assert OnlineHours.objects.get().hours == Decimal("2.5")


def test_each_record_of_a_batch_is_answered_and_only_good_ones_are_written(api_for):
    training_class = _class()
    enrolment = factories.enrolment(training_class)
    no_online = factories.enrolment(factories.training_class(
        start=TODAY - dt.timedelta(days=7), days=14, status=ClassStatus.RUNNING))
    stranger = factories.person()
    unregistered = dict(_record(stranger, "U"), id_number=make_resident_number(
        "411403", dt.date(1991, 2, 3), 977))
    response = _post(
        api_for(PLATFORM),
        _record(enrolment.person, "OK"),
        unregistered,
        _record(no_online.person, "NO"),
        _record(enrolment.person, "LATE", studied_on=TODAY - dt.timedelta(days=30)),
        dict(_record(enrolment.person, "BAD"), hours="-1", studied_on="明天"),
    )
    items = response.json()["items"]
    assert [i["status"] for i in items] == ["accepted", "refused", "refused", "refused", "refused"]
    # an unregistered number reads as a person without a class: the registry is not probed
    assert items[1]["errors"] == {"id_number": completion.NO_ENROLMENT}
    assert items[2]["message"] == (f"该学员在 {TODAY - dt.timedelta(days=1)} "
                                   "没有可计入线上学时的培训班："
                                   f"「{no_online.training_class.name}」不允许线上学习")
    assert "学习日期不在「" in items[3]["message"] and "培训期" in items[3]["message"]
    assert items[4]["errors"] == {"hours": "学时（hours）应大于 0",
                                  "studied_on": "学习日期（studied_on）应为日期，格式 YYYY-MM-DD"}
    assert list(OnlineHours.objects.values_list("record_id", flat=True)) == ["OK"]


def test_a_completed_class_takes_no_more_hours(api_for):
    training_class = _class()
    enrolment = factories.enrolment(training_class)
    training_class.status = ClassStatus.COMPLETED
    training_class.save()
    item = _post(api_for(PLATFORM), _record(enrolment.person)).json()["items"][0]
    assert item["status"] == "refused" and "状态为「已结业」" in item["message"]


def test_the_platform_token_may_only_post_hours(api_for, user_named):
    enrolment = factories.enrolment(_class())
    _post(api_for(PLATFORM), _record(enrolment.person))
    api = api_for(PLATFORM)
    # it reads nothing, not even the hours it posted ...
    for url in ("/api/v1/designations", "/api/v1/teachers", URL, "/api/v1/training/ratings",
                "/api/v1/people"):
        response = api.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            assert response.json()["items"] == [], url
    assert api.get(f"/api/v1/training/classes/{enrolment.training_class_id}/results"
                   ).status_code == 404
    # ... and writes nothing else
    school = user_named("inst_411402").institution
    refused = api.post("/api/v1/school-reports", {"institution_id": school.pk, "year": 2025,
                                                  "enrolled_students": 1},
                       content_type="application/json")
    assert refused.status_code in (400, 403)
    assert api.post(f"/api/v1/training/enrolments/{enrolment.pk}/rating",
                    {"scores": [5, 5, 5, 5]}, content_type="application/json"
                    ).status_code in (403, 404)


def test_an_officer_or_institution_token_may_not_post_hours(api_for):
    enrolment = factories.enrolment(_class())
    for username in ("county_411403", "province_410000", "inst_411402", "worker_411402"):
        response = _post(api_for(username), _record(enrolment.person))
        assert response.status_code == 403, username
        assert response.json()["message"] == "只有学习平台的接口令牌可以报送线上学时"
    assert not OnlineHours.objects.exists()


def test_another_provinces_platform_cannot_count_toward_a_henan_class(api_for):
    User.objects.create(username="platform_530000", full_name="云南省学习平台",
                        region=Region.objects.get(code="530000"),
                        must_change_password=False).roles.add(
        Role.objects.get(code="learning_platform"))
    enrolment = factories.enrolment(_class())
    item = _post(api_for("platform_530000"), _record(enrolment.person)).json()["items"][0]
    assert item["status"] == "refused" and item["message"] == completion.NO_ENROLMENT


def test_a_batch_over_the_limit_is_refused_whole(api_for):
    enrolment = factories.enrolment(_class())
    records = [_record(enrolment.person, f"R{i}") for i in range(completion.MAX_BATCH + 1)]
    response = _post(api_for(PLATFORM), *records)
    assert response.status_code == 400
    assert response.json()["errors"]["records"] == (
        f"一次最多报送 {completion.MAX_BATCH} 条记录，本次 {completion.MAX_BATCH + 1} 条")
    assert not OnlineHours.objects.exists()


def test_officers_list_online_hours_of_their_region(client_for, api_for):
    enrolment = factories.enrolment(_class())  # 睢阳区
    _post(api_for(PLATFORM), _record(enrolment.person, "LIST-1"))
    page = client_for("county_411403").get("/training/online-hours/?q=LIST-1")
    assert [o.record_id for o in page.context["page"].object_list] == ["LIST-1"]
    assert "安全用电基础" in page.content.decode()
    other = client_for("county_411402").get("/training/online-hours/?q=LIST-1")
    assert list(other.context["page"].object_list) == []


def test_the_cap_is_the_policy_of_the_class_region(api_for, user_named):
    """梁园区 publishes its own figures (a quarter online): its classes follow them, 睢阳区's
    keep the province's half."""
    from jineng.catalog.models import PolicyKind
    from jineng.catalog.presets import SAMPLE_TRAINING_PROCESS
    from jineng.catalog.services import policy_version_publish

    policy_version_publish(
        actor=user_named("county_411402"), kind=PolicyKind.TRAINING_PROCESS,
        region=Region.objects.get(code="411402"), valid_from=TODAY, is_sample=True,
        note="测试", data={**SAMPLE_TRAINING_PROCESS,
                         "max_online_share": {"numerator": 1, "denominator": 4}})
    liangyuan = factories.training_class(user_named("inst_411402").institution, start=TODAY,
                                         planned_hours=20, allows_online=True)
    suiyang = factories.training_class(start=TODAY, planned_hours=20, allows_online=True)
    here, there = factories.enrolment(liangyuan), factories.enrolment(suiyang)
    _post(api_for(PLATFORM), _record(here.person, "L", "8", studied_on=TODAY),
          _record(there.person, "S", "8", studied_on=TODAY))
    here.refresh_from_db()
    there.refresh_from_db()
    assert (here.online_hours, there.online_hours) == (Decimal(5), Decimal(8))
