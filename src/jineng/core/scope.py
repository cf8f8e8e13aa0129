"""The one data-scope mechanism: `Model.objects.restrict(user, action)`.

Fail-closed: a user sees nothing of a model unless one of their roles grants the action
(`<app>.<action>_<model>`), and then only what that role's scope covers. Several roles
combine with OR. Each scoped model declares once, in `scope = ScopeSpec(...)`, which of its
fields lead to a region, an institution and an owning user; a grant whose kind the model has
no field for adds nothing.

A single object is fetched through the same restricted queryset (`get_restricted_or_404`), so
"not yours" and "does not exist" are the same 404.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    ALL = "all", _("全部数据")
    REGIONS = "regions", _("指定地区及下级")
    OWN_REGION = "own_region", _("本地区")
    OWN_REGION_AND_BELOW = "own_region_below", _("本地区及下级")
    OWN_INSTITUTION = "own_institution", _("本机构")
    SELF = "self", _("仅本人")


SELF_FIELD = ""  # in a ScopeSpec, the model itself is the region / institution / user


@dataclass(frozen=True)
class ScopeSpec:
    """Which fields of a model lead to its region(s), institution(s) and owner(s).

    `regions` name foreign keys to orgs.Region (or SELF_FIELD for Region itself); a record in
    any of them is in scope. `is_global` marks configuration that has no region: any grant of
    the action shows all of it.
    """

    regions: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    is_global: bool = False


@dataclass(frozen=True)
class Grant:
    """One role's grant of an action: the kind of scope and the region paths it covers."""

    kind: str
    region_paths: tuple[str, ...] = ()
    region_id: int | None = None
    institution_id: int | None = None
    user_id: int | None = None


def _prefix(field: str) -> str:
    return f"{field}__" if field else ""


def _grant_q(spec: ScopeSpec, grant: Grant) -> Q | None:
    if spec.is_global or grant.kind == ScopeKind.ALL:
        return Q()
    parts: list[Q] = []
    if grant.kind in (ScopeKind.REGIONS, ScopeKind.OWN_REGION_AND_BELOW):
        parts = [
            Q(**{f"{_prefix(f)}path__startswith": path})
            for f in spec.regions
            for path in grant.region_paths
        ]
    elif grant.kind == ScopeKind.OWN_REGION and grant.region_id:
        parts = [Q(**{_prefix(f) + "id": grant.region_id}) for f in spec.regions]
    elif grant.kind == ScopeKind.OWN_INSTITUTION and grant.institution_id:
        parts = [Q(**{_prefix(f) + "id": grant.institution_id}) for f in spec.institutions]
    elif grant.kind == ScopeKind.SELF and grant.user_id:
        parts = [Q(**{_prefix(f) + "id": grant.user_id}) for f in spec.owners]
    return reduce(or_, parts) if parts else None


def permission_code(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ScopedQuerySet":
        spec: ScopeSpec | None = getattr(self.model, "scope", None)
        if spec is None or user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        grants = user.grants_for(permission_code(self.model, action))
        conditions = [q for q in (_grant_q(spec, g) for g in grants) if q is not None]
        if not conditions:
            return self.none()
        if any(not q for q in conditions):  # an empty Q: everything
            return self
        # Scope fields are forward foreign keys, so the OR never yields a row twice.
        return self.filter(reduce(or_, conditions))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def get_restricted(model_or_qs, user, action: str = "view", **lookup):
    """One object through the restricted queryset; NotFound if missing or out of scope."""
    from jineng.core.errors import NotFound

    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    try:
        return qs.restrict(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def region_allowed(user, model: type[models.Model], action: str, region) -> bool:
    """Whether the user may do `action` on a record of `model` placed in `region` (creates)."""
    if user is None or not getattr(user, "is_authenticated", False) or region is None:
        return False
    for grant in user.grants_for(permission_code(model, action)):
        if grant.kind == ScopeKind.ALL or getattr(model, "scope", ScopeSpec()).is_global:
            return True
        if grant.kind in (ScopeKind.REGIONS, ScopeKind.OWN_REGION_AND_BELOW) and any(
            region.path.startswith(p) for p in grant.region_paths
        ):
            return True
        if grant.kind == ScopeKind.OWN_REGION and region.pk == grant.region_id:
            return True
    return False
