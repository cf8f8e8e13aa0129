"""Demo classes (`jineng loaddemo`; idempotent), filed and decided through the review chain
as people would: in 梁园区, 金蓝领 (inst_411402) files one class that ran last month, one
running now with sessions today, one starting next month, and an apprenticeship class for
商丘梁园冷链食品有限公司 with 金蓝领 as the school; in 睢阳区, 睢阳区技工学校 is designated
(through the chain) and runs a class now. `demo_classes()` hands them to the demo steps of
enrolment, attendance and completion."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jineng.catalog.models import FundSource, Occupation, Programme, SkillLevel, WorkType
from jineng.core.actors import system_actor
from jineng.core.codes import clean_text
from jineng.core.identity import make_resident_number
from jineng.core.models import ReviewDecisionKind, ReviewState
from jineng.core.review import review_decide, review_of
from jineng.orgs.models import Institution, User
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training import classes, services
from jineng.training.models import (
    ClassKind,
    ClassTeacherRole,
    Designation,
    Engagement,
    EngagementKind,
    Ownership,
    Teacher,
    TrainingClass,
)

LIANGYUAN_VENUE = (Decimal("34.444210"), Decimal("115.630480"))  # 金蓝领, 梁园区
COLD_CHAIN_VENUE = (Decimal("34.460150"), Decimal("115.590320"))  # 冷链食品公司厂区
SUIYANG_VENUE = (Decimal("34.388920"), Decimal("115.653970"))  # 睢阳区技工学校
SUIYANG_SCHOOL = "商丘市睢阳区技工学校"
ENTERPRISE = "商丘梁园冷链食品有限公司"
HOME_CARE, ELECTRICIAN = "4-10-01-06", "6-31-01-03"

NAMES = {
    "past": "家政服务员（家务服务员）初级班 第一期",
    "running": "家政服务员（母婴护理员）中级班 第一期",
    "upcoming": "电工（维修电工）初级班 第一期",
    "suiyang": "家政服务员（家务服务员）初级班 睢阳一期",
    "apprenticeship": "冷链食品企业新型学徒制电工班",
}
NAMES = {key: clean_text(name) for key, name in NAMES.items()}  # as stored: (…) not （…）
# Two sessions a day of 4 class hours each (180 minutes).
MORNING, AFTERNOON = (dt.time(8, 30), dt.time(11, 30)), (dt.time(14, 0), dt.time(17, 0))


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t), timezone.get_current_timezone())


def _sessions(days, teacher) -> list[dict]:
    return [{"starts_at": _at(day, start), "ends_at": _at(day, end), "hours": 4,
             "teacher": teacher}
            for day in days for start, end in (MORNING, AFTERNOON)]


def _weekdays(first: dt.date, count: int) -> list[dt.date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _decide(subject, deciders) -> None:
    for decider in deciders:
        review = review_of(subject)
        if decider is not None and review is not None and review.state == ReviewState.PENDING:
            review_decide(actor=decider, review=review, decision=ReviewDecisionKind.APPROVE)


def _engaged(actor, teacher, school, years, kind) -> None:
    for year in years:
        if not Engagement.objects.filter(teacher=teacher, institution=school,
                                         year=year).exists():
            services.engagement_add(actor=actor, teacher=teacher, institution=school, year=year,
                                    kind=kind)


def _catalogue(occupation_code, level_code, work_type):
    occupation = Occupation.objects.get(code=occupation_code, is_current=True)
    return {"occupation": occupation, "level": SkillLevel.objects.get(code=level_code),
            "work_type": WorkType.objects.filter(occupation=occupation, name=work_type).first()}


def _file(actor, school, key, deciders, **fields) -> TrainingClass:
    existing = TrainingClass.objects.filter(institution=school, name=NAMES[key]).first()
    if existing is not None:
        return existing
    made = classes.class_file(actor=actor, institution=school, name=NAMES[key], **fields)
    _decide(made, deciders)
    return made


def _suiyang_school(city, county, reviewer, year) -> tuple[Institution, list[Teacher]]:
    school = Institution.objects.filter(name=SUIYANG_SCHOOL).first()
    teachers = []
    for name, birth, sequence, number in (("孙桂兰", dt.date(1979, 5, 8), 71, "豫培师〔2025〕1103"),
                                          ("刘志强", dt.date(1986, 11, 20), 83,
                                           "豫培师〔2025〕1104")):
        id_number = make_resident_number("411403", birth, sequence)
        person = Person.objects.filter(
            id_hash=people_services.identity_hash("resident", id_number)).first()
        person = person or people_services.person_create(
            actor=county, source="demo", id_number=id_number, name=name,
            household_region="411403", residence_region="411403")
        teacher = Teacher.objects.filter(person=person).first() or services.teacher_register(
            actor=county, institution=school, person=person, qualification_number=number,
            qualification_expires=dt.date(year + 3, 12, 31), dual_qualified=True)
        _engaged(county, teacher, school, (year, year + 1), EngagementKind.FULL_TIME)
        teachers.append(teacher)
    if not Designation.objects.filter(institution=school).exists():
        designation = services.designation_submit(
            actor=city, institution=school, ownership=Ownership.PUBLIC,
            occupations=list(Occupation.objects.filter(code__in=[HOME_CARE, ELECTRICIAN],
                                                       is_current=True)),
            levels=list(SkillLevel.objects.filter(code__in=["5", "4"])),
            valid_from=dt.date(year, 1, 1), valid_to=dt.date(year + 2, 12, 31))
        _decide(designation, (county, reviewer))
    return school, teachers


def load() -> None:
    operator = User.objects.filter(username="inst_411402").first()
    county = User.objects.filter(username="county_411402").first()
    reviewer = User.objects.filter(username="reviewer_411400").first()
    city = User.objects.filter(username="city_411400").first()
    suiyang = User.objects.filter(username="county_411403").first()
    enterprise = Institution.objects.filter(name=ENTERPRISE).first()
    if None in (operator, county, reviewer, city, suiyang, enterprise):
        return
    school = operator.institution
    today = timezone.localdate()
    year = today.year
    lead = Teacher.objects.filter(institution=school, person__name="李建国").first()
    second = Teacher.objects.filter(institution=school, person__name="王淑芬").first()
    if lead is None or second is None:
        return
    _engaged(operator, lead, school, (year + 1,), EngagementKind.FULL_TIME)
    _engaged(operator, second, school, (year + 1,), EngagementKind.PART_TIME)
    home = {"programme": Programme.objects.get(code="SQ-2022-05", region__code="411400"),
            "fund_source": FundSource.objects.get(code="employment_subsidy")}
    power = {**home, "programme": Programme.objects.get(code="SQ-2022-01",
                                                        region__code="411400")}
    venue = {"venue": "梁园区金蓝领职业培训学校实训楼 201", "venue_lat": LIANGYUAN_VENUE[0],
             "venue_lng": LIANGYUAN_VENUE[1], "venue_radius_m": 200}
    chain = (county, reviewer)

    def regular(key, first, days, teacher, catalogue, hours, base=home, **extra):
        dates = _weekdays(first, days)
        return _file(operator, school, key, chain, **base, **catalogue, **venue, **extra,
                     start_date=dates[0], end_date=dates[-1] + dt.timedelta(days=2),
                     planned_hours=hours, capacity=30, teachers=[teacher],
                     sessions=_sessions(dates, teacher))

    regular("past", today - dt.timedelta(days=40), 8, second,
            _catalogue(HOME_CARE, "5", "家务服务员"), 64)
    # Every day for twelve days, the sixth of them today.
    dates = [today + dt.timedelta(days=n) for n in range(-5, 7)]
    _file(operator, school, "running", chain, **home, **_catalogue(HOME_CARE, "4", "母婴护理员"),
          **venue, start_date=dates[0], end_date=dates[-1], planned_hours=96, capacity=30,
          teachers=[second], sessions=_sessions(dates, second))
    regular("upcoming", today + dt.timedelta(days=30), 15, lead,
            _catalogue(ELECTRICIAN, "5", "维修电工"), 120, base=power)
    # Apprenticeship: Saturdays at the enterprise's plant for 15 weeks, the school's teacher
    # with the enterprise's mentors (named per apprentice at enrolment).
    saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7 + 14)
    saturdays = [saturday + dt.timedelta(weeks=n) for n in range(15)]
    _file(operator, school, "apprenticeship", chain, kind=ClassKind.APPRENTICESHIP,
          enterprise=enterprise, **power, **_catalogue(ELECTRICIAN, "5", "维修电工"),
          venue="商丘梁园冷链食品有限公司设备维修车间",
          venue_lat=COLD_CHAIN_VENUE[0], venue_lng=COLD_CHAIN_VENUE[1], venue_radius_m=300,
          start_date=saturdays[0],
          end_date=saturdays[-1] + dt.timedelta(days=1), planned_hours=120, capacity=20,
          teachers=[(lead, ClassTeacherRole.SCHOOL_TEACHER)],
          sessions=_sessions(saturdays, lead))
    suiyang_school, teachers = _suiyang_school(city, suiyang, reviewer, year)
    first = today - dt.timedelta(days=2)
    dates = [first + dt.timedelta(days=n) for n in range(8)]
    _file(city, suiyang_school, "suiyang", (suiyang, reviewer), **home,
          **_catalogue(HOME_CARE, "5", "家务服务员"), venue="睢阳区技工学校家政实训室",
          venue_lat=SUIYANG_VENUE[0], venue_lng=SUIYANG_VENUE[1], venue_radius_m=300,
          start_date=dates[0], end_date=dates[-1], planned_hours=64, capacity=40,
          teachers=teachers, sessions=_sessions(dates[:4], teachers[0])
          + _sessions(dates[4:], teachers[1]))
    classes.classes_start_due(actor=system_actor("loaddemo"))


def demo_classes() -> dict[str, TrainingClass]:
    """The demo's classes by role: past, running, upcoming, suiyang, apprenticeship (after
    `jineng loaddemo`; a missing one is left out)."""
    out = {}
    for key, name in NAMES.items():
        found = TrainingClass.objects.filter(name=name).order_by("pk").first()
        if found is not None:
            out[key] = found
    return out
