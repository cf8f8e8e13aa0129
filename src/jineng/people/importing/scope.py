"""The importing user's data scope, computed once per import so each row costs a set look-up.

Same rules as people.services (person_create / person_update via `_check_regions`, and
`Person.objects.restrict`), restated over the region paths the importer already holds:

- `region_ids(actor, action, paths)`: the ids of regions where the actor may `action`
  ("add", "change") a person, or None when any region will do (no actor: the command line;
  an ALL grant; an institution operator, whose records are registered by their institution
  and may live anywhere, as in person_create).
- `person_predicate(actor, permission)`: whether an existing person (a row of
  db.EXISTING_COLUMNS) is inside the actor's scope for `permission`, or None for everyone.
"""

from collections.abc import Callable

from jineng.core.scope import ScopeKind
from jineng.people.importing import db


def is_institution_actor(actor) -> bool:
    """Whether person_create registers this actor's records by their institution (then any
    region is fine): an own-institution grant of people.add_person (services._add_grant)."""
    if actor is None:
        return False
    return any(g.kind == ScopeKind.OWN_INSTITUTION and g.institution_id
               for g in actor.grants_for("people.add_person"))


def region_ids(actor, action: str, paths: dict[int, str]) -> set[int] | None:
    """Region ids (of `paths`, {id: path}) where `actor` may `action` a person; None: all."""
    if actor is None or is_institution_actor(actor):
        return None
    grants = actor.grants_for(f"people.{action}_person")
    if any(g.kind == ScopeKind.ALL for g in grants):
        return None
    prefixes: list[str] = []
    allowed: set[int] = set()
    for g in grants:
        if g.kind in (ScopeKind.REGIONS, ScopeKind.OWN_REGION_AND_BELOW):
            prefixes.extend(g.region_paths)
        elif g.kind == ScopeKind.OWN_REGION and g.region_id:
            allowed.add(g.region_id)
    if prefixes:
        starts = tuple(prefixes)
        allowed.update(pk for pk, path in paths.items() if path.startswith(starts))
    return allowed


def person_predicate(actor, permission: str) -> Callable[[tuple], bool] | None:
    """In scope of `permission` (e.g. "people.view_person"): a region path under a grant's
    paths, the grant's own region, the grant's institution as registrar, or the user
    themself — the same conditions as Person.objects.restrict."""
    if actor is None:
        return None
    grants = actor.grants_for(permission)
    if any(g.kind == ScopeKind.ALL for g in grants):
        return None
    prefixes: list[str] = []
    region_ids_: set[int] = set()
    institutions: set[int] = set()
    users: set[int] = set()
    for g in grants:
        if g.kind in (ScopeKind.REGIONS, ScopeKind.OWN_REGION_AND_BELOW):
            prefixes.extend(g.region_paths)
        elif g.kind == ScopeKind.OWN_REGION and g.region_id:
            region_ids_.add(g.region_id)
        elif g.kind == ScopeKind.OWN_INSTITUTION and g.institution_id:
            institutions.add(g.institution_id)
        elif g.kind == ScopeKind.SELF and g.user_id:
            users.add(g.user_id)
    starts = tuple(prefixes)

    def allowed(found: tuple) -> bool:
        for path in (found[db.E_HOUSEHOLD_PATH], found[db.E_RESIDENCE_PATH]):
            if path and starts and path.startswith(starts):
                return True
        if found[db.E_HOUSEHOLD] in region_ids_ or found[db.E_RESIDENCE] in region_ids_:
            return True
        return found[db.E_REGISTERED_BY] in institutions or found[db.E_USER] in users

    return allowed
