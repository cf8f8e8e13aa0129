"""Review fixes: full identity numbers stay out of the audit trail, URLs and pages; target
groups are the province's to change; integer inputs stay in the databases' range; only a
worker's own active, unlinked account can be linked to a person's record."""

import datetime as dt
import json

import pytest

from jineng.core.errors import Forbidden, ServiceError
from jineng.core.identity import make_resident_number
from jineng.core.models import AuditEvent
from jineng.orgs.models import Region, Role, TargetGroup, User
from jineng.people import services
from jineng.people.models import Person

pytestmark = pytest.mark.django_db

NUMBER = make_resident_number("411402", dt.date(1977, 3, 21), 839)
JSON = "application/json"


@pytest.fixture
def resident(user_named):
    return services.person_create(
        actor=user_named("county_411402"), id_number=NUMBER, name="号码保护",
        household_region="411402", residence_region="411402",
    )


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values_list("changes", "object_repr")),
                      ensure_ascii=False)


# ---------------------------------------------------------------- 1. sensitive filters


def test_export_never_audits_the_full_number(client_for, resident):
    client = client_for("city_411400")
    # The reviewer's URL: the number in a query string is dropped (a redirect), not exported
    # and not recorded.
    response = client.get(f"/people/?id_number={NUMBER}&export=xlsx")
    assert response.status_code == 302 and response.url == "/people/"
    assert not AuditEvent.objects.filter(action="export").exists()
    # The supported way: the number in a POST body; the export is audited, the number hidden.
    posted = client.post("/people/", {"id_number": NUMBER, "export": "xlsx"})
    assert posted.status_code == 200
    assert posted["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.get(action="export", object_type="people.person")
    assert event.changes["rows"] == 1
    assert event.changes["filters"]["id_number"] == "（已隐藏）"
    assert NUMBER not in _audit_text() and NUMBER.lower() not in _audit_text()


def test_exact_number_search_is_a_post_and_the_number_is_not_echoed(client_for, resident):
    client = client_for("county_411402")
    page = client.get("/people/")
    html = page.content.decode()
    assert 'method="post"' in html and 'name="id_number"' in html  # the exact-search form
    found = client.post("/people/", {"id_number": f"{NUMBER[:6]} {NUMBER[6:]}".lower()})
    assert found.status_code == 200
    assert [r["url"] for r in found.context["rows"]] == [f"/people/{resident.pk}/"]
    html = found.content.decode()
    assert NUMBER not in html and NUMBER.lower() not in html and NUMBER[6:14] not in html
    assert "id_number=" not in html and "page=" not in html  # no links carry it
    assert resident.id_masked in html


@pytest.mark.parametrize("query", [f"id_number={NUMBER}", f"q={NUMBER}",
                                   f"q={NUMBER}&id_number={NUMBER}&export=xlsx&page=2"])
def test_a_number_in_the_query_string_is_dropped_not_echoed(client_for, resident, query):
    client = client_for("county_411402")
    response = client.get(f"/people/?region_code=411402&{query}")
    assert response.status_code == 302 and response.url == "/people/?region_code=411402"
    page = client.get(response.url)
    html = page.content.decode()
    assert NUMBER not in html
    assert "不能放在网址中" in html  # says where to search instead
    assert len(page.context["rows"]) > 1  # not filtered by the number


def test_list_pages_without_sensitive_filters_refuse_post(client_for):
    assert client_for("province_410000").post("/people/target-groups/").status_code == 405


def test_api_search_by_post_body(api_for, resident):
    api = api_for("county_411402")
    body = api.post("/api/v1/people/search", {"id_number": NUMBER.lower()},
                    content_type=JSON).json()
    assert [p["id"] for p in body["items"]] == [resident.pk] and body["count"] == 1
    assert NUMBER not in json.dumps(body)
    sibling = api_for("county_411403").post("/api/v1/people/search", {"id_number": NUMBER},
                                            content_type=JSON).json()
    assert sibling["count"] == 0  # scoped like the list
    by_name = api.post("/api/v1/people/search?limit=5", {"name": "号码"},
                       content_type=JSON).json()
    assert [p["id"] for p in by_name["items"]] == [resident.pk]


# ---------------------------------------------------------------- 2. shared reference data


@pytest.mark.parametrize("username", ["county_411402", "city_411400"])
def test_local_officers_cannot_change_target_groups(api_for, client_for, user_named, username):
    group = TargetGroup.objects.get(code="graduate")
    api = api_for(username)
    patched = api.patch(f"/api/v1/target-groups/{group.pk}",
                        {"name": "改名", "is_active": False}, content_type=JSON)
    assert patched.status_code == 403
    assert "重点群体" in patched.json()["message"] and "省级" in patched.json()["message"]
    created = api.post("/api/v1/target-groups", {"code": "local_group", "name": "本地群体"},
                       content_type=JSON)
    assert created.status_code == 403 and "重点群体" in created.json()["message"]
    with pytest.raises(Forbidden) as exc:
        services.target_group_update(actor=user_named(username), target_group=group,
                                     is_active=False)
    assert "重点群体" in exc.value.message
    page = client_for(username).post(f"/people/target-groups/{group.pk}/", {
        "name": "改名", "sort_order": 1, "is_active": ""})
    assert page.status_code == 403 and "重点群体" in page.content.decode()
    assert client_for(username).get("/people/target-groups/new/").status_code == 403
    group.refresh_from_db()
    assert (group.name, group.is_active) == ("高校毕业生", True)
    assert not TargetGroup.objects.filter(code="local_group").exists()


def test_province_officer_changes_target_groups(api_for):
    api = api_for("province_410000")
    group = TargetGroup.objects.get(code="graduate")
    patched = api.patch(f"/api/v1/target-groups/{group.pk}", {"name": "高校毕业生及留学回国人员"},
                        content_type=JSON)
    assert patched.status_code == 200 and patched.json()["name"] == "高校毕业生及留学回国人员"
    created = api.post("/api/v1/target-groups", {"code": "home_care", "name": "家政从业人员"},
                       content_type=JSON)
    assert created.status_code == 201


# ---------------------------------------------------------------- 3. integer ranges


@pytest.mark.parametrize("sort_order", [10**12, 32768, -1])
def test_sort_order_out_of_range_is_refused_in_chinese(api_for, sort_order):
    api = api_for("province_410000")
    created = api.post("/api/v1/target-groups",
                       {"code": "big_one", "name": "大排序", "sort_order": sort_order},
                       content_type=JSON)
    assert created.status_code == 400, created.content
    assert "sort_order" in created.json()["errors"] and "排序" in created.json()["message"]
    assert not TargetGroup.objects.filter(code="big_one").exists()
    group = TargetGroup.objects.get(code="graduate")
    patched = api.patch(f"/api/v1/target-groups/{group.pk}", {"sort_order": sort_order},
                        content_type=JSON)
    assert patched.status_code == 400 and "sort_order" in patched.json()["errors"]
    group.refresh_from_db()
    assert group.sort_order != sort_order


def test_sort_order_bounds_are_kept(user_named, client_for):
    officer = user_named("province_410000")
    top = services.target_group_create(actor=officer, code="top", name="最后", sort_order=32767)
    first = services.target_group_create(actor=officer, code="first", name="最前", sort_order=0)
    assert (top.sort_order, first.sort_order) == (32767, 0)  # 0 stays 0
    with pytest.raises(ServiceError) as exc:
        services.target_group_update(actor=officer, target_group=top, sort_order=10**12)
    assert "sort_order" in exc.value.errors
    page = client_for("province_410000").post("/people/target-groups/new/", {
        "code": "huge", "name": "超大", "sort_order": 10**12, "is_active": "on"})
    assert page.status_code == 400 and not TargetGroup.objects.filter(code="huge").exists()


@pytest.mark.parametrize("url", [
    "/api/v1/people?offset=100000000000000000000",
    "/api/v1/people?limit=100000000000000000000",
    "/api/v1/target-groups?offset=100000000000000000000",
    "/api/v1/people/100000000000000000000",
])
def test_huge_integers_in_the_api_are_not_server_errors(api_for, url):
    assert api_for("province_410000").get(url).status_code in (200, 404)


# ---------------------------------------------------------------- 4. linking a login


def _account(username, *role_codes, active=True):
    user = User.objects.create_user(username=username, password="x-Pass-12345",
                                    region=Region.objects.get(code="411402"), is_active=active)
    user.roles.add(*Role.objects.filter(code__in=role_codes))
    return user


@pytest.mark.parametrize(("username", "words"), [
    ("inst_411402", "不是劳动者账号"),   # an institution operator's account
    ("county_411402", "不是劳动者账号"),  # the officer's own
])
def test_only_a_workers_account_can_be_linked(api_for, resident, username, words):
    response = api_for("county_411402").put(f"/api/v1/people/{resident.pk}/login",
                                            {"username": username}, content_type=JSON)
    assert response.status_code == 400
    body = response.json()
    assert "user" in body["errors"] and words in body["errors"]["user"]
    assert body["message"].startswith("登录账号")
    assert Person.objects.get(pk=resident.pk).user_id is None


def test_worker_with_a_staff_role_or_inactive_is_refused(user_named, resident):
    officer = user_named("county_411402")
    _account("worker_and_operator", "worker", "institution_operator")
    _account("worker_gone", "worker", active=False)
    for username, words in (("worker_and_operator", "不是劳动者账号"), ("worker_gone", "停用")):
        with pytest.raises(ServiceError) as exc:
            services.person_link_login(actor=officer, person=resident, username=username)
        assert words in exc.value.errors["user"] and "登录账号" in exc.value.message
    fresh = _account("worker_fresh", "worker")
    linked = services.person_link_login(actor=officer, person=resident, username="worker_fresh")
    assert linked.user_id == fresh.pk
    with pytest.raises(ServiceError) as exc:  # one person per login
        services.person_link_login(actor=officer, person=Person.objects.get(name="张三"),
                                   username="worker_fresh")
    assert "已关联" in exc.value.errors["user"]
