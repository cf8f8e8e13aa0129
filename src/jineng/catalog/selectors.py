"""Scoped reads of the catalogue. Region-bound policy data (documents, versions, programmes) is
visible to a user in their scope and also from the regions above their own, because those
policies apply to them; a sibling region's stays invisible (the same 404 as a missing one)."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.catalog.models import (
    CatalogueEntry,
    FundBudget,
    Occupation,
    PolicyDocument,
    PolicyKind,
    PolicyVersion,
    Programme,
    SkillLevel,
    WorkType,
)
from jineng.catalog.policies import KINDS
from jineng.catalog.services import ancestor_codes, resolve
from jineng.core.errors import NotFound
from jineng.core.scope import permission_code
from jineng.orgs.models import Region
from jineng.orgs.selectors import picker_regions, user_home_region
from jineng.orgs.target_groups import with_target_group_names


def today() -> dt.date:
    return timezone.localdate()


def home_region(user) -> Region | None:
    """The region whose policies apply to the user: their own, or their institution's."""
    return user_home_region(user)


def with_policies_from_above(qs: QuerySet, user, action: str = "view",
                             field: str = "region") -> QuerySet:
    """`restrict(user, action)` plus, for reading, the records of the regions above the
    user's home region."""
    restricted = qs.restrict(user, action)
    if action not in ("view", "export") or not user.has_permission(
            permission_code(qs.model, action)):
        return restricted
    home = home_region(user)
    if home is None:
        return restricted
    return qs.filter(Q(pk__in=restricted.values("pk"))
                     | Q(**{f"{field}__code__in": ancestor_codes(home)}))


def region_visible(user, region: Region) -> bool:
    """Whether the user may ask what applies in `region` (own scope, or above their own)."""
    if Region.objects.restrict(user, "view").filter(pk=region.pk).exists():
        return True
    home = home_region(user)
    return bool(home) and region.code in ancestor_codes(home)


def regions_visible(user) -> QuerySet[Region]:
    """The regions `region_visible` admits, in force: own scope and the regions above."""
    return picker_regions(user, "above")


def region_for(user, code: str) -> Region:
    """A region the user may see; NotFound otherwise (same as a missing code)."""
    region = Region.objects.filter(code=code).first()
    if region is None or not region_visible(user, region):
        raise NotFound(f"地区 {code} 不存在或无权访问", errors={"region": "地区不存在或无权访问"})
    return region


# ---------------------------------------------------------------- occupations and levels


def occupation_list(*, user, q: str = "", level: int | None = None, mark: str = "",
                    edition: str = "", action: str = "view") -> QuerySet[Occupation]:
    qs = Occupation.objects.restrict(user, action).select_related("parent")
    qs = qs.filter(edition=edition) if edition else qs.filter(is_current=True)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    if level:
        qs = qs.filter(level=level)
    if mark == "S":
        qs = qs.filter(is_digital=True)
    elif mark == "L":
        qs = qs.filter(is_green=True)
    return qs.order_by("code")


def work_type_list(*, user, q: str = "", occupation_code: str = "", status: str = "",
                   action: str = "view") -> QuerySet[WorkType]:
    """`status` "active" or "retired" (停用) narrows the list; anything else lists both."""
    qs = WorkType.objects.restrict(user, action).select_related("occupation")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(occupation__name__contains=q))
    if occupation_code:
        qs = qs.filter(occupation__code=occupation_code)
    if status in ("active", "retired"):
        qs = qs.filter(is_active=status == "active")
    return qs.order_by("occupation__code", "name")


def work_type_get(*, user, pk, action: str = "view") -> WorkType:
    return _one(WorkType.objects.restrict(user, action).select_related("occupation"), pk=pk)


def level_list(*, user, q: str = "", action: str = "view") -> QuerySet[SkillLevel]:
    qs = SkillLevel.objects.restrict(user, action)
    return qs.filter(name__contains=q) if q else qs


# ---------------------------------------------------------------- documents and versions


def document_list(*, user, q: str = "", region_code: str = "",
                  action: str = "view") -> QuerySet[PolicyDocument]:
    qs = with_policies_from_above(PolicyDocument.objects.select_related("region"), user, action)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(number__contains=q) | Q(issuer__contains=q))
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.order_by("region__code", "-issued_on", "pk")


def version_queryset(user, action: str = "view") -> QuerySet[PolicyVersion]:
    qs = PolicyVersion.objects.select_related("region", "document__region", "created_by")
    return with_policies_from_above(qs, user, action)


def policy_version_list(*, user, q: str = "", kind: str = "", region_code: str = "",
                        in_force_on: dt.date | None = None,
                        action: str = "view") -> QuerySet[PolicyVersion]:
    qs = version_queryset(user, action)
    if q:
        qs = qs.filter(Q(note__contains=q) | Q(document__title__contains=q)
                       | Q(region__name__contains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if in_force_on:
        qs = qs.filter(valid_from__lte=in_force_on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=in_force_on))
    return qs.order_by("kind", "region__code", "-valid_from")


def _one(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def policy_version_get(*, user, pk) -> PolicyVersion:
    """One version the user may read (own scope or from above); NotFound otherwise."""
    return _one(version_queryset(user), pk=pk)


def policies_in_force(*, user, region: Region, on_date: dt.date) -> list[dict]:
    """For each kind: the version in force for `region` on `on_date`, whether it is the
    region's own or comes from above, and the region's own versions not in force."""
    out = []
    for code, spec in KINDS.items():
        try:
            resolution = resolve(code, region, on_date)
        except NotFound:
            resolution = None
        out.append({"kind": code, "label": spec.label, "resolution": resolution})
    return out


def version_history(version: PolicyVersion) -> QuerySet[PolicyVersion]:
    return (PolicyVersion.objects.filter(kind=version.kind, region=version.region)
            .select_related("document").order_by("-valid_from"))


# ---------------------------------------------------------------- catalogue (public)


def public_default_region() -> Region | None:
    """Where the public catalogue opens: settings.JINENG_PUBLIC_REGION, else the first region
    (by code) that publishes a training-subsidy catalogue, else the first province."""
    regions = Region.objects.filter(is_active=True)
    chosen = settings.JINENG_PUBLIC_REGION
    publishing = regions.filter(policyversion__kind=PolicyKind.TRAINING_SUBSIDY)
    return ((regions.filter(code=chosen).first() if chosen else None)
            or publishing.order_by("code").first()
            or regions.filter(level=1).order_by("code").first())


def catalogue_in_force(*, region: Region, on_date: dt.date, q: str = "",
                       level: str = "") -> tuple[PolicyVersion | None, QuerySet]:
    """The subsidised-occupation catalogue that applies to a region on a date (public)."""
    try:
        version = resolve(PolicyKind.TRAINING_SUBSIDY, region, on_date).version
    except NotFound:
        return None, CatalogueEntry.objects.none()
    qs = with_target_group_names(version.entries.select_related("occupation", "work_type",
                                                                "level"))
    if q:
        qs = qs.filter(Q(occupation__name__contains=q) | Q(occupation__code__startswith=q)
                       | Q(work_type__name__contains=q))
    if level:
        qs = qs.filter(level__code=level)
    return version, qs.order_by("occupation__code", "work_type__name", "level__rank")


# ---------------------------------------------------------------- programmes and budgets


def programme_list(*, user, q: str = "", kind: str = "", region_code: str = "",
                   action: str = "view") -> QuerySet[Programme]:
    qs = with_policies_from_above(Programme.objects.select_related("region", "document"),
                                  user, action)
    qs = with_target_group_names(qs)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q)
                       | Q(responsible__contains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.prefetch_related("departments", "occupations", "fund_sources").order_by(
        "region__code", "code")


def programme_get(*, user, pk) -> Programme:
    qs = with_policies_from_above(Programme.objects.select_related("region", "document"), user)
    return _one(with_target_group_names(qs), pk=pk)


def catalogue_entries(version: PolicyVersion) -> QuerySet[CatalogueEntry]:
    """A catalogue version's lines, with what their table shows."""
    return with_target_group_names(
        version.entries.select_related("occupation", "work_type", "level"))


def fund_budget_list(*, user, q: str = "", year: int | None = None, region_code: str = "",
                     source: str = "", action: str = "view") -> QuerySet[FundBudget]:
    qs = FundBudget.objects.restrict(user, action).select_related("source", "region")
    if q:
        qs = qs.filter(Q(source__name__contains=q) | Q(region__name__contains=q))
    if year:
        qs = qs.filter(year=year)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if source:
        qs = qs.filter(source__code=source)
    return qs.order_by("region__code", "-year", "source_id")
