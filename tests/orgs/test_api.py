"""API tokens and the /api/v1/ contract: bearer auth, stable error codes with Chinese
messages, OpenAPI, limit/offset pages, region code and name on every regional object."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from jineng.core.models import AuditEvent
from jineng.orgs.models import ApiToken, Institution, User

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def create_on_page(client_for, username="inst_411402", name="机构对接", days=30):
    owner = User.objects.get(username=username)
    response = client_for("sysadmin").post(
        f"/orgs/users/{owner.pk}/tokens/", {"name": name, "days": days}
    )
    assert response.status_code == 200
    return owner, response


def test_administrator_creates_a_token_shown_once_and_stored_hashed(client_for):
    owner, response = create_on_page(client_for)
    raw = response.context["new_token"]
    assert raw and raw in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    assert response["Cache-Control"] == "no-store"

    token = ApiToken.objects.get(user=owner)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().first()
    stored = " ".join(str(v) for v in row.values())
    assert raw not in stored
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_type, event.actor_name) == (
        "create", "orgs.apitoken", "sysadmin",
    )
    assert raw not in str(event.changes)

    # Shown once: the page never shows it again, only its prefix.
    again = client_for("sysadmin").get(f"/orgs/users/{owner.pk}/tokens/").content.decode()
    assert raw not in again and token.prefix in again


def test_only_administrators_create_tokens(client_for):
    owner = User.objects.get(username="county_411402")
    for username in ("county_411402", "city_411400", "auditadmin"):
        response = client_for(username).post(
            f"/orgs/users/{owner.pk}/tokens/", {"name": "自建", "days": 1}
        )
        assert response.status_code == 403
    # The security administrator sees and revokes tokens but does not create them.
    response = client_for("secadmin").post(
        f"/orgs/users/{owner.pk}/tokens/", {"name": "x", "days": 1}
    )
    assert "new_token" not in response.context or response.context["new_token"] is None
    assert not ApiToken.objects.filter(user=owner).exists()


def test_token_acts_with_its_users_scope(api_for):
    body = api_for("inst_411402").get("/api/v1/institutions").json()
    assert [i["name"] for i in body["items"]] == ["商丘市梁园区金蓝领职业培训学校"]
    # The institution operator's role grants no region reading at all.
    assert api_for("inst_411402").get("/api/v1/regions").json() == {"items": [], "count": 0}
    other = Institution.objects.get(name="商丘梁园冷链食品有限公司")
    assert api_for("inst_411402").get(f"/api/v1/institutions/{other.pk}").status_code == 404


def test_revoked_token_is_refused_with_its_own_code(client_for, api_for):
    owner, response = create_on_page(client_for)
    raw = response.context["new_token"]
    assert bearer(raw).get("/api/v1/institutions").status_code == 200
    token = ApiToken.objects.get(user=owner)
    assert client_for("secadmin").post(f"/orgs/tokens/{token.pk}/revoke/").status_code == 302
    response = bearer(raw).get("/api/v1/institutions")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "token_revoked", "message": "接口令牌已被吊销", "errors": {}}


def test_expired_token_is_refused_with_its_own_code(client_for):
    owner, response = create_on_page(client_for)
    raw = response.context["new_token"]
    ApiToken.objects.filter(user=owner).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = bearer(raw).get("/api/v1/institutions")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response.json()["message"] == "接口令牌已过期"


@pytest.mark.parametrize("header,code", [
    (None, "unauthorized"),
    ("Bearer jn_00000000_notarealtoken", "invalid_token"),
    ("Basic dXNlcjpwYXNz", "unauthorized"),
])
def test_missing_or_unknown_token(header, code):
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get("/api/v1/institutions")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", response.json()["message"])


def test_token_of_a_deactivated_user_is_refused(api_for, client_for):
    client = api_for("county_411403")
    User.objects.filter(username="county_411403").update(is_active=False)
    response = client.get("/api/v1/institutions")
    assert response.status_code == 401 and response.json()["code"] == "user_inactive"


def test_last_used_time_is_recorded(client_for):
    owner, response = create_on_page(client_for)
    raw = response.context["new_token"]
    assert ApiToken.objects.get(user=owner).last_used_at is None
    bearer(raw).get("/api/v1/regions")
    used = ApiToken.objects.get(user=owner).last_used_at
    assert used is not None and timezone.now() - used < dt.timedelta(minutes=1)
    page = client_for("sysadmin").get(f"/orgs/users/{owner.pk}/tokens/")
    assert timezone.localtime(used).strftime("%Y-%m-%d %H:%M") in page.content.decode()


def test_create_token_command_prints_a_working_token():
    out = io.StringIO()
    call_command("create_token", "county_411402", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("jn_")
    assert bearer(raw).get("/api/v1/institutions").json()["count"] == 3


def test_openapi_document_describes_the_lists():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/regions", "/api/v1/departments", "/api/v1/institutions"):
        params = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        assert {"limit", "offset"} <= params, path
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
    assert Client().get("/api/v1/docs").status_code == 200


def test_pagination_with_limit_and_offset(api_for):
    client = api_for("city_411400")
    full = client.get("/api/v1/institutions?limit=100").json()
    first = client.get("/api/v1/institutions?limit=3&offset=0").json()
    second = client.get("/api/v1/institutions?limit=3&offset=3").json()
    assert first["count"] == second["count"] == full["count"] >= 6
    assert len(first["items"]) == len(second["items"]) == 3
    assert [i["id"] for i in first["items"] + second["items"]] == [
        i["id"] for i in full["items"][:6]
    ]
    past = client.get(f"/api/v1/institutions?limit=3&offset={full['count']}").json()
    assert past["items"] == []


def test_a_huge_limit_is_capped(api_for):
    body = api_for("sysadmin").get("/api/v1/regions?limit=100000").json()
    assert body["count"] > 3000  # the whole GB/T 2260 tree
    assert len(body["items"]) == 1000


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "offset=-1"])
def test_bad_paging_parameters_get_a_json_error(query, api_for):
    response = api_for("city_411400").get(f"/api/v1/institutions?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message"].startswith("请求参数不正确")
    assert body["errors"]


def test_regional_objects_carry_region_code_and_name(api_for):
    client = api_for("city_411400")
    for collection in ("institutions", "departments"):
        items = client.get(f"/api/v1/{collection}?limit=100").json()["items"]
        assert items
        for item in items:
            assert re.fullmatch(r"\d{6}", item["region_code"]) and item["region_name"]
    liangyuan = client.get("/api/v1/institutions?region_code=411402").json()["items"]
    assert {i["kind_label"] for i in liangyuan} == {"培训机构", "评价机构", "企业"}
    assert {(i["region_code"], i["region_name"]) for i in liangyuan} == {("411402", "梁园区")}
    region = client.get("/api/v1/regions/411402").json()
    assert (region["parent_code"], region["parent_name"]) == ("411400", "商丘市")


def test_session_user_who_must_change_password_gets_json_403(client_for, user_named):
    User.objects.filter(username="county_411402").update(must_change_password=True)
    response = client_for("county_411402").get("/api/v1/institutions")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
