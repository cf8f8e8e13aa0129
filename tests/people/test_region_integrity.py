"""A person's regions are checked by triggers once per statement (people migration 0004)
instead of foreign keys: the database still refuses what the foreign keys refused."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from jineng.orgs.models import Region
from jineng.people.models import Person
from tests.people.test_import_kit import number

pytestmark = pytest.mark.django_db

MISSING = 987_654_321


def _insert(household_id, residence_id=None, seq=1):
    from jineng.people.importing.rows import identity_hash

    with connection.cursor() as c:
        c.execute(
            "INSERT INTO people_person (doc_type, id_hash, id_cipher, id_masked, name, sex, "
            "phone_masked, education, employment_status, target_groups, social_security_card, "
            "household_region_id, residence_region_id, created_at, updated_at) "
            "VALUES ('resident', %s, %s, 'x', '测试', 'M', '', '', '', '[]', '', %s, %s, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [identity_hash("resident", number(seq)), b"x", household_id, residence_id],
        )


def _refused(action):
    with pytest.raises((IntegrityError, DatabaseError)) as caught, transaction.atomic():
        action()
    return str(caught.value)


def test_a_person_cannot_name_a_region_that_does_not_exist():
    region = Region.objects.get(code="411402")
    assert "地区" in _refused(lambda: _insert(MISSING))
    assert "地区" in _refused(lambda: _insert(region.pk, MISSING))
    _insert(region.pk, None)  # a real region is fine, and so is none
    _insert(None, None, seq=3)
    assert Person.objects.filter(name="测试").count() == 2


def test_a_person_cannot_be_moved_to_a_region_that_does_not_exist():
    region = Region.objects.get(code="411402")
    _insert(region.pk)
    person = Person.objects.get(name="测试")
    assert "地区" in _refused(
        lambda: Person.objects.filter(pk=person.pk).update(residence_region_id=MISSING))
    Person.objects.filter(pk=person.pk).update(residence_region=region)


def test_a_region_a_person_names_cannot_be_deleted():
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the ORM's PROTECT guards regions (see people migration 0004)")
    parent = Region.objects.get(code="411400")
    spare = Region.objects.create(code="411499", name="测试区", parent=parent, level=3,
                                  path=f"{parent.path}411499/")
    used = Region.objects.create(code="411498", name="测试区二", parent=parent, level=3,
                                 path=f"{parent.path}411498/")
    _insert(None, used.pk)
    with connection.cursor() as c:  # raw SQL: past the ORM's own PROTECT
        assert "地区" in _refused(
            lambda: c.execute("DELETE FROM orgs_region WHERE id = %s", [used.pk]))
        c.execute("DELETE FROM orgs_region WHERE id = %s", [spare.pk])
    assert not Region.objects.filter(pk=spare.pk).exists()
    assert Region.objects.filter(pk=used.pk).exists()
