"""Pages of training wishes (培训意愿摸排): the officers' list, record form, survey-roster import
and summary (the summary also for institutions planning classes: counts only), and a worker's
own wishes and notices of classes that opened, on their phone."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.catalog.models import SkillLevel
from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.spreadsheets import XLSX_CONTENT_TYPE, export_filename
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs.forms import RegionField, region_filter
from jineng.people.models import Person
from jineng.people.selectors import self_only
from jineng.training import wishes
from jineng.training.models import WishSource

_DATE = {"type": "date"}
TIME_NOTE_HINT = _("如：周末、晚上、工作日白天")


class WishFields(forms.Form):
    occupation = forms.CharField(
        label=_("想学的职业"), max_length=100,
        help_text=_("职业名称或职业分类大典代码，如 电工 或 6-31-01-03"))
    work_type = forms.CharField(label=_("工种（可不填）"), max_length=100, required=False)
    level = forms.ModelChoiceField(label=_("等级（可不填）"), queryset=SkillLevel.objects.all(),
                                   required=False, empty_label=_("不限"))
    available_from = forms.DateField(label=_("可参训起（可不填）"), required=False,
                                     widget=forms.DateInput(attrs=_DATE))
    available_to = forms.DateField(label=_("可参训止（可不填）"), required=False,
                                   widget=forms.DateInput(attrs=_DATE))
    time_note = forms.CharField(label=_("可参训时段"), max_length=wishes.TIME_NOTE_MAX,
                                required=False,
                                widget=forms.TextInput(attrs={"placeholder": TIME_NOTE_HINT}))


class WishForm(WishFields):
    """An officer's form: the person by identity number, the region in the officer's scope."""

    id_number = forms.CharField(label=_("证件号码"), max_length=30,
                                help_text=_("须已实名登记；未登记的人员可通过摸排花名册导入一并登记"))
    region = RegionField(label=_("可参训地区"),
                         help_text=_("可以参加培训的地区，输入名称或区划代码，如 梁园区"))
    field_order = ["id_number", "occupation", "work_type", "level", "region", "available_from",
                   "available_to", "time_note"]


class MyWishForm(WishFields):
    region = RegionField(label=_("在哪里参加培训"), scope="all",
                         help_text=_("输入县区名称，如 梁园区"))
    field_order = ["occupation", "work_type", "level", "region", "available_from",
                   "available_to", "time_note"]


def _wish_fields(data: dict) -> dict:
    return {"occupation": data["occupation"], "work_type": data.get("work_type") or "",
            "level": data.get("level"), "region": data["region"],
            "available_from": data.get("available_from"),
            "available_to": data.get("available_to"), "time_note": data.get("time_note") or ""}


def _when(w) -> str:
    return wishes._period(w) + (f" {w.time_note}" if w.time_note else "")


# ---------------------------------------------------------------- officers


class WishList(ScopedListPage):
    title = _("培训意愿")
    permission = "training.view_trainingwish"
    export_permission = "training.export_trainingwish"
    add_permission = "training.add_trainingwish"
    create_url_name = "training:wish_record"
    selector = wishes.wish_list
    object_type = "training.trainingwish"
    template_name = "training/wish_list.html"
    filters = [region_filter(), Filter("occupation", _("职业")),
               Filter("source", _("来源"), WishSource.choices),
               Filter("active", _("状态"), [("1", _("有效")), ("0", _("已撤销"))])]
    columns = [
        Column(_("姓名"), lambda w: w.person.name, link=True),
        Column(_("证件号码"), lambda w: w.person.id_masked),
        Column(_("想学的职业"), lambda w: f"{w.occupation.code} {w.occupation.name}"),
        Column(_("工种"), lambda w: w.work_type.name if w.work_type_id else "—"),
        Column(_("等级"), lambda w: w.level.name if w.level_id else "—"),
        Column(_("可参训地区"), lambda w: w.region.name),
        Column(_("可参训时间"), _when),
        Column(_("来源"), lambda w: w.get_source_display()),
        Column(_("登记时间"), lambda w: timezone.localtime(w.created_at).strftime("%Y-%m-%d")),
    ]

    def filter_values(self, request):
        values = super().filter_values(request)
        if "active" not in request.GET:
            values["active"] = "1"
        return values

    def respond(self, request):
        if self_only(request.user):  # a worker's list is their own page
            return redirect("training:my_wishes")
        return super().respond(request)

    def row_url(self, obj):
        return reverse("training:wish_detail", args=[obj.pk])


@login_required
def wish_detail_view(request, pk):
    try:
        wish = wishes.wish_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    can_withdraw = wish.is_active and request.user.has_permission(
        "training.change_trainingwish")
    return render(request, "training/wish_detail.html", {
        "title": _("培训意愿"), "wish": wish, "when": _when(wish),
        "notices": wishes.notices_for_wish(wish), "can_withdraw": can_withdraw,
        "own": wish.person.user_id == request.user.pk,
    })


class WishRecord(ServiceFormPage):
    title = _("登记培训意愿")
    form_class = WishForm
    success_message = _("培训意愿已登记")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_trainingwish")
        if self_only(request.user):
            raise Forbidden(_("请在“我的培训意愿”中填报本人的意愿"))

    def initial(self, obj):
        return {"region": getattr(self.request.user, "region", None)}

    def save(self, request, obj, data):
        wish = wishes.wish_record_by_id(actor=request.user, id_number=data["id_number"],
                                        **_wish_fields(data))
        if wish.was_update:
            self.success_message = _("该人员已有此职业的培训意愿，已更新")
        return wish

    def success_url(self, obj):
        return reverse("training:wish_detail", args=[obj.pk])


@login_required
@require_POST
def wish_withdraw_view(request, pk):
    try:
        wish = wishes.wish_get(user=request.user, pk=pk, action="change")
    except NotFound:
        raise Http404 from None
    try:
        with transaction.atomic(durable=True):
            wishes.wish_withdraw(actor=request.user, wish=wish)
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("培训意愿已撤销"))
    if wish.person.user_id == request.user.pk:
        return redirect("training:my_wishes")
    return redirect("training:wish_detail", pk=wish.pk)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("摸排花名册"),
                           help_text=_("支持 .xlsx、.xls、.csv；每行一人一个意向职业"))
    region = RegionField(label=_("默认可参训地区"),
                         help_text=_("“可参训地区”为空的行记入此地区，也是未登记人员的默认户籍地"))


@login_required
def wish_import_view(request):
    require(request.user, "training.add_trainingwish")
    result = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = wishes.wish_import(actor=request.user, upload=upload,
                                            file_name=upload.name,
                                            region=form.cleaned_data["region"])
            except Forbidden as exc:
                if exc.errors:
                    for field, message in exc.errors.items():
                        form.add_error(field if field in form.fields else None, message)
                    status = exc.status
                else:
                    raise
            except ServiceError as exc:
                for field, message in (exc.errors or {None: exc.message}).items():
                    form.add_error(field if field in form.fields else None, message)
                status = 400
            else:
                status = 200 if result.ok else 400
        else:
            status = 400
    else:
        form = ImportForm(initial={"region": getattr(request.user, "region", None)})
    return render(request, "training/wish_import.html", {
        "title": _("导入培训意愿摸排花名册"), "form": form, "result": result,
        "headers": wishes.TEMPLATE_HEADERS,
    }, status=status)


@login_required
def wish_import_template_view(request):
    require(request.user, "training.add_trainingwish")
    import io

    buffer = io.BytesIO()
    wishes.write_import_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "培训意愿摸排模板.xlsx")
    return response


# ---------------------------------------------------------------- the summary


@login_required
def wish_summary_view(request):
    """Counts by region (drill down a level), target group and occupation: officers of their
    region and below, institutions of theirs. Never a name or a number."""
    require(request.user, wishes.SUMMARY_PERMISSION)
    user = request.user
    allowed = wishes.summary_regions(user)
    region_field = RegionField(required=False, regions=allowed, scope="all")
    typed_region = request.GET.get("region", "").strip()
    typed_occupation = request.GET.get("occupation", "").strip()
    typed_year = request.GET.get("year", "").strip()
    typed_from = request.GET.get("period_from", "").strip()
    typed_to = request.GET.get("period_to", "").strip()
    problems = []
    region = occupation = year = None
    if typed_region:
        try:
            region = region_field.clean(typed_region)
        except forms.ValidationError as exc:
            problems.extend(exc.messages)
    if typed_occupation:
        try:
            occupation = wishes.parse_occupation(typed_occupation)
        except ValueError as exc:
            problems.append(str(exc))
    if typed_year:
        if typed_year.isdigit() and 2000 <= int(typed_year) <= 2100:
            year = int(typed_year)
        else:
            problems.append(_("年度须为 2000–2100 之间的数字"))
    dates = {}
    for key, typed, label in (("from", typed_from, _("期间起")), ("to", typed_to, _("期间止"))):
        if typed:
            try:
                dates[key] = dt.date.fromisoformat(typed)
            except ValueError:
                problems.append(_("%(label)s须为日期（如 2026-03-01）") % {"label": label})
    period_from, period_to = dates.get("from"), dates.get("to")
    summary = None
    if not problems:
        try:
            summary = wishes.wish_summary(user=user, region=region, occupation=occupation,
                                          year=year, period_from=period_from,
                                          period_to=period_to)
        except ServiceError as exc:
            problems.append(exc.message)
    if summary is not None and request.GET.get("export") == "xlsx":
        require(user, wishes.SUMMARY_PERMISSION)
        body = wishes.summary_xlsx(summary, actor=user)
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, export_filename(summary.region.name, "培训意愿汇总",
                                  on_date=timezone.localdate()))
        return response
    query = {k: v for k, v in (("occupation", typed_occupation), ("year", typed_year),
                               ("period_from", typed_from), ("period_to", typed_to)) if v}
    picker = region_field.widget.render("region", typed_region or (
        summary.region.code if summary else ""), attrs={
        "id": "region", "aria-label": _("地区"), "placeholder": _("地区名称或代码")})
    return render(request, "training/wish_summary.html", {
        "title": _("培训意愿汇总"), "summary": summary, "problems": problems,
        "region_picker": picker, "occupation": typed_occupation, "year": typed_year,
        "period_from": typed_from, "period_to": typed_to,
        "query": query, "years": range(timezone.localdate().year, 2019, -1),
        "can_list": user.has_permission("training.view_trainingwish")
        and not user.institution_id,
    }, status=400 if problems else 200)


# ---------------------------------------------------------------- a worker's own pages


@login_required
def my_wishes_view(request):
    require(request.user, "training.view_trainingwish")
    person = Person.objects.filter(user=request.user).first()
    return render(request, "training/wish_mine.html", {
        "title": _("我的培训意愿"), "person": person,
        "wishes": [(w, _when(w)) for w in wishes.my_wishes(user=request.user)],
        "unread": wishes.my_notices(user=request.user).filter(read_at__isnull=True).count(),
        "can_add": request.user.has_permission("training.add_trainingwish"),
    })


class MyWishRecord(ServiceFormPage):
    title = _("填报培训意愿")
    form_class = MyWishForm
    success_message = _("培训意愿已提交，有合适的培训班开班时会通知您")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_trainingwish")

    def initial(self, obj):
        person = Person.objects.filter(user=self.request.user).select_related(
            "residence_region", "household_region").first()
        home = person and (person.residence_region or person.household_region)
        return {"region": home}

    def save(self, request, obj, data):
        wish = wishes.wish_record_self(actor=request.user, **_wish_fields(data))
        if wish.was_update:
            self.success_message = _("您已填报过该职业，已按本次填写更新")
        return wish

    def success_url(self, obj):
        return reverse("training:my_wishes")


@login_required
def my_notices_view(request):
    require(request.user, "training.view_wishnotice")
    return render(request, "training/wish_notices.html", {
        "title": _("开班通知"), "notices": wishes.my_notices(user=request.user),
        "can_mark": request.user.has_permission("training.change_wishnotice"),
    })


@login_required
def my_notice_view(request, pk):
    require(request.user, "training.view_wishnotice")
    try:
        notice = wishes.notice_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    c = notice.training_class
    return render(request, "training/wish_notice.html", {
        "title": c.name, "notice": notice, "c": c,
        "can_mark": request.user.has_permission("training.change_wishnotice"),
    })


@login_required
@require_POST
def my_notice_read_view(request, pk):
    try:
        notice = wishes.notice_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    with transaction.atomic(durable=True):
        wishes.notice_mark_read(actor=request.user, notice=notice)
    messages.success(request, _("已标为已读"))
    return redirect("training:my_notices")


@login_required
@require_POST
def my_notices_read_all_view(request):
    with transaction.atomic(durable=True):
        count = wishes.notices_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": count})
    return redirect("training:my_notices")


urlpatterns = [
    path("wishes/", WishList.as_view(), name="wish_list"),
    path("wishes/new/", WishRecord.as_view(), name="wish_record"),
    path("wishes/import/", wish_import_view, name="wish_import"),
    path("wishes/import/template/", wish_import_template_view, name="wish_import_template"),
    path("wishes/summary/", wish_summary_view, name="wish_summary"),
    path("wishes/<int:pk>/", wish_detail_view, name="wish_detail"),
    path("wishes/<int:pk>/withdraw/", wish_withdraw_view, name="wish_withdraw"),
    path("my/wishes/", my_wishes_view, name="my_wishes"),
    path("my/wishes/new/", MyWishRecord.as_view(), name="my_wish_record"),
    path("my/notices/", my_notices_view, name="my_notices"),
    path("my/notices/read-all/", my_notices_read_all_view, name="my_notices_read_all"),
    path("my/notices/<int:pk>/", my_notice_view, name="my_notice"),
    path("my/notices/<int:pk>/read/", my_notice_read_view, name="my_notice_read"),
]
