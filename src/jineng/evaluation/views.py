"""Pages of evaluation bodies: their filings (list, file, resubmit, detail with the review
timeline, suspend and withdraw), the public directory of filed bodies, and the occupation
picker's list. Plans are in views_plans.py, certificates and verification in
views_certificates.py."""

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
from jineng.core.review import review_of, review_queue, review_timeline
from jineng.core.views import PAGE_SIZE, Column, Filter, ScopedListPage, ServiceFormPage
from jineng.evaluation import bodies, forms, selectors
from jineng.evaluation.events import EvaluationAction
from jineng.evaluation.models import BodyKind, FilingStatus
from jineng.orgs.forms import RegionField, region_filter
from jineng.orgs.models import Institution

# The kinds of institution that may file as some kind of evaluation body.
BODY_INSTITUTION_KINDS = sorted({k for kinds in bodies.KIND_INSTITUTIONS.values()
                                 for k in kinds})


def names(items, attr="name") -> str:
    return "、".join(str(getattr(i, attr, i)) for i in items) or "—"


def period(f) -> str:
    return f"{f.valid_from:%Y-%m-%d} 至 {f.valid_to:%Y-%m-%d}"


def decide_url(user, subject) -> str:
    """The review page of the subject's pending review, if the user may decide it now."""
    review = review_of(subject)
    if review is not None and review_queue(user=user).filter(pk=review.pk).exists():
        return reverse("core:review_detail", args=[review.pk])
    return ""


def _filing_or_404(request, pk, action="view"):
    try:
        return selectors.filing_get(user=request.user, pk=pk, action=action)
    except NotFound:
        raise Http404 from None


# ---------------------------------------------------------------- filings


class FilingList(ScopedListPage):
    title = _("评价机构备案")
    permission = "evaluation.view_bodyfiling"
    export_permission = "evaluation.export_bodyfiling"
    add_permission = "evaluation.add_bodyfiling"
    create_url_name = "evaluation:filing_submit"
    selector = selectors.filing_list
    object_type = "evaluation.bodyfiling"
    filters = [Filter("status", _("状态"), FilingStatus.choices),
               Filter("kind", _("机构类别"), BodyKind.choices), region_filter(),
               Filter("occupation", _("职业"))]
    columns = [
        Column(_("评价机构"), lambda f: f.institution.name, link=True),
        Column(_("状态"), lambda f: f.get_status_display()),
        Column(_("地区"), lambda f: f.institution.region.name),
        Column(_("机构类别"), lambda f: f.get_kind_display()),
        Column(_("评价类型"), lambda f: names(f.evaluation_types.all())),
        Column(_("评价职业"), lambda f: names(f.occupations.all())),
        Column(_("评价等级"), lambda f: names(f.levels.all(), "short_name")),
        Column(_("备案期"), period),
    ]

    def row_url(self, obj):
        return reverse("evaluation:filing_detail", args=[obj.pk])


def _institutions(user):
    if not user.has_permission("evaluation.add_bodyfiling"):
        return Institution.objects.none()
    return (Institution.objects.restrict(user, "view")
            .filter(kind__in=BODY_INSTITUTION_KINDS).select_related("region").order_by("name"))


def _filing_kwargs(data) -> dict:
    return {"evaluation_types": list(data["evaluation_types"]),
            "occupations": data["occupations"], "levels": list(data["levels"]),
            "valid_from": data["valid_from"], "valid_to": data["valid_to"]}


class FilingSubmit(ServiceFormPage):
    title = _("申请评价机构备案")
    form_class = forms.FilingForm
    template_name = "evaluation/filing_form.html"
    success_message = _("备案申请已提交，等待审核")

    def check_allowed(self, request, obj):
        require(request.user, "evaluation.add_bodyfiling")

    def get_form_kwargs(self, request, obj):
        return {"institutions": _institutions(request.user)}

    def initial(self, obj):
        year = dt.date.today().year
        return {"valid_from": dt.date(year, 1, 1), "valid_to": dt.date(year + 2, 12, 31)}

    def save(self, request, obj, data):
        return bodies.filing_submit(actor=request.user, institution=data["institution"],
                                    kind=data["kind"], **_filing_kwargs(data))

    def success_url(self, obj):
        return reverse("evaluation:filing_detail", args=[obj.pk])


class FilingResubmit(ServiceFormPage):
    """A returned filing, changed and filed again by its body."""

    title = _("修改并重新提交备案")
    form_class = forms.FilingForm
    template_name = "evaluation/filing_form.html"
    success_message = _("备案已重新提交，等待审核")

    def get_object(self, request, pk):
        return _filing_or_404(request, pk, action="add")

    def check_allowed(self, request, obj):
        require(request.user, "evaluation.add_bodyfiling")

    def get_form_kwargs(self, request, obj):
        return {"institutions": Institution.objects.filter(pk=obj.institution_id),
                "resubmit": obj}

    def initial(self, obj):
        return {"institution": obj.institution_id, "kind": obj.kind,
                "evaluation_types": list(obj.evaluation_types.all()),
                "occupations": list(obj.occupations.all()), "levels": list(obj.levels.all()),
                "valid_from": obj.valid_from, "valid_to": obj.valid_to}

    def save(self, request, obj, data):
        return bodies.filing_resubmit(actor=request.user, filing=obj, **_filing_kwargs(data))

    def success_url(self, obj):
        return reverse("evaluation:filing_detail", args=[obj.pk])


_RECORDED = (EvaluationAction.FILING_SUSPEND, EvaluationAction.FILING_WITHDRAW)


def _supervision_record(filing) -> list[dict]:
    """Suspensions and withdrawals, from the audit trail (the review timeline has the rest)."""
    events = AuditEvent.objects.filter(object_type="evaluation.bodyfiling",
                                       object_id=str(filing.pk), action__in=_RECORDED)
    return [{"at": e.at, "actor": e.actor_name, "label": action_label(e.action),
             "reason": (e.changes.get("reason") or [None, ""])[1]}
            for e in events.order_by("id")]


@login_required
def filing_detail_view(request, pk):
    require(request.user, "evaluation.view_bodyfiling")
    filing = _filing_or_404(request, pk)
    user = request.user
    supervise = user.has_permission("evaluation.change_bodyfiling")
    return render(request, "evaluation/filing_detail.html", {
        "title": filing.institution.name, "filing": filing,
        "types": filing.evaluation_types.all(), "occupations": filing.occupations.all(),
        "levels": filing.levels.all(), "timeline": review_timeline(filing),
        "record": _supervision_record(filing), "decide_url": decide_url(user, filing),
        "can_resubmit": filing.status == FilingStatus.RETURNED
        and user.has_permission("evaluation.add_bodyfiling"),
        "can_suspend": supervise and filing.status == FilingStatus.FILED,
        "can_withdraw": supervise and filing.status in (FilingStatus.FILED,
                                                        FilingStatus.SUSPENDED),
        "can_plan": filing.status == FilingStatus.FILED
        and user.has_permission("evaluation.add_evaluationplan"),
        "plans": selectors.plan_list(user=user).filter(filing=filing)[:20]
        if user.has_permission("evaluation.view_evaluationplan") else [],
    })


_SUPERVISION = {"suspend": (bodies.filing_suspend, _("已暂停该评价机构")),
                "withdraw": (bodies.filing_withdraw, _("已撤销该评价机构备案"))}


@login_required
@require_POST
def filing_supervise_view(request, pk, action):
    if action not in _SUPERVISION:
        raise Http404
    filing = _filing_or_404(request, pk)
    service, done = _SUPERVISION[action]
    try:
        with transaction.atomic(durable=True):
            service(actor=request.user, filing=filing, reason=request.POST.get("reason", ""))
    except Forbidden:
        raise  # answered 403, as on the API
    except ServiceError as exc:
        messages.error(request, exc.errors.get("reason") or exc.message)
    else:
        messages.success(request, done)
    return redirect("evaluation:filing_detail", pk=filing.pk)


# ---------------------------------------------------------------- public directory


def directory_view(request):
    """Anyone: the evaluation bodies that are filed (and those suspended or withdrawn), with
    what they may evaluate and their period; by region and occupation."""
    region_field = RegionField(required=False, scope="all", as_code=True)
    typed = request.GET.get("region", "").strip()
    occupation = request.GET.get("occupation", "").strip()
    problem, region_code = "", ""
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
    return render(request, "evaluation/directory.html", {
        "title": _("评价机构名录"), "page": page, "region_picker": picker,
        "occupation": occupation, "problem": problem, "typed": typed,
    }, status=404 if problem else 200)


# ---------------------------------------------------------------- occupation picker


@login_required
def occupation_options_view(request):
    """The occupation picker's list (an HTML fragment) for the name being typed: the part
    after the last 、 of the box."""
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field else request.GET.get("q", "")
    for sep in "，,;；\n":
        text = text.replace(sep, "、")
    typed = text.rsplit("、", 1)[-1].strip()
    return render(request, "evaluation/occupation_options.html", {
        "typed": typed, "options": selectors.occupation_options(typed)})
