"""`Reach.q` (the filter `restrict` applies) and `Reach.admits` (the predicate the roster
importer applies to rows it has fetched) select the same records, for any grants.

Each example builds a small region tree (its own codes, 99xxxx, apart from the demo data),
institutions, users, people with their changes, and imports in it, inside a savepoint rolled
back at the end, then compares for every scoped model the rows the database selects with the
rows the predicate admits."""

import hashlib
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.core.scope import Grant, ScopeKind, reach_of, scope_filter
from jineng.orgs.models import Institution, Region, RegionLevel, User
from jineng.people.importing import db as import_db
from jineng.people.importing import scope as import_scope
from jineng.people.models import Person, PersonChange, PersonImport

pytestmark = pytest.mark.django_db

MAX_REGIONS = 6


class _RolledBack(Exception):
    pass


def maybe(limit: int):
    """An index below `limit` or None (a field left empty)."""
    return st.none() | st.integers(0, limit - 1)


@st.composite
def worlds(draw):
    """Index-based description of a world; the indexes are resolved once rows exist."""
    n = draw(st.integers(1, MAX_REGIONS))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    institutions = draw(st.lists(st.integers(0, n - 1), max_size=3))
    n_inst = max(len(institutions), 1)
    users = draw(st.lists(st.tuples(maybe(n), maybe(n_inst)), max_size=3))
    n_users = max(len(users), 1)
    people = draw(st.lists(st.tuples(maybe(n), maybe(n), maybe(n_inst), maybe(n_users)),
                           max_size=6))
    imports = draw(st.lists(st.tuples(st.integers(0, n - 1), maybe(n_inst), maybe(n_users)),
                            max_size=3))
    grant = st.tuples(
        st.sampled_from(ScopeKind.values),
        st.lists(st.integers(0, n), max_size=2),  # region paths (n: a path outside the tree)
        maybe(n + 1),  # the user's region (n: a region id that is not in the tree)
        maybe(n_inst + 1),
        maybe(n_users + 1),
    )
    grants = draw(st.lists(grant, max_size=3))
    return parents, institutions, users, people, imports, grants


def build(parents, institutions, users, people, imports):
    regions = []
    for i, parent in enumerate(parents):
        code = f"99{i:04d}"
        above = regions[parent] if parent is not None else None
        regions.append(Region.objects.create(
            code=code, name=f"测试区{i}", parent=above,
            level=RegionLevel.PROVINCE if above is None else RegionLevel.COUNTY,
            path=(above.path if above else "/") + code + "/"))
    insts = [Institution.objects.create(name=f"测试机构{i}", kind="training", region=regions[r],
                                        credit_code=f"H8TEST{i:012d}")
             for i, r in enumerate(institutions)]
    accounts = [User.objects.create(username=f"h8_reach_{i}",
                                    region=_at(regions, r), institution=_at(insts, inst))
                for i, (r, inst) in enumerate(users)]
    persons, linked = [], set()
    for i, (household, residence, registered_by, user) in enumerate(people):
        account = _at(accounts, user) if user not in linked else None
        linked.add(user)
        persons.append(Person.objects.create(
            id_hash=hashlib.sha256(f"h8-{i}".encode()).digest(), id_cipher=b"-",
            id_masked=f"99******{i:04d}", name=f"测试{i}",
            household_region=_at(regions, household), residence_region=_at(regions, residence),
            registered_by=_at(insts, registered_by), user=account))
    changes = [PersonChange.objects.create(person=p, at=p.created_at) for p in persons]
    jobs = [PersonImport.objects.create(region=regions[r], institution=_at(insts, inst),
                                        created_by=_at(accounts, by), file_name="x.xlsx",
                                        file_path="x.xlsx")
            for r, inst, by in imports]
    return regions, insts, accounts, persons, changes, jobs


def _at(rows, index):
    return rows[index] if index is not None and index < len(rows) else None


def _id(rows, index):
    """The id of rows[index]; an index past the end names an id that exists nowhere."""
    if index is None:
        return None
    return rows[index].pk if index < len(rows) else 10**9 + index


def grants_of(spec, regions, insts, accounts) -> list[Grant]:
    out = []
    for kind, path_indexes, region, inst, user in spec:
        paths = tuple(regions[i].path if i < len(regions) else "/980000/" for i in path_indexes)
        if kind == ScopeKind.OWN_REGION_AND_BELOW:
            paths = paths[:1]
        elif kind != ScopeKind.REGIONS:
            paths = ()
        out.append(Grant(kind=kind, region_paths=paths, region_id=_id(regions, region),
                         institution_id=_id(insts, inst), user_id=_id(accounts, user)))
    return out


def selected(model, objects, reach) -> set[int]:
    qs = model.objects.filter(pk__in=[o.pk for o in objects])
    return set(scope_filter(qs, reach).values_list("pk", flat=True))


def admitted(model, objects, reach) -> set[int]:
    fresh = model.objects.filter(pk__in=[o.pk for o in objects])
    return {o.pk for o in fresh if reach.admits_object(o)}


def importer_admitted(persons, reach) -> set[int]:
    """The importer's own path: rows as its writer fetches them, its predicate on them."""
    writer = import_db.Writer.for_connection(institution_id=None, default_region_id=None)
    found = writer.existing([bytes(p.id_hash) for p in persons]) if persons else {}
    with mock.patch.object(import_scope, "user_reach", return_value=reach):
        allowed = import_scope.person_predicate(object(), "people.view_person")
    return {row[import_db.E_ID] for row in found.values() if allowed is None or allowed(row)}


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(world=worlds())
def test_queryset_and_predicate_select_the_same_records(db, world):
    *shape, grant_spec = world
    try:
        with transaction.atomic():
            regions, insts, accounts, persons, changes, jobs = build(*shape)
            reach = reach_of(grants_of(grant_spec, regions, insts, accounts))
            for model, objects in ((Region, regions), (Institution, insts), (User, accounts),
                                   (Person, persons), (PersonChange, changes),
                                   (PersonImport, jobs)):
                assert selected(model, objects, reach) == admitted(model, objects, reach), model
            assert importer_admitted(persons, reach) == selected(Person, persons, reach)
            # Where a record may be placed (creates) is what the region list shows.
            placeable = {r.pk for r in regions
                         if reach.everything or reach.admits_region(r.pk, r.path)}
            assert placeable == selected(Region, regions, reach)
            raise _RolledBack
    except _RolledBack:
        pass


def test_the_generated_worlds_reach_every_outcome(db):
    """The comparison above can fail: a county grant selects its own people, not the
    sibling's, and the predicate agrees; no grant selects nothing."""
    with transaction.atomic():
        regions, _, _, persons, _, _ = build([None, 0, 0], [], [],
                                             [(1, None, None, None), (2, None, None, None)], [])
        county = reach_of([Grant(kind=ScopeKind.OWN_REGION_AND_BELOW,
                                 region_paths=(regions[1].path,))])
        assert selected(Person, persons, county) == {persons[0].pk}
        assert admitted(Person, persons, county) == {persons[0].pk}
        assert importer_admitted(persons, county) == {persons[0].pk}
        assert selected(Person, persons, reach_of([])) == set() == admitted(
            Person, persons, reach_of([]))
        transaction.set_rollback(True)


# ---------------------------------------------------------------- against the written rule


def _at_or_below(region, top) -> bool:
    """Walks the parents (not the paths the filter uses)."""
    while region is not None:
        if region.pk == top.pk:
            return True
        region = region.parent
    return False


def oracle(person, user, roles) -> bool:
    """DESIGN's reading of each grant kind, for a person record (household or residence
    region, registering institution, login)."""
    places = [r for r in (person.household_region, person.residence_region) if r is not None]
    for role in roles:
        if not role.is_active or not role.grants("people.view_person"):
            continue
        kind = role.scope_kind
        if kind == ScopeKind.ALL:
            return True
        if kind == ScopeKind.REGIONS and any(
                _at_or_below(p, top) for p in places for top in role.scope_regions.all()):
            return True
        if kind == ScopeKind.OWN_REGION and user.region_id and any(
                p.pk == user.region_id for p in places):
            return True
        if kind == ScopeKind.OWN_REGION_AND_BELOW and user.region_id and any(
                _at_or_below(p, user.region) for p in places):
            return True
        if (kind == ScopeKind.OWN_INSTITUTION and user.institution_id
                and person.registered_by_id == user.institution_id):
            return True
        if kind == ScopeKind.SELF and person.user_id == user.pk:
            return True
    return False


@st.composite
def role_sets(draw, n_regions: int):
    return draw(st.lists(st.tuples(
        st.sampled_from(ScopeKind.values),
        st.lists(st.integers(0, n_regions - 1), max_size=2, unique=True),  # scope regions
        st.sampled_from([["people.*"], ["people.view_person"], ["orgs.view_region"]]),
        st.booleans(),  # active
    ), max_size=3))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(world=worlds(), data=st.data())
def test_restrict_follows_the_written_rule_for_real_roles(db, world, data):
    """A user's roles (kind, chosen regions, permissions, active or not) as stored, read by
    User.grants_for and restrict, select exactly the people the written rule admits."""
    from jineng.orgs.models import Role

    parents, institutions, users, people, imports, _ = world
    n = len(parents)
    roles_spec = data.draw(role_sets(n))
    reader_region = data.draw(maybe(n))
    reader_institution = data.draw(maybe(max(len(institutions), 1)))
    try:
        with transaction.atomic():
            regions, insts, accounts, persons, _, _ = build(parents, institutions, users,
                                                            people, imports)
            reader = accounts[0] if accounts else User.objects.create(username="h8_reader")
            reader.region = _at(regions, reader_region)
            reader.institution = _at(insts, reader_institution)
            reader.save()
            roles = []
            for i, (kind, chosen, permissions, active) in enumerate(roles_spec):
                role = Role.objects.create(code=f"h8_role_{i}", name=f"测试角色{i}",
                                           scope_kind=kind, permissions=permissions,
                                           is_active=active)
                role.scope_regions.set([regions[j] for j in chosen])
                roles.append(role)
            reader.roles.set(roles)
            reader = User.objects.get(pk=reader.pk)  # no cached roles
            expected = {p.pk for p in Person.objects.filter(pk__in=[p.pk for p in persons])
                        .select_related("household_region", "residence_region")
                        if oracle(p, reader, roles)}
            got = set(Person.objects.restrict(reader, "view")
                      .filter(pk__in=[p.pk for p in persons]).values_list("pk", flat=True))
            assert got == expected
            raise _RolledBack
    except _RolledBack:
        pass
