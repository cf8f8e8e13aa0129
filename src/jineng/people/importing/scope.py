"""The importing user's data scope, computed once per import so each row costs a set look-up.

The conditions are core.scope's `Reach` (the one reading of grant kinds, the same that
`Person.objects.restrict` filters by), applied to what the importer already holds:

- `region_ids(actor, action, paths)`: the ids of regions where the actor may `action`
  ("add", "change") a person, or None when any region will do (no actor: the command line;
  an ALL grant; an institution operator, whose records are registered by their institution
  and may live anywhere, as in person_create).
- `person_predicate(actor, permission)`: whether an existing person (a row of
  db.EXISTING_COLUMNS) is inside the actor's scope for `permission`, or None for everyone.
"""

from collections.abc import Callable

from jineng.core.scope import user_reach
from jineng.people.importing import db
from jineng.people.models import Person


def is_institution_actor(actor) -> bool:
    """Whether person_create registers this actor's records by their institution (then any
    region is fine): an own-institution grant of people.add_person (services._add_grant)."""
    return bool(user_reach(actor, "people.add_person").institution_ids)


def may_find_registered(actor) -> bool:
    """Whether a roster of this actor reports a registered person outside its scope as
    found ("已登记") rather than refused: an institution enrolling people, which may look a
    number up across the registry (people.lookup_person, as person_lookup_for_enrolment)."""
    return (actor is not None and is_institution_actor(actor)
            and actor.has_permission("people.lookup_person"))


def region_ids(actor, action: str, paths: dict[int, str]) -> set[int] | None:
    """Region ids (of `paths`, {id: path}) where `actor` may `action` a person; None: all."""
    if actor is None or is_institution_actor(actor):
        return None
    reach = user_reach(actor, f"people.{action}_person")
    if reach.covers_all(Person.scope):
        return None
    return {pk for pk, path in paths.items() if reach.admits_region(pk, path)}


def person_predicate(actor, permission: str) -> Callable[[tuple], bool] | None:
    """In scope of `permission` (e.g. "people.view_person"): Person.objects.restrict's
    condition on a row of db.EXISTING_COLUMNS; None when everyone is."""
    if actor is None:
        return None
    reach = user_reach(actor, permission)
    if reach.covers_all(Person.scope):
        return None
    spec = Person.scope

    def allowed(found: tuple) -> bool:
        return reach.admits(spec, _existing_values(found).get)

    return allowed


def _existing_values(found: tuple) -> dict:
    """Person.scope's fields as a row of db.EXISTING_COLUMNS holds them."""
    household, residence = found[db.E_HOUSEHOLD], found[db.E_RESIDENCE]
    return {
        "household_region": (household, found[db.E_HOUSEHOLD_PATH]) if household else None,
        "residence_region": (residence, found[db.E_RESIDENCE_PATH]) if residence else None,
        "registered_by": found[db.E_REGISTERED_BY],
        "user": found[db.E_USER],
    }
