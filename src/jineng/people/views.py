"""Registry pages: search, register, edit, the lifelong archive, target groups. Thin: the
rules live in services and selectors."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.core.errors import NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.scope import get_restricted
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs.forms import region_filter
from jineng.orgs.models import TargetGroup
from jineng.people import forms, roster, selectors, services
from jineng.people.models import Person

# ---------------------------------------------------------------- people


def _groups(p: Person) -> str:
    return gettext("、").join(selectors.person_group_names(p))


class PersonList(ScopedListPage):
    title = _("劳动者实名登记")
    permission = "people.view_person"
    export_permission = "people.export_person"
    add_permission = "people.add_person"
    selector = selectors.person_list
    object_type = "people.person"
    create_url_name = "people:person_create"
    columns = [
        Column(_("姓名"), lambda p: p.name, link=True),
        Column(_("证件号码"), lambda p: p.id_masked),
        Column(_("性别"), lambda p: p.get_sex_display()),
        Column(_("出生年份"), lambda p: p.birth_date.year if p.birth_date else ""),
        Column(_("户籍地"), lambda p: p.household_region.name if p.household_region_id else ""),
        Column(_("常住地"), lambda p: p.residence_region.name if p.residence_region_id else ""),
        Column(_("重点群体"), _groups),
        Column(_("手机号"), lambda p: p.phone_masked),
    ]

    template_name = "people/person_list.html"
    # A full identity number is searched by POST only: never in a URL, a log, the page or an
    # audit event in clear (see ScopedListPage.sensitive_filters).
    sensitive_filters = frozenset({"id_number"})
    sensitive_url_message = _(
        "出于保护，证件号码不能放在网址中查询，请在“证件号码（精确）”框中输入后点“精确查找”"
    )

    def get_filters(self, request):
        return [
            Filter("id_number", _("证件号码（精确）")),
            region_filter(),
            Filter("target_group", _("重点群体"),
                   [(g.code, g.name) for g in selectors.active_target_groups()]),
        ]

    def sensitive_in_url(self, request):
        # The selector reads a number-like `q` as an identity number: not from a URL either.
        leaked = super().sensitive_in_url(request)
        q = request.GET.get("q", "")
        return leaked + ["q"] if selectors.looks_like_id_number(q) else leaked

    def respond(self, request):
        if request.user.is_authenticated and selectors.self_only(request.user):
            return redirect("people:my_archive")
        return super().respond(request)

    def row_url(self, obj):
        return reverse("people:person_detail", args=[obj.pk])


def _person_input(data: dict, *, editing: bool) -> dict:
    data = dict(data)
    data["target_groups"] = list(data.get("target_groups") or [])
    if editing:
        for key in ("id_number", "phone", *(c.field for c in roster.PLAIN if c.sensitive)):
            if not data.get(key):
                data.pop(key, None)
        if "id_number" not in data:
            data.pop("doc_type", None)
    return data


class PersonCreate(ServiceFormPage):
    title = _("登记劳动者")
    form_class = forms.PersonForm
    success_message = _("已登记")

    def check_allowed(self, request, obj):
        require(request.user, "people.add_person")

    def initial(self, obj):
        region = getattr(self.request.user, "region", None)
        return {"household_region": region.code if region and region.level == 3 else ""}

    def save(self, request, obj, data):
        return services.person_create(actor=request.user, source="page",
                                      **_person_input(data, editing=False))

    def success_url(self, obj):
        return reverse("people:person_detail", args=[obj.pk])


class PersonEdit(ServiceFormPage):
    title = _("修改劳动者信息")
    form_class = forms.PersonForm

    def get_object(self, request, pk):
        return selectors.person_get(user=request.user, pk=pk, action="change")

    def get_form_kwargs(self, request, obj):
        return {"editing": True}

    def initial(self, obj):
        return {
            "doc_type": obj.doc_type, "name": obj.name, "sex": obj.sex,
            "birth_date": obj.birth_date,
            "household_region": obj.household_region.code if obj.household_region_id else "",
            "residence_region": obj.residence_region.code if obj.residence_region_id else "",
            **{c.field: getattr(obj, c.field) for c in roster.SHOWN},
            "target_groups": list(obj.target_groups),
            "user": obj.user.username if obj.user_id else "",
        }

    def render(self, request, form, obj, status=200, **extra):
        form.fields["id_number"].widget.attrs["placeholder"] = obj.id_masked
        form.fields["phone"].widget.attrs["placeholder"] = obj.phone_masked
        return super().render(request, form, obj, status, **extra)

    def save(self, request, obj, data):
        login = data.pop("user", "")
        with transaction.atomic():  # a bad login undoes the other changes too
            person = services.person_update(actor=request.user, person=obj, source="page",
                                            **_person_input(data, editing=True))
            if login != (obj.user.username if obj.user_id else ""):
                person = services.person_link_login(actor=request.user, person=person,
                                                    username=login)
        return person

    def success_url(self, obj):
        return reverse("people:person_detail", args=[obj.pk])


def _archive(request, person: Person, *, revealed=None, status=200, own=False):
    user = request.user
    return render(request, "people/archive.html", {
        "title": _("终身职业技能培训电子档案"),
        "person": person,
        "own": own,
        "groups": _groups(person),
        "columns": [(_(c.change_label), c.shown(person)) for c in roster.SHOWN],
        "history": selectors.person_history(user=user, person=person),
        "sections": selectors.archive_sections(person=person, user=user),
        "access_log": selectors.person_access_log(user=user, person=person) if own else None,
        "can_unmask": user.has_permission("people.unmask_person")
        and services.can_unmask(user, person),
        "can_edit": Person.objects.restrict(user, "change").filter(pk=person.pk).exists(),
        "revealed": revealed,
    }, status=status)


@login_required
def person_detail_view(request, pk):
    try:
        person = selectors.person_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return _archive(request, person, own=person.user_id == request.user.pk)


@login_required
@require_POST
@never_cache
def person_reveal_view(request, pk):
    """显示完整号码: audited, refusals too; the values are rendered once, never put in a URL
    or session, nor kept in a cache (no-store)."""
    revealed = services.person_reveal(actor=request.user, pk=pk,
                                      reason=request.POST.get("reason", ""))
    return _archive(request, selectors.person_get(user=request.user, pk=pk), revealed=revealed)


@login_required
def my_archive_view(request):
    """A worker's own archive (终身职业技能培训电子档案)."""
    person = selectors.person_of_user(user=request.user)
    if person is None:
        return render(request, "people/archive.html", {
            "title": _("我的终身职业技能培训电子档案"), "person": None, "own": True,
        })
    return _archive(request, person, own=True)


@login_required
def person_lookup_view(request):
    """For an institution enrolling someone: an exact-number look-up with masked results."""
    require(request.user, "people.lookup_person")
    form = forms.LookupForm(request.POST or None)
    result, searched = None, False
    if request.method == "POST" and form.is_valid():
        try:
            result = services.person_lookup_for_enrolment(
                actor=request.user, id_number=form.cleaned_data["id_number"],
                doc_type=form.cleaned_data["doc_type"],
            )
            searched = True
            # The full number is not echoed back into the page.
            form = forms.LookupForm(initial={"doc_type": form.cleaned_data["doc_type"]})
        except ServiceError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
    return render(request, "people/lookup.html", {
        "title": _("按证件号码查找劳动者（报名核验）"), "form": form, "result": result,
        "searched": searched,
        "can_add": request.user.has_permission("people.add_person"),
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------- target groups


class TargetGroupList(ScopedListPage):
    title = _("重点群体")
    permission = "orgs.view_targetgroup"
    add_permission = "orgs.add_targetgroup"
    selector = selectors.target_group_list
    object_type = "orgs.targetgroup"
    create_url_name = "people:targetgroup_create"
    columns = [
        Column(_("名称"), lambda g: g.name, link=True),
        Column(_("编码"), lambda g: g.code),
        Column(_("排序"), lambda g: g.sort_order),
        Column(_("内置"), lambda g: gettext("是") if g.builtin else ""),
        Column(_("状态"), lambda g: gettext("启用") if g.is_active else gettext("停用")),
    ]

    def row_url(self, obj):
        return reverse("people:targetgroup_edit", args=[obj.pk])


class TargetGroupCreate(ServiceFormPage):
    title = _("新增重点群体")
    form_class = forms.TargetGroupForm

    def check_allowed(self, request, obj):
        require(request.user, "orgs.add_targetgroup")

    def save(self, request, obj, data):
        return services.target_group_create(actor=request.user, code=data["code"],
                                            name=data["name"], sort_order=data["sort_order"])

    def success_url(self, obj):
        return reverse("people:targetgroup_list")


class TargetGroupEdit(ServiceFormPage):
    title = _("重点群体")
    form_class = forms.TargetGroupForm

    def get_object(self, request, key):
        # Reference data: anyone who may read it opens it; the service refuses a change
        # (in Chinese, on the form) unless the role may change target groups.
        return get_restricted(TargetGroup, request.user, "view", pk=key)

    def get_form_kwargs(self, request, obj):
        return {"editing": True}

    def initial(self, obj):
        return {"code": obj.code, "name": obj.name, "sort_order": obj.sort_order,
                "is_active": obj.is_active}

    def render(self, request, form, obj, status=200, **extra):
        read_only = not request.user.has_permission("orgs.change_targetgroup")
        if read_only:
            for f in form.fields.values():
                f.disabled = True
        return super().render(request, form, obj, status, read_only=read_only, **extra)

    def save(self, request, obj, data):
        return services.target_group_update(
            actor=request.user, target_group=obj, name=data["name"],
            is_active=data["is_active"], sort_order=data["sort_order"],
        )

    def success_url(self, obj):
        return reverse("people:targetgroup_list")
