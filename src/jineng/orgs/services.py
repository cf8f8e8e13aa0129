"""Every write to regions, departments, institutions, users, roles, tokens and the security
policy: validate, change, audit, in one transaction."""

import datetime as dt
import hashlib
import secrets
from fnmatch import fnmatchcase

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jineng.core import context
from jineng.core.actors import is_system, user_or_none
from jineng.core.audit import audit_record, diff, snapshot
from jineng.core.codes import (
    clean_text,
    credit_code_error,
    division_code_error,
    mask_phone,
    normalise_credit_code,
)
from jineng.core.errors import Conflict, Forbidden, ServiceError
from jineng.core.events import CoreAction
from jineng.core.refusals import require, require_region, require_visible
from jineng.core.scope import ScopeKind, user_reach
from jineng.orgs.events import OrgsAction
from jineng.orgs.lock_objects import login_throttle_lock, security_policy_lock
from jineng.orgs.models import (
    ApiToken,
    Department,
    Institution,
    InstitutionKind,
    InstitutionStatus,
    LoginThrottle,
    PasswordHistory,
    Region,
    RegionLevel,
    Role,
    SecurityPolicy,
    User,
)
from jineng.orgs.roles import GUARDED_ADMIN_ROLES, THREE_ADMIN_ROLES

# ---------------------------------------------------------------- shared helpers


# Fields the audit trail keeps only masked (PIPL: a staff member's phone is personal data).
MASKED_IN_AUDIT = {"phone": mask_phone}


def _masked(values: dict) -> dict:
    return {k: MASKED_IN_AUDIT[k](v) if k in MASKED_IN_AUDIT and v else v
            for k, v in values.items()}


def _update(actor, obj, fields: dict, allowed: tuple[str, ...]):
    """Apply changed fields, save, and audit the before/after of what changed."""
    before = snapshot(obj, allowed)
    for name, value in fields.items():
        if name not in allowed:
            raise ServiceError(f"字段 {name} 不可修改")
        setattr(obj, name, value)
    after = snapshot(obj, allowed)
    changes = diff(before, after)
    if changes:
        obj.save()
        audit_record(actor=actor, action=CoreAction.UPDATE, obj=obj,
                     changes=diff(_masked(before), _masked(after)))
    return obj


def _created(actor, obj, fields: tuple[str, ...]):
    audit_record(
        actor=actor, action=CoreAction.CREATE, obj=obj,
        changes={k: [None, v] for k, v in _masked(snapshot(obj, fields)).items()},
    )
    return obj


# ---------------------------------------------------------------- regions

REGION_FIELDS = ("code", "name", "level", "parent", "path", "non_standard", "is_active")


def region_path(code: str, parent: Region | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def region_create(
    *, actor, code: str, name: str, parent: Region | None, non_standard: bool = False
) -> Region:
    """A region below `parent`. Standard codes come from the GB/T 2260 load; officers add
    functional zones (示范区, 开发区) as non-standard regions."""
    code, name = clean_text(code), clean_text(name)
    if error := division_code_error(code):
        raise ServiceError(error, errors={"code": error})
    if not name:
        raise ServiceError("名称不能为空", errors={"name": "名称不能为空"})
    if parent is None:
        require(actor, "orgs.add_region")
        if not user_reach(actor, "orgs.add_region").everything:
            raise Forbidden("只有全省（全国）范围的管理员可以新增省级区划")
    else:
        require_region(actor, Region, "add", parent, field="parent")
        if parent.level >= RegionLevel.COUNTY:
            message = "县级区划下不能再建下级"
            raise ServiceError(message, errors={"parent": message})
    if Region.objects.filter(code=code).exists():
        raise Conflict(f"区划代码 {code} 已存在", errors={"code": f"区划代码 {code} 已存在"})
    region = Region.objects.create(
        code=code, name=name, parent=parent,
        level=parent.level + 1 if parent else RegionLevel.PROVINCE,
        path=region_path(code, parent), non_standard=non_standard,
    )
    return _created(actor, region, REGION_FIELDS)


@transaction.atomic
def region_update(*, actor, region: Region, name: str, is_active: bool) -> Region:
    require_visible(actor, region)
    name = clean_text(name)
    if not name:
        raise ServiceError("名称不能为空", errors={"name": "名称不能为空"})
    return _update(actor, region, {"name": name, "is_active": is_active}, REGION_FIELDS)


# ---------------------------------------------------------------- departments

DEPARTMENT_FIELDS = ("code", "name", "region", "is_active")


def _department_clean(region: Region, code: str, name: str, exclude_pk=None) -> tuple[str, str]:
    code, name = clean_text(code), clean_text(name)
    errors = {}
    if not code:
        errors["code"] = "单位编码不能为空"
    if not name:
        errors["name"] = "名称不能为空"
    others = Department.objects.filter(region=region).exclude(pk=exclude_pk)
    if code and others.filter(code=code).exists():
        errors["code"] = f"「{region.name}」已有编码为 {code} 的单位"
    if name and others.filter(name=name).exists():
        errors["name"] = f"「{region.name}」已有名为「{name}」的单位"
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    return code, name


@transaction.atomic
def department_create(*, actor, region: Region, code: str, name: str) -> Department:
    require_region(actor, Department, "add", region)
    code, name = _department_clean(region, code, name)
    department = Department.objects.create(region=region, code=code, name=name)
    return _created(actor, department, DEPARTMENT_FIELDS)


@transaction.atomic
def department_update(
    *, actor, department: Department, code: str, name: str, is_active: bool
) -> Department:
    require_visible(actor, department)
    code, name = _department_clean(department.region, code, name, exclude_pk=department.pk)
    return _update(
        actor, department, {"code": code, "name": name, "is_active": is_active}, DEPARTMENT_FIELDS
    )


# ---------------------------------------------------------------- institutions

INSTITUTION_FIELDS = (
    "name", "kind", "credit_code", "region", "status", "address", "contact_name", "contact_phone",
)


def _institution_clean(data: dict, exclude_pk=None) -> dict:
    data = {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}
    errors = {}
    if "name" in data and not data["name"]:
        errors["name"] = "名称不能为空"
    if "kind" in data and data["kind"] not in InstitutionKind.values:
        errors["kind"] = "机构类型不正确"
    if "status" in data and data["status"] not in InstitutionStatus.values:
        errors["status"] = "机构状态不正确"
    if "credit_code" in data:
        data["credit_code"] = normalise_credit_code(data["credit_code"])
        if error := credit_code_error(data["credit_code"]):
            errors["credit_code"] = error
        elif (
            Institution.objects.filter(credit_code=data["credit_code"])
            .exclude(pk=exclude_pk)
            .exists()
        ):
            errors["credit_code"] = f"统一社会信用代码 {data['credit_code']} 已被其他机构使用"
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    return data


@transaction.atomic
def institution_create(
    *, actor, name: str, kind: str, credit_code: str, region: Region, address: str = "",
    contact_name: str = "", contact_phone: str = "",
) -> Institution:
    require_region(actor, Institution, "add", region)
    data = _institution_clean({
        "name": name, "kind": kind, "credit_code": credit_code, "address": address,
        "contact_name": contact_name, "contact_phone": contact_phone,
    })
    institution = Institution.objects.create(region=region, **data)
    return _created(actor, institution, INSTITUTION_FIELDS)


@transaction.atomic
def institution_update(*, actor, institution: Institution, **fields) -> Institution:
    require_visible(actor, institution)
    if "region" in fields and fields["region"] != institution.region:
        require_region(actor, Institution, "change", fields["region"])
    data = _institution_clean(fields, exclude_pk=institution.pk)
    return _update(actor, institution, data, INSTITUTION_FIELDS)


# ---------------------------------------------------------------- users

USER_FIELDS = (
    "username", "full_name", "phone", "region", "institution", "department", "language",
    "is_active", "must_change_password",
)


def _password_errors(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _check_password(password: str, user: User | None = None) -> None:
    if errors := _password_errors(password, user):
        message = "；".join(errors)
        raise ServiceError(message, code="weak_password", errors={"password": message})


def _set_password(user: User, password: str, *, field: str = "password") -> None:
    """Check the policy and the last PasswordHistory.KEEP passwords, then set and remember
    the new one (call `user.save()` before `_remember_password`)."""
    _check_password(password, user)
    if user.pk and any(
        check_password(password, old)
        for old in user.password_history.values_list("password", flat=True)[
            : PasswordHistory.KEEP]
    ):
        message = f"新密码不能与最近 {PasswordHistory.KEEP} 次使用过的密码相同"
        raise ServiceError(message, code="password_reused", errors={field: message})
    user.set_password(password)
    user.password_changed_at = timezone.now()


def _remember_password(user: User) -> None:
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = user.password_history.values_list("pk", flat=True)[PasswordHistory.KEEP:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def _user_clean_placement(actor, region, institution, department):
    if institution is not None and region is not None and institution.region_id != region.pk:
        raise ServiceError(
            "所属机构不在所选地区", errors={"institution": "所属机构不在所选地区"}
        )
    if department is not None and region is not None and department.region_id != region.pk:
        raise ServiceError("所属单位不在所选地区", errors={"department": "所属单位不在所选地区"})
    target_region = region or (institution.region if institution else None)
    if target_region is not None:
        require_region(actor, User, "add", target_region)
    elif not user_reach(actor, "orgs.add_user").everything:
        raise Forbidden("只有全局范围的管理员可以创建不属于任何地区的账号")


def _role_codes(user: User) -> set[str]:
    return set(user.roles.values_list("code", flat=True)) if user.pk else set()


def _guard_separation(actor, target: User | None, new_roles=None) -> None:
    """三员分立. One account holds at most one of the three administrator roles; the
    security and audit administrator roles are granted and withdrawn only from the command
    line (`jineng bootstrap_admin --role`); and no one else may reset the password of, make a
    token for, or change an account holding them. The system actor is the command line."""
    if new_roles is not None:
        codes = {r.code for r in new_roles}
        if len(codes & THREE_ADMIN_ROLES) > 1:
            message = "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任"
            raise ServiceError(message, code="separation_of_duties", errors={"roles": message})
        changed = (codes ^ (_role_codes(target) if target else set())) & GUARDED_ADMIN_ROLES
        if changed and not is_system(actor):
            message = "三员分立：安全管理员、审计管理员角色只能由部署人员用命令行授予或收回"
            raise ServiceError(message, code="separation_of_duties", errors={"roles": message})
    if not is_system(actor) and target is not None and target.pk != actor.pk:
        guarded = _role_codes(target) & GUARDED_ADMIN_ROLES
        if guarded and not guarded <= _role_codes(actor):
            raise Forbidden("三员分立：不能修改安全管理员、审计管理员的账号、密码或令牌")


def _guard_role_assignment(actor, action: str, roles) -> None:
    """No one hands out more than they hold. An administrator whose own grant to manage users
    is not "all data" may assign only roles that are relative to the user's own place (own
    region, institution, self), are not one of the three administrator roles, and grant
    nothing the administrator lacks."""
    if is_system(actor) or not roles:
        return
    if user_reach(actor, f"orgs.{action}_user").everything:
        return
    relative = {ScopeKind.OWN_REGION, ScopeKind.OWN_REGION_AND_BELOW, ScopeKind.OWN_INSTITUTION,
                ScopeKind.SELF}
    too_wide = [
        r.name for r in roles
        if r.code in THREE_ADMIN_ROLES or r.scope_kind not in relative
        or not all(actor.has_permission(p) for p in r.permissions if not p.startswith("!"))
    ]
    if too_wide:
        message = f"不能授予超出本人权限或数据范围的角色：{'、'.join(too_wide)}"
        raise ServiceError(message, code="role_too_wide", errors={"roles": message})


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, full_name: str = "", phone: str = "",
    region: Region | None = None, institution: Institution | None = None,
    department: Department | None = None, roles: list[Role] | tuple = (),
    must_change_password: bool = True, language: str = "zh-hans",
) -> User:
    require(actor, "orgs.add_user")
    username = clean_text(username)
    if not username:
        raise ServiceError("用户名不能为空", errors={"username": "用户名不能为空"})
    if ":" in username:  # "system:<task>" names the system in the audit trail
        message = "用户名不能包含“:”"
        raise ServiceError(message, errors={"username": message})
    if User.objects.filter(username__iexact=username).exists():
        message = f"用户名 {username} 已存在"
        raise Conflict(message, errors={"username": message})
    if institution is not None and region is None:
        region = institution.region
    _user_clean_placement(actor, region, institution, department)
    _guard_separation(actor, None, roles)
    _guard_role_assignment(actor, "add", roles)
    user = User(
        username=username, full_name=clean_text(full_name), phone=clean_text(phone),
        region=region, institution=institution, department=department,
        must_change_password=must_change_password, language=_language(language),
    )
    _set_password(user, password)
    user.save()
    _remember_password(user)
    user.roles.set(roles)
    _created(actor, user, USER_FIELDS + ("roles",))
    return user


@transaction.atomic
def user_bootstrap(*, actor, username: str, role_code: str, password: str,
                   full_name: str = "", must_change_password: bool = True) -> tuple[User, bool]:
    """From the command line only (`actor` is a system actor): an account holding one of the
    three administrator roles. Existing accounts are left as they are. Returns (user,
    created)."""
    if not is_system(actor):
        raise Forbidden("三员账号只能由部署人员用命令行创建")
    if role_code not in THREE_ADMIN_ROLES:
        raise ServiceError(f"只能用命令行创建三员账号：{'、'.join(sorted(THREE_ADMIN_ROLES))}")
    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        return user, False
    user = User(username=username, full_name=full_name,
                must_change_password=must_change_password)
    _set_password(user, password)
    user.save()
    _remember_password(user)
    user.roles.set([Role.objects.get(code=role_code)])
    audit_record(actor=actor, action=OrgsAction.BOOTSTRAP_ADMIN, obj=user,
                 changes={"roles": [None, [role_code]]})
    return user, True


@transaction.atomic
def user_update(*, actor, user: User, roles: list[Role] | None = None, **fields) -> User:
    require_visible(actor, user)
    _guard_separation(actor, user, roles)
    if roles is not None:
        current = set(user.roles.values_list("pk", flat=True))
        _guard_role_assignment(actor, "change", [r for r in roles if r.pk not in current])
    if {"region", "institution", "department"} & fields.keys():
        _user_clean_placement(
            actor, fields.get("region", user.region), fields.get("institution", user.institution),
            fields.get("department", user.department),
        )
    if "full_name" in fields:
        fields["full_name"] = clean_text(fields["full_name"])
    before_roles = sorted(user.roles.values_list("code", flat=True))
    _update(actor, user, fields, USER_FIELDS)
    if roles is not None:
        after_roles = sorted(r.code for r in roles)
        if after_roles != before_roles:
            user.roles.set(roles)
            audit_record(actor=actor, action=CoreAction.UPDATE, obj=user,
                         changes={"roles": [before_roles, after_roles]})
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User, password: str) -> User:
    """An administrator sets a new password; the user must change it at next login."""
    require(actor, "orgs.change_user")
    require_visible(actor, user)
    _guard_separation(actor, user)
    _set_password(user, password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    user.save()
    _remember_password(user)
    audit_record(actor=actor, action=OrgsAction.RESET_PASSWORD, obj=user)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> User:
    require(actor, "orgs.unlock_user")
    require_visible(actor, user, "unlock")
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    audit_record(actor=actor, action=OrgsAction.UNLOCK, obj=user)
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ServiceError("原密码不正确", errors={"old_password": "原密码不正确"})
    if old_password == new_password:
        message = "新密码不能与原密码相同"
        raise ServiceError(message, errors={"new_password": message})
    try:
        _set_password(user, new_password, field="new_password")
    except ServiceError as exc:
        raise ServiceError(exc.message, code=exc.code,
                           errors={"new_password": exc.message}) from None
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    audit_record(actor=user, action=OrgsAction.CHANGE_PASSWORD, obj=user)
    return user


class LoginRefused(ServiceError):
    code = "login_refused"
    status = 401


# One source address may fail this many times the lockout threshold within the lockout
# window before every sign-in from it is refused for the lockout time.
SOURCE_THROTTLE_FACTOR = 4


def _minutes_left(until) -> int:
    return max(1, int((until - timezone.now()).total_seconds() // 60) + 1)


def _locked_message(until) -> str:
    return f"账号已被锁定，请 {_minutes_left(until)} 分钟后再试或联系安全管理员"


def _throttle_locked_until(key: str):
    row = LoginThrottle.objects.filter(key=key, locked_until__gt=timezone.now()).first()
    return row.locked_until if row else None


def _throttle_fail(key: str, threshold: int, minutes: int) -> None:
    now = timezone.now()
    row = login_throttle_lock(key, window_started_at=now)
    window = dt.timedelta(minutes=minutes)
    if row.window_started_at + window <= now or (row.locked_until and row.locked_until <= now):
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= threshold:
        row.locked_until = now + window
    row.save()


def _unknown_name_key(username: str) -> str:
    return f"name:{clean_text(username).lower()[:150]}"


def login_check(*, username: str, password: str) -> User:
    """The user whose password matches, counting failures and locking after too many.

    A username nobody holds is counted and locked the same way, so the answers never tell
    whether an account exists; and a source address that fails too often is refused for a
    while, whichever names it tries. Failures are recorded in their own transaction, so they
    stick although login is refused.
    """
    policy = SecurityPolicy.current()
    source = f"ip:{context.current().ip}"
    if until := _throttle_locked_until(source):
        with transaction.atomic(durable=True):
            audit_record(actor=None, action=OrgsAction.LOGIN_REFUSED_THROTTLED,
                         object_type="orgs.user", object_repr=clean_text(username)[:150])
        raise LoginRefused(f"本机登录失败次数过多，请 {_minutes_left(until)} 分钟后再试")
    user = User.objects.filter(username__iexact=clean_text(username)).first()
    until = user.locked_until if user is not None and user.is_locked else (
        _throttle_locked_until(_unknown_name_key(username)) if user is None else None)
    if until:
        with transaction.atomic(durable=True):
            audit_record(actor=user, action=OrgsAction.LOGIN_REFUSED_LOCKED, obj=user,
                         object_type="orgs.user", object_repr=clean_text(username)[:150])
        raise LoginRefused(_locked_message(until))
    if user is None:
        User().set_password(password)  # as slow as a real check: no probing for names
    if user is None or not user.is_active or not user.check_password(password):
        with transaction.atomic(durable=True):
            _throttle_fail(source, policy.lockout_threshold * SOURCE_THROTTLE_FACTOR,
                           policy.lockout_minutes)
            _login_failed(user, username, policy)
        raise LoginRefused("用户名或密码不正确")
    with transaction.atomic(durable=True):
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.failed_login_count, user.locked_until = 0, None
        audit_record(actor=user, action=OrgsAction.LOGIN, obj=user)
    return user


def _login_failed(user: User | None, username: str, policy: SecurityPolicy) -> None:
    if user is None:
        _throttle_fail(_unknown_name_key(username), policy.lockout_threshold,
                       policy.lockout_minutes)
        audit_record(actor=None, action=OrgsAction.LOGIN_FAILED, object_type="orgs.user",
                     object_repr=clean_text(username)[:150])
        return
    if user.locked_until is not None and not user.is_locked:
        # A lock that has run out starts a fresh count: one more typo must not lock again.
        user.failed_login_count, user.locked_until = 0, None
    user.failed_login_count += 1
    changes = {"failed_login_count": user.failed_login_count}
    if user.failed_login_count >= policy.lockout_threshold:
        user.locked_until = timezone.now() + dt.timedelta(minutes=policy.lockout_minutes)
        changes["locked_until"] = user.locked_until
    user.save(update_fields=["failed_login_count", "locked_until"])
    audit_record(actor=user, action=OrgsAction.LOGIN_FAILED, obj=user, changes=changes)


def logout_record(*, user: User, idle: bool = False) -> None:
    """A sign-out: the user's own, or the server's after the idle timeout."""
    with transaction.atomic(durable=True):
        action = OrgsAction.LOGOUT_IDLE if idle else OrgsAction.LOGOUT
        audit_record(actor=user, action=action, obj=user)


# ---------------------------------------------------------------- roles

ROLE_FIELDS = ("code", "name", "description", "permissions", "scope_kind", "is_active")


# Held only by the built-in audit and security administrator roles: a role made in the
# application that granted them would let the system administrator give them to himself.
GUARDED_PERMISSIONS = (
    "core.view_auditevent", "core.export_auditevent", "orgs.change_securitypolicy",
)


def _role_clean(data: dict) -> dict:
    errors = {}
    if "scope_kind" in data and data["scope_kind"] not in ScopeKind.values:
        errors["scope_kind"] = "数据范围不正确"
    perms = data.get("permissions")
    if perms is not None:
        perms = [p.strip() for p in perms if p and p.strip()]
        bad = [p for p in perms if "." not in p]
        guarded = sorted({
            code for code in GUARDED_PERMISSIONS for p in perms if fnmatchcase(code, p)
        })
        if bad:
            errors["permissions"] = f"权限编码格式应为 应用.操作_对象：{'、'.join(bad)}"
        elif guarded:
            errors["permissions"] = (
                "三员分立：审计日志与安全策略的权限只属于内置的审计管理员、安全管理员角色，"
                f"自建角色不能包含：{'、'.join(guarded)}"
            )
        data["permissions"] = perms
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    return data


@transaction.atomic
def role_create(*, actor, code: str, name: str, permissions: list[str], scope_kind: str,
                description: str = "", scope_regions=()) -> Role:
    require(actor, "orgs.add_role")
    code = clean_text(code)
    if not code:
        raise ServiceError("角色编码不能为空", errors={"code": "角色编码不能为空"})
    if Role.objects.filter(code=code).exists():
        raise Conflict(f"角色编码 {code} 已存在", errors={"code": f"角色编码 {code} 已存在"})
    data = _role_clean({"permissions": permissions, "scope_kind": scope_kind})
    role = Role.objects.create(code=code, name=clean_text(name), description=description, **data)
    role.scope_regions.set(scope_regions)
    return _created(actor, role, ROLE_FIELDS)


@transaction.atomic
def role_update(*, actor, role: Role, scope_regions=None, **fields) -> Role:
    require(actor, "orgs.change_role")
    if role.code in GUARDED_ADMIN_ROLES:
        raise Forbidden("三员分立：安全管理员、审计管理员角色不能在系统中修改或停用")
    if role.builtin and ("permissions" in fields or "code" in fields):
        raise ServiceError("内置角色的编码和权限不能修改，请新建角色", code="builtin_role")
    _update(actor, role, _role_clean(fields), ROLE_FIELDS)
    if scope_regions is not None:
        role.scope_regions.set(scope_regions)
    return role


# ---------------------------------------------------------------- API tokens

TOKEN_PREFIX = "jn_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the token and its secret, which is never shown again."""
    require(actor, "orgs.add_apitoken")
    require_visible(actor, user, "view")
    _guard_separation(actor, user)
    name = clean_text(name)
    if not name:
        raise ServiceError("请填写令牌用途", errors={"name": "请填写令牌用途"})
    if not user.is_active:
        raise ServiceError("用户已停用，不能创建令牌", errors={"user": "用户已停用"})
    days = days if days is not None else SecurityPolicy.current().token_days
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, key_hash=token_hash(raw),
        created_by=user_or_none(actor),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit_record(actor=actor, action=CoreAction.CREATE, obj=token,
                 changes={"user": [None, user.username], "name": [None, name]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    require(actor, "orgs.change_apitoken")
    require_visible(actor, token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=OrgsAction.REVOKE, obj=token)
    return token


class TokenRefused(ServiceError):
    code = "invalid_token"
    status = 401


def token_authenticate(raw: str) -> User:
    """The user behind a bearer token; records its use. Refuses unknown, revoked, expired."""
    token = (
        ApiToken.objects.select_related("user", "user__region").filter(key_hash=token_hash(raw))
        .first()
    )
    if token is None:
        raise TokenRefused("接口令牌无效")
    if token.revoked_at is not None:
        raise TokenRefused("接口令牌已被吊销", code="token_revoked")
    if token.expires_at is not None and token.expires_at <= timezone.now():
        raise TokenRefused("接口令牌已过期", code="token_expired")
    if not token.user.is_active:
        raise TokenRefused("令牌所属用户已停用", code="user_inactive")
    if token.user.is_locked:
        raise TokenRefused(
            f"令牌所属账号已被锁定，请 {_minutes_left(token.user.locked_until)} 分钟后再试"
            "或联系安全管理员", code="account_locked")
    now = timezone.now()
    # One write a minute at most: the last-used time need not be exact to the second.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------- security policy

POLICY_FIELDS = (
    "password_min_length", "password_min_classes", "lockout_threshold", "lockout_minutes",
    "idle_timeout_minutes", "token_days",
)
POLICY_BOUNDS = {
    # Never below the floor of issue 2 / 等保: 10 characters of 3 classes.
    "password_min_length": (10, 64, "密码最小长度"),
    "password_min_classes": (3, 4, "密码字符类别数"),
    "lockout_threshold": (3, 20, "锁定阈值"),
    "lockout_minutes": (1, 1440, "锁定分钟数"),
    "idle_timeout_minutes": (5, 240, "空闲超时分钟数"),
    "token_days": (1, 3650, "令牌有效天数"),
}


@transaction.atomic
def security_policy_update(*, actor, **fields) -> SecurityPolicy:
    require(actor, "orgs.change_securitypolicy")
    errors = {}
    for name, value in fields.items():
        low, high, label = POLICY_BOUNDS[name]
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"{label}应在 {low} 到 {high} 之间"
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    policy = security_policy_lock()
    return _update(actor, policy, fields, POLICY_FIELDS)


def _language(language: str) -> str:
    if language not in {"zh-hans", "en"}:
        raise ServiceError("不支持的语言", errors={"language": "不支持的语言"})
    return language


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """A user chooses the language of their own pages."""
    return _update(user, user, {"language": _language(language)}, USER_FIELDS)
