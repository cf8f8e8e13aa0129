"""Scoped reads of regions, departments, institutions, users and roles."""

import re

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


# ---------------------------------------------------------------- the region picker

# Which regions a picker offers: "all" is every region in force (public pages, list filters);
# "view" / "add" are the regions the user may read / create records in; "above" is "view"
# and the regions above the user's own (whose policies apply to them).
PICKER_SCOPES = ("all", "view", "add", "above")
PICKER_LIMIT = 20
_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{6}|\d{9}|\d{12})(?!\d)")


def picker_regions(user, scope: str) -> QuerySet[Region]:
    if scope in ("view", "add") and getattr(user, "is_authenticated", False):
        return Region.objects.restrict(user, scope).filter(is_active=True)
    if scope == "above" and getattr(user, "is_authenticated", False):
        home = user_home_region(user)
        above = Q(code__in=home.path.strip("/").split("/")) if home else Q(pk__in=[])
        return Region.objects.filter(
            Q(pk__in=Region.objects.restrict(user, "view").values("pk")) | above,
            is_active=True)
    if scope == "all":
        return Region.objects.filter(is_active=True)
    return Region.objects.none()


def user_home_region(user) -> Region | None:
    """The user's own region, or their institution's."""
    if getattr(user, "region_id", None):
        return user.region
    if getattr(user, "institution_id", None):
        return user.institution.region
    return None


def region_options(*, regions: QuerySet[Region], q: str = "",
                   parent_code: str = "") -> list[dict]:
    """What the picker lists: regions whose name contains `q` or whose code starts with it;
    with no `q`, the children of `parent_code`, or the top of `regions` (the regions whose
    parent is not among them). Each option carries its full name and whether it has
    children to walk into."""
    q = q.strip()
    code = _CODE_IN_TEXT.search(q)
    if code:  # a chosen label («梁园区 411402») or a code typed among words
        q = code.group(1)
    if q:
        qs = regions.filter(Q(name__contains=q) | Q(code__startswith=q))
    elif parent_code:
        qs = regions.filter(parent__code=parent_code)
    else:
        qs = regions.exclude(parent__in=regions.values("pk"))
    found = list(qs.order_by("level", "code")[:PICKER_LIMIT])
    if not found:
        return []
    above = {code for r in found for code in r.path.strip("/").split("/")[:-1]}
    names = dict(Region.objects.filter(code__in=above).values_list("code", "name"))
    with_children = set(regions.filter(parent__in=[r.pk for r in found])
                        .values_list("parent_id", flat=True))
    return [{
        "code": r.code, "name": r.name, "label": region_label(r),
        "full_name": " › ".join([*(names.get(c, c) for c in r.path.strip("/").split("/")[:-1]),
                                 r.name]),
        "has_children": r.pk in with_children,
    } for r in found]


_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


def region_list_parts(text: str) -> list[str]:
    """The regions typed into a box that holds several («梁园区 411402、睢阳区»)."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def region_being_typed(text: str) -> str:
    """The last of several regions typed, or "" after a separator (the picker then lists
    the top regions to walk down from)."""
    if _LIST_SEPARATORS.search(text.rstrip(" ")[-1:] or ","):
        return ""
    return region_list_parts(text)[-1]


def region_label(region: Region) -> str:
    """How a chosen region reads in a picker's box; `region_find` reads it back."""
    return f"{region.name} {region.code}"


def region_find(text: str, regions: QuerySet[Region]) -> tuple[Region | None, str]:
    """The region meant by `text` (a code, a name, or a picker label «梁园区 411402») among
    `regions`, or None and a message in Chinese saying why not."""
    text = text.strip()
    match = _CODE_IN_TEXT.search(text)
    if match:
        region = regions.filter(code=match.group(1)).first()
        return (region, "") if region else (
            None, f"区划代码 {match.group(1)} 不存在或不在您的管辖范围内")
    named = list(regions.filter(name=text).order_by("code")[:6])
    if len(named) == 1:
        return named[0], ""
    if not named:
        return None, f"地区「{text}」不存在或不在您的管辖范围内，请从列表中选择"
    listed = "、".join(region_label(r) for r in named[:5])
    return None, f"名为「{text}」的地区不止一个（{listed}），请从列表中选择或输入区划代码"
