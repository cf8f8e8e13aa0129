"""The review pages: 待我审核 (the queue), one review with its decision form and timeline,
and the chains (read by officers, edited by the province)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.review import (
    CHAIN_CHANGE_PERMISSION,
    chain_steps,
    kind_label,
    permission_label,
    review_chain_for,
    review_chain_save,
    review_decide,
    review_kind,
    review_kinds,
    review_queue,
    review_reachable,
    review_timeline,
    step_label,
    step_position,
)
from jineng.core.review_forms import DecisionForm, StepFormSet, steps_of


def queue_rows(reviews) -> list[dict]:
    return [{"review": r, "kind": kind_label(r.kind),
             "step": step_position(r.step_index, r.step_count)} for r in reviews]


@login_required
def review_queue_view(request):
    reviews = review_queue(user=request.user)[:200]
    return render(request, "core/review_queue.html",
                  {"title": _("待我审核"), "rows": queue_rows(reviews)})


@login_required
def review_detail_view(request, pk: int):
    review, may_decide = review_reachable(user=request.user, pk=pk)
    form = DecisionForm(request.POST or None) if may_decide else None
    status = 200
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                review_decide(actor=request.user, review=review, **form.cleaned_data)
        except ServiceError as exc:
            placed = [form.add_error(f, m) for f, m in exc.errors.items() if f in form.fields]
            if not placed:
                form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已审核：%(title)s") % {"title": review.title})
            return redirect("core:review_queue")
    elif request.method == "POST":
        status = 400 if form is not None else 403
    spec_url = _subject_url(review)
    return render(request, "core/review_detail.html", {
        "title": _("审核"), "review": review, "kind": kind_label(review.kind),
        "step": step_position(review.step_index, review.step_count),
        "steps": [{"position": step_position(n, review.step_count),
                   "permission": permission_label(s["permission"]),
                   "level": step_label(s["level"]), "current": n == review.step_index}
                  for n, s in enumerate(review.steps)],
        "subject_url": spec_url, "form": form,
        "timeline": review_timeline(review.subject) if review.subject else [],
    }, status=status)


def _subject_url(review) -> str:
    try:
        spec = review_kind(review.kind)
    except ServiceError:
        return ""
    return spec.url(review.subject) if review.subject is not None else ""


@login_required
def review_chain_list_view(request):
    require(request.user, "core.view_reviewchain")
    region = request.user.region
    kinds = []
    for spec in review_kinds():
        chain = review_chain_for(spec.kind, region)  # no region: the default
        kinds.append({"spec": spec, "chain": chain, "steps": _step_rows(chain)})
    return render(request, "core/review_chains.html", {
        "title": _("审核流程"), "kinds": kinds, "region": region,
        "can_change": request.user.has_permission(CHAIN_CHANGE_PERMISSION)})


def _step_rows(chain) -> list[dict]:
    if chain is None:
        return []
    return [{"permission": permission_label(s["permission"]), "level": step_label(s["level"])}
            for s in chain_steps(chain)]


@login_required
def review_chain_edit_view(request, kind: str):
    require(request.user, CHAIN_CHANGE_PERMISSION, message=_("只有省级人社部门可以修改审核流程"))
    spec = review_kind(kind)
    region = request.user.region
    if region is None:
        raise NotFound()
    chain = review_chain_for(kind, region)
    choices = sorted({**{p: permission_label(p) for p, _lv in spec.default_steps},
                      **spec.permissions}.items())
    initial = [{"order": n, "permission": s["permission"], "level": s["level"]}
               for n, s in enumerate(chain_steps(chain) if chain else [], start=1)]
    kwargs = {"form_kwargs": {"permissions": choices}, "prefix": "steps"}
    formset = StepFormSet(request.POST or None, initial=None if request.POST else initial,
                          **kwargs)
    error, status = "", 200
    if request.method == "POST":
        if formset.is_valid():
            try:
                with transaction.atomic(durable=True):
                    review_chain_save(actor=request.user, kind=kind, region=region,
                                      steps=steps_of(formset))
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("已保存「%(kind)s」在%(region)s的审核流程") % {
                    "kind": spec.label, "region": region.name})
                return redirect(reverse("core:review_chains"))
        else:
            error, status = _("请检查各步骤的顺序、权限与层级"), 400
    return render(request, "core/review_chain_edit.html", {
        "title": _("修改审核流程"), "spec": spec, "region": region, "formset": formset,
        "error": error, "inherited": chain is not None and chain.region_id != region.pk,
    }, status=status)
