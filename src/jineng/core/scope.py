"""The one data-scope mechanism: `Model.objects.restrict(user, action)`.

Fail-closed: a user sees nothing of a model unless one of their roles grants the action
(`<app>.<action>_<model>`), and then only what that role's scope covers. Several roles
combine with OR. Each scoped model declares once, in `scope = ScopeSpec(...)`, which of its
fields lead to a region, an institution and an owning user; a grant whose kind the model has
no field for adds nothing.

Grant kinds are read in one place, `reach_of()`: it turns a user's grants of a permission
into a `Reach` (the paths, region ids, institutions and users they cover). A `Reach` gives
both the queryset filter (`Reach.q`, what `restrict` applies) and the in-memory predicate
(`Reach.admits`, what the roster importer applies to rows it has already fetched), so the
two cannot drift apart (tests/core/test_scope_reach.py compares them on the database).

A single object is fetched through the same restricted queryset (`get_restricted_or_404`), so
"not yours" and "does not exist" are the same 404.
"""

from collections.abc import Callable, Iterable
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


@dataclass(frozen=True)
class Reach:
    """What a user's grants of one permission cover, all grants merged (OR).

    `granted`: at least one grant (enough for a global model); `everything`: an ALL grant.
    A record is covered when one of its region fields has a path under `region_paths` or an
    id in `region_ids`, or an institution field is in `institution_ids`, or an owner field
    in `user_ids`."""

    granted: bool = False
    everything: bool = False
    region_paths: tuple[str, ...] = ()
    region_ids: frozenset[int] = frozenset()
    institution_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()

    @property
    def only_self(self) -> bool:
        """Granted, but only for the user's own records (a worker)."""
        return (self.granted and not self.everything and not self.region_paths
                and not self.region_ids and not self.institution_ids)

    def covers_all(self, spec: ScopeSpec) -> bool:
        return self.granted and (self.everything or spec.is_global)

    def q(self, spec: ScopeSpec) -> Q | None:
        """The filter for `spec`'s model: an empty Q for all of it, None for nothing."""
        if self.covers_all(spec):
            return Q()
        parts = [Q(**{f"{_prefix(f)}path__startswith": path})
                 for f in spec.regions for path in self.region_paths]
        for ids, fields in ((self.region_ids, spec.regions),
                            (self.institution_ids, spec.institutions),
                            (self.user_ids, spec.owners)):
            if ids:
                parts += [Q(**{f"{_prefix(f)}id__in": sorted(ids)}) for f in fields]
        return reduce(or_, parts) if parts else None

    def admits_region(self, region_id, path: str | None) -> bool:
        """Whether a region (its id and path) is covered: where a record may be placed."""
        if self.everything:
            return True
        return (region_id is not None and region_id in self.region_ids) or bool(
            path and self.region_paths and path.startswith(self.region_paths))

    def admits(self, spec: ScopeSpec, value_of: Callable[[str], object]) -> bool:
        """The same condition as `q(spec)`, on values held in memory: `value_of(field)` gives,
        for each field of `spec`, a region's (id, path) for region fields, an id for
        institution and owner fields, None when the record has none."""
        if self.covers_all(spec):
            return True
        if not self.granted:
            return False
        for f in spec.regions:
            region = value_of(f)
            if region is not None and self.admits_region(*region):
                return True
        return any(value_of(f) in self.institution_ids for f in spec.institutions) or any(
            value_of(f) in self.user_ids for f in spec.owners)

    def admits_object(self, obj: models.Model) -> bool:
        """`admits` for a model instance, following its spec's fields (tests, single objects)."""
        spec: ScopeSpec = type(obj).scope

        def value_of(field: str):
            target = _follow(obj, field)
            if target is None:
                return None
            return (target.pk, target.path) if field in spec.regions else target.pk

        return self.admits(spec, value_of)


NOTHING = Reach()


def reach_of(grants: Iterable[Grant]) -> Reach:
    """The one reading of grant kinds: what these grants cover together."""
    granted = everything = False
    paths: list[str] = []
    regions: set[int] = set()
    institutions: set[int] = set()
    users: set[int] = set()
    for g in grants:
        granted = True
        if g.kind == ScopeKind.ALL:
            everything = True
        elif g.kind in (ScopeKind.REGIONS, ScopeKind.OWN_REGION_AND_BELOW):
            paths.extend(g.region_paths)
        elif g.kind == ScopeKind.OWN_REGION and g.region_id:
            regions.add(g.region_id)
        elif g.kind == ScopeKind.OWN_INSTITUTION and g.institution_id:
            institutions.add(g.institution_id)
        elif g.kind == ScopeKind.SELF and g.user_id:
            users.add(g.user_id)
    return Reach(granted=granted, everything=everything,
                 region_paths=tuple(dict.fromkeys(paths)), region_ids=frozenset(regions),
                 institution_ids=frozenset(institutions), user_ids=frozenset(users))


def user_reach(user, permission: str) -> Reach:
    """What `user` may reach under `permission` (nothing for anonymous users)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    return reach_of(user.grants_for(permission))


def _prefix(field: str) -> str:
    return f"{field}__" if field else ""


def _follow(obj, field: str):
    for part in field.split("__") if field else ():
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def permission_code(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_filter(qs: models.QuerySet, reach: Reach) -> models.QuerySet:
    """`qs` cut to what `reach` covers of its model."""
    spec: ScopeSpec | None = getattr(qs.model, "scope", None)
    condition = reach.q(spec) if spec is not None else None
    if condition is None:
        return qs.none()
    if not condition:  # an empty Q: everything
        return qs
    # Scope fields are forward foreign keys, so the OR never yields a row twice.
    return qs.filter(condition)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ScopedQuerySet":
        return scope_filter(self, user_reach(user, permission_code(self.model, action)))


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
    if region is None:
        return False
    reach = user_reach(user, permission_code(model, action))
    if reach.covers_all(getattr(model, "scope", ScopeSpec())):
        return True
    return reach.admits_region(region.pk, region.path)
