"""Signing in: password rules, lockout, idle timeout, forced password change, logout, and
the audit events they leave; and the separation of the three administrators (三员分立)."""

import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone

from jineng.core.models import AuditEvent
from jineng.orgs import services
from jineng.orgs.middleware import LAST_SEEN_KEY
from jineng.orgs.models import Institution, SecurityPolicy, User

pytestmark = pytest.mark.django_db

GOOD_NEW = "Nongye#Kaifa2026"


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def sign_in(username, password, client=None, **params):
    client = client or Client()
    url = "/login/" + (f"?next={params['next']}" if "next" in params else "")
    response = client.post(url, {"username": username, "password": password})
    return client, response


# ---------------------------------------------------------------- login and logout


def test_login_logout_and_failed_login_are_audited(demo_password):
    client, response = sign_in("county_411402", demo_password)
    assert response.status_code == 302 and response.url == "/"
    event = last_event()
    assert (event.action, event.actor_name, event.object_type) == (
        "login", "county_411402", "orgs.user",
    )
    assert event.ip == "127.0.0.1" and len(event.request_id) == 32
    assert client.get("/").status_code == 200

    assert client.get("/logout/").status_code == 405  # logging out is a POST
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert (last_event().action, last_event().actor_name) == ("logout", "county_411402")
    assert client.get("/").status_code == 302  # signed out

    _, response = sign_in("county_411402", "wrong-Password-1")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    assert (last_event().action, last_event().changes) == (
        "login_failed", {"failed_login_count": 1},
    )

    _, response = sign_in("nobody_here", "wrong-Password-1")
    assert "用户名或密码不正确" in response.content.decode()
    assert (last_event().action, last_event().object_repr) == ("login_failed", "nobody_here")


@pytest.mark.parametrize(
    "next_url", ["//evil.example/", "https://evil.example/x", "/\\evil.example"]
)
def test_login_never_redirects_to_another_site(next_url, demo_password):
    _, response = sign_in("county_411402", demo_password, next=next_url)
    assert response.status_code == 302 and response.url == "/"


def test_login_goes_back_to_the_page_asked_for(demo_password):
    _, response = sign_in("county_411402", demo_password, next="/orgs/institutions/")
    assert response.url == "/orgs/institutions/"


def test_lockout_after_five_failures_for_fifteen_minutes(demo_password):
    for _ in range(5):
        _, response = sign_in("county_411402", "Wrong-Password-9")
        assert response.status_code == 400
    user = User.objects.get(username="county_411402")
    assert user.failed_login_count == 5
    remaining = user.locked_until - timezone.now()
    assert dt.timedelta(minutes=14) < remaining <= dt.timedelta(minutes=15)

    # Even the right password is refused while locked, with the time to wait.
    _, response = sign_in("county_411402", demo_password)
    assert response.status_code == 400
    assert "账号已被锁定，请 15 分钟后再试" in response.content.decode()
    assert last_event().action == "login_refused_locked"

    # Fourteen minutes later: still locked.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=1))
    _, response = sign_in("county_411402", demo_password)
    assert "账号已被锁定，请 1 分钟后再试" in response.content.decode()

    # Fifteen minutes later the lock has run out; one more typo does not lock again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    _, response = sign_in("county_411402", "Wrong-Password-9")
    user.refresh_from_db()
    assert not user.is_locked and user.failed_login_count == 1
    client, response = sign_in("county_411402", demo_password)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 0 and user.locked_until is None


def test_four_failures_then_success_resets_the_count(demo_password):
    for _ in range(4):
        sign_in("county_411403", "Wrong-Password-9")
    sign_in("county_411403", demo_password)
    for _ in range(4):
        sign_in("county_411403", "Wrong-Password-9")
    assert not User.objects.get(username="county_411403").is_locked


def test_security_administrator_unlocks_an_account(client_for):
    user = User.objects.get(username="county_411402")
    User.objects.filter(pk=user.pk).update(
        failed_login_count=5, locked_until=timezone.now() + dt.timedelta(minutes=15)
    )
    assert client_for("county_411403").post(f"/orgs/users/{user.pk}/unlock/").status_code == 404
    assert User.objects.get(pk=user.pk).is_locked
    response = client_for("secadmin").post(f"/orgs/users/{user.pk}/unlock/")
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_locked
    assert (last_event().action, last_event().actor_name) == ("unlock", "secadmin")


def test_idle_session_ends_after_thirty_minutes(demo_password):
    client, _ = sign_in("county_411402", demo_password)
    assert client.get("/orgs/institutions/").status_code == 200

    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get("/orgs/institutions/").status_code == 200  # and it renews last_seen

    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/orgs/institutions/")
    assert response.status_code == 302 and response.url == "/login/?timeout=1"
    assert (last_event().action, last_event().actor_name) == ("logout_idle", "county_411402")
    # The server ended the session: the old cookie no longer signs anyone in.
    response = client.get("/orgs/institutions/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    page = client.get("/login/?timeout=1")
    assert "由于长时间未操作，您已自动退出" in page.content.decode()
    # Signing in again from that page: the notice is not repeated on the home page.
    response = client.post("/login/?timeout=1",
                           {"username": "county_411402", "password": demo_password})
    assert "由于长时间未操作" not in client.get(response.url).content.decode()


def test_idle_session_also_ends_for_the_api_through_the_session(demo_password):
    client, _ = sign_in("county_411402", demo_password)
    assert client.get("/api/v1/institutions").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/api/v1/institutions")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


# ---------------------------------------------------------------- passwords


def make_user(username="new_officer", password="Chushi#Mima2026", **kwargs):
    admin = User.objects.get(username="sysadmin")
    from jineng.orgs.models import Region, Role

    return services.user_create(
        actor=admin, username=username, password=password, full_name="新同事",
        region=Region.objects.get(code="411402"), roles=[Role.objects.get(code="county_officer")],
        **kwargs,
    )


def test_first_login_forces_a_password_change():
    make_user()
    client, response = sign_in("new_officer", "Chushi#Mima2026")
    assert response.status_code == 302 and response.url == "/password/"
    # Every other page sends the user back to change the password first.
    for path in ("/", "/orgs/institutions/", "/orgs/regions/411402/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/password/", path
    page = client.get("/password/")
    assert "须先修改密码" in page.content.decode()

    response = client.post("/password/", {
        "old_password": "Chushi#Mima2026", "new_password": GOOD_NEW, "new_password2": GOOD_NEW,
    })
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/orgs/institutions/").status_code == 200  # still signed in
    user = User.objects.get(username="new_officer")
    assert not user.must_change_password and user.check_password(GOOD_NEW)
    assert (last_event().action, last_event().actor_name) == ("change_password", "new_officer")


def test_password_reset_by_administrator_forces_a_change_again(client_for, user_named):
    user = user_named("county_411403")
    data = {
        "full_name": user.full_name, "phone": "", "region": "411403",
        "roles": [r.pk for r in user.roles.all()], "language": "zh-hans", "is_active": "on",
        "password": "Chongzhi#2026x",
    }
    response = client_for("sysadmin").post(f"/orgs/users/{user.pk}/", data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("Chongzhi#2026x")
    assert last_event().action == "reset_password"
    client, response = sign_in("county_411403", "Chongzhi#2026x")
    assert response.url == "/password/"


BAD_PASSWORDS = [
    ("Ab1#short", "密码长度至少 10 位"),
    ("abcdefgh12345", "至少 3 类"),  # lower case and digits only
    ("ABCDEFGHIJKL", "至少 3 类"),
    ("abcdefghij!!!!", "至少 3 类"),
    ("Password123", "这个密码太常见了"),  # Django's common-password list, in Chinese
]


@pytest.mark.parametrize("password,message", BAD_PASSWORDS)
def test_weak_new_password_is_refused_with_a_chinese_message(password, message, demo_password,
                                                             client_for):
    client = client_for("county_411402")
    events = AuditEvent.objects.count()
    response = client.post("/password/", {
        "old_password": demo_password, "new_password": password, "new_password2": password,
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    user = User.objects.get(username="county_411402")
    assert user.check_password(demo_password) and not user.check_password(password)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("password,message", BAD_PASSWORDS)
def test_weak_initial_password_is_refused_when_creating_a_user(password, message, client_for):
    count = User.objects.count()
    response = client_for("sysadmin").post("/orgs/users/new/", {
        "username": "weak_one", "region": "411402", "language": "zh-hans", "password": password,
    })
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == count


def test_password_change_needs_the_old_password_and_a_matching_repeat(client_for, demo_password):
    client = client_for("county_411402")
    response = client.post("/password/", {
        "old_password": "Not-The-Old-1", "new_password": GOOD_NEW, "new_password2": GOOD_NEW,
    })
    assert "原密码不正确" in response.content.decode()
    response = client.post("/password/", {
        "old_password": demo_password, "new_password": GOOD_NEW, "new_password2": GOOD_NEW + "x",
    })
    assert "两次输入的新密码不一致" in response.content.decode()
    assert User.objects.get(username="county_411402").check_password(demo_password)


# ---------------------------------------------------------------- 三员分立


def menu_labels(response) -> set[str]:
    return {str(item["label"]) for _, items in response.context["menu_sections"] for item in items}


def test_system_administrator_has_no_audit_menu_and_no_audit_page(client_for):
    client = client_for("sysadmin")
    labels = menu_labels(client.get("/"))
    assert {"用户", "角色", "机构"} <= labels
    assert "审计日志" not in labels and "安全策略" not in labels
    assert client.get("/core/audit/").status_code == 403


def test_audit_administrator_reads_the_trail_and_cannot_change_anything(client_for):
    client = client_for("auditadmin")
    assert menu_labels(client.get("/")) == {"审计日志", "补贴性培训职业目录", "定点培训机构名录",
                                            "证书查询", "评价机构名录"}
    assert client.get("/core/audit/").status_code == 200
    institution = Institution.objects.get(name="商丘技师学院")
    user = User.objects.get(username="county_411402")
    events = AuditEvent.objects.count()
    # Refused (403) where no role grants the action; a record they may not see is missing (404).
    attempts = [
        ("/orgs/institutions/new/", {"name": "x", "kind": "training",
                                     "credit_code": "x", "region": "411400"}, 403),
        (f"/orgs/institutions/{institution.pk}/", {"name": "改"}, 404),
        ("/orgs/users/new/", {"username": "x", "password": GOOD_NEW, "language": "en"}, 403),
        (f"/orgs/users/{user.pk}/", {"full_name": "改", "language": "en"}, 404),
        (f"/orgs/users/{user.pk}/unlock/", {}, 404),
        (f"/orgs/users/{user.pk}/tokens/", {"name": "x", "days": 1}, 403),
        ("/orgs/roles/new/", {"code": "x", "name": "x", "scope_kind": "all"}, 403),
        ("/orgs/security/", {"password_min_length": 8}, 403),
        ("/orgs/regions/new/", {"code": "411499", "name": "x", "parent": "411400"}, 403),
    ]
    for url, data, status in attempts:
        assert client.post(url, data).status_code == status, url
    assert AuditEvent.objects.count() == events
    assert Institution.objects.get(pk=institution.pk).name == "商丘技师学院"


def test_security_administrator_sets_the_policy_and_it_takes_effect(client_for):
    data = {
        "password_min_length": 12, "password_min_classes": 3, "lockout_threshold": 5,
        "lockout_minutes": 15, "idle_timeout_minutes": 30, "token_days": 90,
    }
    assert client_for("sysadmin").post("/orgs/security/", data).status_code == 403
    assert client_for("auditadmin").get("/orgs/security/").status_code == 403
    assert SecurityPolicy.current().password_min_length == 10

    response = client_for("secadmin").post("/orgs/security/", data)
    assert response.status_code == 302
    assert SecurityPolicy.current().password_min_length == 12
    assert last_event().changes["password_min_length"] == [10, 12]
    with pytest.raises(services.ServiceError, match="密码长度至少 12 位"):
        make_user(password="Abcdef#123x")  # 11 characters


def test_security_policy_out_of_bounds_is_refused(client_for):
    response = client_for("secadmin").post("/orgs/security/", {
        "password_min_length": 4, "password_min_classes": 3, "lockout_threshold": 5,
        "lockout_minutes": 15, "idle_timeout_minutes": 30, "token_days": 90,
    })
    assert response.status_code == 400
    assert SecurityPolicy.current().password_min_length == 10


def test_security_administrator_cannot_change_users_or_data(client_for):
    client = client_for("secadmin")
    user = User.objects.get(username="county_411402")
    assert client.get(f"/orgs/users/{user.pk}/").status_code == 200  # reads, to unlock
    response = client.post(f"/orgs/users/{user.pk}/", {"full_name": "改", "language": "en"})
    assert response.status_code == 404
    assert client.get("/orgs/institutions/").status_code == 403


def role_ids(*codes):
    from jineng.orgs.models import Role

    return [r.pk for r in Role.objects.filter(code__in=codes)]


def user_post(user, **changes):
    data = {
        "full_name": user.full_name, "phone": "", "region": user.region.code if user.region else "",
        "roles": [r.pk for r in user.roles.all()], "language": "zh-hans", "is_active": "on",
    }
    data.update(changes)
    return data


def test_system_administrator_cannot_make_himself_audit_administrator(client_for):
    admin = User.objects.get(username="sysadmin")
    events = AuditEvent.objects.count()
    response = client_for("sysadmin").post(
        f"/orgs/users/{admin.pk}/", user_post(admin, roles=role_ids("sysadmin", "auditadmin"))
    )
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()
    assert set(admin.roles.values_list("code", flat=True)) == {"sysadmin"}
    assert AuditEvent.objects.count() == events
    assert client_for("sysadmin").get("/core/audit/").status_code == 403


def test_system_administrator_cannot_create_an_audit_administrator(client_for):
    response = client_for("sysadmin").post("/orgs/users/new/", {
        "username": "my_auditor", "language": "zh-hans", "password": GOOD_NEW,
        "roles": role_ids("auditadmin"),
    })
    assert response.status_code == 400
    assert "只能由部署人员用命令行授予" in response.content.decode()
    assert not User.objects.filter(username="my_auditor").exists()


@pytest.mark.parametrize("target", ["auditadmin", "secadmin"])
def test_system_administrator_cannot_take_over_the_other_administrators(target, client_for,
                                                                         demo_password):
    user = User.objects.get(username=target)
    client = client_for("sysadmin")
    response = client.post(f"/orgs/users/{user.pk}/", user_post(user, password="Jieguan#2026x"))
    assert response.status_code == 403
    assert "不能修改安全管理员、审计管理员的账号" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(demo_password) and not user.must_change_password
    response = client.post(f"/orgs/users/{user.pk}/tokens/", {"name": "接管", "days": 1})
    assert "三员分立" in response.content.decode()
    assert not user.api_tokens.exists()
    with pytest.raises(services.ServiceError):
        services.user_reset_password(actor=User.objects.get(username="sysadmin"), user=user,
                                     password="Jieguan#2026x")


def test_guarded_administrators_are_created_from_the_command_line():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bootstrap_admin", "--role", "auditadmin", "--username", "auditor2", stdout=out)
    password = out.getvalue().split("初始密码：")[1].split("（")[0]
    user = User.objects.get(username="auditor2")
    assert set(user.roles.values_list("code", flat=True)) == {"auditadmin"}
    assert user.must_change_password and user.check_password(password)
    assert (last_event().action, last_event().actor_id, last_event().object_id) == (
        "bootstrap_admin", None, str(user.pk),
    )
    out = io.StringIO()
    call_command("bootstrap_admin", "--role", "auditadmin", "--username", "auditor2", stdout=out)
    assert "已存在" in out.getvalue()


@pytest.mark.parametrize("permissions", [
    "core.view_auditevent", "core.*", "*.*", "orgs.change_securitypolicy", "orgs.*_securitypolicy",
])
def test_system_administrator_cannot_make_a_role_that_reads_the_audit_trail(permissions,
                                                                            client_for):
    from jineng.orgs.models import Role

    count = Role.objects.count()
    response = client_for("sysadmin").post("/orgs/roles/new/", {
        "code": "shadow_auditor", "name": "影子审计", "scope_kind": "all",
        "permissions": f"orgs.view_region\n{permissions}",
    })
    assert response.status_code == 400
    assert "自建角色不能包含" in response.content.decode()
    assert Role.objects.count() == count


def test_system_administrator_makes_an_ordinary_role(client_for):
    from jineng.orgs.models import Role

    response = client_for("sysadmin").post("/orgs/roles/new/", {
        "code": "readonly_city", "name": "只读", "scope_kind": "own_region_below",
        "permissions": "orgs.view_*",
    })
    assert response.status_code == 302
    assert Role.objects.get(code="readonly_city").permissions == ["orgs.view_*"]


@pytest.fixture
def county_user_admin(user_named):
    """A delegated administrator of 梁园区's accounts, made by the system administrator."""
    from jineng.orgs.models import Region

    admin = user_named("sysadmin")
    role = services.role_create(
        actor=admin, code="county_user_admin", name="区县账号管理员", scope_kind="own_region_below",
        permissions=["orgs.view_user", "orgs.add_user", "orgs.change_user", "orgs.view_region",
                     "orgs.view_institution"],
    )
    services.role_create(actor=admin, code="county_viewer", name="区县只读",
                         scope_kind="own_region_below", permissions=["orgs.view_user"])
    return services.user_create(actor=admin, username="liangyuan_admin", password=GOOD_NEW,
                                region=Region.objects.get(code="411402"), roles=[role],
                                must_change_password=False)


@pytest.mark.parametrize("role_code", ["sysadmin", "city_officer", "county_officer",
                                       "county_user_admin_all"])
def test_delegated_administrator_cannot_hand_out_wider_roles(role_code, county_user_admin,
                                                            client_for):

    if role_code == "county_user_admin_all":  # same permissions, but "all data"
        services.role_create(actor=User.objects.get(username="sysadmin"), code=role_code,
                             name="全域账号管理", scope_kind="all",
                             permissions=["orgs.view_user"])
    client = client_for("liangyuan_admin")
    response = client.post("/orgs/users/new/", {
        "username": "escalated", "region": "411402", "language": "zh-hans",
        "password": GOOD_NEW, "roles": role_ids(role_code),
    })
    assert response.status_code == 400
    assert "不能授予超出本人权限或数据范围的角色" in response.content.decode()
    assert not User.objects.filter(username="escalated").exists()
    # Nor onto an existing account of the county.
    target = User.objects.get(username="worker_411402")
    data = user_post(target, roles=role_ids(role_code))
    response = client.post(f"/orgs/users/{target.pk}/", data)
    assert response.status_code == 400
    assert set(target.roles.values_list("code", flat=True)) == {"worker"}


def test_delegated_administrator_hands_out_a_narrower_role(county_user_admin, client_for):
    response = client_for("liangyuan_admin").post("/orgs/users/new/", {
        "username": "viewer_411402", "region": "411402", "language": "zh-hans",
        "password": GOOD_NEW, "roles": role_ids("county_viewer"),
    })
    assert response.status_code == 302
    user = User.objects.get(username="viewer_411402")
    assert set(user.roles.values_list("code", flat=True)) == {"county_viewer"}
    # ... and only in the own county.
    response = client_for("liangyuan_admin").post("/orgs/users/new/", {
        "username": "viewer_411403", "region": "411403", "language": "zh-hans",
        "password": GOOD_NEW, "roles": role_ids("county_viewer"),
    })
    assert response.status_code == 400
    assert not User.objects.filter(username="viewer_411403").exists()


@pytest.mark.parametrize("code", ["auditadmin", "secadmin"])
def test_system_administrator_cannot_disable_the_other_administrator_roles(code, client_for):
    from jineng.orgs.models import Role

    role = Role.objects.get(code=code)
    response = client_for("sysadmin").post(f"/orgs/roles/{role.pk}/", {
        "name": role.name, "scope_kind": role.scope_kind, "description": "", "permissions": "",
    })  # is_active left out: switched off
    assert response.status_code == 403
    assert "三员分立" in response.content.decode()
    assert Role.objects.get(pk=role.pk).is_active
