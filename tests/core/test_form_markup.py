"""Form pages name every control for a screen reader: a group of boxes is a fieldset with a
legend (no label pointing nowhere), and every aria-describedby finds its help text."""

import re

import pytest

FORMS = [
    ("sysadmin", "/orgs/users/new/"),
    ("county_411402", "/orgs/institutions/new/"),
    ("county_411402", "/people/new/"),
    ("province_410000", "/catalog/programmes/new/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "path"), FORMS)
def test_every_control_is_named_and_described(client_for, username, path):
    html = client_for(username).get(path).content.decode()
    assert '<form method="post" class="form"' in html
    assert 'for=""' not in html
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert all(part in ids for d in described for part in d.split()), described


@pytest.mark.django_db
def test_a_group_of_boxes_is_a_fieldset_named_by_its_legend(client_for):
    html = client_for("sysadmin").get("/orgs/users/new/").content.decode()
    group = re.search(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>(.*?)</fieldset>", html, re.S)
    assert group and group[1] == "角色"
    assert 'name="roles"' in group[2]


@pytest.mark.django_db
def test_a_form_heading_names_its_record_once(client_for):
    html = client_for("secadmin").get("/orgs/security/").content.decode()
    assert re.search(r"<h1>\s*安全策略\s*</h1>", html), re.search(r"<h1>.*?</h1>", html, re.S)[0]
    institution = client_for("county_411402").get("/orgs/institutions/").content.decode()
    edit_url = re.search(r'href="(/orgs/institutions/\d+/)"', institution)[1]
    edit = client_for("county_411402").get(edit_url).content.decode()
    assert re.search(r"<h1>[^<]+：[^<]+</h1>", edit)  # the page's title, then the record
