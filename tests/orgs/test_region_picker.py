"""The region picker: a region is typed as a name or a code, the list it offers is scoped,
and a browser can type a name, choose and submit."""

import pytest

from jineng.orgs.models import Region
from jineng.orgs.selectors import region_find
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["梁园区", "411402", "梁园区 411402", " 梁园区 "])
def test_a_region_is_found_by_name_code_or_label(text):
    region, problem = region_find(text, Region.objects.all())
    assert (region.code, problem) == ("411402", "")


@pytest.mark.django_db
def test_a_name_shared_by_two_regions_asks_to_choose():
    parent = Region.objects.get(code="411400")
    Region.objects.create(code="411499", name="梁园区", level=3, parent=parent,
                          path=f"{parent.path}411499/", non_standard=True)
    region, problem = region_find("梁园区", Region.objects.all())
    assert region is None and "梁园区 411402" in problem and "梁园区 411499" in problem


@pytest.mark.django_db
def test_an_unknown_name_is_refused_in_chinese():
    region, problem = region_find("不存在区", Region.objects.all())
    assert region is None and "地区「不存在区」不存在" in problem


@pytest.mark.django_db
def test_the_list_offers_only_what_the_user_may_choose(client_for):
    county = client_for("county_411402")
    html = county.get("/orgs/regions/options/", {"scope": "view", "q": "区"}).content.decode()
    assert "梁园区" in html and "睢阳区" not in html
    public = county.get("/orgs/regions/options/", {"scope": "all", "q": "睢阳"}).content.decode()
    assert "睢阳区" in public and "河南省 › 商丘市 › 睢阳区" in public


@pytest.mark.django_db
def test_the_list_walks_province_city_county(client):
    top = client.get("/orgs/regions/options/").content.decode()
    assert "河南省" in top and "商丘市" not in top
    cities = client.get("/orgs/regions/options/", {"parent": "410000"}).content.decode()
    assert "商丘市" in cities and "梁园区" not in cities
    counties = client.get("/orgs/regions/options/", {"parent": "411400"}).content.decode()
    assert "梁园区" in counties and 'data-region-label="商丘市 411400"' in counties


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_nothing_of_a_scoped_list(client):
    html = client.get("/orgs/regions/options/", {"scope": "view", "q": "梁园"}).content.decode()
    assert "梁园区" not in html


@pytest.mark.django_db
def test_people_list_filters_by_a_region_name(client_for):
    client = client_for("city_411400")
    by_name = client.get("/people/", {"region_code": "梁园区"})
    by_code = client.get("/people/", {"region_code": "411402"})
    assert by_name.context["page"].paginator.count == by_code.context["page"].paginator.count > 0
    wrong = client.get("/people/", {"region_code": "梁园"}).content.decode()
    assert "地区「梁园」不存在" in wrong


@pytest.mark.browser
def test_type_a_name_choose_and_submit(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, site, "city_411400", demo_password)
    page.goto(f"{site}/orgs/institutions/")
    page.fill("#filter-region_code", "梁园")
    page.get_by_role("option", name="梁园区").click()
    assert page.input_value("#filter-region_code") == "梁园区 411402"
    page.get_by_role("button", name="查询").click()
    assert "region_code=" in page.url
    table = page.get_by_test_id("list").inner_text()
    assert "梁园区" in table and "睢阳区" not in table
    context.close()
