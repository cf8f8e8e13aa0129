"""Every read of evaluation that is more than a get: scoped lists for the pages, the public
directory of filed bodies, a plan's candidates with their results, and the look-ups the
forms make (a person by identity number, an occupation by name)."""

from django.db.models import Prefetch, Q, QuerySet

from jineng.catalog.models import Occupation, OccupationLevel, WorkType
from jineng.core.errors import NotFound, field_error
from jineng.evaluation.models import (
    BodyFiling,
    Candidate,
    Certificate,
    EvaluationPlan,
    Examiner,
    FilingStatus,
    Result,
    ResultStatus,
)
from jineng.people.models import Person

# What anyone may read in the directory: filings that are or were in force.
PUBLIC_FILING_STATES = (FilingStatus.FILED, FilingStatus.SUSPENDED, FilingStatus.WITHDRAWN)
OPTIONS_LIMIT = 20


def _one(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# ---------------------------------------------------------------- filings


def _filings(qs: QuerySet) -> QuerySet:
    return qs.select_related("institution__region").prefetch_related(
        "evaluation_types", "occupations", "levels")


def _filtered_filings(qs: QuerySet, *, q="", status="", kind="", region_code="",
                      occupation="") -> QuerySet:
    if q:
        qs = qs.filter(institution__name__contains=q)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        qs = qs.filter(institution__region__path__contains=f"/{region_code}/")
    if occupation:
        qs = qs.filter(pk__in=BodyFiling.objects.filter(
            Q(occupations__code=occupation) | Q(occupations__name__contains=occupation))
            .values("pk"))
    return qs.order_by("institution__region__code", "institution__name", "-valid_from", "pk")


def filing_list(*, user, q: str = "", status: str = "", kind: str = "", region_code: str = "",
                occupation: str = "", action: str = "view") -> QuerySet[BodyFiling]:
    return _filtered_filings(_filings(BodyFiling.objects.restrict(user, action)), q=q,
                             status=status, kind=kind, region_code=region_code,
                             occupation=occupation)


def filing_get(*, user, pk, action: str = "view") -> BodyFiling:
    return _one(_filings(BodyFiling.objects.restrict(user, action)), pk=pk)


def public_directory(*, region_code: str = "", occupation: str = "",
                     q: str = "") -> QuerySet[BodyFiling]:
    """Anyone: the filings in force or once in force (filed, suspended, withdrawn), never
    applications under review or refused."""
    qs = _filings(BodyFiling.objects.filter(status__in=PUBLIC_FILING_STATES))
    return _filtered_filings(qs, q=q, region_code=region_code, occupation=occupation)


def filings_for_plans(*, user) -> QuerySet[BodyFiling]:
    """The filed filings under which the user may draft a plan."""
    if not user.has_permission("evaluation.add_evaluationplan"):
        return BodyFiling.objects.none()
    return _filings(BodyFiling.objects.restrict(user, "view")
                    .filter(status=FilingStatus.FILED)).order_by("institution__name", "pk")


def filings_qs(ids) -> QuerySet[BodyFiling]:
    return (BodyFiling.objects.filter(pk__in=ids).select_related("institution")
            .order_by("institution__name", "pk"))


def filed(relation: str, ids) -> QuerySet:
    """The ids of what the filings `ids` cover: "occupations", "levels" or
    "evaluation_types"."""
    return BodyFiling.objects.filter(pk__in=ids).exclude(**{f"{relation}__isnull": True}) \
        .values_list(relation, flat=True)


# ---------------------------------------------------------------- plans


def _plans(qs: QuerySet) -> QuerySet:
    return qs.select_related("filing__institution", "region", "occupation", "work_type",
                             "level", "evaluation_type")


def plan_list(*, user, q: str = "", status: str = "", region_code: str = "",
              action: str = "view") -> QuerySet[EvaluationPlan]:
    qs = _plans(EvaluationPlan.objects.restrict(user, action))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__contains=q)
                       | Q(filing__institution__name__contains=q)
                       | Q(occupation__name__contains=q))
    if status:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(region__path__contains=f"/{region_code}/")
    return qs.order_by("-exam_date", "-pk")


def plan_get(*, user, pk, action: str = "view") -> EvaluationPlan:
    return _one(_plans(EvaluationPlan.objects.restrict(user, action)), pk=pk)


def plan_examiners(*, user, plan: EvaluationPlan) -> QuerySet[Examiner]:
    return (Examiner.objects.restrict(user, "view").filter(plan=plan)
            .select_related("person").order_by("pk"))


def plan_candidates(*, user, plan: EvaluationPlan) -> list[Candidate]:
    """The plan's candidates as the user may see them, each with `standing` (the entered or
    published result, or None), `pending` (a correction under review, or None) and
    `certificate` (issued on the standing result, or None)."""
    results = Result.objects.restrict(user, "view").select_related("certificate")
    candidates = list(
        Candidate.objects.restrict(user, "view").filter(plan=plan)
        .select_related("person", "enrolment__training_class")
        .prefetch_related(Prefetch("results", queryset=results.order_by("pk")))
        .order_by("pk"))
    for c in candidates:
        c.standing = next((r for r in c.results.all() if r.status in (
            ResultStatus.ENTERED, ResultStatus.PUBLISHED)), None)
        c.pending = next((r for r in c.results.all()
                          if r.status == ResultStatus.CORRECTION), None)
        c.certificate = getattr(c.standing, "certificate", None) if c.standing else None
        c.corrections = [r for r in c.results.all() if r.corrects_id]
    return candidates


def result_get(*, user, pk, action: str = "view") -> Result:
    return _one(Result.objects.restrict(user, action).select_related(
        "candidate__person", "candidate__plan__evaluation_type",
        "candidate__plan__filing__institution"), pk=pk)


# ---------------------------------------------------------------- certificates


def _certificates(qs: QuerySet) -> QuerySet:
    return qs.select_related("person", "occupation", "work_type", "level", "body", "region",
                             "evaluation_type", "plan")


def certificate_list(*, user, q: str = "", status: str = "", region_code: str = "",
                     action: str = "view") -> QuerySet[Certificate]:
    qs = _certificates(Certificate.objects.restrict(user, action))
    if q:
        qs = qs.filter(Q(number__contains=q.upper()) | Q(person__name__contains=q)
                       | Q(occupation__name__contains=q) | Q(body__name__contains=q))
    if status:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(region__path__contains=f"/{region_code}/")
    return qs.order_by("-issued_on", "-pk")


def certificate_get(*, user, pk, action: str = "view") -> Certificate:
    return _one(_certificates(Certificate.objects.restrict(user, action)), pk=pk)


def person_certificates(*, user, person: Person) -> QuerySet[Certificate]:
    """A person's certificates as the user may see them (a worker: their own)."""
    return _certificates(Certificate.objects.restrict(user, "view").filter(person=person)
                         ).order_by("-issued_on", "-pk")


def person_candidacies(*, user, person: Person) -> list[Candidate]:
    """A person's sittings, newest first, with the result they may read (published only)."""
    results = Result.objects.restrict(user, "view").filter(status=ResultStatus.PUBLISHED)
    return list(Candidate.objects.restrict(user, "view").filter(person=person)
                .select_related("plan__occupation", "plan__work_type", "plan__level",
                                "plan__filing__institution")
                .prefetch_related(Prefetch("results", queryset=results, to_attr="published"))
                .order_by("-plan__exam_date", "-pk"))


# ---------------------------------------------------------------- look-ups for the forms


def person_by_id_number(id_number: str, field: str = "id_number") -> Person:
    """The registered person with this identity number (anywhere in the registry: examiners
    and candidates may be registered in another county), or a Chinese refusal naming the
    field."""
    from jineng.people import services as people_services

    ident = people_services.identity_check(id_number)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash(ident.doc_type, ident.number)).first()
    if person is None:
        raise field_error(field, "该证件号码尚未实名登记，请先在“实名登记”中登记该人员")
    return person


def occupations_current() -> QuerySet[Occupation]:
    return Occupation.objects.filter(is_current=True, level=OccupationLevel.OCCUPATION)


def occupation_options(q: str, limit: int = OPTIONS_LIMIT) -> list[Occupation]:
    """Current occupations whose name contains `q` or whose code starts with it: the exact
    name first, then the shorter names."""
    q = (q or "").strip()
    if not q:
        return []
    qs = occupations_current().filter(Q(name__contains=q) | Q(code__startswith=q))
    found = sorted(qs[:200], key=lambda o: (o.name != q, len(o.name), o.code))
    return found[:limit]


def occupation_find(text: str) -> tuple[Occupation | None, str]:
    """The current occupation a person typed: its name, its code, or the picker's label
    「名称（代码）」; or why it could not be told which one."""
    text = (text or "").strip()
    if text.endswith(("）", ")")) and ("（" in text or "(" in text):
        code = text.replace("(", "（").rsplit("（", 1)[1].rstrip("）)").strip()
        found = occupations_current().filter(code=code).first()
        if found:
            return found, ""
    current = occupations_current()
    exact = current.filter(Q(name=text) | Q(code=text)).first()
    if exact:
        return exact, ""
    matches = list(current.filter(name__contains=text)[:6])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, f"现行职业分类大典中没有名称含「{text}」的职业"
    names = "、".join(m.name for m in matches[:5])
    return None, f"「{text}」对应多个职业（{names}……），请从列表中选择或写全称"


def work_types_of(occupations) -> QuerySet[WorkType]:
    return (WorkType.objects.filter(occupation__in=occupations, is_active=True)
            .select_related("occupation").order_by("occupation__code", "name"))


# ---------------------------------------------------------------- the lifelong archive

ARCHIVE_CERTIFICATE_COLUMNS = ["证书编号", "职业（工种）", "等级", "发证机构", "发证日期", "状态",
                               "证书文件"]
ARCHIVE_EVALUATION_COLUMNS = ["考核计划", "评价机构", "职业（工种）", "等级", "考核日期", "成绩"]


def _what(occupation, work_type) -> str:
    return occupation.name + (f"（{work_type.name}）" if work_type else "")


def archive_certificate_rows(person: Person, user) -> list[list]:
    """The archive's 技能等级证书: the person's certificates as the user may see them, each
    with the link to its PDF."""
    from django.urls import reverse
    from django.utils.html import format_html

    rows = []
    for c in person_certificates(user=user, person=person):
        status = c.get_status_display()
        if c.revoked_reason:
            status = f"{status}（{c.revoked_reason}）"
        rows.append([c.number, _what(c.occupation, c.work_type), c.level.name, c.body.name,
                     f"{c.issued_on:%Y-%m-%d}", status,
                     format_html('<a href="{}">下载</a>',
                                 reverse("evaluation:certificate_pdf", args=[c.pk]))])
    return rows


def archive_evaluation_rows(person: Person, user) -> list[list]:
    """The archive's 技能评价记录: the plans the person sat, with the published result."""
    rows = []
    for c in person_candidacies(user=user, person=person):
        plan = c.plan
        result = c.published[0] if c.published else None
        if result is None:
            outcome = "成绩待发布"
        else:
            parts = ([f"理论 {result.theory_score.normalize():f}"]
                     if result.theory_score is not None else [])
            parts.append(f"实操 {result.practical_score.normalize():f}")
            outcome = f"{'合格' if result.passed else '不合格'}（{'，'.join(parts)}）"
        rows.append([plan.name, plan.filing.institution.name,
                     _what(plan.occupation, plan.work_type), plan.level.name,
                     f"{plan.exam_date:%Y-%m-%d}", outcome])
    return rows


def register_archive() -> None:
    """The archive's sections of evaluation (called from the app's ready())."""
    from jineng.people.selectors import ArchiveSection, register_archive_section

    register_archive_section(ArchiveSection("evaluation", "技能评价记录", 15,
                                            ARCHIVE_EVALUATION_COLUMNS,
                                            rows=archive_evaluation_rows))
    register_archive_section(ArchiveSection("certificates", "技能等级证书", 20,
                                            ARCHIVE_CERTIFICATE_COLUMNS,
                                            rows=archive_certificate_rows))
