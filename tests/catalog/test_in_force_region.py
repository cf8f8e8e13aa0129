"""The in-force page's region box is the region picker: an officer chooses their own region,
one below it or one above it by name; a sibling region is refused as if it did not exist."""

import pytest

pytestmark = pytest.mark.django_db


def _kinds_with_version(response) -> int:
    return sum(1 for item in response.context["items"] if item["resolution"])


def test_it_opens_on_the_officers_own_region(client_for):
    response = client_for("county_411402").get("/catalog/in-force/", {"date": "2023-01-01"})
    assert response.context["region"].code == "411402"
    assert 'value="梁园区 411402"' in response.content.decode()


@pytest.mark.parametrize("typed", ["商丘市", "411400", "商丘市 411400"])
def test_a_region_above_is_chosen_by_name_or_code(client_for, typed):
    response = client_for("county_411402").get("/catalog/in-force/",
                                               {"region": typed, "date": "2023-01-01"})
    assert response.status_code == 200 and response.context["region"].code == "411400"
    assert _kinds_with_version(response) > 0


def test_a_sibling_region_is_refused_like_a_missing_one(client_for):
    county = client_for("county_411402")
    sibling = county.get("/catalog/in-force/", {"region": "睢阳区"})
    missing = county.get("/catalog/in-force/", {"region": "无此区"})
    assert sibling.status_code == missing.status_code == 404
    assert "地区「睢阳区」不存在或不在您的管辖范围内" in sibling.content.decode()
    assert sibling.context["items"] == []


def test_an_account_without_a_region_chooses_one_by_name(client_for):
    sysadmin = client_for("sysadmin")
    assert "请选择地区" in sysadmin.get("/catalog/in-force/").content.decode()
    response = sysadmin.get("/catalog/in-force/", {"region": "红河哈尼族彝族自治州"})
    assert response.context["region"].code == "532500"


def test_the_picker_offers_own_and_above_but_not_a_sibling(client_for):
    county = client_for("county_411402")
    options = county.get("/orgs/regions/options/", {"scope": "above", "q": "区"})
    html = options.content.decode()
    assert "梁园区" in html and "睢阳区" not in html
    above = county.get("/orgs/regions/options/", {"scope": "above", "q": "商丘"}).content
    assert "商丘市" in above.decode()
    page = county.get("/catalog/in-force/").content.decode()
    assert '"scope": "above"' in page
