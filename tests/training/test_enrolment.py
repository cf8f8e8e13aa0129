"""Enrolment one by one: every refusal says why in Chinese and names the field; nothing is
written when refused. Classes are built through tests/training/factories.py; the institution
operator is inst_411402 (金蓝领, 梁园区 411402)."""

import datetime as dt

import pytest
from django.utils import timezone

from jineng.catalog.models import PolicyKind, PolicyVersion, Programme
from jineng.core.errors import Conflict, Forbidden, ServiceError
from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.orgs.models import Institution, Region
from jineng.training import enrolment as svc
from jineng.training.models import (
    ClassKind,
    ClassStatus,
    ClassTeacher,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    EnterpriseStaff,
)
from tests.training import factories

pytestmark = pytest.mark.django_db
LIANGYUAN = "411402"


@pytest.fixture
def operator(user_named):
    return user_named("inst_411402")


@pytest.fixture
def school(operator):
    return operator.institution


@pytest.fixture
def klass(school):
    """An approved class of 金蓝领 in 梁园区, for 就业重点群体 (SQ-2022-02)."""
    return factories.training_class(school, capacity=3, start=timezone.localdate()
                                    + dt.timedelta(days=120))


def migrant(region=LIANGYUAN, name="李学员"):
    person = factories.person(region, name)
    person.target_groups = ["rural_migrant"]
    person.save(update_fields=["target_groups"])
    return person


def refused(exc_info, field: str, *words: str):
    exc = exc_info.value
    assert field in exc.errors, exc.errors
    for word in words:
        assert word in exc.errors[field], exc.errors[field]
    return exc.errors[field]


def test_an_operator_enrols_a_person_and_it_is_audited(operator, klass):
    person = migrant()
    made = svc.enrol(actor=operator, training_class=klass, person=person)
    assert made.status == EnrolmentStatus.ENROLLED and made.source == EnrolmentSource.PAGE
    assert made.enrolled_by == operator
    event = AuditEvent.objects.filter(action="enrolment_enrol").latest("pk")
    assert event.object_id == str(made.pk)


@pytest.mark.parametrize("status", [ClassStatus.DRAFT, ClassStatus.FILED,
                                    ClassStatus.COMPLETED, ClassStatus.CLOSED])
def test_a_class_not_open_takes_no_one(operator, school, status):
    closed = factories.training_class(school, status=status)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=closed, person=migrant())
    refused(exc, "training_class", "只有已审核（可开班）或培训中的班级可以报名")
    assert not Enrolment.objects.filter(training_class=closed).exists()


def test_a_running_class_takes_enrolments(operator, school):
    running = factories.training_class(school, status=ClassStatus.RUNNING)
    assert svc.enrol(actor=operator, training_class=running, person=migrant()).pk


def test_capacity_reached(operator, klass):
    for _ in range(3):
        svc.enrol(actor=operator, training_class=klass, person=migrant())
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=klass, person=migrant())
    refused(exc, "training_class", "计划人数 3 人，已报满")
    assert klass.enrolments.count() == 3


def test_a_withdrawn_seat_is_free_again(operator, klass):
    first = [svc.enrol(actor=operator, training_class=klass, person=migrant()) for _ in range(3)]
    svc.enrolment_withdraw(actor=operator, enrolment=first[0], reason="外出务工")
    assert svc.enrol(actor=operator, training_class=klass, person=migrant()).pk


def test_not_in_the_programmes_target_groups(operator, klass):
    person = factories.person(LIANGYUAN, "王不符")
    person.target_groups = ["enterprise_employee"]
    person.save()
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=klass, person=person)
    message = refused(exc, "target_groups", "就业重点群体技能提升计划", "农村转移劳动力",
                      "不符合报名条件")
    assert "王不符" not in message  # the name is masked
    assert not Enrolment.objects.filter(person=person).exists()


def test_a_programme_without_target_groups_takes_anyone(operator, school):
    open_to_all = factories.training_class(
        school, programme=Programme.objects.get(code="SQ-2022-05"))
    assert svc.enrol(actor=operator, training_class=open_to_all,
                     person=factories.person(LIANGYUAN)).pk


def _limit(region_code: str, per_year: int):
    PolicyVersion.objects.create(
        kind=PolicyKind.PERSON_LIMITS, region=Region.objects.get(code=region_code), number=99,
        valid_from=dt.date(2020, 1, 1), is_sample=True,
        data={"subsidised_trainings_per_year": per_year,
              "evaluation_subsidy_once_per_occupation_level": True})


def test_the_person_limits_policy_caps_trainings_a_year(operator, school, klass):
    _limit(LIANGYUAN, 1)
    person = migrant()
    earlier = factories.training_class(school, start=klass.start_date.replace(month=1, day=1)
                                       if klass.start_date.month > 1 else klass.start_date,
                                       sessions=0)
    factories.enrolment(earlier, person)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=klass, person=person)
    refused(exc, "person", f"{klass.start_date.year} 年已报名补贴性培训 1 次",
            "每人每年 1 次的上限")


def test_withdrawn_enrolments_do_not_count_toward_the_limit(operator, school, klass):
    _limit(LIANGYUAN, 1)
    person = migrant()
    factories.enrolment(factories.training_class(school, start=klass.start_date, sessions=0),
                        person, status=EnrolmentStatus.WITHDRAWN)
    assert svc.enrol(actor=operator, training_class=klass, person=person).pk


def test_shangqius_policy_sets_no_yearly_limit(operator, school, klass):
    person = migrant()
    for _ in range(4):
        factories.enrolment(factories.training_class(school, start=klass.start_date
                                                     + dt.timedelta(days=60), sessions=0),
                            person)
    assert svc.enrol(actor=operator, training_class=klass, person=person).pk


def test_overlapping_sessions_in_another_class(operator, school, klass):
    person = migrant()
    other = factories.training_class(school, start=klass.start_date + dt.timedelta(days=1),
                                     name="焊工培训班")
    factories.enrolment(other, person)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=klass, person=person)
    day = klass.start_date + dt.timedelta(days=1)
    refused(exc, "person", "「焊工培训班」", f"{day:%Y-%m-%d} 09:00–12:00", "时间重叠")


def test_sessions_that_do_not_overlap_are_fine(operator, school, klass):
    person = migrant()
    other = factories.training_class(school, start=klass.start_date + dt.timedelta(days=3))
    factories.enrolment(other, person)
    assert svc.enrol(actor=operator, training_class=klass, person=person).pk


def test_already_enrolled_in_this_class(operator, klass):
    person = migrant()
    svc.enrol(actor=operator, training_class=klass, person=person)
    with pytest.raises(Conflict) as exc:
        svc.enrol(actor=operator, training_class=klass, person=person)
    refused(exc, "id_number", "已报名本班")


def test_a_person_outside_the_institutions_region(operator, klass):
    outsider = migrant("411403", "赵睢阳")  # 睢阳区, the institution is in 梁园区
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=klass, person=outsider)
    refused(exc, "household_region", "睢阳区", "梁园区范围内", "不能报名")
    assert not Enrolment.objects.filter(person=outsider).exists()


def test_a_residence_in_the_region_is_enough(operator, klass):
    person = migrant("411403")
    person.residence_region = Region.objects.get(code=LIANGYUAN)
    person.save()
    assert svc.enrol(actor=operator, training_class=klass, person=person).pk


def test_an_operator_of_another_institution_cannot_enrol(user_named, klass):
    with pytest.raises(Forbidden):
        svc.enrol(actor=user_named("ent_411402"), training_class=klass, person=migrant())


def test_a_sibling_county_officer_cannot_enrol(user_named, klass):
    with pytest.raises(Forbidden) as exc:
        svc.enrol(actor=user_named("county_411403"), training_class=klass, person=migrant())
    assert "training_class" in exc.value.errors


# ---------------------------------------------------------------- apprenticeship


@pytest.fixture
def apprenticeship(school):
    enterprise = Institution.objects.filter(kind="enterprise", region__code=LIANGYUAN).first()
    made = factories.training_class(school, kind=ClassKind.APPRENTICESHIP, enterprise=enterprise,
                                    programme=Programme.objects.get(code="SQ-2022-05"))
    made.school_teacher = made.teachers.get().teacher
    return made


def _staff(enterprise, person, since=dt.date(2020, 1, 1), until=None):
    return EnterpriseStaff.objects.create(enterprise=enterprise, person=person, since=since,
                                          until=until)


def test_an_apprentice_with_mentor_and_school_teacher(operator, apprenticeship):
    apprentice, mentor = factories.person(LIANGYUAN), factories.person(LIANGYUAN, "周师傅")
    _staff(apprenticeship.enterprise, apprentice)
    _staff(apprenticeship.enterprise, mentor)
    made = svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                     mentor=mentor, school_teacher=apprenticeship.school_teacher)
    assert made.mentor == mentor and made.school_teacher == apprenticeship.school_teacher


def test_an_apprentice_must_be_on_the_enterprises_staff(operator, apprenticeship):
    apprentice, mentor = factories.person(LIANGYUAN), factories.person(LIANGYUAN)
    _staff(apprenticeship.enterprise, mentor)
    _staff(apprenticeship.enterprise, apprentice, since=dt.date(2019, 1, 1),
           until=apprenticeship.start_date - dt.timedelta(days=1))  # left before the start
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                  mentor=mentor, school_teacher=apprenticeship.school_teacher)
    refused(exc, "person", apprenticeship.enterprise.name, "在职的职工", "只招收本企业职工")


def test_an_apprentice_needs_a_mentor_of_the_enterprise(operator, apprenticeship):
    apprentice, mentor = factories.person(LIANGYUAN), factories.person(LIANGYUAN)
    _staff(apprenticeship.enterprise, apprentice)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                  school_teacher=apprenticeship.school_teacher)
    refused(exc, "mentor", "企业导师")
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                  mentor=mentor, school_teacher=apprenticeship.school_teacher)
    refused(exc, "mentor", "不是", "在职的职工")


def test_an_apprentice_needs_a_school_teacher_of_the_class(operator, school, apprenticeship):
    apprentice, mentor = factories.person(LIANGYUAN), factories.person(LIANGYUAN)
    _staff(apprenticeship.enterprise, apprentice)
    _staff(apprenticeship.enterprise, mentor)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                  mentor=mentor)
    refused(exc, "school_teacher", "院校导师")
    stranger = factories.teacher(school)
    with pytest.raises(ServiceError) as exc:
        svc.enrol(actor=operator, training_class=apprenticeship, person=apprentice,
                  mentor=mentor, school_teacher=stranger)
    refused(exc, "school_teacher", "不是本班的教师")
    assert not ClassTeacher.objects.filter(teacher=stranger).exists()
    assert not Enrolment.objects.filter(person=apprentice).exists()


# ---------------------------------------------------------------- by identity number


def test_enrol_by_id_number_finds_a_registered_person(operator, klass):
    person = migrant()
    made = svc.enrol_by_id_number(actor=operator, training_class=klass,
                                  id_number=person.full_id)
    assert made.person == person
    assert AuditEvent.objects.filter(action="lookup_person").exists()


def test_enrol_by_id_number_registers_someone_new(operator, klass):
    number = make_resident_number(LIANGYUAN, dt.date(1995, 5, 5), 477)
    with pytest.raises(ServiceError) as exc:
        svc.enrol_by_id_number(actor=operator, training_class=klass, id_number=number)
    refused(exc, "name", "尚未实名登记")
    made = svc.enrol_by_id_number(actor=operator, training_class=klass, id_number=number,
                                  name="新学员", household_region=LIANGYUAN,
                                  target_groups=["rural_migrant"])
    assert made.person.name == "新学员"
    assert made.person.registered_by == operator.institution


def test_a_new_person_refused_is_not_registered_either(operator, klass):
    from jineng.people.models import Person

    number = make_resident_number("411403", dt.date(1995, 5, 6), 479)
    before = Person.objects.count()
    with pytest.raises(ServiceError) as exc:
        svc.enrol_by_id_number(actor=operator, training_class=klass, id_number=number,
                               name="外县学员", household_region="411403",
                               target_groups=["rural_migrant"])
    refused(exc, "household_region", "梁园区范围内")
    assert Person.objects.count() == before


def test_a_bad_number_is_refused_naming_the_field(operator, klass):
    with pytest.raises(ServiceError) as exc:
        svc.enrol_by_id_number(actor=operator, training_class=klass, id_number="41140219900101")
    assert "id_number" in exc.value.errors


# ---------------------------------------------------------------- withdraw


def test_withdraw_needs_a_reason_and_only_once(operator, klass):
    made = svc.enrol(actor=operator, training_class=klass, person=migrant())
    with pytest.raises(ServiceError) as exc:
        svc.enrolment_withdraw(actor=operator, enrolment=made, reason=" ")
    refused(exc, "reason", "须填写原因")
    svc.enrolment_withdraw(actor=operator, enrolment=made, reason="本人申请")
    made.refresh_from_db()
    assert made.status == EnrolmentStatus.WITHDRAWN and made.reason == "本人申请"
    with pytest.raises(ServiceError) as exc:
        svc.enrolment_withdraw(actor=operator, enrolment=made, reason="再次")
    refused(exc, "status", "已退学")


# ---------------------------------------------------------------- a worker, themself


def test_a_worker_enrols_themself(user_named, klass):
    worker = user_named("worker_411402")
    made = svc.enrol(actor=worker, training_class=klass, person=worker.person,
                     source=EnrolmentSource.SELF)
    assert made.source == EnrolmentSource.SELF


def test_a_worker_cannot_enrol_someone_else(user_named, klass):
    with pytest.raises(Forbidden):
        svc.enrol(actor=user_named("worker_411402"), training_class=klass, person=migrant(),
                  source=EnrolmentSource.SELF)


def test_a_worker_is_told_about_themself(user_named, klass):
    worker = user_named("worker_411402")
    svc.enrol(actor=worker, training_class=klass, person=worker.person,
              source=EnrolmentSource.SELF)
    with pytest.raises(Conflict) as exc:
        svc.enrol(actor=worker, training_class=klass, person=worker.person,
                  source=EnrolmentSource.SELF)
    assert exc.value.errors["id_number"].startswith("您已报名本班")


def test_a_refused_enrolment_by_number_keeps_the_look_up_on_record(operator, klass):
    outsider = migrant("411403")
    before = AuditEvent.objects.filter(action="lookup_person").count()
    with pytest.raises(ServiceError):
        svc.enrol_by_id_number(actor=operator, training_class=klass,
                               id_number=outsider.full_id)
    assert AuditEvent.objects.filter(action="lookup_person").count() == before + 1
