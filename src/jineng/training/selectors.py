"""Every read of training that is more than a get: scoped, and the rule-reads that the class
filing will call (`designation_covers`, `full_time_share_ok`, `teacher_assignable`)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.errors import NotFound
from jineng.orgs.models import Institution
from jineng.training import completion
from jineng.training.models import (
    Designation,
    DesignationStatus,
    Engagement,
    EngagementKind,
    Ownership,
    SchoolReport,
    Teacher,
)

# The states in which an institution still holds (or asks for) a designation.
LIVE = (DesignationStatus.APPLIED, DesignationStatus.DESIGNATED, DesignationStatus.SUSPENDED)


def today() -> dt.date:
    return timezone.localdate()


def _one(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# ---------------------------------------------------------------- designations


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("institution__region").prefetch_related("occupations", "levels")


def designation_list(*, user, q: str = "", status: str = "", region_code: str = "",
                     occupation: str = "", action: str = "view") -> QuerySet[Designation]:
    qs = _with_relations(Designation.objects.restrict(user, action))
    return _filtered(qs, q=q, status=status, region_code=region_code, occupation=occupation)


def _filtered(qs: QuerySet, *, q="", status="", region_code="", occupation="") -> QuerySet:
    if q:
        qs = qs.filter(institution__name__contains=q)
    if status:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(institution__region__path__contains=f"/{region_code}/")
    if occupation:
        qs = qs.filter(Q(occupations__code=occupation) | Q(occupations__name__contains=occupation)
                       ).distinct()
    return qs.order_by("institution__region__code", "institution__name", "-valid_from", "pk")


def designation_get(*, user, pk, action: str = "view") -> Designation:
    return _one(_with_relations(Designation.objects.restrict(user, action)), pk=pk)


def public_directory(*, region_code: str = "", occupation: str = "",
                     q: str = "") -> QuerySet[Designation]:
    """What anyone may read: the designations that are or were in force (designated,
    suspended, exited), never applications under review or refused."""
    qs = _with_relations(Designation.objects.filter(status__in=[
        DesignationStatus.DESIGNATED, DesignationStatus.SUSPENDED, DesignationStatus.EXITED]))
    qs = completion.with_ratings(qs)  # each institution's rating average and count
    return _filtered(qs, q=q, region_code=region_code, occupation=occupation)


def designation_covers(institution: Institution, occupation: Occupation, level: SkillLevel, *,
                       on: dt.date | None = None) -> bool:
    """Whether the institution is designated, on the day, for this occupation and level."""
    on = on or today()
    return Designation.objects.filter(
        institution=institution, status=DesignationStatus.DESIGNATED,
        valid_from__lte=on, valid_to__gte=on, occupations=occupation, levels=level,
    ).exists()


def institution_ownership(institution: Institution) -> str | None:
    """The ownership the institution declared in its latest designation (None: never)."""
    latest = (Designation.objects.filter(institution=institution)
              .order_by("-submitted_at", "-pk").values_list("ownership", flat=True).first())
    return latest


# ---------------------------------------------------------------- teachers


def full_time_share(institution: Institution, year: int) -> tuple[int, int]:
    """(full-time teachers, all teachers) of the institution for the year."""
    engagements = Engagement.objects.filter(institution=institution, year=year)
    total = engagements.count()
    full = engagements.filter(kind=EngagementKind.FULL_TIME).count()
    return full, total


def full_time_share_problem(institution: Institution, year: int, *,
                            ownership: str | None = None) -> str | None:
    """Why a private (民办) institution's teachers for the year break the rule that full-time
    teachers are at least 1/3 of all (seed 001 §九), with the numbers; None when they keep it
    or the institution is public."""
    ownership = ownership or institution_ownership(institution)
    if ownership != Ownership.PRIVATE:
        return None
    full, total = full_time_share(institution, year)
    return share_problem(institution.name, year, full, total)


def share_problem(name: str, year: int, full: int, total: int) -> str | None:
    """The 1/3 rule on the counts: None when full-time teachers are at least a third."""
    if total == 0:
        return f"民办培训机构「{name}」尚未登记 {year} 年度的教师聘用"
    if full * 3 < total:
        needed = (total + 2) // 3
        return (f"民办培训机构「{name}」{year} 年度专职教师 {full} 人，教师共 "
                f"{total} 人，专职教师不得少于教师总数的 1/3（至少 {needed} 人）")
    return None


def full_time_share_ok(institution: Institution, year: int) -> bool:
    return full_time_share_problem(institution, year) is None


def teacher_assignable(teacher: Teacher, *, on: dt.date | None = None) -> str | None:
    """Why the teacher cannot be assigned to a class on the day (an expired 上岗资格), or
    None."""
    on = on or today()
    if teacher.qualification_expires < on:
        return (f"教师「{teacher.person.name}」的上岗资格（证号 {teacher.qualification_number}）"
                f"已于 {teacher.qualification_expires:%Y-%m-%d} 过期，不能安排授课")
    return None


def teacher_list(*, user, q: str = "", action: str = "view") -> QuerySet[Teacher]:
    """The teachers the user registered or engages, and (officers) those of their region."""
    registered = Teacher.objects.restrict(user, action)
    engaged = Engagement.objects.restrict(user, action).values("teacher_id")
    qs = Teacher.objects.filter(Q(pk__in=registered.values("pk")) | Q(pk__in=engaged))
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(qualification_number__contains=q))
    return qs.select_related("person", "institution").order_by("pk")


def teacher_get(*, user, pk, action: str = "view") -> Teacher:
    return _one(teacher_list(user=user, action=action), pk=pk)


def engagement_list(*, user, q: str = "", year: int | None = None, institution_id=None,
                    action: str = "view") -> QuerySet[Engagement]:
    qs = Engagement.objects.restrict(user, action).select_related(
        "teacher__person", "institution")
    if q:
        qs = qs.filter(Q(teacher__person__name__contains=q) | Q(institution__name__contains=q))
    if year:
        qs = qs.filter(year=year)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    return qs.order_by("-year", "institution__name", "pk")


# ---------------------------------------------------------------- school reports


def school_report_list(*, user, q: str = "", year: int | None = None,
                       action: str = "view") -> QuerySet[SchoolReport]:
    qs = SchoolReport.objects.restrict(user, action).select_related("institution__region")
    if q:
        qs = qs.filter(institution__name__contains=q)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "institution__name", "pk")
