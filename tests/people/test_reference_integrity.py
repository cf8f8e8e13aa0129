"""A person's four references (household and residence region, registering institution,
login account) are checked by triggers once per statement (people migrations 0004 and
0006) instead of foreign keys: the database still refuses what the foreign keys refused."""

import itertools

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from jineng.orgs.models import Institution, InstitutionKind, Region, User
from jineng.people.models import Person
from tests.people.test_import_kit import number

pytestmark = pytest.mark.django_db

MISSING = 987_654_321
_SEQ = itertools.count(1)


def _insert(household_id=None, residence_id=None, *, institution_id=None, user_id=None):
    from jineng.people.importing.rows import identity_hash

    with connection.cursor() as c:
        c.execute(
            "INSERT INTO people_person (doc_type, id_hash, id_cipher, id_masked, name, sex, "
            "phone_masked, education, employment_status, target_groups, social_security_card, "
            "household_region_id, residence_region_id, registered_by_id, user_id, created_at, "
            "updated_at) "
            "VALUES ('resident', %s, %s, 'x', '测试', 'M', '', '', '', '[]', '', %s, %s, %s, %s, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [identity_hash("resident", number(next(_SEQ))), b"x", household_id, residence_id,
             institution_id, user_id],
        )
    return Person.objects.order_by("-id").first()


def _refused(action):
    with pytest.raises((IntegrityError, DatabaseError)) as caught, transaction.atomic():
        action()
    return str(caught.value)


def _institution(credit_code="91411402MA00000001"):
    return Institution.objects.create(
        name="测试培训学校", kind=InstitutionKind.TRAINING, credit_code=credit_code,
        region=Region.objects.get(code="411402"))


def test_a_person_cannot_name_a_region_that_does_not_exist():
    region = Region.objects.get(code="411402")
    assert "地区" in _refused(lambda: _insert(MISSING))
    assert "地区" in _refused(lambda: _insert(region.pk, MISSING))
    _insert(region.pk, None)  # a real region is fine, and so is none
    _insert(None, None)
    assert Person.objects.filter(name="测试").count() == 2


def test_a_person_cannot_name_an_institution_or_account_that_does_not_exist():
    institution, user = _institution(), User.objects.create(username="worker_test")
    assert "登记机构" in _refused(lambda: _insert(institution_id=MISSING))
    assert "登录账号" in _refused(lambda: _insert(user_id=MISSING))
    person = _insert(institution_id=institution.pk, user_id=user.pk)
    assert (person.registered_by, person.user) == (institution, user)


def test_a_person_cannot_be_pointed_at_a_row_that_does_not_exist():
    region = Region.objects.get(code="411402")
    person = _insert(region.pk)
    rows = Person.objects.filter(pk=person.pk)
    assert "地区" in _refused(lambda: rows.update(residence_region_id=MISSING))
    assert "登记机构" in _refused(lambda: rows.update(registered_by_id=MISSING))
    assert "登录账号" in _refused(lambda: rows.update(user_id=MISSING))
    rows.update(residence_region=region, name="改名")  # other changes still go through
    assert rows.get().name == "改名"


def _parents():
    parent = Region.objects.get(code="411400")

    def region(code):
        return Region.objects.create(code=code, name=f"测试区{code}", parent=parent, level=3,
                                     path=f"{parent.path}{code}/")

    return {
        "orgs_region": (region("411499"), region("411498"), "residence_region_id", "地区"),
        "orgs_institution": (_institution("91411402MA00000002"),
                             _institution("91411402MA00000003"), "institution_id", "机构"),
        "orgs_user": (User.objects.create(username="spare_test"),
                      User.objects.create(username="used_test"), "user_id", "账号"),
    }


@pytest.mark.parametrize("table", ["orgs_region", "orgs_institution", "orgs_user"])
def test_a_row_a_person_names_cannot_be_deleted_or_rekeyed(table):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the ORM's PROTECT guards the parents (see people migration 0006)")
    spare, used, argument, word = _parents()[table]
    if argument == "residence_region_id":
        _insert(None, used.pk)
    else:
        _insert(**{argument: used.pk})
    with connection.cursor() as c:  # raw SQL: past the ORM's own PROTECT
        assert word in _refused(
            lambda: c.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [MISSING, used.pk]))
        assert word in _refused(lambda: c.execute(f"DELETE FROM {table} WHERE id = %s", [used.pk]))
        c.execute(f"DELETE FROM {table} WHERE id = %s", [spare.pk])
    model = type(used)
    assert not model.objects.filter(pk=spare.pk).exists()
    assert model.objects.filter(pk=used.pk).exists()
