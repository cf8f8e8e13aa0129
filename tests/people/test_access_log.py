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
