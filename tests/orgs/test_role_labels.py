"""Built-in roles read in the reader's language; a role a bureau made keeps its own name."""

import re

import pytest
from django.utils import translation

from jineng.orgs.models import Role, User
from jineng.orgs.roles import BUILTIN_ROLES


def test_every_built_in_role_has_an_english_name():
    with translation.override("en"):
        untranslated = [spec["name"] for code, spec in BUILTIN_ROLES.items()
                        if Role(code=code, name=spec["name"], builtin=True).label == spec["name"]]
    assert not untranslated


@pytest.mark.django_db
def test_an_english_reader_sees_english_role_names(client_for):
    User.objects.filter(username="sysadmin").update(language="en")
    users = client_for("sysadmin").get("/orgs/users/?q=county_411402").content.decode()
    assert ">County officer</td>" in users
    assert "县级经办人员" not in users
    form = client_for("sysadmin").get("/orgs/users/new/").content.decode()
    boxes = re.findall(r'name="roles"[^>]*>\s*([^<]+?)\s*</label>', form)
    assert "County officer" in boxes and "Worker" in boxes and "县级经办人员" not in form


@pytest.mark.django_db
def test_a_chinese_reader_sees_chinese_and_a_made_role_keeps_its_name(client_for):
    Role.objects.create(code="trainer_check", name="培训巡查员", builtin=False)
    roles = client_for("sysadmin").get("/orgs/roles/").content.decode()
    assert ">县级经办人员</td>" in roles and ">培训巡查员</td>" in roles
    User.objects.filter(username="sysadmin").update(language="en")
    english = client_for("sysadmin").get("/orgs/roles/").content.decode()
    assert ">County officer</td>" in english and ">培训巡查员</td>" in english
