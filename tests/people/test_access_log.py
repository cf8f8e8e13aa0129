"""A worker sees which organisations viewed their full number or changed their record."""

import pytest

from jineng.people import services
from jineng.people.models import Person

pytestmark = pytest.mark.django_db


def test_worker_sees_organisation_not_staff(client_for, user_named):
    person = Person.objects.filter(user__username="worker_411402").first()
    if person is None:
        pytest.skip("演示数据中劳动者账号未关联实名登记")
    officer = user_named("county_411402")
    if not officer.has_permission("people.unmask_person"):
        pytest.skip("县级经办人员无查看完整号码权限")
    services.person_reveal_identity(actor=officer, person=person)
    page = client_for("worker_411402").get("/people/me/").content.decode()
    log = page[page.index('data-testid="access-log"'):]
    assert "梁园区人力资源和社会保障部门" in log
    assert "查看了完整证件号码" in log
    assert "county_411402" not in log


def _worker_person():
    person = Person.objects.filter(user__username="worker_411402").first()
    if person is None:
        pytest.skip("演示数据中劳动者账号未关联实名登记")
    return person


def test_access_log_is_read_through_the_users_scope(user_named):
    """The worker's own record shows its registration; a record outside the reader's scope
    shows nothing, though its unmasking and changes exist."""
    from jineng.people.selectors import person_access_log

    person = _worker_person()
    worker = user_named("worker_411402")
    services.person_reveal_identity(actor=user_named("county_411402"), person=person)
    own = person_access_log(user=worker, person=person)
    assert {e.kind for e in own} >= {"unmask"}
    assert len(own) >= 1
    other = Person.objects.filter(household_region__code="411402").exclude(pk=person.pk).first()
    services.person_reveal_identity(actor=user_named("county_411402"), person=other)
    assert person_access_log(user=worker, person=other) == []
    assert person_access_log(user=user_named("county_411403"), person=person) == []
    assert person_access_log(user=user_named("county_411402"), person=other)


def test_worker_sees_the_changes_of_their_record(client_for, user_named):
    from jineng.people.selectors import person_access_log

    person = _worker_person()
    services.person_update(actor=user_named("county_411402"), person=person, source="page",
                           education="bachelor")
    entries = person_access_log(user=user_named("worker_411402"), person=person)
    assert any(e.kind == "change" and "文化程度" in e.fields for e in entries)


def test_the_workers_home_says_what_each_organisation_did(client_for, user_named):
    person = _worker_person()
    services.person_reveal_identity(actor=user_named("county_411402"), person=person)
    home = client_for("worker_411402").get("/").content.decode()
    assert "梁园区人力资源和社会保障部门查看了完整证件号码" in home


def test_linking_a_login_account_is_a_change_not_a_second_registration(user_named):
    from jineng.people.selectors import person_access_log

    person = _worker_person()
    entries = person_access_log(user=user_named("worker_411402"), person=person)
    assert [e.kind for e in entries].count("register") == 1
    assert any(e.kind == "change" and "登录账号" in e.fields for e in entries)
