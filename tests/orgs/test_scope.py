"""The data-scope matrix: a county officer of 梁园区 (411402) cannot list, open, change or
export a record of 睢阳区 (411403), through pages or the API, and gets the very same 404 as for a
record that does not exist; the city officer of 商丘 (411400) can, where its role grants it.
Refused writes change nothing, not even the audit trail."""

from dataclasses import dataclass
from io import BytesIO

import pytest
from django.forms.models import model_to_dict
from python_calamine import CalamineWorkbook

from jineng.core.models import AuditEvent
from jineng.orgs.models import Department, Institution, Region, Role, User

pytestmark = pytest.mark.django_db

COUNTY = "county_411402"
SIBLING = "county_411403"
CITY = "city_411400"


@dataclass(frozen=True)
class Case:
    """How to reach one 睢阳区 record of a model through the pages and the API."""

    name: str
    model: type
    list_url: str
    api: str | None  # API collection, None when the model has no endpoint

    def target(self):
        return {
            "region": lambda: Region.objects.get(code="411403"),
            "department": lambda: Department.objects.get(
                region__code="411403", name="区农业农村局"
            ),
            "institution": lambda: Institution.objects.get(name="商丘市睢阳区技工学校"),
            "user": lambda: User.objects.get(username=SIBLING),
        }[self.name]()

    def key(self, obj):
        return obj.code if self.model is Region else obj.pk

    def missing_key(self):
        return "999999" if self.model is Region else 987654

    def page_url(self, key):
        return f"{self.list_url}{key}/"

    def marker(self, obj) -> str:
        """Text that shows the record in a list or export."""
        return obj.username if self.model is User else obj.name

    def post_data(self, obj) -> dict:
        """A valid edit of the record that changes a visible field."""
        if self.model is Region:
            return {"name": "睢阳区（改）", "is_active": "on"}
        if self.model is Department:
            return {"code": obj.code, "name": obj.name + "（改）", "is_active": "on"}
        if self.model is Institution:
            return {
                "name": obj.name + "（改）", "kind": obj.kind, "credit_code": obj.credit_code,
                "region": obj.region.code, "status": obj.status, "address": "",
                "contact_name": "", "contact_phone": "",
            }
        return {
            "full_name": "改过的名字", "phone": "", "region": obj.region.code,
            "roles": [r.pk for r in obj.roles.all()], "language": "zh-hans", "is_active": "on",
        }


CASES = [
    Case("region", Region, "/orgs/regions/", "regions"),
    Case("department", Department, "/orgs/departments/", "departments"),
    Case("institution", Institution, "/orgs/institutions/", "institutions"),
    Case("user", User, "/orgs/users/", None),
]
IDS = [c.name for c in CASES]
# Who may change a record of each model: the city officer's role does not manage users.
EDITOR = {"region": CITY, "department": CITY, "institution": CITY, "user": "sysadmin"}


def state(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    data = model_to_dict(fresh)
    data.pop("roles", None)
    data["audit_events"] = AuditEvent.objects.count()
    return data


def rows_text(response) -> str:
    """The listed rows only (the search box echoes the query, so not the whole page)."""
    assert response.status_code == 200, response.status_code
    return "\n".join("\t".join(str(v) for v, _ in row["cells"]) for row in response.context["rows"])


def xlsx_text(response) -> str:
    assert response.status_code == 200, response.status_code
    sheet = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0)
    return "\n".join("\t".join(str(v) for v in row) for row in sheet.to_python())


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_list_page_hides_sibling_county_record(case, client_for):
    obj = case.target()
    for query in ("", "?q=" + case.marker(obj), "?region_code=411403"):
        county = rows_text(client_for(COUNTY).get(case.list_url + query))
        assert case.marker(obj) not in county
    city = rows_text(client_for(CITY).get(case.list_url + "?q=" + case.marker(obj)))
    assert case.marker(obj) in city


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_opening_sibling_record_is_the_same_404_as_a_missing_one(case, client_for):
    obj = case.target()
    county = client_for(COUNTY)
    refused = county.get(case.page_url(case.key(obj)))
    missing = county.get(case.page_url(case.missing_key()))
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    assert "记录不存在或无权访问" in refused.content.decode()
    assert case.marker(obj) not in refused.content.decode()
    opened = client_for(CITY).get(case.page_url(case.key(obj)))
    assert opened.status_code == 200
    assert case.marker(obj) in opened.content.decode()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_changing_sibling_record_is_refused_and_changes_nothing(case, client_for):
    obj = case.target()
    before = state(obj)
    response = client_for(COUNTY).post(case.page_url(case.key(obj)), case.post_data(obj))
    assert response.status_code == 404
    assert state(obj) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_editor_in_scope_changes_the_record(case, client_for):
    obj = case.target()
    events = AuditEvent.objects.count()
    response = client_for(EDITOR[case.name]).post(
        case.page_url(case.key(obj)), case.post_data(obj)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = type(obj).objects.get(pk=obj.pk)
    assert str(fresh) != str(obj) or fresh.full_name == "改过的名字"
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.action == "update" and event.object_id == str(obj.pk)


def test_city_officer_opens_user_read_only_and_cannot_change_it(client_for):
    """The city officer's role views users but does not manage them."""
    obj = User.objects.get(username=SIBLING)
    city = client_for(CITY)
    page = city.get(f"/orgs/users/{obj.pk}/")
    assert page.status_code == 200 and "无权修改" in page.content.decode()
    before = state(obj)
    assert city.post(f"/orgs/users/{obj.pk}/", CASES[3].post_data(obj)).status_code == 404
    assert state(obj) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_leaves_out_sibling_county_records(case, client_for):
    obj = case.target()
    county = xlsx_text(client_for(COUNTY).get(case.list_url + "?export=xlsx"))
    city = xlsx_text(client_for(CITY).get(case.list_url + "?export=xlsx"))
    assert case.marker(obj) not in county
    assert case.marker(obj) in city
    # Asking for the sibling county by filter gives nothing either.
    only = xlsx_text(client_for(COUNTY).get(case.list_url + "?export=xlsx&region_code=411403"))
    assert case.marker(obj) not in only


def test_export_is_audited(client_for):
    events = AuditEvent.objects.count()
    client_for(COUNTY).get("/orgs/institutions/?export=xlsx")
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == events + 1
    assert (event.action, event.object_type, event.actor_name) == (
        "export", "orgs.institution", COUNTY,
    )
    assert event.changes["rows"] == 3


# ---------------------------------------------------------------- API

API_CASES = [c for c in CASES if c.api]
API_IDS = [c.name for c in API_CASES]


@pytest.mark.parametrize("case", API_CASES, ids=API_IDS)
def test_api_list_hides_sibling_county_record(case, api_for):
    obj = case.target()
    county = api_for(COUNTY).get(f"/api/v1/{case.api}?limit=1000").json()
    city = api_for(CITY).get(f"/api/v1/{case.api}?limit=1000").json()
    county_keys = {str(item.get("id", item.get("code"))) for item in county["items"]}
    city_keys = {str(item.get("id", item.get("code"))) for item in city["items"]}
    assert str(case.key(obj)) not in county_keys
    assert str(case.key(obj)) in city_keys
    assert county["count"] == len(county["items"]) < city["count"]
    for item in county["items"]:
        assert item.get("region_code", item.get("code")) == "411402"


@pytest.mark.parametrize("case", API_CASES, ids=API_IDS)
def test_api_detail_of_sibling_record_is_the_same_404_as_a_missing_one(case, api_for):
    obj = case.target()
    county = api_for(COUNTY)
    refused = county.get(f"/api/v1/{case.api}/{case.key(obj)}")
    missing = county.get(f"/api/v1/{case.api}/{case.missing_key()}")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json() == {
        "code": "not_found", "message": "记录不存在或无权访问", "errors": {},
    }
    opened = api_for(CITY).get(f"/api/v1/{case.api}/{case.key(obj)}")
    assert opened.status_code == 200
    assert opened.json()["name"] == case.marker(obj)


@pytest.mark.parametrize("case", API_CASES, ids=API_IDS)
def test_api_filter_by_sibling_region_gives_nothing(case, api_for):
    param = "parent_code" if case.model is Region else "region_code"
    body = api_for(COUNTY).get(f"/api/v1/{case.api}?{param}=411403").json()
    assert body == {"items": [], "count": 0}


# ---------------------------------------------------------------- roles, tokens, audit


@pytest.mark.parametrize("username", [COUNTY, CITY, "auditadmin", "secadmin"])
def test_roles_are_managed_only_by_the_system_administrator(username, client_for):
    role = Role.objects.get(code="county_officer")
    client = client_for(username)
    before = model_to_dict(Role.objects.get(pk=role.pk))
    assert client.get("/orgs/roles/").status_code == 403
    assert client.get(f"/orgs/roles/{role.pk}/").status_code == 404
    response = client.post(f"/orgs/roles/{role.pk}/", {"name": "改", "scope_kind": "all"})
    assert response.status_code == 404
    assert model_to_dict(Role.objects.get(pk=role.pk)) == before
    admin = client_for("sysadmin")
    assert admin.get(f"/orgs/roles/{role.pk}/").status_code == 200
    assert "县级经办人员" in admin.get("/orgs/roles/").content.decode()


def test_sibling_county_cannot_see_or_revoke_a_token(client_for, user_named):
    from jineng.orgs.services import token_create

    owner = user_named(SIBLING)
    token, _ = token_create(actor=user_named("sysadmin"), user=owner, name="睢阳对接")
    for username in (COUNTY, CITY):
        client = client_for(username)
        assert client.get(f"/orgs/users/{owner.pk}/tokens/").status_code == 403
        assert client.post(f"/orgs/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # The security administrator may revoke it.
    assert client_for("secadmin").post(f"/orgs/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("username", [COUNTY, CITY, "sysadmin", "secadmin"])
def test_only_the_audit_administrator_reads_the_audit_trail(username, client_for):
    assert client_for(username).get("/core/audit/").status_code == 403
    assert client_for(username).get("/core/audit/?export=xlsx").status_code == 403
    page = client_for("auditadmin").get("/core/audit/")
    assert page.status_code == 200 and "loaddemo" not in page.content.decode()
    assert "create" in page.content.decode()


def test_county_officer_cannot_create_in_sibling_county(client_for):
    count = Institution.objects.count()
    events = AuditEvent.objects.count()
    response = client_for(COUNTY).post("/orgs/institutions/new/", {
        "name": "越界机构", "kind": "training", "credit_code": "91411403MA00000001",
        "region": "411403",
    })
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert Institution.objects.count() == count and AuditEvent.objects.count() == events


def test_county_officer_cannot_move_institution_into_sibling_county(client_for):
    obj = Institution.objects.get(name="商丘市梁园区金蓝领职业培训学校")
    before = state(obj)
    data = Case("institution", Institution, "/orgs/institutions/", None).post_data(obj)
    data["region"] = "411403"
    response = client_for(COUNTY).post(f"/orgs/institutions/{obj.pk}/", data)
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    assert state(obj) == before


def test_home_counts_are_scoped(client_for):
    def counts(client):
        panels = client.get("/").context["panels"]
        return {s.key: s.value for p in panels if p.key == "scope" for s in p.stats}

    county, city = counts(client_for(COUNTY)), counts(client_for(CITY))
    assert county["institutions"] == Institution.objects.filter(region__code="411402").count()
    assert county["regions"] == 0
    assert city["institutions"] > county["institutions"]
    assert city["regions"] == Region.objects.filter(parent__code="411400").count()
