from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import NotFound, ServiceError
from jineng.core.home import home_panels
from jineng.core.refusals import require
from jineng.core.scope import get_restricted
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs import forms, selectors, services
from jineng.orgs.models import (
    ApiToken,
    Department,
    Institution,
    InstitutionKind,
    InstitutionStatus,
    Region,
    RegionLevel,
    Role,
    SecurityPolicy,
    User,
)

# ---------------------------------------------------------------- sign-in


def _safe_next(request, url: str, default: str = "home"):
    """Where to go back to: a path on this site, never another host (no open redirect)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def login_view(request):
    form = forms.LoginForm(request.POST or None)
    if request.method == "GET" and request.GET.get("timeout"):
        messages.info(request, _("由于长时间未操作，您已自动退出，请重新登录"))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check(**form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            if user.must_change_password:
                return redirect("password_change")
            return redirect(_safe_next(request, request.GET.get("next", "")))
    return render(request, "orgs/login.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    logout(request)
    return redirect("login")


@login_required
def password_change_view(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(
                user=request.user, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ServiceError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user)  # keeps the session valid after the password hash changed
            messages.success(request, _("密码已修改"))
            return redirect("home")
    return render(request, "orgs/password_change.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def language_view(request):
    try:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(_safe_next(request, request.POST.get("next", "")))


@login_required
def home_view(request):
    """Each role's own work: the panels every app contributes (core/home.py)."""
    return render(request, "orgs/home.html", {"panels": home_panels(request.user)})


# ---------------------------------------------------------------- lists


def region_options_view(request):
    """The region picker's list (an HTML fragment): matches for what was typed, or the
    children of `parent`, among the regions of `scope` ("all" needs no login)."""
    scope = request.GET.get("scope", "all")
    if scope not in selectors.PICKER_SCOPES:
        scope = "all"
    field = request.GET.get("field", "")
    q = request.GET.get("q") or (request.GET.get(field, "") if field else "")
    if request.GET.get("multiple"):  # a box of several regions: look up the one being typed
        q = selectors.region_being_typed(q)
    parent_code = "" if q.strip() else request.GET.get("parent", "").strip()
    regions = selectors.picker_regions(request.user, scope)
    parent = regions.select_related("parent").filter(code=parent_code).first() \
        if parent_code else None
    options = selectors.region_options(regions=regions, q=q,
                                       parent_code=parent.code if parent else "")
    return render(request, "orgs/region_options.html", {
        "options": options, "scope": scope, "parent": parent,
        "parent_label": selectors.region_label(parent) if parent else "",
        "url": reverse("orgs:region_options"),
    })


def _region(obj):
    return obj.region.name if obj.region_id else ""


class RegionList(ScopedListPage):
    title = _("行政区划")
    permission = "orgs.view_region"
    export_permission = "orgs.export_region"
    add_permission = "orgs.add_region"
    selector = selectors.region_list
    object_type = "orgs.region"
    create_url_name = "orgs:region_create"
    filters = [
        Filter("level", _("级别"), [(str(v), label) for v, label in RegionLevel.choices]),
        forms.region_filter("parent_code", _("上级地区")),
    ]
    columns = [
        Column(_("区划代码"), lambda r: r.code, link=True),
        Column(_("名称"), lambda r: r.name),
        Column(_("级别"), lambda r: r.get_level_display()),
        Column(_("上级"), lambda r: r.parent.name if r.parent_id else ""),
        Column(_("非标准"), lambda r: _("是") if r.non_standard else ""),
        Column(_("状态"), lambda r: _("启用") if r.is_active else _("停用")),
    ]

    def row_url(self, obj):
        return reverse("orgs:region_edit", args=[obj.code])

    def filter_values(self, request):
        values = super().filter_values(request)
        values["level"] = int(values["level"]) if values["level"].isdigit() else None
        return values


class DepartmentList(ScopedListPage):
    title = _("责任单位")
    permission = "orgs.view_department"
    export_permission = "orgs.export_department"
    add_permission = "orgs.add_department"
    selector = selectors.department_list
    object_type = "orgs.department"
    create_url_name = "orgs:department_create"
    filters = [forms.region_filter()]
    columns = [
        Column(_("单位编码"), lambda d: d.code, link=True),
        Column(_("名称"), lambda d: d.name),
        Column(_("地区代码"), lambda d: d.region.code),
        Column(_("地区"), _region),
        Column(_("状态"), lambda d: _("启用") if d.is_active else _("停用")),
    ]

    def row_url(self, obj):
        return reverse("orgs:department_edit", args=[obj.pk])


class InstitutionList(ScopedListPage):
    title = _("机构")
    permission = "orgs.view_institution"
    export_permission = "orgs.export_institution"
    add_permission = "orgs.add_institution"
    selector = selectors.institution_list
    object_type = "orgs.institution"
    create_url_name = "orgs:institution_create"
    filters = [
        Filter("kind", _("类型"), InstitutionKind.choices),
        Filter("status", _("状态"), InstitutionStatus.choices),
        forms.region_filter(),
    ]
    columns = [
        Column(_("名称"), lambda i: i.name, link=True),
        Column(_("类型"), lambda i: i.get_kind_display()),
        Column(_("统一社会信用代码"), lambda i: i.credit_code),
        Column(_("地区代码"), lambda i: i.region.code),
        Column(_("地区"), _region),
        Column(_("状态"), lambda i: i.get_status_display()),
    ]

    def row_url(self, obj):
        return reverse("orgs:institution_edit", args=[obj.pk])


class UserList(ScopedListPage):
    title = _("用户")
    permission = "orgs.view_user"
    export_permission = "orgs.export_user"
    add_permission = "orgs.add_user"
    selector = selectors.user_list
    object_type = "orgs.user"
    create_url_name = "orgs:user_create"
    columns = [
        Column(_("用户名"), lambda u: u.username, link=True),
        Column(_("姓名"), lambda u: u.full_name),
        Column(_("地区"), _region),
        Column(_("机构/单位"), lambda u: (u.institution or u.department or "")),
        Column(_("角色"), lambda u: "、".join(r.label for r in u.roles.all())),
        Column(_("状态"), lambda u: (
            _("锁定") if u.is_locked else _("启用") if u.is_active else _("停用")
        )),
    ]

    def get_filters(self, request):
        return [
            Filter("role_code", _("角色"), [(r.code, r.label) for r in Role.objects.all()]),
            Filter("is_active", _("状态"), [("1", _("启用")), ("0", _("停用"))]),
        ]

    def filter_values(self, request):
        values = super().filter_values(request)
        values["is_active"] = {"1": True, "0": False}.get(values["is_active"])
        return values

    def row_url(self, obj):
        return reverse("orgs:user_edit", args=[obj.pk])


class RoleList(ScopedListPage):
    title = _("角色")
    permission = "orgs.view_role"
    add_permission = "orgs.add_role"
    selector = selectors.role_list
    object_type = "orgs.role"
    create_url_name = "orgs:role_create"
    columns = [
        Column(_("角色编码"), lambda r: r.code, link=True),
        Column(_("名称"), lambda r: r.label),
        Column(_("数据范围"), lambda r: r.get_scope_kind_display()),
        Column(_("权限数"), lambda r: len(r.permissions)),
        Column(_("内置"), lambda r: _("是") if r.builtin else ""),
        Column(_("状态"), lambda r: _("启用") if r.is_active else _("停用")),
    ]

    def row_url(self, obj):
        return reverse("orgs:role_edit", args=[obj.pk])


# ---------------------------------------------------------------- forms


class RegionCreate(ServiceFormPage):
    title = _("新增区划（功能区）")
    form_class = forms.RegionForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_region")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "add")}

    def save(self, request, obj, data):
        return services.region_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:region_list")


def _exists(model, user, action, **lookup) -> bool:
    return model.objects.restrict(user, action).filter(**lookup).exists()


class _EditPage(ServiceFormPage):
    """Opening needs "view"; saving needs "change" on the same object (else the same 404).
    Without "change" the page shows the record read-only."""

    model = None
    lookup = "pk"

    def get_object(self, request, key):
        action = "change" if request.method == "POST" else "view"
        return get_restricted(self.model, request.user, action, **{self.lookup: key})

    def render(self, request, form, obj, status=200):
        read_only = not _exists(self.model, request.user, "change", pk=obj.pk)
        if read_only:
            for field in form.fields.values():
                field.disabled = True
        return super().render(request, form, obj, status, read_only=read_only)


class RegionEdit(_EditPage):
    title = _("区划")
    form_class = forms.RegionEditForm
    model = Region
    lookup = "code"

    def initial(self, obj):
        return {"name": obj.name, "is_active": obj.is_active}

    def save(self, request, obj, data):
        return services.region_update(actor=request.user, region=obj, **data)

    def success_url(self, obj):
        return reverse("orgs:region_list")


class DepartmentCreate(ServiceFormPage):
    title = _("新增责任单位")
    form_class = forms.DepartmentForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_department")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view")}

    def save(self, request, obj, data):
        data.pop("is_active", None)
        return services.department_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:department_list")


class DepartmentEdit(_EditPage):
    title = _("编辑责任单位")
    form_class = forms.DepartmentForm
    model = Department

    def get_form_kwargs(self, request, obj):
        return {"editing": True}

    def initial(self, obj):
        return {"code": obj.code, "name": obj.name, "is_active": obj.is_active}

    def save(self, request, obj, data):
        return services.department_update(actor=request.user, department=obj, **data)

    def success_url(self, obj):
        return reverse("orgs:department_list")


class InstitutionCreate(ServiceFormPage):
    title = _("新增机构")
    form_class = forms.InstitutionForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_institution")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view")}

    def save(self, request, obj, data):
        data.pop("status", None)
        return services.institution_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:institution_list")


class InstitutionEdit(_EditPage):
    title = _("机构")
    form_class = forms.InstitutionForm
    model = Institution

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view")}

    def initial(self, obj):
        return {
            "name": obj.name, "kind": obj.kind, "credit_code": obj.credit_code,
            "region": obj.region.code, "status": obj.status, "address": obj.address,
            "contact_name": obj.contact_name, "contact_phone": obj.contact_phone,
        }

    def save(self, request, obj, data):
        return services.institution_update(actor=request.user, institution=obj, **data)

    def success_url(self, obj):
        return reverse("orgs:institution_list")


class UserCreate(ServiceFormPage):
    title = _("新增用户")
    form_class = forms.UserForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_user")

    def get_form_kwargs(self, request, obj):
        return {"user": request.user}

    def save(self, request, obj, data):
        data.pop("is_active", None)
        return services.user_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:user_list")


class UserEdit(_EditPage):
    title = _("用户")
    form_class = forms.UserForm
    model = User
    template_name = "orgs/user_form.html"

    def get_form_kwargs(self, request, obj):
        return {"user": request.user, "editing": True}

    def initial(self, obj):
        return {
            "username": obj.username, "full_name": obj.full_name, "phone": obj.phone,
            "region": obj.region.code if obj.region_id else "", "institution": obj.institution_id,
            "department": obj.department_id, "roles": list(obj.roles.all()),
            "language": obj.language, "is_active": obj.is_active,
        }

    def save(self, request, obj, data):
        data.pop("username", None)
        password = data.pop("password", "")
        user = services.user_update(actor=request.user, user=obj, **data)
        if password:
            services.user_reset_password(actor=request.user, user=user, password=password)
        return user

    def success_url(self, obj):
        return reverse("orgs:user_list")


class RoleCreate(ServiceFormPage):
    title = _("新增角色")
    form_class = forms.RoleForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_role")

    def save(self, request, obj, data):
        data.pop("is_active", None)
        return services.role_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:role_list")


class RoleEdit(_EditPage):
    title = _("角色")
    form_class = forms.RoleForm
    model = Role

    def get_form_kwargs(self, request, obj):
        return {"editing": True}

    def initial(self, obj):
        return {
            "code": obj.code, "name": obj.name, "description": obj.description,
            "scope_kind": obj.scope_kind, "permissions": "\n".join(obj.permissions),
            "scope_regions": list(obj.scope_regions.order_by("code")),
            "is_active": obj.is_active,
        }

    def save(self, request, obj, data):
        data.pop("code", None)
        if obj.builtin:
            data.pop("permissions", None)
        return services.role_update(actor=request.user, role=obj, **data)

    def success_url(self, obj):
        return reverse("orgs:role_list")


class SecurityPolicyEdit(ServiceFormPage):
    title = _("安全策略")
    form_class = forms.SecurityPolicyForm
    success_message = _("安全策略已更新")

    def get_object(self, request):
        return SecurityPolicy.current()

    def check_allowed(self, request, obj):
        require(request.user, "orgs.view_securitypolicy")
        if request.method == "POST":
            require(request.user, "orgs.change_securitypolicy")

    def initial(self, obj):
        return {name: getattr(obj, name) for name in services.POLICY_FIELDS}

    def save(self, request, obj, data):
        return services.security_policy_update(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("orgs:security_policy")


# ---------------------------------------------------------------- API tokens


@login_required
def token_list_view(request, pk):
    """The tokens of one user; an administrator creates one here and sees it once."""
    require(request.user, "orgs.view_apitoken")
    try:
        owner = get_restricted(User, request.user, "view", pk=pk)
    except NotFound:
        raise Http404 from None
    form = forms.TokenForm(
        request.POST or None, initial={"days": SecurityPolicy.current().token_days}
    )
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.token_create(
                actor=request.user, user=owner, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
    tokens = selectors.token_list(user=request.user).filter(user=owner)
    response = render(request, "orgs/tokens.html", {
        "owner": owner, "tokens": tokens, "form": form, "new_token": new_token,
        "can_add": request.user.has_permission("orgs.add_apitoken"),
        "can_revoke": request.user.has_permission("orgs.change_apitoken"),
    })
    response["Cache-Control"] = "no-store"  # the new token must not linger in a cache
    return response


@login_required
@require_POST
def token_revoke_view(request, pk):
    try:
        token = get_restricted(ApiToken, request.user, "change", pk=pk)
        services.token_revoke(actor=request.user, token=token)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("令牌 %(prefix)s… 已吊销") % {"prefix": token.prefix})
    return redirect("orgs:user_tokens", pk=token.user_id)


@login_required
@require_POST
def user_unlock_view(request, pk):
    try:
        user = get_restricted(User, request.user, "view", pk=pk)
        services.user_unlock(actor=request.user, user=user)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("账号 %(username)s 已解锁") % {"username": user.username})
    return redirect("orgs:user_edit", key=pk)
