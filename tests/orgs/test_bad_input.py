"""Bad input on the management pages: a clear Chinese message on the field, and nothing
changes (no row, no audit event)."""

import pytest

from jineng.core.codes import make_credit_code
from jineng.core.models import AuditEvent
from jineng.orgs.models import Department, Institution, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def unchanged():
    """Asserts, after the test body, that no region, department, institution or event was added."""
    def counts():
        return [m.objects.count() for m in (Region, Department, Institution, AuditEvent)]

    before = counts()
    yield
    assert counts() == before


def field_errors(response, field):
    assert response.status_code == 400, response.status_code
    return " ".join(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize("code,message", [
    ("41149", "行政区划代码应为 6 位数字"),
    ("4114AB", "行政区划代码应为 6 位数字"),
    ("411402", "区划代码 411402 已存在"),
    ("411403", "区划代码 411403 已存在"),
])
def test_bad_or_duplicate_region_code(code, message, client_for, unchanged):
    response = client_for("city_411400").post("/orgs/regions/new/", {
        "code": code, "name": "新功能区", "parent": "411400", "non_standard": "on",
    })
    assert message in field_errors(response, "code")


def test_region_below_a_county_is_refused(client_for, unchanged):
    response = client_for("county_411402").post("/orgs/regions/new/", {
        "code": "411499", "name": "区下面的区", "parent": "411402",
    })
    assert "县级区划下不能再建下级" in field_errors(response, "parent")


def test_region_outside_scope_is_refused(client_for, unchanged):
    response = client_for("county_411402").post("/orgs/regions/new/", {
        "code": "411499", "name": "越界区", "parent": "411403",
    })
    assert "不在您的管辖范围内" in field_errors(response, "parent")


def test_city_officer_adds_a_functional_zone(client_for):
    response = client_for("city_411400").post("/orgs/regions/new/", {
        "code": "411499", "name": "测试功能区", "parent": "411400", "non_standard": "on",
    })
    assert response.status_code == 302
    zone = Region.objects.get(code="411499")
    assert (zone.path, zone.level, zone.non_standard) == ("/410000/411400/411499/", 3, True)


def institution_post(credit_code, region="411402", name="新开培训学校"):
    return {"name": name, "kind": "training", "credit_code": credit_code, "region": region,
            "status": "active"}


@pytest.mark.parametrize("credit_code,message", [
    ("52411402MJ1234567", "应为 18 位，实际为 17 位"),
    ("52411402MJ123456IX", "不允许的字符"),
])
def test_malformed_credit_code(credit_code, message, client_for, unchanged):
    response = client_for("county_411402").post("/orgs/institutions/new/",
                                                institution_post(credit_code))
    assert message in field_errors(response, "credit_code")


def test_wrong_check_character(client_for, unchanged):
    good = make_credit_code("52411402MJ1234567")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = client_for("county_411402").post("/orgs/institutions/new/", institution_post(wrong))
    assert "统一社会信用代码校验位不正确" in field_errors(response, "credit_code")


def test_duplicate_credit_code(client_for, unchanged):
    taken = Institution.objects.get(name="商丘市梁园区金蓝领职业培训学校").credit_code
    response = client_for("county_411402").post(
        "/orgs/institutions/new/", institution_post(taken.lower())
    )
    assert f"统一社会信用代码 {taken} 已被其他机构使用" in field_errors(response, "credit_code")


def test_duplicate_credit_code_on_edit(client_for):
    institution = Institution.objects.get(name="商丘梁园冷链食品有限公司")
    taken = Institution.objects.get(name="商丘市梁园区金蓝领职业培训学校").credit_code
    events = AuditEvent.objects.count()
    data = institution_post(taken, name=institution.name)
    response = client_for("county_411402").post(f"/orgs/institutions/{institution.pk}/", data)
    assert "已被其他机构使用" in field_errors(response, "credit_code")
    institution.refresh_from_db()
    assert institution.credit_code != taken and AuditEvent.objects.count() == events


def test_good_institution_is_created_with_a_normalised_code(client_for):
    code = make_credit_code("52411402MJ1234567")
    response = client_for("county_411402").post(
        "/orgs/institutions/new/", institution_post(" " + code.lower() + " ")
    )
    assert response.status_code == 302
    assert Institution.objects.get(credit_code=code).region.code == "411402"


def test_duplicate_department_in_the_same_region(client_for, unchanged):
    response = client_for("county_411402").post("/orgs/departments/new/", {
        "region": "411402", "code": "D01", "name": "区人力资源社会保障局", "is_active": "on",
    })
    assert "已有编码为 D01 的单位" in field_errors(response, "code")


def test_unknown_region_code_on_a_form(client_for, unchanged):
    response = client_for("city_411400").post("/orgs/departments/new/", {
        "region": "999999", "code": "D77", "name": "无处安放局",
    })
    assert "区划代码 999999 不存在" in field_errors(response, "region")


def test_user_edit_with_a_weak_new_password_saves_nothing(client_for):
    """The page calls two services (update, then password reset): both or neither."""
    from jineng.orgs.models import User

    user = User.objects.get(username="county_411403")
    events = AuditEvent.objects.count()
    response = client_for("sysadmin").post(f"/orgs/users/{user.pk}/", {
        "full_name": "不该保存的名字", "phone": "", "region": "411403",
        "roles": [r.pk for r in user.roles.all()], "language": "en", "is_active": "on",
        "password": "weak",
    })
    assert response.status_code == 400
    assert "密码长度至少 10 位" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "睢阳区人社局经办人" and user.language == "zh-hans"
    assert AuditEvent.objects.count() == events


def test_new_user_gets_the_chosen_language(client_for):
    from jineng.orgs.models import User

    response = client_for("sysadmin").post("/orgs/users/new/", {
        "username": "english_officer", "region": "411402", "language": "en",
        "password": "Yingwen#2026x",
    })
    assert response.status_code == 302
    assert User.objects.get(username="english_officer").language == "en"
