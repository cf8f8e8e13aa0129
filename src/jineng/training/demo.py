"""Demo data of training (`jineng loaddemo`; idempotent): 金蓝领 (inst_411402) is a private
designated institution with two teachers for this year, one full-time; 睢阳区技工学校 has a
school report."""

import datetime as dt

from django.db import transaction

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.identity import make_resident_number
from jineng.core.models import ReviewDecisionKind, ReviewState
from jineng.core.review import review_decide, review_of
from jineng.orgs.models import Institution, User
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training import demo_attendance, demo_completion, demo_enrolment, demo_wishes, services
from jineng.training import demo_classes as classes_demo
from jineng.training.models import (
    Designation,
    DesignationStatus,
    Engagement,
    EngagementKind,
    Ownership,
    SchoolReport,
    Teacher,
)

# (name, birth, sequence, full-time?, 上岗资格证号, 双师型)
TEACHERS = [
    ("李建国", dt.date(1978, 4, 12), 51, True, "豫培师〔2024〕0411", True),
    ("王淑芬", dt.date(1983, 9, 3), 62, False, "豫培师〔2025〕0732", False),
]
OCCUPATIONS = ["4-10-01-06", "6-31-01-03"]  # 家政服务员, 电工
LEVELS = ["5", "4"]


def _person(actor, name, birth, sequence) -> Person:
    number = make_resident_number("411402", birth, sequence)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash("resident", number)).first()
    return person or people_services.person_create(
        actor=actor, source="demo", id_number=number, name=name,
        household_region="411402", residence_region="411402")


@transaction.atomic
def load(*, actor=None, stdout=None) -> None:
    operator = User.objects.filter(username="inst_411402").first()
    officer = User.objects.filter(username="county_411402").first()
    if operator is None or officer is None:
        return
    school = operator.institution
    year = dt.date.today().year
    for name, birth, sequence, full_time, number, dual in TEACHERS:
        person = _person(operator, name, birth, sequence)
        teacher = Teacher.objects.filter(person=person).first() or services.teacher_register(
            actor=operator, institution=school, person=person, qualification_number=number,
            qualification_expires=dt.date(year + 3, 12, 31), dual_qualified=dual)
        if not Engagement.objects.filter(teacher=teacher, institution=school, year=year).exists():
            services.engagement_add(
                actor=operator, teacher=teacher, institution=school, year=year,
                kind=EngagementKind.FULL_TIME if full_time else EngagementKind.PART_TIME)
    if not Designation.objects.filter(institution=school).exists():
        occupations = list(Occupation.objects.filter(code__in=OCCUPATIONS, is_current=True))
        levels = list(SkillLevel.objects.filter(code__in=LEVELS))
        designation = services.designation_submit(
            actor=operator, institution=school, ownership=Ownership.PRIVATE,
            occupations=occupations, levels=levels,
            valid_from=dt.date(year, 1, 1), valid_to=dt.date(year + 2, 12, 31))
        # decided through the review chain, as an officer would: the county, then the city
        for decider in (officer, User.objects.filter(username="reviewer_411400").first()):
            review = review_of(designation)
            if decider is not None and review is not None and review.state == ReviewState.PENDING:
                review_decide(actor=decider, review=review, decision=ReviewDecisionKind.APPROVE)
    _school_report(year)
    demo_wishes.load_wishes(stdout=stdout)
    classes_demo.load()
    classes = classes_demo.demo_classes()
    demo_enrolment.load_enrolments(classes, stdout=stdout)
    demo_attendance.load_attendance(classes)
    demo_completion.load_completion(classes)
    if stdout is not None:
        designated = Designation.objects.filter(status=DesignationStatus.DESIGNATED).count()
        stdout.write(f"培训：定点培训机构 {designated} 家、培训教师 {Teacher.objects.count()} 人")


def _school_report(year: int) -> None:
    officer = User.objects.filter(username="county_411403").first()
    if officer is None:
        return
    school = Institution.objects.filter(region=officer.region, kind="technical_school").first()
    done = SchoolReport.objects.filter(institution=school, year=year - 1).exists()
    if school is not None and not done:
        services.school_report_set(actor=officer, institution=school, year=year - 1,
                                   enrolled_students=1200, training_person_times=540)


from jineng.training.demo_completion import load_completion  # noqa: E402, F401  (the lead wires it)
