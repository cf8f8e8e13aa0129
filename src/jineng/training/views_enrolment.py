"""Pages of enrolment: a class's enrolments with the by-number form, the roster upload with
its result, the enrolment list and detail (withdraw), and a worker's open classes with
their enrol button. Thin: the rules live in training/enrolment.py."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.identity import DocType
from jineng.core.views import Column, Filter, ScopedListPage
from jineng.people.models import ImportMode, Person
from jineng.people.selectors import active_target_groups
from jineng.training import enrolment
from jineng.training.models import ClassKind, EnrolmentSource, EnrolmentStatus, Teacher


class EnrolForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocType.choices,
                                 initial=DocType.RESIDENT)
    id_number = forms.CharField(label=_("证件号码"), max_length=40,
                                help_text=_("已实名登记的人员直接报名；查找将被记录"))
    name = forms.CharField(label=_("姓名（未登记时填写）"), max_length=50, required=False)
    household_region = forms.CharField(label=_("户籍地（未登记时填写，区划名称或代码）"),
                                       max_length=60, required=False)
    target_groups = forms.MultipleChoiceField(label=_("重点群体（未登记时填写）"),
                                              required=False,
                                              widget=forms.CheckboxSelectMultiple)
    mentor_id_number = forms.CharField(label=_("企业导师证件号码（学徒制班级）"), max_length=40,
                                       required=False)
    school_teacher = forms.ModelChoiceField(label=_("院校导师（学徒制班级）"), required=False,
                                            queryset=Teacher.objects.none())

    def __init__(self, *args, training_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_groups"].choices = [(g.code, g.name) for g in active_target_groups()]
        if training_class is not None and training_class.kind == ClassKind.APPRENTICESHIP:
            self.fields["school_teacher"].queryset = Teacher.objects.filter(
                classes__training_class=training_class).select_related("person")
            self.fields["school_teacher"].label_from_instance = lambda t: t.person.name
        else:
            del self.fields["mentor_id_number"]
            del self.fields["school_teacher"]


class RosterForm(forms.Form):
    file = forms.FileField(label=_("花名册文件（.xlsx、.xls 或 .csv，与实名登记导入模板相同）"))
    mode = forms.ChoiceField(
        label=_("有错误行时"), initial=ImportMode.PARTIAL,
        choices=[(ImportMode.PARTIAL, _("为正确的行报名，列出错误的行")),
                 (ImportMode.STRICT, _("全部正确才报名（有一行错误则整个文件不报名）"))])


def _errors_to_form(form, exc: ServiceError) -> None:
    placed = False
    for key, message in exc.errors.items():
        key = {"mentor": "mentor_id_number"}.get(key, key)
        if key in form.fields:
            form.add_error(key, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _class(request, pk):
    try:
        return enrolment.class_for_enrolment(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


# ---------------------------------------------------------------- a class's enrolments


@login_required
def class_enrolments_view(request, pk):
    """培训班报名: the class, its enrolments, the form to enrol one person by number."""
    training_class = _class(request, pk)
    can_add = request.user.has_permission("training.add_enrolment") and \
        request.user.has_permission("people.lookup_person")
    form = EnrolForm(request.POST or None, training_class=training_class)
    status = 200
    if request.method == "POST":
        if not can_add:
            raise Forbidden("没有办理报名的权限")
        if form.is_valid():
            data = form.cleaned_data
            try:  # the service's own transactions: its look-up stays audited if refused
                made = enrolment.enrol_by_id_number(
                    actor=request.user, training_class=training_class,
                    id_number=data["id_number"], doc_type=data["doc_type"] or None,
                    name=data["name"], household_region=data["household_region"],
                    target_groups=data["target_groups"],
                    mentor_id_number=data.get("mentor_id_number", ""),
                    school_teacher=data.get("school_teacher"))
            except ServiceError as exc:
                _errors_to_form(form, exc)
                status = exc.status if isinstance(exc, Forbidden) else 400
            else:
                messages.success(request, _("已报名：%(name)s") % {"name": made.person.name})
                return redirect("training:class_enrolments", pk=training_class.pk)
        else:
            status = 400
    rows = enrolment.enrolment_list(user=request.user, training_class=training_class)
    return render(request, "training/enrolment_class.html", {
        "title": _("培训班报名"), "klass": training_class, "form": form, "can_add": can_add,
        "enrolments": rows[:200], "total": rows.count(),
        "counts": enrolment.enrolment_counts(training_class),
        "can_import": can_add and request.user.has_permission("people.import_person"),
    }, status=status)


@login_required
def class_roster_view(request, pk):
    """花名册报名: upload a roster; the result lists every refused row with its reasons."""
    training_class = _class(request, pk)
    if not (request.user.has_permission("training.add_enrolment")
            and request.user.has_permission("people.import_person")):
        raise Forbidden("没有导入花名册报名的权限")
    form = RosterForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    with transaction.atomic(durable=True):
                        result = enrolment.enrol_roster(
                            actor=request.user, training_class=training_class,
                            path=handle.name, file_name=upload.name,
                            mode=form.cleaned_data["mode"])
                except ServiceError as exc:
                    _errors_to_form(form, exc)
                    status = 400
        else:
            status = 400
    return render(request, "training/enrolment_roster.html", {
        "title": _("花名册报名"), "klass": training_class, "form": form, "result": result,
    }, status=status)


# ---------------------------------------------------------------- all enrolments


class EnrolmentList(ScopedListPage):
    title = _("报名学员")
    permission = "training.view_enrolment"
    selector = enrolment.enrolment_list
    object_type = "training.enrolment"
    filters = [Filter("status", _("状态"), EnrolmentStatus.choices)]
    columns = [
        Column(_("学员"), lambda e: e.person.name, link=True),
        Column(_("证件号码"), lambda e: e.person.id_masked),
        Column(_("培训班"), lambda e: f"{e.training_class.name}（{e.training_class.code}）"),
        Column(_("培训机构"), lambda e: e.training_class.institution.name),
        Column(_("状态"), lambda e: e.get_status_display()),
        Column(_("报名方式"), lambda e: e.get_source_display()),
        Column(_("报名时间"), lambda e: f"{e.enrolled_at:%Y-%m-%d %H:%M}"),
    ]

    def row_url(self, obj):
        return reverse("training:enrolment_detail", args=[obj.pk])


@login_required
def enrolment_detail_view(request, pk):
    try:
        item = enrolment.enrolment_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    error = ""
    can_withdraw = (item.status == EnrolmentStatus.ENROLLED
                    and request.user.has_permission("training.change_enrolment")
                    and enrolment.enrolment_list(user=request.user, action="change")
                    .filter(pk=item.pk).exists())
    if request.method == "POST":
        try:
            with transaction.atomic(durable=True):
                enrolment.enrolment_withdraw(actor=request.user, enrolment=item,
                                             reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("已办理退学"))
            return redirect("training:enrolment_detail", pk=item.pk)
    return render(request, "training/enrolment_detail.html", {
        "title": _("报名详情"), "item": item, "can_withdraw": can_withdraw, "error": error,
    }, status=400 if error else 200)


# ---------------------------------------------------------------- a worker, on the phone


def _own_person(request) -> Person | None:
    return (Person.objects.filter(user=request.user)
            .select_related("household_region", "residence_region").first())


@login_required
def open_classes_view(request):
    """可报名的培训班: approved classes open to the worker in their region."""
    person = _own_person(request)
    classes = list(enrolment.open_classes_for(person)[:100])
    mine = enrolment.my_enrolment_class_ids(person)
    return render(request, "training/enrolment_open_classes.html", {
        "title": _("可报名的培训班"), "person": person, "classes": classes, "mine": mine,
    })


@login_required
@require_POST
def self_enrol_view(request, pk):
    person = _own_person(request)
    if person is None:
        raise Forbidden("您的账号尚未关联实名登记信息，不能报名")
    training_class = enrolment.open_classes_for(person).filter(pk=pk).first()
    if training_class is None:
        raise Http404
    try:
        with transaction.atomic(durable=True):
            enrolment.enrol(actor=request.user, training_class=training_class, person=person,
                            source=EnrolmentSource.SELF)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("报名成功：%(name)s") % {"name": training_class.name})
    return redirect("training:open_classes")
