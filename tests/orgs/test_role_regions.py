"""A role's 指定地区 are chosen by name in the region picker, several in one box; every part
that names no region is said in Chinese and nothing is saved."""

import pytest

from jineng.orgs.models import Role
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)


def _role_form(**fields) -> dict:
    return {"code": "shangqiu_two", "name": "两区经办", "scope_kind": "regions",
            "permissions": "people.view_person", "is_active": "on", **fields}


@pytest.mark.django_db
def test_several_regions_are_chosen_by_name_code_or_label(client_for):
    admin = client_for("sysadmin")
    response = admin.post("/orgs/roles/new/", _role_form(
        scope_regions="梁园区、睢阳区 411403，411400\n梁园区"))
    assert response.status_code == 302, response.content.decode()
    role = Role.objects.get(code="shangqiu_two")
    assert sorted(r.code for r in role.scope_regions.all()) == ["411400", "411402", "411403"]
    form = admin.get(f"/orgs/roles/{role.pk}/").content.decode()
    assert 'value="商丘市 411400、梁园区 411402、睢阳区 411403"' in form


@pytest.mark.django_db
def test_every_unknown_part_is_named_and_nothing_is_saved(client_for):
    response = client_for("sysadmin").post("/orgs/roles/new/", _role_form(
        scope_regions="梁园区、无此区、999999"))
    html = response.content.decode()
    assert response.status_code == 400 and not Role.objects.filter(code="shangqiu_two").exists()
    assert "地区「无此区」不存在" in html and "区划代码 999999 不存在" in html


@pytest.mark.django_db
def test_the_list_looks_up_the_region_being_typed(client):
    typed = {"scope": "all", "field": "scope_regions", "multiple": "1"}
    html = client.get("/orgs/regions/options/",
                      {**typed, "scope_regions": "梁园区 411402、睢阳"}).content.decode()
    assert "睢阳区" in html and "梁园区" not in html
    after = client.get("/orgs/regions/options/",
                       {**typed, "scope_regions": "梁园区 411402、"}).content.decode()
    assert "河南省" in after and "梁园区" not in after  # the top, to walk down from


@pytest.mark.browser
def test_choose_two_regions_by_typing_their_names(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, site, "sysadmin", demo_password)
    page.goto(f"{site}/orgs/roles/new/")
    page.fill("#id_code", "two_counties")
    page.fill("#id_name", "两区经办")
    page.select_option("#id_scope_kind", "regions")
    page.fill("#id_scope_regions", "梁园")
    page.get_by_role("option", name="梁园区").click()
    page.keyboard.type("睢阳")  # the box keeps the focus, after the first choice
    page.get_by_role("option", name="睢阳区").click()
    assert page.input_value("#id_scope_regions") == "梁园区 411402、睢阳区 411403、"
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{site}/orgs/roles/")
    role = Role.objects.get(code="two_counties")
    assert sorted(r.name for r in role.scope_regions.all()) == ["梁园区", "睢阳区"]
    context.close()
