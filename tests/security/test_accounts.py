"""What an attack on accounts found: a locked account's token kept working, the lockout told
whether a name exists and could be driven from one address, and a password could repeat."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jineng.core.errors import ServiceError
from jineng.orgs import services
from jineng.orgs.models import PasswordHistory, User

pytestmark = pytest.mark.django_db


def sign_in(username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def test_a_locked_accounts_token_is_refused_until_the_lock_ends(api_for, user_named):
    client = api_for("county_411402")
    assert client.get("/api/v1/regions/411402").status_code == 200
    user = user_named("county_411402")
    User.objects.filter(pk=user.pk).update(
        failed_login_count=5, locked_until=timezone.now() + dt.timedelta(minutes=15))
    response = client.get("/api/v1/regions/411402")
    assert response.status_code == 401
    assert response.json()["code"] == "account_locked"
    assert "已被锁定" in response.json()["message"]
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/regions/411402").status_code == 200


def test_an_unknown_name_locks_with_the_same_message_as_a_real_one():
    answers = {}
    for name in ("county_411402", "nobody_at_all"):
        for _ in range(5):
            sign_in(name, "Wrong-Password-9", ip=f"10.0.1.{len(answers)}")
        answers[name] = sign_in(name, "Wrong-Password-9", ip=f"10.0.2.{len(answers)}")
    real, unknown = (answers[n].content.decode() for n in ("county_411402", "nobody_at_all"))
    assert "账号已被锁定，请 15 分钟后再试或联系安全管理员" in real
    assert "账号已被锁定，请 15 分钟后再试或联系安全管理员" in unknown
    assert answers["county_411402"].status_code == answers["nobody_at_all"].status_code == 400


def test_one_address_that_fails_too_often_is_refused_whatever_name_it_tries(demo_password):
    # 20 failures spread over four names (none of them locked by it) stop the address...
    for i in range(20):
        sign_in(f"guess_{i % 4}_{i}", "Wrong-Password-9", ip="10.9.9.9")
    response = sign_in("county_411403", demo_password, ip="10.9.9.9")
    assert response.status_code == 400
    assert "本机登录失败次数过多，请 15 分钟后再试" in response.content.decode()
    assert not User.objects.get(username="county_411403").is_locked
    # ...but not the account's owner elsewhere.
    assert sign_in("county_411403", demo_password, ip="10.8.8.8").status_code == 302


def test_a_new_password_may_not_repeat_one_of_the_last_five(user_named, demo_password):
    user = user_named("county_411402")
    passwords = [demo_password] + [f"Nongye#Kaifa{n}" for n in range(2020, 2026)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        services.password_change(user=user, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=user).count() == PasswordHistory.KEEP
    current = passwords[-1]
    for recent in passwords[-5:-1]:
        with pytest.raises(ServiceError) as refused:
            services.password_change(user=user, old_password=current, new_password=recent)
        assert refused.value.errors["new_password"] == "新密码不能与最近 5 次使用过的密码相同"
    # The sixth from last is forgotten and may come back.
    services.password_change(user=user, old_password=current, new_password=passwords[-6])


def test_the_password_page_says_why_a_recent_password_is_refused(client_for, demo_password):
    client = client_for("county_411402")
    client.post("/password/", {"old_password": demo_password, "new_password": "Nongye#Kaifa2026",
                               "new_password2": "Nongye#Kaifa2026"})
    response = client.post("/password/", {
        "old_password": "Nongye#Kaifa2026", "new_password": demo_password,
        "new_password2": demo_password})
    assert response.status_code == 400
    assert "新密码不能与最近 5 次使用过的密码相同" in response.content.decode()
