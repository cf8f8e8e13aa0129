"""The registry's services: create and update with history and audit, masking, the audited
unmasked view, the enrolment look-up, target groups, linking a worker's login."""

import datetime as dt
import json

import pytest

from jineng.core.audit import verify_chain
from jineng.core.crypto import decrypt
from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.orgs.models import TargetGroup
from jineng.orgs.target_groups import target_group_sync_presets
from jineng.people import selectors, services
from jineng.people.models import Person, PersonChange

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1991, 4, 15)
NUMBER = make_resident_number("411402", BIRTH, 357)  # odd: male
PHONE = "13912345678"


def _create(user_named, username="county_411402", **overrides):
    fields = {
        "id_number": NUMBER, "name": "李 四", "phone": "+86 139-1234-5678",
        "household_region": "411402", "education": "高中",
        "target_groups": ["rural_migrant", "退役军人"],
    }
    fields.update(overrides)
    return services.person_create(actor=user_named(username), **fields)


def _counts():
    return (Person.objects.count(), PersonChange.objects.count(), AuditEvent.objects.count())


def test_create_stores_encrypted_hashed_masked_and_derives_birth_and_sex(user_named):
    person = _create(user_named)
    person.refresh_from_db()
    assert person.name == "李四"
    assert person.birth_date == BIRTH and person.sex == "M"
    assert decrypt(person.id_cipher) == NUMBER
    assert bytes(person.id_hash) == services.identity_hash("resident", NUMBER)
    assert person.id_masked == NUMBER[:4] + "*" * 10 + NUMBER[-4:]
    assert decrypt(person.phone_cipher) == PHONE and person.phone_masked == "139****5678"
    assert person.education == "senior"
    assert set(person.target_groups) == {"rural_migrant", "veteran"}
    assert person.registered_by_id is None


def test_create_records_history_and_audit_without_plain_sensitive_values(user_named):
    person = _create(user_named, social_security_card="411402199104153571")
    change = PersonChange.objects.get(person=person)
    assert change.actor_name == "county_411402" and change.source == "page"
    assert change.changes["name"] == [None, "李四"]
    assert change.changes["id_number"] == [None, person.id_masked]
    event = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).get()
    assert event.action == "create"
    for blob in (json.dumps(change.changes, ensure_ascii=False),
                 json.dumps(event.changes, ensure_ascii=False), event.object_repr):
        assert NUMBER not in blob and PHONE not in blob and "411402199104153571" not in blob
    assert verify_chain() is None


def test_update_records_who_when_what(user_named):
    person = _create(user_named)
    officer = user_named("city_411400")
    services.person_update(actor=officer, person=person, source="api", name="李四光",
                           residence_region="411403", phone="13700001111",
                           target_groups=["graduate"], employment_status="失业")
    change = PersonChange.objects.filter(person=person).order_by("-id").first()
    assert change.actor_name == "city_411400" and change.source == "api"
    assert change.changes["name"] == ["李四", "李四光"]
    assert change.changes["residence_region"] == [None, "睢阳区（411403）"]
    assert change.changes["phone"] == ["139****5678", "137****1111"]
    assert change.changes["target_groups"] == [["农村转移劳动力", "退役军人"], ["高校毕业生"]]
    assert change.changes["employment_status"] == [None, "失业"]
    event = AuditEvent.objects.filter(object_type="people.person", action="update").latest("id")
    assert event.actor_name == "city_411400" and "13700001111" not in json.dumps(event.changes)
    history = selectors.person_history(user=user_named("county_411402"), person=person)
    assert [h["source"] for h in history] == ["接口", "页面"]
    assert ("姓名", "李四", "李四光") in [(ln.label, ln.old, ln.new) for ln in history[0]["lines"]]


def test_update_without_change_writes_nothing(user_named):
    person = _create(user_named)
    before = _counts()
    services.person_update(actor=user_named("county_411402"), person=person, name="李四",
                           phone=PHONE, target_groups=["veteran", "rural_migrant"])
    assert _counts() == before


def test_correcting_the_number_rekeys_and_rederives(user_named):
    person = _create(user_named)
    new_number = make_resident_number("411402", dt.date(1991, 5, 16), 358)
    services.person_update(actor=user_named("county_411402"), person=person,
                           id_number=new_number)
    person.refresh_from_db()
    assert decrypt(person.id_cipher) == new_number
    assert bytes(person.id_hash) == services.identity_hash("resident", new_number)
    assert person.sex == "F" and person.birth_date == dt.date(1991, 5, 16)
    change = PersonChange.objects.filter(person=person).order_by("-id").first()
    assert set(change.changes) >= {"id_number", "birth_date", "sex"}
    assert new_number not in json.dumps(change.changes)


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"id_number": NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")}, "id_number", "校验位"),
    ({"birth_date": dt.date(1991, 4, 16)}, "birth_date", "出生日期"),
    ({"sex": "女"}, "sex", "性别"),
    ({"household_region": "419999"}, "household_region", "户籍地"),
    ({"residence_region": "000000"}, "residence_region", "常住地"),
    ({"phone": "1391234567"}, "phone", "手机号"),
    ({"education": "博士后"}, "education", "文化程度"),
    ({"target_groups": ["不存在的群体"]}, "target_groups", "重点群体"),
    ({"name": "  "}, "name", "姓名"),
    ({"id_number": "4.11402199104E+17"}, "id_number", "科学计数法"),
])
def test_bad_input_names_the_field_in_chinese_and_writes_nothing(user_named, overrides, field,
                                                                 words):
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        _create(user_named, **overrides)
    assert field in exc.value.errors
    assert words in exc.value.message
    assert _counts() == before


def test_every_bad_field_is_reported_at_once(user_named):
    with pytest.raises(ServiceError) as exc:
        _create(user_named, phone="123", household_region="419999", birth_date=dt.date(2000, 1, 1))
    assert set(exc.value.errors) == {"phone", "household_region", "birth_date"}


def test_bad_update_writes_nothing(user_named):
    person = _create(user_named)
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        services.person_update(actor=user_named("county_411402"), person=person,
                               name="王五", phone="12345")
    assert "phone" in exc.value.errors
    person.refresh_from_db()
    assert person.name == "李四" and _counts() == before


def test_one_person_per_number_in_any_disguise(user_named):
    _create(user_named)
    disguised = "４１１４０２ " + NUMBER[6:14] + "-" + NUMBER[14:].lower()
    with pytest.raises(Conflict) as exc:
        _create(user_named, id_number=disguised, name="冒名")
    assert "已登记" in exc.value.message and "id_number" in exc.value.errors


def test_officer_cannot_register_outside_own_region(user_named):
    with pytest.raises(ServiceError) as exc:
        _create(user_named, household_region="411403")
    assert "household_region" in exc.value.errors
    assert not Person.objects.filter(id_hash=services.identity_hash("resident", NUMBER)).exists()


def test_institution_operator_registers_for_own_institution(user_named):
    operator = user_named("inst_411402")
    person = _create(user_named, "inst_411402", household_region="411403")
    assert person.registered_by_id == operator.institution_id
    assert selectors.person_list(user=operator).filter(pk=person.pk).exists()


def test_worker_and_reviewer_cannot_register(user_named):
    for username in ("worker_411402", "reviewer_411400"):
        with pytest.raises(Forbidden):
            _create(user_named, username)


def test_unmask_needs_permission_and_is_audited(user_named):
    person = _create(user_named)
    for username in ("reviewer_411400", "inst_411402", "worker_411402"):
        with pytest.raises((Forbidden, NotFound)):
            services.person_reveal_identity(actor=user_named(username), person=person)
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()
    with pytest.raises(NotFound):  # permitted, but not in scope
        services.person_reveal_identity(actor=user_named("county_411403"), person=person)
    revealed = services.person_reveal_identity(actor=user_named("city_411400"), person=person,
                                               reason="核对补贴申领")
    assert revealed.id_number == NUMBER and revealed.phone == PHONE
    event = AuditEvent.objects.get(action="view_sensitive")
    assert event.actor_name == "city_411400" and event.object_id == str(person.pk)
    assert NUMBER not in json.dumps(event.changes) and event.changes["reason"] == "核对补贴申领"


def test_enrolment_lookup_returns_only_masked_minimum_and_is_audited(user_named):
    person = _create(user_named, name="欧阳娜娜", household_region="411402")
    operator = user_named("inst_411402")  # did not register this person, cannot list them
    assert not selectors.person_list(user=operator).filter(pk=person.pk).exists()
    result = services.person_lookup_for_enrolment(actor=operator, id_number=NUMBER.lower())
    assert set(vars(result)) == {"person_id", "name_masked", "id_masked", "sex", "birth_year"}
    assert (result.person_id, result.name_masked, result.sex, result.birth_year) == (
        person.pk, "欧**娜", "M", 1991)
    assert result.id_masked == person.id_masked and NUMBER not in str(vars(result))
    event = AuditEvent.objects.filter(action="lookup_person").latest("id")
    assert event.actor_name == "inst_411402" and event.object_id == str(person.pk)
    assert event.changes == {"id_number": person.id_masked, "found": True,
                             "purpose": "enrolment"}


def test_enrolment_lookup_of_an_unknown_number_is_audited_too(user_named):
    missing = make_resident_number("411403", dt.date(1980, 1, 1), 998)
    result = services.person_lookup_for_enrolment(actor=user_named("inst_411402"),
                                                  id_number=missing)
    assert result is None
    event = AuditEvent.objects.filter(action="lookup_person").latest("id")
    assert event.changes["found"] is False and missing not in json.dumps(event.changes)


def test_enrolment_lookup_needs_its_permission(user_named):
    _create(user_named)
    for username in ("worker_411402", "reviewer_411400", "dept_411400"):
        with pytest.raises(Forbidden):
            services.person_lookup_for_enrolment(actor=user_named(username), id_number=NUMBER)


def test_target_groups_presets_and_officers_extend(user_named):
    names = set(TargetGroup.objects.values_list("name", flat=True))
    assert {"高校毕业生", "农村转移劳动力", "脱贫劳动力（含监测帮扶对象）", "易地搬迁劳动力",
            "失业人员", "就业困难人员", "退役军人", "残疾人", "企业职工", "灵活就业人员",
            "新就业形态", "在校生", "服刑/戒毒人员"} <= names
    assert target_group_sync_presets() == 0  # idempotent
    officer = user_named("province_410000")  # shared reference data: the province's
    group = services.target_group_create(actor=officer, code="home_care", name="家政从业人员")
    assert AuditEvent.objects.filter(action="create", object_type="orgs.targetgroup").exists()
    services.target_group_update(actor=officer, target_group=group, is_active=False)
    with pytest.raises(ServiceError) as exc:
        _create(user_named, target_groups=["家政从业人员"])
    assert "target_groups" in exc.value.errors
    with pytest.raises(Conflict):
        services.target_group_create(actor=officer, code="other", name="高校毕业生")
    with pytest.raises(Forbidden):
        services.target_group_create(actor=user_named("inst_411402"), code="x1", name="某群体")


def test_renamed_preset_is_not_recreated(user_named):
    group = TargetGroup.objects.get(code="student")
    services.target_group_update(actor=user_named("province_410000"), target_group=group,
                                 name="在校学生")
    assert target_group_sync_presets() == 0
    assert TargetGroup.objects.filter(code="student").get().name == "在校学生"


def test_link_worker_login(user_named):
    person = _create(user_named)
    officer = user_named("county_411402")
    worker = user_named("worker_411402")
    with pytest.raises(ServiceError) as exc:  # the demo already links the worker to 张三
        services.person_link_user(actor=officer, person=person, user=worker)
    assert "user" in exc.value.errors
    assert selectors.person_of_user(user=worker).name == "张三"
    other = services.person_link_user(actor=officer, person=selectors.person_of_user(user=worker),
                                      user=None)
    assert other.user_id is None
    services.person_link_user(actor=officer, person=person, user=worker)
    assert selectors.person_of_user(user=worker).pk == person.pk
    assert PersonChange.objects.filter(person=person, changes__has_key="user").exists()


def test_search_by_target_group_finds_exactly_the_people_in_it(user_named):
    officer = user_named("county_411402")
    veteran = _create(user_named)  # rural_migrant and 退役军人
    rural = _create(user_named, id_number=make_resident_number("411402", BIRTH, 359),
                    target_groups=["rural_migrant"])
    none = _create(user_named, id_number=make_resident_number("411402", BIRTH, 361),
                   target_groups=[])
    mine = {veteran.pk, rural.pk, none.pk}

    def found(code):
        return {p.pk for p in selectors.person_list(user=officer, target_group=code)} & mine

    assert found("veteran") == {veteran.pk}
    assert found("rural_migrant") == {veteran.pk, rural.pk}
    assert found("disabled") == set()
    shown = selectors.person_get(user=officer, pk=veteran.pk)
    assert shown.target_group_names == ["农村转移劳动力", "退役军人"]  # in the groups' order
    assert selectors.person_get(user=officer, pk=none.pk).target_group_names == []
