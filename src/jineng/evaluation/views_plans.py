"""Pages of evaluation plans: the list, the draft form, and the plan's page, where its body
adds examiners and candidates by identity number and files it, enters or imports the
results once it is held, a second person publishes them, and a published result is
corrected through the review chain."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.review import review_timeline
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.evaluation import forms, plans, results, selectors
from jineng.evaluation.models import EvaluationPlan, PlanStatus, ResultStatus
from jineng.evaluation.views import decide_url
from jineng.orgs.forms import region_filter


def _occupation(p) -> str:
    return f"{p.occupation.name}（{p.work_type.name}）" if p.work_type_id else p.occupation.name


class PlanList(ScopedListPage):
    title = _("考核计划")
    permission = "evaluation.view_evaluationplan"
    export_permission = "evaluation.export_evaluationplan"
    add_permission = "evaluation.add_evaluationplan"
    create_url_name = "evaluation:plan_draft"
    selector = selectors.plan_list
    object_type = "evaluation.evaluationplan"
    filters = [Filter("status", _("状态"), PlanStatus.choices), region_filter()]
    columns = [
        Column(_("计划名称"), lambda p: p.name, link=True),
        Column(_("状态"), lambda p: p.get_status_display()),
        Column(_("考核日期"), lambda p: p.exam_date),
        Column(_("评价机构"), lambda p: p.filing.institution.name),
        Column(_("职业（工种）"), _occupation),
        Column(_("等级"), lambda p: p.level.name),
        Column(_("评价类型"), lambda p: p.evaluation_type.name),
        Column(_("考核地区"), lambda p: p.region.name),
        Column(_("计划编号"), lambda p: p.code),
    ]

    def row_url(self, obj):
        return reverse("evaluation:plan_detail", args=[obj.pk])


class PlanDraft(ServiceFormPage):
    title = _("新建考核计划")
    form_class = forms.PlanForm
    template_name = "evaluation/plan_form.html"
    success_message = _("考核计划已保存为草稿：请登记考评员和考生后报备")

    def check_allowed(self, request, obj):
        require(request.user, "evaluation.add_evaluationplan")

    def get_form_kwargs(self, request, obj):
        return {"filings": selectors.filings_for_plans(user=request.user)}

    def get(self, request, **kwargs):
        self.check_allowed(request, None)
        filings = list(selectors.filings_for_plans(user=request.user))
        initial = {"site": 1}
        if filings:
            initial.update(filing=filings[0].pk, region=filings[0].institution.region)
        form = self.form_class(initial=initial, filings=filings)
        return self.render(request, form, None)

    def render(self, request, form, obj, status=200, **extra):
        return super().render(request, form, obj, status=status, has_filings=bool(
            form.fields["filing"].queryset.exists()), **extra)

    def save(self, request, obj, data):
        return plans.plan_draft(
            actor=request.user, filing=data["filing"], name=data["name"],
            evaluation_type=data["evaluation_type"], occupation=data["occupation"],
            work_type=data["work_type"], level=data["level"], region=data["region"],
            venue=data["venue"], exam_date=data["exam_date"], site=data["site"])

    def success_url(self, obj):
        return reverse("evaluation:plan_detail", args=[obj.pk])


# ---------------------------------------------------------------- the plan's page


def _plan_or_404(request, pk, action="view") -> EvaluationPlan:
    try:
        return selectors.plan_get(user=request.user, pk=pk, action=action)
    except NotFound:
        raise Http404 from None


def _may_change(user, plan) -> bool:
    return EvaluationPlan.objects.restrict(user, "change").filter(pk=plan.pk).exists()


def _score_text(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _plan_page(request, plan, *, status=200, **extra):
    user = request.user
    changeable = _may_change(user, plan)
    candidates = selectors.plan_candidates(user=user, plan=plan)
    today = timezone.localdate()
    enterable = (changeable and user.has_permission("evaluation.add_result")
                 and plan.status in (PlanStatus.APPROVED, PlanStatus.HELD))
    enterers = {c.standing.entered_by_id for c in candidates if c.standing} | {
        plan.results_entered_by_id}
    typed = extra.pop("typed", {})
    bad_cells = extra.pop("bad_cells", {})
    for c in candidates:
        theory, practical = typed.get(c.pk, (
            _score_text(c.standing.theory_score) if c.standing else "",
            _score_text(c.standing.practical_score) if c.standing else ""))
        c.typed_theory, c.typed_practical = theory, practical
        c.pending_decide = decide_url(user, c.pending) if c.pending else ""
        c.bad = bad_cells.get(c.pk, set())
    practical_only = plan.evaluation_type.code in results.PRACTICAL_ONLY_TYPES
    can_publish = (plan.status == PlanStatus.HELD
                   and user.has_permission("evaluation.publish_evaluationplan")
                   and user.pk not in enterers)
    can_enter = enterable and plan.exam_date <= today
    # The checker of held results reads them first: changing them (?edit=1) makes them an
    # enterer, and another person must then publish.
    editing = can_enter and (not can_publish or request.GET.get("edit") == "1"
                             or "entry_errors" in extra or "import_errors" in extra)
    context = {
        "title": plan.name, "plan": plan, "candidates": candidates,
        "examiners": selectors.plan_examiners(user=user, plan=plan),
        "timeline": review_timeline(plan), "decide_url": decide_url(user, plan),
        "can_edit": changeable and user.has_permission("evaluation.change_evaluationplan")
        and plan.status in plans.EDITABLE,
        "can_file": changeable and user.has_permission("evaluation.add_evaluationplan")
        and plan.status in plans.EDITABLE,
        "can_enter": editing, "may_edit": can_enter and not editing,
        "enter_later": enterable and plan.exam_date > today,
        "can_publish": can_publish,
        "publish_by_other": plan.status == PlanStatus.HELD and user.pk in enterers,
        "can_correct": plan.status == PlanStatus.PUBLISHED
        and user.has_permission("evaluation.add_result"),
        "published": plan.status == PlanStatus.PUBLISHED,
        "results_stage": plan.status in (PlanStatus.APPROVED, PlanStatus.HELD,
                                         PlanStatus.PUBLISHED),
        "id_help": forms.ID_HELP,
        "practical_only": practical_only, "min_examiners": plans.MIN_EXAMINERS,
        "pass_mark": results.PASS_MARK,
        "tally": {"passed": sum(1 for c in candidates if c.standing and c.standing.passed),
                  "failed": sum(1 for c in candidates if c.standing and not c.standing.passed),
                  "missing": sum(1 for c in candidates if not c.standing)},
        "examiner_form": extra.pop("examiner_form", None)
        or forms.PersonByIdForm(prefix="examiner", with_number=True),
        "candidate_form": extra.pop("candidate_form", None)
        or forms.PersonByIdForm(prefix="candidate"),
        "import_form": extra.pop("import_form", None) or forms.ResultsFileForm(),
        **extra,
    }
    return render(request, "evaluation/plan_detail.html", context, status=status)


@login_required
def plan_detail_view(request, pk):
    require(request.user, "evaluation.view_evaluationplan")
    return _plan_page(request, _plan_or_404(request, pk))


def _person_add(request, pk, *, prefix, service, done, with_number=False):
    plan = _plan_or_404(request, pk)
    form = forms.PersonByIdForm(request.POST, prefix=prefix, with_number=with_number)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                person = selectors.person_by_id_number(form.cleaned_data["id_number"])
                kwargs = {"number": form.cleaned_data.get("number", "")} if with_number else {}
                service(actor=request.user, plan=plan, person=person, **kwargs)
        except Forbidden:
            raise
        except ServiceError as exc:
            message = exc.errors.get("id_number") or exc.message
            form.add_error("id_number", message)
        else:
            messages.success(request, done % {"name": person.name})
            return redirect(reverse("evaluation:plan_detail", args=[plan.pk]) + f"#{prefix}s")
    return _plan_page(request, plan, status=400, **{f"{prefix}_form": form})


@login_required
@require_POST
def examiner_add_view(request, pk):
    return _person_add(request, pk, prefix="examiner", service=plans.examiner_add,
                       done=_("已登记考评员 %(name)s"), with_number=True)


@login_required
@require_POST
def candidate_add_view(request, pk):
    return _person_add(request, pk, prefix="candidate", service=plans.candidate_add,
                       done=_("已登记考生 %(name)s"))


def _act(request, plan, call, done):
    try:
        with transaction.atomic(durable=True):
            outcome = call()
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(outcome) if callable(done) else done)
    return redirect("evaluation:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_file_view(request, pk):
    plan = _plan_or_404(request, pk)
    return _act(request, plan, lambda: plans.plan_file(actor=request.user, plan=plan),
                _("考核计划已报备，等待审核"))


@login_required
@require_POST
def results_enter_view(request, pk):
    plan = _plan_or_404(request, pk)
    candidates = {c.pk: c for c in selectors.plan_candidates(user=request.user, plan=plan)}
    typed, rows = {}, []
    for cid, candidate in candidates.items():
        theory = request.POST.get(f"theory-{cid}", "").strip()
        practical = request.POST.get(f"practical-{cid}", "").strip()
        typed[cid] = (theory, practical)
        if theory or practical:
            rows.append(results.ScoreRow(candidate, theory, practical))
    errors, bad = [], {}
    if not rows:
        errors = [str(_("请至少填写一名考生的成绩"))]
    else:
        try:
            with transaction.atomic(durable=True):
                count = results.results_enter(actor=request.user, plan=plan, rows=rows)
        except Forbidden:
            raise
        except ServiceError as exc:
            errors = exc.errors.get("rows") or [exc.message]
            bad = _bad_cells(errors, rows)
        else:
            messages.success(request, _("已保存 %(n)s 名考生的成绩") % {"n": count})
            return redirect(reverse("evaluation:plan_detail", args=[plan.pk]) + "#results")
    return _plan_page(request, plan, status=400, typed=typed, entry_errors=errors,
                      bad_cells=bad)


_ROW = re.compile(r"^第 (\d+) 位考生")


def _bad_cells(errors: list[str], rows: list) -> dict[int, set]:
    """The boxes each refusal names ("第 n 位考生（…）：理论成绩…"), by candidate, to mark."""
    bad: dict[int, set] = {}
    for message in errors:
        match = _ROW.match(message)
        if match and 0 < int(match[1]) <= len(rows):
            cells = bad.setdefault(rows[int(match[1]) - 1].candidate.pk, set())
            cells.update(k for k, word in (("theory", "理论"), ("practical", "实操"))
                         if word in message.split("：", 1)[-1])
    return bad


@login_required
@require_POST
def results_import_view(request, pk):
    plan = _plan_or_404(request, pk)
    form = forms.ResultsFileForm(request.POST, request.FILES)
    errors = []
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    else:
        try:
            with transaction.atomic(durable=True):
                count = results.results_import(actor=request.user, plan=plan,
                                               upload=form.cleaned_data["file"])
        except Forbidden:
            raise
        except ServiceError as exc:
            errors = exc.errors.get("rows") or [exc.errors.get("file") or exc.message]
        else:
            messages.success(request, _("已导入 %(n)s 名考生的成绩") % {"n": count})
            return redirect(reverse("evaluation:plan_detail", args=[plan.pk]) + "#results")
    return _plan_page(request, plan, status=400, import_errors=errors, import_form=form)


@login_required
@require_POST
def results_publish_view(request, pk):
    plan = _plan_or_404(request, pk)
    return _act(request, plan,
                lambda: results.plan_results_publish(actor=request.user, plan=plan),
                lambda n: _("成绩已发布，颁发证书 %(n)s 本") % {"n": n})


class ResultCorrect(ServiceFormPage):
    """A correction of a published result: a new record, decided by the review chain."""

    title = _("更正考核成绩")
    form_class = forms.CorrectionForm
    template_name = "evaluation/correction_form.html"
    success_message = _("更正申请已提交，审核通过后生效")

    def get_object(self, request, pk):
        try:
            return selectors.result_get(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None

    def check_allowed(self, request, obj):
        require(request.user, "evaluation.add_result")
        if obj.status != ResultStatus.PUBLISHED:
            raise Http404  # only a published result has this page

    def initial(self, obj):
        return {"theory_score": _score_text(obj.theory_score),
                "practical_score": _score_text(obj.practical_score)}

    def save(self, request, obj, data):
        return results.result_correct(actor=request.user, result=obj,
                                      theory=data["theory_score"],
                                      practical=data["practical_score"], reason=data["reason"])

    def success_url(self, obj):
        return reverse("evaluation:plan_detail", args=[obj.candidate.plan_id]) + "#results"

    def render(self, request, form, obj, status=200, **extra):
        return super().render(request, form, obj, status=status, result=obj,
                              plan=obj.candidate.plan, **extra)


urlpatterns = [
    path("plans/", PlanList.as_view(), name="plan_list"),
    path("plans/new/", PlanDraft.as_view(), name="plan_draft"),
    path("plans/<int:pk>/", plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/examiners/", examiner_add_view, name="examiner_add"),
    path("plans/<int:pk>/candidates/", candidate_add_view, name="candidate_add"),
    path("plans/<int:pk>/file/", plan_file_view, name="plan_file"),
    path("plans/<int:pk>/results/", results_enter_view, name="results_enter"),
    path("plans/<int:pk>/results/import/", results_import_view, name="results_import"),
    path("plans/<int:pk>/results/publish/", results_publish_view, name="results_publish"),
    path("results/<int:pk>/correct/", ResultCorrect.as_view(), name="result_correct"),
]
