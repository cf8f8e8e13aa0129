"""Scoped reads of regions, departments, institutions, users and roles."""

from django.db.models import Q, QuerySet

from jineng.orgs.models import ApiToken, Department, Institution, Region, Role, User


def region_list(*, user, q: str = "", level: int | None = None, parent_code: str = "",
                action: str = "view") -> QuerySet[Region]:
    qs = Region.objects.restrict(user, action).select_related("parent")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return qs.order_by("code")


def department_list(*, user, q: str = "", region_code: str = "",
                    action: str = "view") -> QuerySet[Department]:
    qs = Department.objects.restrict(user, action).select_related("region")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__iexact=q))
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.order_by("region__code", "code")


def institution_list(*, user, q: str = "", kind: str = "", status: str = "",
                     region_code: str = "", action: str = "view") -> QuerySet[Institution]:
    qs = Institution.objects.restrict(user, action).select_related("region")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(credit_code__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    return qs.order_by("region__code", "name")


def user_list(*, user, q: str = "", role_code: str = "", is_active: bool | None = None,
              action: str = "view") -> QuerySet[User]:
    qs = User.objects.restrict(user, action).select_related("region", "institution", "department")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    if role_code:
        qs = qs.filter(roles__code=role_code)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs.prefetch_related("roles").order_by("username")


def role_list(*, user, q: str = "", action: str = "view") -> QuerySet[Role]:
    qs = Role.objects.restrict(user, action)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def token_list(*, user, action: str = "view") -> QuerySet[ApiToken]:
    return ApiToken.objects.restrict(user, action).select_related("user", "created_by")


def scope_counts(*, user) -> dict:
    """What a bureau officer's home page shows: counts of what is in their scope."""
    return {
        "institutions": Institution.objects.restrict(user).count(),
        "regions_below": Region.objects.restrict(user).exclude(pk=user.region_id).count(),
        "departments": Department.objects.restrict(user).count(),
    }


def account_counts(*, user) -> dict:
    """What the system and security administrators' home pages show: accounts in scope."""
    from django.utils import timezone

    users = User.objects.restrict(user)
    return {
        "users": users.filter(is_active=True).count(),
        "locked": users.filter(locked_until__gt=timezone.now()).count(),
        "must_change": users.filter(is_active=True, must_change_password=True).count(),
    }


def own_institution(*, user) -> Institution | None:
    """The institution an institution's operator works for, through the same scope."""
    if not user.institution_id:
        return None
    return Institution.objects.restrict(user).filter(pk=user.institution_id).first()
