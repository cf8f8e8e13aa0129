"""Pages of training: designations (apply, list, detail, suspend, exit), teachers and their
engagements, school reports, and the public directory of designated institutions."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.events import action_label
from jineng.core.models import AuditEvent
from jineng.core.refusals import require
from jineng.core.views import PAGE_SIZE, Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs.forms import RegionField, region_filter
from jineng.orgs.models import Institution
from jineng.training import completion, forms, selectors, services
from jineng.training.models import TRAINING_KINDS, DesignationStatus


def _names(items) -> str:
    return "、".join(str(getattr(i, "name", i)) for i in items) or "—"


def _period(d) -> str:
    return f"{d.valid_from:%Y-%m-%d} 至 {d.valid_to:%Y-%m-%d}"


def _institutions(user, permission: str, kinds=TRAINING_KINDS):
    if not user.has_permission(permission):
        return Institution.objects.none()
    return Institution.objects.restrict(user, "view").filter(kind__in=kinds).order_by("name")


# ---------------------------------------------------------------- designations


class DesignationList(ScopedListPage):
    title = _("定点培训机构")
    permission = "training.view_designation"
    export_permission = "training.export_designation"
    add_permission = "training.add_designation"
    create_url_name = "training:designation_apply"
    selector = selectors.designation_list
    object_type = "training.designation"
    filters = [Filter("status", _("状态"), DesignationStatus.choices), region_filter(),
               Filter("occupation", _("职业"))]
    columns = [
        Column(_("机构"), lambda d: d.institution.name, link=True),
        Column(_("地区"), lambda d: d.institution.region.name),
        Column(_("举办性质"), lambda d: d.get_ownership_display()),
        Column(_("培训职业"), lambda d: _names(d.occupations.all())),
        Column(_("培训等级"), lambda d: _names(d.levels.all())),
        Column(_("定点期"), _period),
        Column(_("状态"), lambda d: d.get_status_display()),
    ]

    def row_url(self, obj):
        return reverse("training:designation_detail", args=[obj.pk])


class DesignationApply(ServiceFormPage):
    title = _("申请定点培训机构")
    form_class = forms.DesignationForm
    success_message = _("定点申请已提交，等待审核")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_designation")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user, "training.add_designation")}

    def initial(self, obj):
        year = dt.date.today().year
        return {"valid_from": dt.date(year, 1, 1), "valid_to": dt.date(year + 2, 12, 31)}

    def save(self, request, obj, data):
        return services.designation_submit(
            actor=request.user, institution=data["institution"], ownership=data["ownership"],
            occupations=data["occupation_codes"], levels=list(data["levels"]),
            valid_from=data["valid_from"], valid_to=data["valid_to"])

    def success_url(self, obj):
        return reverse("training:designation_detail", args=[obj.pk])


class DesignationResubmit(ServiceFormPage):
    """A returned application, changed and filed again by its institution."""

    title = _("修改并重新提交定点申请")
    form_class = forms.DesignationForm
    success_message = _("定点申请已重新提交，等待审核")

    def get_object(self, request, pk):
        return selectors.designation_get(user=request.user, pk=pk, action="add")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_designation")

    def get_form_kwargs(self, request, obj):
        return {"institutions": Institution.objects.filter(pk=obj.institution_id)}

    def initial(self, obj):
        return {"institution": obj.institution_id, "ownership": obj.ownership,
                "occupation_codes": ", ".join(o.code for o in obj.occupations.all()),
                "levels": list(obj.levels.all()), "valid_from": obj.valid_from,
                "valid_to": obj.valid_to}

    def save(self, request, obj, data):
        return services.designation_resubmit(
            actor=request.user, designation=obj, ownership=data["ownership"],
            occupations=data["occupation_codes"], levels=list(data["levels"]),
            valid_from=data["valid_from"], valid_to=data["valid_to"])

    def success_url(self, obj):
        return reverse("training:designation_detail", args=[obj.pk])


def _timeline(designation) -> list[dict]:
    """What happened to the designation, from its audit events (the review chain's timeline
    takes over once it is wired)."""
    events = AuditEvent.objects.filter(object_type="training.designation",
                                       object_id=str(designation.pk)).order_by("id")
    return [{"at": e.at, "actor": e.actor_name, "label": action_label(e.action),
             "reason": (e.changes.get("reason") or [None, ""])[1]} for e in events]


@login_required
def designation_detail_view(request, pk):
    try:
        designation = selectors.designation_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    user = request.user
    can_supervise = (user.has_permission("training.change_designation")
                     and designation.status in (DesignationStatus.DESIGNATED,
                                                DesignationStatus.SUSPENDED))
    year = designation.valid_from.year
    full, total = selectors.full_time_share(designation.institution, year)
    return render(request, "training/designation_detail.html", {
        "title": designation.institution.name, "designation": designation,
        "occupations": designation.occupations.all(), "levels": designation.levels.all(),
        "timeline": _timeline(designation), "year": year, "full": full, "total": total,
        "share_problem": selectors.full_time_share_problem(
            designation.institution, year, ownership=designation.ownership),
        "can_supervise": can_supervise,
        "can_resubmit": designation.status == DesignationStatus.RETURNED
        and user.has_permission("training.add_designation"),
        "can_suspend": can_supervise and designation.status == DesignationStatus.DESIGNATED,
        "reason_form": forms.ReasonForm(),
        "rating": completion.institution_rating(designation.institution),
    })


_SUPERVISION = {"suspend": (services.designation_suspend, _("已暂停定点资格")),
                "exit": (services.designation_exit, _("已退出定点"))}


@login_required
@require_POST
def designation_supervise_view(request, pk, action):
    if action not in _SUPERVISION:
        raise Http404
    try:
        designation = selectors.designation_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    service, done = _SUPERVISION[action]
    try:
        with transaction.atomic(durable=True):
            service(actor=request.user, designation=designation,
                    reason=request.POST.get("reason", ""))
    except Forbidden:
        raise  # answered 403, as on the API
    except ServiceError as exc:
        messages.error(request, exc.errors.get("reason") or exc.message)
    else:
        messages.success(request, done)
    return redirect("training:designation_detail", pk=designation.pk)


# ---------------------------------------------------------------- public directory


def directory_view(request):
    """Anyone: the designated institutions (and those suspended or exited), with their
    occupations, levels, status and period; by region and occupation."""
    region_field = RegionField(required=False, scope="all", as_code=True)
    typed = request.GET.get("region", "").strip()
    occupation = request.GET.get("occupation", "").strip()
    problem = ""
    region_code = ""
    if typed:
        try:
            region_code = region_field.clean(typed)
        except Exception as exc:  # a ValidationError: said on the page, nothing matches
            problem = "；".join(getattr(exc, "messages", [str(exc)]))
            region_code = "-"
    rows = selectors.public_directory(region_code=region_code, occupation=occupation)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    picker = region_field.widget.render("region", typed, attrs={
        "id": "region", "aria-label": _("地区"), "placeholder": _("地区名称或代码，如 梁园区")})
    return render(request, "training/directory.html", {
        "title": _("定点培训机构名录"), "page": page, "region_picker": picker,
        "occupation": occupation, "problem": problem, "typed": typed,
    }, status=404 if problem else 200)


# ---------------------------------------------------------------- teachers


class TeacherList(ScopedListPage):
    title = _("培训教师")
    permission = "training.view_teacher"
    export_permission = "training.export_teacher"
    add_permission = "training.add_teacher"
    create_url_name = "training:teacher_register"
    selector = selectors.teacher_list
    object_type = "training.teacher"
    columns = [
        Column(_("姓名"), lambda t: t.person.name, link=True),
        Column(_("证件号码"), lambda t: t.person.id_masked),
        Column(_("上岗资格证号"), lambda t: t.qualification_number),
        Column(_("有效期至"), lambda t: t.qualification_expires),
        Column(_("双师型"), lambda t: _("是") if t.dual_qualified else _("否")),
        Column(_("登记机构"), lambda t: t.institution.name),
    ]

    def row_url(self, obj):
        return reverse("training:teacher_detail", args=[obj.pk])


@login_required
def teacher_detail_view(request, pk):
    try:
        teacher = selectors.teacher_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    engagements = selectors.engagement_list(user=request.user).filter(teacher=teacher)
    return render(request, "training/teacher_detail.html", {
        "title": teacher.person.name, "teacher": teacher, "engagements": engagements,
        "not_assignable": selectors.teacher_assignable(teacher),
    })


class TeacherRegister(ServiceFormPage):
    title = _("登记培训教师")
    form_class = forms.TeacherForm
    success_message = _("教师已登记")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_teacher")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user, "training.add_teacher")}

    def save(self, request, obj, data):
        return services.teacher_register_by_id(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("training:teacher_detail", args=[obj.pk])


class EngagementList(ScopedListPage):
    title = _("教师聘用")
    permission = "training.view_engagement"
    export_permission = "training.export_engagement"
    add_permission = "training.add_engagement"
    create_url_name = "training:engagement_add"
    selector = selectors.engagement_list
    object_type = "training.engagement"
    filters = [Filter("year", _("年度"))]
    columns = [
        Column(_("教师"), lambda e: e.teacher.person.name),
        Column(_("聘用机构"), lambda e: e.institution.name),
        Column(_("年度"), lambda e: e.year),
        Column(_("聘用方式"), lambda e: e.get_kind_display()),
    ]

    def parse_filters(self, filters, typed):
        values, problems = super().parse_filters(filters, typed)
        year = values.get("year")
        values["year"] = int(year) if str(year).isdigit() else None
        if year and values["year"] is None:
            problems.append(_("年度须为数字"))
        return values, problems


class EngagementAdd(ServiceFormPage):
    title = _("登记教师聘用")
    form_class = forms.EngagementForm
    success_message = _("聘用已登记")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_engagement")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user, "training.add_engagement")}

    def initial(self, obj):
        return {"year": dt.date.today().year}

    def save(self, request, obj, data):
        return services.engagement_add_by_id(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("training:engagement_list")


# ---------------------------------------------------------------- school reports


@login_required
def school_report_list_view(request):
    require(request.user, "training.view_schoolreport")
    reports = selectors.school_report_list(user=request.user)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/school_reports.html", {
        "title": _("院校培训年报"), "page": page,
        "can_add": request.user.has_permission("training.add_schoolreport"),
    })


class SchoolReportSet(ServiceFormPage):
    title = _("填报院校培训年报")
    form_class = forms.SchoolReportForm
    success_message = _("年报已保存")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_schoolreport")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user, "training.add_schoolreport",
                                              kinds=("technical_school",))}

    def initial(self, obj):
        return {"year": dt.date.today().year - 1}

    def save(self, request, obj, data):
        return services.school_report_set(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("training:school_report_list")
