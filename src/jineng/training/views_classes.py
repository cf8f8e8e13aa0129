"""Pages of classes: the list (an officer's region, an institution's own), the detail
(timetable, teachers, venue, review timeline, changes), the file and edit form with sessions
as rows, the change form, and an enterprise's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.review import review_of, review_queue, review_timeline
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs.forms import region_filter
from jineng.orgs.models import Institution
from jineng.training import attendance, classes, completion, enrolment, selectors
from jineng.training import forms_classes as forms
from jineng.training.models import (
    ClassChangeStatus,
    ClassKind,
    ClassStatus,
    ClassTeacherRole,
    TrainingClass,
)
from jineng.training.views import _institutions

# The states in which a class has trainees to enrol, check in and complete.
RUNNABLE = (ClassStatus.APPROVED, ClassStatus.RUNNING, ClassStatus.COMPLETED, ClassStatus.CLOSED)


def _dates(c) -> str:
    return f"{c.start_date:%Y-%m-%d} 至 {c.end_date:%Y-%m-%d}"


def _occupation(c) -> str:
    return f"{c.occupation.name}（{c.work_type.name}）" if c.work_type_id else c.occupation.name


class ClassList(ScopedListPage):
    title = _("培训班")
    permission = "training.view_trainingclass"
    export_permission = "training.export_trainingclass"
    add_permission = "training.add_trainingclass"
    create_url_name = "training:class_file"
    selector = classes.class_list
    object_type = "training.trainingclass"
    filters = [Filter("status", _("状态"), ClassStatus.choices), region_filter(),
               Filter("kind", _("班级类型"), ClassKind.choices), Filter("occupation", _("职业"))]
    columns = [
        Column(_("班级名称"), lambda c: c.name, link=True),
        Column(_("班级编号"), lambda c: c.code),
        Column(_("培训机构"), lambda c: c.institution.name),
        Column(_("职业（工种）"), _occupation),
        Column(_("等级"), lambda c: c.level.name),
        Column(_("培训地区"), lambda c: c.region.name),
        Column(_("培训期"), _dates),
        Column(_("状态"), lambda c: c.get_status_display()),
    ]

    def row_url(self, obj):
        return reverse("training:class_detail", args=[obj.pk])


def _class_or_404(request, pk, action="view") -> TrainingClass:
    try:
        return classes.class_get(user=request.user, pk=pk, action=action)
    except NotFound:
        raise Http404 from None


# ---------------------------------------------------------------- detail


@login_required
def class_detail_view(request, pk):
    require(request.user, "training.view_trainingclass")
    training_class = _class_or_404(request, pk)
    user = request.user
    status = training_class.status
    changes = list(classes.change_list(user=user, training_class=training_class))
    pending = any(c.status == ClassChangeStatus.FILED for c in changes)
    may_add = (user.has_permission("training.add_trainingclass")
               and TrainingClass.objects.restrict(user, "add").filter(pk=pk).exists())
    queue = review_queue(user=user)
    review = review_of(training_class)
    decide_url = ""
    if review is not None and queue.filter(pk=review.pk).exists():
        decide_url = reverse("core:review_detail", args=[review.pk])
    for change in changes:
        change.described = classes.change_described(change)
        change.timeline = review_timeline(change)
        change_review = review_of(change)
        change.decide_url = (reverse("core:review_detail", args=[change_review.pk])
                             if change_review is not None
                             and queue.filter(pk=change_review.pk).exists() else "")
    return render(request, "training/class_detail.html", {
        "title": training_class.name, "c": training_class,
        "teachers": classes.class_teacher_list(user=user, training_class=training_class),
        "sessions": classes.session_list(user=user, training_class=training_class),
        "timeline": review_timeline(training_class), "changes": changes,
        "decide_url": decide_url,
        "can_edit": may_add and status in (ClassStatus.DRAFT, ClassStatus.RETURNED),
        "can_change": (may_add and user.has_permission("training.add_classchange")
                       and status in (ClassStatus.APPROVED, ClassStatus.RUNNING)
                       and not pending),
        "can_start": user.has_permission("training.change_trainingclass")
        and status == ClassStatus.APPROVED and training_class.start_date <= selectors.today(),
        "can_close": user.has_permission("training.change_trainingclass")
        and status == ClassStatus.COMPLETED,
        **_loop_panels(user, training_class),
    })


def _loop_panels(user, training_class) -> dict:
    """Enrolment, attendance and completion of a class that may run, for who may see them."""
    if training_class.status not in RUNNABLE:
        return {}
    panels = {}
    if user.has_permission("training.view_enrolment"):
        panels["enrolled"] = enrolment.enrolment_counts(training_class)
    if user.has_permission("training.view_attendance"):
        panels["attendance"] = attendance.attendance_summary(training_class, user=user)
    if user.has_permission("training.view_enrolment"):
        panels["completion"] = completion.completion_summary(user=user,
                                                             training_class=training_class)
    return panels


_ACTIONS = {
    "submit": (classes.class_submit, _("培训班已提交审核")),
    "start": (classes.class_start, _("培训班已开班")),
    "close": (classes.class_close, _("培训班已关闭")),
}


@login_required
@require_POST
def class_action_view(request, pk, action):
    if action not in _ACTIONS:
        raise Http404
    training_class = _class_or_404(request, pk)
    service, done = _ACTIONS[action]
    try:
        with transaction.atomic(durable=True):
            service(actor=request.user, training_class=training_class)
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("training:class_detail", pk=training_class.pk)


# ---------------------------------------------------------------- file and edit


def _teachers(user):
    return selectors.teacher_list(user=user).select_related("person")


_FIELD_OF = {"occupation": "occupation_code", "region": "institution",
             "occupation_code": "occupation_code", "work_type": "work_type"}


def _place_error(form, exc: ServiceError) -> str:
    """Put the service's refusal on its field; what has no field (the sessions) is returned
    to show above the timetable."""
    other = ""
    for field, message in (exc.errors or {}).items():
        field = _FIELD_OF.get(field, field)
        if field == "school_teachers" or field == "teachers":
            form.add_error("teachers", message)
        elif field in form.fields:
            form.add_error(field, message)
        elif field == "sessions":
            other = message
        else:
            form.add_error(None, message)
    if not exc.errors:
        form.add_error(None, exc.message)
    return other


def _rows(formset) -> list[dict]:
    return [f.row() for f in formset.forms if f.has_changed() and f.is_valid()
            and f.cleaned_data]


def _teacher_rows(data) -> list:
    rows = [(t, ClassTeacherRole.TEACHER) for t in data.get("teachers") or []]
    rows += [(t, ClassTeacherRole.SCHOOL_TEACHER) for t in data.get("school_teachers") or []
             if t not in (data.get("teachers") or [])]
    return rows


def _class_initial(c: TrainingClass) -> dict:
    initial = {key: getattr(c, key) for key in (
        "name", "kind", "enterprise", "programme", "level", "fund_source", "venue",
        "venue_lat", "venue_lng", "venue_radius_m", "start_date", "end_date",
        "planned_hours", "capacity", "allows_online")}
    initial.update({"institution": c.institution_id, "occupation_code": c.occupation.code,
                    "work_type": c.work_type.name if c.work_type_id else ""})
    teachers = list(c.teachers.all())
    initial["teachers"] = [t.teacher_id for t in teachers if t.role == ClassTeacherRole.TEACHER]
    initial["school_teachers"] = [t.teacher_id for t in teachers
                                  if t.role == ClassTeacherRole.SCHOOL_TEACHER]
    return initial


def _class_form_page(request, training_class: TrainingClass | None):
    user = request.user
    require(user, "training.add_trainingclass")
    teachers = _teachers(user)
    institutions = (_institutions(user, "training.add_trainingclass") if training_class is None
                    else Institution.objects.filter(pk=training_class.institution_id))
    kwargs = {"institutions": institutions, "teachers": teachers,
              "with_draft": training_class is None}
    sessions_error = ""
    status = 200
    if request.method == "POST":
        form = forms.ClassForm(request.POST, **kwargs)
        formset = forms.SessionFormSet(request.POST, prefix="sessions",
                                       form_kwargs={"teachers": teachers})
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                with transaction.atomic(durable=True):
                    saved = _save_class(request, training_class, data, _rows(formset))
            except Forbidden:
                raise
            except ServiceError as exc:
                sessions_error = _place_error(form, exc)
            else:
                messages.success(request, _("培训班已保存为草稿") if saved.status ==
                                 ClassStatus.DRAFT else _("培训班已提交审核"))
                return redirect("training:class_detail", pk=saved.pk)
        status = 400
    else:
        initial = {} if training_class is None else _class_initial(training_class)
        form = forms.ClassForm(initial=initial, **kwargs)
        rows = [] if training_class is None else forms.session_initial(
            training_class.sessions.order_by("starts_at"))
        formset = forms.SessionFormSet(initial=rows, prefix="sessions",
                                       form_kwargs={"teachers": teachers})
    title = _("备案培训班") if training_class is None else _("修改并提交培训班")
    return render(request, "training/class_form.html", {
        "title": title, "form": form, "formset": formset, "sessions_error": sessions_error,
        "object": training_class}, status=status)


def _save_class(request, training_class, data: dict, sessions: list[dict]) -> TrainingClass:
    institution = data.pop("institution", None) or training_class.institution
    parsed = classes.class_parse(institution=institution, codes={
        "occupation_code": data.pop("occupation_code"), "work_type": data.pop("work_type")})
    teachers = _teacher_rows(data)
    data.pop("teachers", None)
    data.pop("school_teachers", None)
    draft = data.pop("draft", False)
    fields = {**data, **parsed}
    if fields.get("kind") != ClassKind.APPRENTICESHIP:
        fields["enterprise"] = None
    if training_class is None:
        return classes.class_file(actor=request.user, institution=institution, draft=draft,
                                  teachers=teachers, sessions=sessions, **fields)
    training_class = classes.class_update(actor=request.user, training_class=training_class,
                                          teachers=teachers, sessions=sessions, **fields)
    return classes.class_submit(actor=request.user, training_class=training_class)


@login_required
def class_file_view(request):
    return _class_form_page(request, None)


@login_required
def class_edit_view(request, pk):
    require(request.user, "training.add_trainingclass")
    training_class = _class_or_404(request, pk, action="add")
    if training_class.status not in (ClassStatus.DRAFT, ClassStatus.RETURNED):
        messages.error(request, _("只有草稿或退回修改的培训班可以修改；审核通过后请申请变更"))
        return redirect("training:class_detail", pk=training_class.pk)
    return _class_form_page(request, training_class)


# ---------------------------------------------------------------- change after approval


def _proposed(training_class, data: dict, sessions: list[dict]) -> dict:
    """Only what differs from the class as approved."""
    proposed = {}
    for key in ("venue", "venue_lat", "venue_lng", "venue_radius_m"):
        if data[key] != getattr(training_class, key):
            proposed[key] = data[key]
    wanted = {(t.pk, role) for t, role in _teacher_rows(data)}
    current = set(training_class.teachers.values_list("teacher_id", "role"))
    if wanted != current:
        proposed["teachers"] = [{"teacher_id": pk, "role": role} for pk, role in sorted(wanted)]
    now = [(s.pk, s.starts_at, s.ends_at, s.hours, s.teacher_id, s.topic)
           for s in training_class.sessions.order_by("starts_at", "pk")]
    given = sorted([(r["id"], r["starts_at"], r["ends_at"], r["hours"], r["teacher"].pk,
                     r["topic"]) for r in sessions], key=lambda r: r[1])
    if given != now:
        proposed["sessions"] = sessions
    return proposed


@login_required
def class_change_view(request, pk):
    user = request.user
    require(user, "training.add_classchange")
    training_class = _class_or_404(request, pk, action="add")
    teachers = _teachers(user)
    sessions_error = ""
    status = 200
    if request.method == "POST":
        form = forms.ChangeForm(request.POST, teachers=teachers)
        formset = forms.SessionFormSet(request.POST, prefix="sessions",
                                       form_kwargs={"teachers": teachers})
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                with transaction.atomic(durable=True):
                    classes.class_change_file(
                        actor=user, training_class=training_class,
                        proposed=_proposed(training_class, data, _rows(formset)))
            except Forbidden:
                raise
            except ServiceError as exc:
                sessions_error = _place_error(form, exc)
            else:
                messages.success(request, _("变更申请已提交审核，审核通过前按原备案执行"))
                return redirect("training:class_detail", pk=training_class.pk)
        status = 400
    else:
        initial = _class_initial(training_class)
        form = forms.ChangeForm(initial=initial, teachers=teachers)
        formset = forms.SessionFormSet(
            initial=forms.session_initial(training_class.sessions.order_by("starts_at")),
            prefix="sessions", form_kwargs={"teachers": teachers})
    return render(request, "training/class_form.html", {
        "title": _("申请变更培训班"), "form": form, "formset": formset,
        "sessions_error": sessions_error, "object": training_class, "is_change": True},
        status=status)


# ---------------------------------------------------------------- enterprise staff


class StaffList(ScopedListPage):
    title = _("企业职工")
    permission = "training.view_enterprisestaff"
    export_permission = "training.export_enterprisestaff"
    add_permission = "training.add_enterprisestaff"
    create_url_name = "training:staff_declare"
    selector = classes.enterprise_staff_list
    object_type = "training.enterprisestaff"
    filters = [Filter("current", _("在职情况"), [("yes", _("在职")), ("no", _("已离职"))])]
    columns = [
        Column(_("企业"), lambda s: s.enterprise.name),
        Column(_("姓名"), lambda s: s.person.name, link=True),
        Column(_("证件号码"), lambda s: s.person.id_masked),
        Column(_("入职日期"), lambda s: s.since),
        Column(_("离职日期"), lambda s: s.until or "—"),
    ]

    def row_url(self, obj):
        if obj.until is None and self.request.user.has_permission(
                "training.change_enterprisestaff"):
            return reverse("training:staff_end", args=[obj.pk])
        return None


class StaffDeclare(ServiceFormPage):
    title = _("申报企业职工")
    form_class = forms.StaffForm
    success_message = _("职工已申报")

    def check_allowed(self, request, obj):
        require(request.user, "training.add_enterprisestaff")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user, "training.add_enterprisestaff",
                                              kinds=("enterprise",))}

    def save(self, request, obj, data):
        return classes.enterprise_staff_declare(
            actor=request.user, enterprise=data["institution"], id_number=data["id_number"],
            name=data["name"], since=data["since"])

    def success_url(self, obj):
        return reverse("training:staff_list")


class StaffEnd(ServiceFormPage):
    title = _("登记职工离职")
    form_class = forms.StaffEndForm
    success_message = _("已登记离职")

    def get_object(self, request, pk):
        return classes.enterprise_staff_get(user=request.user, pk=pk, action="change")

    def check_allowed(self, request, obj):
        require(request.user, "training.change_enterprisestaff")

    def save(self, request, obj, data):
        return classes.enterprise_staff_end(actor=request.user, staff=obj, until=data["until"])

    def success_url(self, obj):
        return reverse("training:staff_list")


urlpatterns = [
    path("classes/", ClassList.as_view(), name="class_list"),
    path("classes/file/", class_file_view, name="class_file"),
    path("classes/<int:pk>/", class_detail_view, name="class_detail"),
    path("classes/<int:pk>/edit/", class_edit_view, name="class_edit"),
    path("classes/<int:pk>/change/", class_change_view, name="class_change"),
    path("classes/<int:pk>/do/<str:action>/", class_action_view, name="class_action"),
    path("enterprise-staff/", StaffList.as_view(), name="staff_list"),
    path("enterprise-staff/new/", StaffDeclare.as_view(), name="staff_declare"),
    path("enterprise-staff/<int:pk>/end/", StaffEnd.as_view(), name="staff_end"),
]
