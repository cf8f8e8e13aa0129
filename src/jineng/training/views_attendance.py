"""Pages of attendance: the class's screen with its QR code (refreshed by a small local
script polling a JSON address), the trainee's phone page that checks in, the supervision
list and a record's page with an officer's decision, the class's attendance page (the panel
the class page includes, results and their deadline, manual records), the worker's own."""

import os

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.views import Column, Filter, ScopedListPage
from jineng.people.models import Person
from jineng.training import attendance as service
from jineng.training.models import (
    AttendanceFlag,
    AttendanceStatus,
    CheckKind,
    Enrolment,
    EnrolmentStatus,
    Session,
    TrainingClass,
)

SUPERVISE = service.SUPERVISE


def class_url(training_class) -> str:
    """The class's own page once the classes' pages are there, else its attendance page."""
    try:
        return reverse("training:class_detail", args=[training_class.pk])
    except NoReverseMatch:
        return reverse("training:attendance_class", args=[training_class.pk])


def _class_for(user, pk, permission="training.view_attendance") -> TrainingClass:
    require(user, permission)
    found = (TrainingClass.objects.restrict(user, "view").filter(pk=pk)
             .select_related("region", "institution__region").first())
    if found is None:
        raise Http404
    return found


def _flags(a) -> str:
    return "；".join(service.flag_texts(a)) or "—"


# ---------------------------------------------------------------- supervision list


class AttendanceList(ScopedListPage):
    """Officers: the check-ins in their scope, flagged ones first by default. A worker is
    sent to their own records."""

    title = _("考勤监管")
    permission = "training.view_attendance"
    export_permission = "training.export_attendance"
    selector = service.attendance_list
    object_type = "training.attendance"
    template_name = "training/attendance_list.html"
    filters = [
        Filter("flagged", _("范围"), [("1", _("仅异常记录")), ("all", _("全部记录"))]),
        Filter("flag", _("异常类型"), AttendanceFlag.choices),
        Filter("status", _("状态"), AttendanceStatus.choices),
        Filter("class_code", _("班级编号")),
        Filter("date", _("课次日期（如 2026-03-01）")),
    ]
    columns = [
        Column(_("学员"), lambda a: a.enrolment.person.name, link=True),
        Column(_("培训班"), lambda a: f"{a.session.training_class.name}"
                                      f"（{a.session.training_class.code}）"),
        Column(_("课次"), lambda a: timezone.localtime(a.session.starts_at)
               .strftime("%Y-%m-%d %H:%M")),
        Column(_("类型"), lambda a: a.get_kind_display()),
        Column(_("时间"), lambda a: timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M")),
        Column(_("距培训地点（米）"), lambda a: a.distance_m),
        Column(_("异常"), _flags),
        Column(_("状态"), lambda a: a.get_status_display()),
    ]

    def filter_values(self, request):
        values = super().filter_values(request)
        if "flagged" not in request.GET:
            values["flagged"] = "1"  # the supervisor's list: what needs a look
        return values

    def parse_filters(self, filters, typed):
        values, problems = super().parse_filters(filters, typed)
        if values.get("flagged") != "1":
            values["flagged"] = ""
        return values, problems

    def respond(self, request):
        user = request.user
        if not user.has_permission(SUPERVISE) and Person.objects.filter(user=user).exists():
            return redirect("training:attendance_mine")
        request.attendance_late = (
            [{"cls": c, "url": class_url(c)} for c in service.late_results_list(user=user)[:50]]
            if user.has_permission(SUPERVISE) else [])
        return super().respond(request)

    def row_url(self, obj):
        return reverse("training:attendance_detail", args=[obj.pk])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理"), widget=forms.RadioSelect, choices=[
        ("confirm", _("确认")), ("reject", _("不予认可")), ("void", _("作废"))])
    reason = forms.CharField(label=_("原因"), max_length=service.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def attendance_detail_view(request, pk):
    try:
        record = service.attendance_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return _detail(request, record, DecisionForm())


def _detail(request, record, form, status=200):
    training_class = record.session.training_class
    return render(request, "training/attendance_detail.html", {
        "title": _("考勤记录"), "record": record, "training_class": training_class,
        "class_url": class_url(training_class), "flag_texts": service.flag_texts(record),
        "can_decide": request.user.has_permission(SUPERVISE), "form": form,
        "venue_radius": training_class.venue_radius_m,
    }, status=status)


@login_required
@require_POST
def attendance_decide_view(request, pk):
    require(request.user, SUPERVISE)
    try:
        record = service.attendance_get(user=request.user, pk=pk, action="supervise")
    except NotFound:
        raise Http404 from None
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                service.attendance_decide(actor=request.user, attendance=record,
                                          decision=form.cleaned_data["decision"],
                                          reason=form.cleaned_data["reason"])
        except Forbidden:
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已处理"))
            return redirect("training:attendance_detail", pk=record.pk)
    return _detail(request, record, form, status=400)


# ---------------------------------------------------------------- a worker's own


@login_required
def attendance_mine_view(request):
    require(request.user, "training.view_attendance")
    records = list(service.my_attendance(user=request.user)[:200])
    return render(request, "training/attendance_mine.html", {
        "title": _("我的考勤"),
        "records": [{"record": a, "texts": service.flag_texts(a)} for a in records],
    })


# ---------------------------------------------------------------- a class's attendance


class ManualForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("学员"), queryset=Enrolment.objects.none())
    session = forms.ModelChoiceField(label=_("课次"), queryset=Session.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=CheckKind.choices)
    at = forms.DateTimeField(label=_("时间"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(label=_("原因"), max_length=service.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, training_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = (
            Enrolment.objects.filter(training_class=training_class)
            .exclude(status=EnrolmentStatus.WITHDRAWN).select_related("person"))
        self.fields["enrolment"].label_from_instance = lambda e: e.person.name
        self.fields["session"].queryset = Session.objects.filter(training_class=training_class)
        self.fields["session"].label_from_instance = lambda s: timezone.localtime(
            s.starts_at).strftime("%Y-%m-%d %H:%M")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=service.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _class_page(request, training_class, *, manual=None, late=None, status=200):
    user = request.user
    supervise = user.has_permission(SUPERVISE)
    summary = service.attendance_summary(training_class, user=user)
    return render(request, "training/attendance_class.html", {
        "title": training_class.name, "training_class": training_class,
        "attendance": summary, "class_url": class_url(training_class),
        "can_submit": user.has_permission("training.change_attendance")
        and training_class.results_submitted_at is None,
        "can_approve_late": supervise and summary["results_code"] == "late",
        "manual_form": (manual or ManualForm(training_class=training_class)) if supervise
        else None,
        "late_form": late or ReasonForm(),
    }, status=status)


@login_required
def attendance_class_view(request, pk):
    return _class_page(request, _class_for(request.user, pk))


def _service_post(request, call) -> str | None:
    """Run one service for a page's POST; its Chinese refusal, or None when done."""
    try:
        with transaction.atomic(durable=True):
            call()
    except Forbidden:
        raise
    except ServiceError as exc:
        return exc.message
    return None


@login_required
@require_POST
def attendance_results_view(request, pk):
    training_class = _class_for(request.user, pk, "training.change_attendance")
    problem = _service_post(request, lambda: service.attendance_results_submit(
        actor=request.user, training_class=training_class))
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("考勤与结业结果已提交"))
    return redirect("training:attendance_class", pk=training_class.pk)


@login_required
@require_POST
def attendance_late_view(request, pk):
    training_class = _class_for(request.user, pk, SUPERVISE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        problem = _service_post(request, lambda: service.attendance_late_approve(
            actor=request.user, training_class=training_class,
            reason=form.cleaned_data["reason"]))
        if not problem:
            messages.success(request, _("已审批逾期提交的考勤结果"))
            return redirect("training:attendance_class", pk=training_class.pk)
        form.add_error("reason", problem)
    return _class_page(request, training_class, late=form, status=400)


@login_required
@require_POST
def attendance_manual_view(request, pk):
    training_class = _class_for(request.user, pk, SUPERVISE)
    form = ManualForm(request.POST, training_class=training_class)
    if form.is_valid():
        data = form.cleaned_data
        problem = _service_post(request, lambda: service.attendance_record_manual(
            actor=request.user, enrolment=data["enrolment"], session=data["session"],
            kind=data["kind"], at=data["at"], reason=data["reason"]))
        if not problem:
            messages.success(request, _("已人工补录"))
            return redirect("training:attendance_class", pk=training_class.pk)
        form.add_error(None, problem)
    return _class_page(request, training_class, manual=form, status=400)


# ---------------------------------------------------------------- the class's screen


@login_required
def attendance_screen_view(request, pk):
    """What the institution shows on a projector or tablet: the current session's QR code,
    refreshed every 30 s by training/checkin-screen.js, and the count of check-ins."""
    training_class = _class_for(request.user, pk)
    return render(request, "training/attendance_screen.html", {
        "title": _("签到二维码"), "training_class": training_class,
        "state_url": reverse("training:attendance_screen_state", args=[training_class.pk]),
        "state": _screen_state(request, training_class),
    })


def _screen_state(request, training_class) -> dict:
    now = timezone.now()
    try:
        session, kind = service.current_session(training_class, now=now)
    except ServiceError as exc:
        return {"kind": "", "qr": "", "message": exc.message, "refresh_in": 30}
    if session is None:
        return {"kind": "", "qr": "", "refresh_in": 30,
                "message": str(_("当前没有可签到的课次"))}
    counts = service.session_counts(session)
    state = {"session": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
             "kind": kind, "qr": "", "url": "", "refresh_in": service.qr_seconds_left(now),
             "checked_in": counts["in"], "checked_out": counts["out"],
             "enrolled": counts["enrolled"], "flagged": counts["flagged"]}
    state["session_text"] = str(_("课次 %(time)s")) % {"time": state["session"]}
    if kind:
        state["count_text"] = str(_("已签到 %(n)s / %(m)s 人，签退 %(o)s 人")) % {
            "n": counts["in"], "m": counts["enrolled"], "o": counts["out"]}
    if not kind:
        state["message"] = str(_("下一课次 %(time)s 开始，开课前可签到")) % {
            "time": state["session"]}
        return state
    token = service.qr_token(session, now=now)
    url = request.build_absolute_uri(f"{reverse('training:checkin')}?t={token}&k={kind}")
    qr = segno.make(url, error="m")
    state.update(url=url, qr=qr.svg_data_uri(scale=6, border=2),
                 message=str(_("请用手机扫码签到") if kind == CheckKind.IN
                             else _("请用手机扫码签退")))
    return state


@never_cache
@login_required
def attendance_screen_state_view(request, pk):
    training_class = _class_for(request.user, pk)
    return JsonResponse(_screen_state(request, training_class),
                        json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------- the trainee's phone page


@never_cache
@login_required
def checkin_view(request):
    """Opened from the QR code: asks the browser for the location, posts the check-in (or
    check-out) to the API and shows the answer in big Chinese text (training/checkin.js)."""
    kind = CheckKind.OUT if request.GET.get("k") == CheckKind.OUT else CheckKind.IN
    return render(request, "training/checkin.html", {
        "title": _("签退") if kind == CheckKind.OUT else _("签到"),
        "token": request.GET.get("t", "")[:200], "kind": kind,
        "api_url": reverse("api:attendance_check_out" if kind == CheckKind.OUT
                           else "api:attendance_check_in"),
    })


# ---------------------------------------------------------------- benchmark only


def bench_lookup_view(request, pk):
    """The bench's yardstick (bench/bench_checkin.py): one indexed look-up, as JSON. Mounted
    only when JINENG_BENCH_VIEWS=1."""
    row = Session.objects.filter(pk=pk).values("pk", "starts_at").first()
    return JsonResponse({"id": row["pk"] if row else None})


def bench_patterns() -> list:
    if os.environ.get("JINENG_BENCH_VIEWS") != "1":
        return []
    return [path("bench/lookup/<int:pk>/", bench_lookup_view, name="bench_lookup")]


urlpatterns = [
    path("attendance/", AttendanceList.as_view(), name="attendance_list"),
    path("attendance/mine/", attendance_mine_view, name="attendance_mine"),
    path("attendance/<int:pk>/", attendance_detail_view, name="attendance_detail"),
    path("attendance/<int:pk>/decide/", attendance_decide_view, name="attendance_decide"),
    path("attendance/classes/<int:pk>/", attendance_class_view, name="attendance_class"),
    path("attendance/classes/<int:pk>/results/", attendance_results_view,
         name="attendance_results"),
    path("attendance/classes/<int:pk>/late-approval/", attendance_late_view,
         name="attendance_late"),
    path("attendance/classes/<int:pk>/manual/", attendance_manual_view,
         name="attendance_manual"),
    path("attendance/classes/<int:pk>/screen/", attendance_screen_view,
         name="attendance_screen"),
    path("attendance/classes/<int:pk>/screen/state/", attendance_screen_state_view,
         name="attendance_screen_state"),
    path("checkin/", checkin_view, name="checkin"),
    *bench_patterns(),
]

