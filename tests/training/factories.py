"""Records of the training loop built straight through the ORM, for tests of a later step
(enrolment needs an approved class, attendance an enrolment ...). Tests of a step itself go
through its service. Every record is in 睢阳区 (411403) unless a region is given."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from jineng.catalog.models import FundSource, Occupation, Programme, SkillLevel
from jineng.core.identity import make_resident_number
from jineng.orgs.models import Institution, Region
from jineng.people.models import Person
from jineng.people.services import identity_check, identity_columns
from jineng.training.models import (
    ClassStatus,
    ClassTeacher,
    Designation,
    DesignationStatus,
    Enrolment,
    Ownership,
    Session,
    Teacher,
    TrainingClass,
)

_sequence = itertools.count(5000)
# 睢阳区 人民政府 — a venue point; check-ins are measured against it
VENUE = (Decimal("34.388920"), Decimal("115.653970"))


def person(region_code: str = "411403", name: str = "测试学员", user=None) -> Person:
    n = next(_sequence)  # a distinct birth date and sequence number each time
    number = make_resident_number(region_code, dt.date(1960, 1, 1) + dt.timedelta(days=n),
                                  n % 900 + 100)
    region = Region.objects.get(code=region_code)
    made = Person.objects.create(name=name, household_region=region, residence_region=region,
                                 user=user, **identity_columns(identity_check(number)))
    made.full_id = number
    return made


def institution(region_code: str = "411403", kind: str = "training") -> Institution:
    return Institution.objects.filter(region__code=region_code, kind=kind).order_by("pk").first()


def teacher(school: Institution | None = None, expires: dt.date | None = None) -> Teacher:
    school = school or institution()
    return Teacher.objects.create(
        person=person(school.region.code, "测试教师"), institution=school, region=school.region,
        qualification_number=f"测培师{next(_sequence)}",
        qualification_expires=expires or dt.date(2099, 12, 31))


def designation(school: Institution | None = None, occupation_code="6-31-01-03",
                level_code="4") -> Designation:
    school = school or institution()
    today = timezone.localdate()
    made = Designation.objects.create(
        institution=school, ownership=Ownership.PUBLIC, status=DesignationStatus.DESIGNATED,
        valid_from=today.replace(month=1, day=1), valid_to=today.replace(year=today.year + 2))
    made.occupations.set(Occupation.objects.filter(code=occupation_code, is_current=True))
    made.levels.set(SkillLevel.objects.filter(code=level_code))
    return made


def training_class(school: Institution | None = None, *, status=ClassStatus.APPROVED,
                   start: dt.date | None = None, days: int = 10, sessions: int = 3,
                   capacity: int = 30, **fields) -> TrainingClass:
    """An approved class (by default) with one teacher and `sessions` sessions, one a day from
    `start` (today by default) 09:00–12:00 local time, 4 class hours each."""
    school = school or institution()
    start = start or timezone.localdate()
    cover = designation(school)
    defaults = dict(
        code=f"TC{next(_sequence)}", name="电工培训班", institution=school, designation=cover,
        programme=Programme.objects.get(code="SQ-2022-02"),
        occupation=cover.occupations.get(), level=cover.levels.get(), region=school.region,
        fund_source=FundSource.objects.get(code="employment_subsidy"),
        venue="睢阳区神火大道 1 号", venue_lat=VENUE[0], venue_lng=VENUE[1], venue_radius_m=300,
        start_date=start, end_date=start + dt.timedelta(days=days), planned_hours=80,
        capacity=capacity, status=status)
    made = TrainingClass.objects.create(**{**defaults, **fields})
    lead = teacher(school)
    ClassTeacher.objects.create(training_class=made, teacher=lead)
    zone = timezone.get_current_timezone()
    for day in range(sessions):
        begins = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9), tzinfo=zone)
        Session.objects.create(training_class=made, starts_at=begins,
                               ends_at=begins + dt.timedelta(hours=3), hours=4, teacher=lead)
    return made


def enrolment(training_class: TrainingClass | None = None, who: Person | None = None,
              **fields) -> Enrolment:
    training_class = training_class or globals()["training_class"]()
    who = who or person(training_class.region.code)
    return Enrolment.objects.create(training_class=training_class, person=who, **fields)
