"""Reference data belongs to the province; staff phones stay masked in the audit trail."""

import pytest

from jineng.core.errors import ServiceError
from jineng.core.models import AuditEvent
from jineng.orgs import services
from jineng.orgs.models import Region, Role, SecurityPolicy

pytestmark = pytest.mark.django_db

SHARED = ["orgs.change_targetgroup", "orgs.add_targetgroup", "catalog.add_worktype",
          "catalog.change_occupation", "catalog.add_fundsource"]


@pytest.mark.parametrize("code", SHARED)
def test_county_and_city_officers_cannot_change_shared_reference_data(code, user_named):
    assert not user_named("county_411402").has_permission(code)
    assert not user_named("city_411400").has_permission(code)
    assert user_named("province_410000").has_permission(code)


def test_local_officers_keep_their_own_business(user_named):
    county = user_named("county_411402")
    assert county.has_permission("people.change_person")
    assert county.has_permission("catalog.add_policyversion")


def test_a_denial_pattern_takes_away_what_a_wildcard_grants():
    role = Role(permissions=["people.*", "!people.change_targetgroup"])
    assert role.grants("people.view_person")
    assert not role.grants("people.change_targetgroup")


def test_a_staff_phone_is_masked_in_the_audit_trail(user_named):
    user = services.user_create(
        actor=user_named("sysadmin"), username="new_officer", password="Abcdefg!2345",
        phone="13812345678", region=Region.objects.get(code="411402"),
    )
    services.user_update(actor=user_named("sysadmin"), user=user, phone="13900001111")
    events = AuditEvent.objects.filter(object_type="orgs.user", object_id=str(user.pk))
    text = " ".join(str(e.changes) for e in events)
    assert "138****5678" in text and "139****1111" in text
    assert "13812345678" not in text and "13900001111" not in text


@pytest.mark.parametrize("field, value", [("password_min_length", 8),
                                          ("password_min_classes", 2)])
def test_the_security_policy_cannot_go_below_the_floor(field, value, user_named):
    with pytest.raises(ServiceError) as refused:
        services.security_policy_update(actor=user_named("secadmin"), **{field: value})
    assert field in refused.value.errors
    assert getattr(SecurityPolicy.current(), field) in (10, 3)
