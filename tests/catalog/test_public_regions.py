"""The public catalogue takes a region by name or code (the region picker), opens on a default
region, and lets an anonymous visitor choose any region in force."""

import pytest
from django.test import Client

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    site,
)

DAY = "2024-01-01"


def _rows(response) -> list:
    return response.context["rows"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["梁园区", "梁园区 411402", " 梁园区 "])
def test_a_region_name_gives_the_same_catalogue_as_its_code(typed):
    anonymous = Client()
    by_name = anonymous.get("/catalogue/", {"region": typed, "date": DAY})
    by_code = anonymous.get("/catalogue/", {"region": "411402", "date": DAY})
    assert by_name.status_code == by_code.status_code == 200
    assert _rows(by_name) == _rows(by_code) != []
    html = by_name.content.decode()
    assert 'value="梁园区 411402"' in html  # the picker shows the region it read
    assert "?region=411402&date=2024-01-01&q=&level=&export=xlsx" in html  # export by code


@pytest.mark.django_db
def test_it_opens_on_the_first_publishing_region_unless_a_setting_names_one(settings):
    opened = Client().get("/catalogue/", {"date": DAY})
    assert opened.status_code == 200 and opened.context["region"].name == "商丘市"
    assert len(_rows(opened)) == 14 and 'value="商丘市 411400"' in opened.content.decode()
    settings.JINENG_PUBLIC_REGION = "532500"
    assert Client().get("/catalogue/", {"date": DAY}).context["region"].code == "532500"


@pytest.mark.django_db
def test_every_region_in_force_can_be_chosen_and_lists_the_publishing_ones():
    anonymous = Client()
    # A county with no catalogue of its own gets its prefecture's.
    county = anonymous.get("/catalogue/", {"region": "532501", "date": DAY})
    assert county.status_code == 200 and len(_rows(county)) == 14
    html = anonymous.get("/catalogue/").content.decode()
    assert "?region=411400" in html and "?region=532500" in html
    options = anonymous.get("/orgs/regions/options/", {"scope": "all", "q": "睢阳"})
    assert "河南省 › 商丘市 › 睢阳区" in options.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("typed, words", [("梁园", "地区「梁园」不存在"),
                                          ("000000", "区划代码 000000 不存在")])
def test_an_unknown_region_says_so_in_chinese(typed, words):
    response = Client().get("/catalogue/", {"region": typed})
    assert response.status_code == 404 and words in response.content.decode()


@pytest.mark.browser
def test_an_anonymous_visitor_chooses_a_region_by_typing_its_name(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/catalogue/?date={DAY}")
    assert not page.url.startswith(f"{site}/login/")
    assert page.input_value("#region") == "商丘市 411400"  # the default region
    page.fill("#region", "梁园")
    page.get_by_role("option", name="梁园区").click()
    assert page.input_value("#region") == "梁园区 411402"
    page.fill("input[name=q]", "电工")
    page.get_by_role("button", name="查询").click()
    assert "region=" in page.url
    assert "梁园区在 2024-01-01 执行商丘市目录" in page.get_by_test_id("version").inner_text()
    table = page.get_by_test_id("list").inner_text()
    assert "维修电工" in table and "养老护理员" not in table
    context.close()


@pytest.mark.django_db
def test_the_public_api_takes_a_region_name_too():
    anonymous = Client()
    by_name = anonymous.get("/api/v1/catalogue", {"region": "梁园区", "date": DAY}).json()
    by_code = anonymous.get("/api/v1/catalogue", {"region": "411402", "date": DAY}).json()
    assert by_name == by_code and by_name["count"] == 14
    unknown = anonymous.get("/api/v1/catalogue", {"region": "梁园"})
    assert unknown.status_code == 404 and "地区「梁园」不存在" in unknown.json()["message"]
