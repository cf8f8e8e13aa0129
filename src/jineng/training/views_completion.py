"""Pages of online hours, completion (结业考核) and ratings. Thin: services and reads live in
completion.py."""

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
from jineng.core.refusals import require
from jineng.core.views import Column, ScopedListPage, ServiceFormPage
from jineng.training import completion


def _class(request, pk):
    try:
        return completion.class_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


# ---------------------------------------------------------------- results and completion


@login_required
def results_view(request, pk):
    """A row per trainee: attendance (sessions, online hours, share), the exam result, and
    after completion the outcome; those who record results type scores here."""
    training_class = _class(request, pk)
    data = completion.class_results(user=request.user, training_class=training_class)
    errors, typed, status = [], {}, 200
    if request.method == "POST":
        if not data["can_record"]:
            raise Forbidden("没有录入该班结业考核结果的权限，或该班已结业")
        items = []
        for row in data["rows"]:
            e = row.enrolment
            score = request.POST.get(f"score-{e.pk}", "").strip()
            absent = request.POST.get(f"absent-{e.pk}") == "on"
            typed[e.pk] = (score, absent)
            items.append({"enrolment": e, "score": score, "absent": absent,
                          "row": e.person.name})
        try:
            with transaction.atomic(durable=True):
                completion.exam_results_record(actor=request.user,
                                               training_class=training_class, results=items)
        except Forbidden:
            raise
        except ServiceError as exc:
            errors = list(exc.errors.values()) or [exc.message]
            status = 400
        else:
            messages.success(request, _("考核结果已保存"))
            return redirect("training:completion_results", pk=training_class.pk)
    rows = []
    for row in data["rows"]:
        e = row.enrolment
        score, absent = typed.get(e.pk, (
            "" if e.exam_score is None else f"{e.exam_score.normalize():f}",
            e.exam_passed is False and e.exam_score is None))
        rows.append({"row": row, "score": score, "absent": absent})
    return render(request, "training/completion_results.html", {
        **data, "title": _("结业考核"), "result_rows": rows, "errors": errors,
    }, status=status)


@login_required
@require_POST
def complete_view(request, pk):
    training_class = _class(request, pk)
    try:
        with transaction.atomic(durable=True):
            outcome = completion.class_completion_submit(actor=request.user,
                                                         training_class=training_class)
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交结业：%(done)s 人结业，%(failed)s 人未通过") % {
            "done": len(outcome.completed), "failed": len(outcome.failed)})
        if outcome.late:
            messages.warning(request, _("已超过提交期限，本班结果标记为逾期，需经办人员审批"))
    return redirect("training:completion_results", pk=training_class.pk)


class ResultsImportForm(forms.Form):
    file = forms.FileField(label=_("成绩文件"), help_text=_(
        "Excel 或 CSV，须有列“证件号码”“成绩”（可加“姓名”核对），缺考填“缺考”；任何一行有错，全部不保存。"))  # noqa: E501


class ResultsImport(ServiceFormPage):
    title = _("导入结业考核成绩")
    form_class = ResultsImportForm
    success_message = _("考核成绩已导入")

    def get_object(self, request, pk):
        return _class(request, pk)

    def check_allowed(self, request, obj):
        require(request.user, "training.change_enrolment")

    def get_form_kwargs(self, request, obj):
        return {"files": request.FILES or None}

    def save(self, request, obj, data):
        upload = data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                completion.exam_results_from_file(actor=request.user, training_class=obj,
                                                  path=tmp.name, name=upload.name)
            except ServiceError as exc:
                rows = [m for k, m in exc.errors.items() if k.startswith("row")]
                if rows:
                    raise ServiceError(exc.message, errors={"file": rows[:200]}) from None
                raise
        return obj

    def success_url(self, obj):
        return reverse("training:completion_results", args=[obj.pk])


# ---------------------------------------------------------------- online hours


class OnlineHoursList(ScopedListPage):
    title = _("线上学时")
    permission = "training.view_onlinehours"
    export_permission = "training.export_onlinehours"
    selector = completion.online_hours_list
    object_type = "training.onlinehours"
    columns = [
        Column(_("学员"), lambda o: o.person.name),
        Column(_("证件号码"), lambda o: o.person.id_masked),
        Column(_("课程"), lambda o: o.course),
        Column(_("学时"), lambda o: completion.hours_text(o.hours)),
        Column(_("学习日期"), lambda o: o.studied_on),
        Column(_("计入培训班"), lambda o: o.enrolment.training_class.name if o.enrolment_id
               else "—"),
        Column(_("平台记录号"), lambda o: o.record_id),
    ]


# ---------------------------------------------------------------- ratings


class RatingList(ScopedListPage):
    title = _("培训评价")
    permission = "training.view_classrating"
    export_permission = "training.export_classrating"
    selector = completion.rating_list
    object_type = "training.classrating"
    columns = [
        Column(_("培训机构"), lambda r: r.institution.name),
        Column(_("培训班"), lambda r: r.enrolment.training_class.name, link=True),
        Column(_("班级编号"), lambda r: r.enrolment.training_class.code),
        Column(_("平均分"), lambda r: f"{r.average:.2f}"),
        Column(_("意见建议"), lambda r: r.comment or "—"),
        Column(_("评价时间"), lambda r: r.created_at.date()),
    ]

    def row_url(self, obj):
        return reverse("training:rating_detail", args=[obj.pk])


@login_required
def rating_detail_view(request, pk):
    require(request.user, "training.view_classrating")
    try:
        rating = completion.rating_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    answers = [(text, rating.scores[i] if i < len(rating.scores) else None,
                completion.SCORE_LABELS.get(rating.scores[i]) if i < len(rating.scores) else "")
               for i, (_key, text) in enumerate(completion.QUESTIONS)]
    # a rater is named only to themselves: the institution reads what was said, not by whom
    own = rating.enrolment.person.user_id == request.user.pk
    return render(request, "training/rating_detail.html", {
        "title": _("培训评价"), "rating": rating, "answers": answers, "own": own})


@login_required
def flagged_view(request):
    require(request.user, "training.view_classrating")
    return render(request, "training/rating_flagged.html", {
        "title": _("评价偏低的培训机构"),
        "flagged": completion.flagged_institutions(user=request.user),
        "summaries": completion.rating_summaries(user=request.user),
        "min_count": completion.RATING_MIN_COUNT,
    })


@login_required
def my_ratings_view(request):
    """A worker's finished trainings: rate the completed ones (once each)."""
    require(request.user, "training.add_classrating")
    return render(request, "training/rating_mine.html", {
        "title": _("评价培训"), "enrolments": completion.my_completions(user=request.user)})


class RatingForm(forms.Form):
    comment = forms.CharField(label=_("意见建议（选填）"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"{n} {completion.SCORE_LABELS[n]}") for n in range(5, 0, -1)]
        questions = {}
        for i, (_key, text) in enumerate(completion.QUESTIONS, start=1):
            questions[f"q{i}"] = forms.TypedChoiceField(
                label=f"{i}. {text}", choices=choices, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("请选择 1–5 分")})
        self.fields = {**questions, **self.fields}


class RateClass(ServiceFormPage):
    title = _("评价培训班")
    form_class = RatingForm
    template_name = "training/rating_form.html"
    success_message = _("感谢您的评价")

    def get_object(self, request, pk):
        try:
            return completion.my_enrolment(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None

    def check_allowed(self, request, obj):
        require(request.user, "training.add_classrating")

    def save(self, request, obj, data):
        scores = [data[f"q{i}"] for i in range(1, len(completion.QUESTIONS) + 1)]
        return completion.class_rating_submit(actor=request.user, enrolment=obj, scores=scores,
                                              comment=data.get("comment", ""))

    def success_url(self, obj):
        return reverse("training:rating_mine")
