"""Results of a plan: entered on a page or imported from a spreadsheet (every row checked,
nothing written if any row is wrong), published by a second person (maker-checker), which
issues the certificates of the passes. A published result is never edited: a correction is a
new record that the review chain decides (`correction_approve`, `correction_reject`)."""

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from jineng.core.audit import audit_record
from jineng.core.errors import Forbidden, ServiceError, field_error
from jineng.core.refusals import require, require_visible
from jineng.core.review import review_submit
from jineng.core.spreadsheet_reader import ReadError, open_rows
from jineng.evaluation import bodies, certificates
from jineng.evaluation.events import EvaluationAction
from jineng.evaluation.lock_objects import plan_lock, result_lock
from jineng.evaluation.models import (
    Candidate,
    CertificateStatus,
    EvaluationPlan,
    FilingStatus,
    PlanStatus,
    Result,
    ResultStatus,
)

CORRECTION_REVIEW = "result_correction"
REVIEW_CORRECTION = "evaluation.review_evaluationplan"
PASS_MARK = Decimal(60)
PRACTICAL_ONLY_TYPES = ("special_ability",)  # 专项职业能力考核: a practical test
IMPORT_MAX_ROWS = 5000
HEADERS = {"id_number": ("身份证号", "证件号码", "身份证号码"), "name": ("姓名",),
           "theory": ("理论成绩", "理论知识成绩", "理论"), "practical": ("实操成绩", "技能操作成绩",
                                                                "实操")}


def passes(plan: EvaluationPlan, theory: Decimal | None, practical: Decimal) -> bool:
    """The pass rule of the plan's type: 60 of 100 in each part it has (a 专项职业能力考核 has
    only a practical part)."""
    if plan.evaluation_type.code in PRACTICAL_ONLY_TYPES:
        return practical >= PASS_MARK
    return theory is not None and theory >= PASS_MARK and practical >= PASS_MARK


def score(value, label: str, *, required: bool) -> Decimal | None:
    """A score of 0–100 with at most one decimal; a Chinese message naming the score if not."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ValueError(f"请填写{label}")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{label}「{text}」不是数字") from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(f"{label}「{text}」超出 0–100 分")
    if number != number.quantize(Decimal("0.1")):
        raise ValueError(f"{label}「{text}」最多保留一位小数")
    return number


def _enterable(actor, plan: EvaluationPlan) -> EvaluationPlan:
    require(actor, "evaluation.add_result", message="没有录入考核成绩的权限")
    require_visible(actor, plan, "change")
    plan = plan_lock(plan)
    if plan.status not in (PlanStatus.APPROVED, PlanStatus.HELD):
        raise field_error("status", f"考核计划「{plan.name}」当前为"
                                    f"「{plan.get_status_display()}」，"
                                    "只有已批准的计划可以录入成绩", code="wrong_state")
    if plan.exam_date > timezone.localdate():
        raise field_error("exam_date", f"考核日期 {plan.exam_date} 还没到，不能录入成绩")
    return plan


@dataclass(frozen=True)
class ScoreRow:
    candidate: Candidate
    theory: object
    practical: object
    row: int | None = None  # the spreadsheet's row number


def _checked(plan: EvaluationPlan, rows: list[ScoreRow]) -> list[tuple]:
    """(candidate, theory, practical) of every row, or one refusal listing every bad row."""
    practical_only = plan.evaluation_type.code in PRACTICAL_ONLY_TYPES
    good, errors, seen = [], [], {}
    for n, row in enumerate(rows, start=1):
        where = f"第 {row.row} 行" if row.row else f"第 {n} 位考生（{row.candidate.person.name}）"
        if row.candidate.plan_id != plan.pk:
            errors.append(f"{where}：{row.candidate.person.name} 不是本计划的考生")
            continue
        if row.candidate.pk in seen:
            errors.append(f"{where}：与{seen[row.candidate.pk]}是同一考生")
            continue
        seen[row.candidate.pk] = where
        try:
            theory = score(row.theory, "理论成绩", required=not practical_only)
            practical = score(row.practical, "实操成绩", required=True)
        except ValueError as exc:
            errors.append(f"{where}：{exc}")
            continue
        good.append((row.candidate, theory, practical))
    if errors:
        raise ServiceError("；".join(errors[:50]) + ("" if len(errors) <= 50 else
                                                     f"；等共 {len(errors)} 处错误"),
                           code="bad_rows", errors={"rows": errors})
    return good


@transaction.atomic
def results_enter(*, actor, plan: EvaluationPlan, rows: list[ScoreRow]) -> int:
    """Scores of candidates of a held plan, replacing what was entered before publication;
    the plan is held from its first scores."""
    plan = _enterable(actor, plan)
    good = _checked(plan, rows)
    standing = {r.candidate_id: r for r in Result.objects.filter(
        candidate__plan=plan, status=ResultStatus.ENTERED)}
    for candidate, theory, practical in good:
        result = standing.get(candidate.pk) or Result(candidate=candidate)
        result.theory_score, result.practical_score = theory, practical
        result.passed, result.entered_by = passes(plan, theory, practical), actor
        result.save()
    plan.results_entered_by = actor
    plan.status = PlanStatus.HELD
    plan.save(update_fields=["results_entered_by", "status"])
    audit_record(actor=actor, action=EvaluationAction.RESULTS_ENTER, obj=plan, changes={
        "results": [None, len(good)],
        "passed": [None, sum(passes(plan, t, p) for _, t, p in good)]})
    return len(good)


@dataclass(frozen=True)
class IdScoreRow:
    """A row of scores keyed by the candidate's identity number (the API's rows)."""

    id_number: object
    theory: object
    practical: object


def _bad_rows(messages: list[str], errors: dict) -> ServiceError:
    summary = "；".join(messages[:50]) + ("" if len(messages) <= 50 else
                                          f"；等共 {len(messages)} 处错误")
    return ServiceError(summary, code="bad_rows", errors={**errors, "rows": messages})


@transaction.atomic
def results_enter_by_id(*, actor, plan: EvaluationPlan, rows: list[IdScoreRow]) -> int:
    """`results_enter` for rows keyed by identity number: every row must be a candidate of
    the plan, once, with valid scores. One refusal names every bad row and field, in
    `errors["rows.<i>.<field>"]` (i counted from 0, as the rows were sent; field id_number,
    theory_score or practical_score) and in `errors["rows"]` (the messages in order);
    nothing is written if any row is bad."""
    from jineng.people import services as people_services

    plan = _enterable(actor, plan)
    if not rows:
        raise field_error("rows", "没有成绩行")
    practical_only = plan.evaluation_type.code in PRACTICAL_ONLY_TYPES
    by_hash = {c.person.id_hash: c for c in plan.candidates.select_related("person")}
    messages, errors, good, seen = [], {}, [], {}

    def bad(i: int, field: str, message: str) -> None:
        messages.append(message)
        errors.setdefault(f"rows.{i}.{field}", message)

    for i, row in enumerate(rows):
        where = f"第 {i + 1} 行"
        try:
            ident = people_services.identity_check(str(row.id_number or ""))
        except ServiceError as exc:
            bad(i, "id_number", f"{where}「身份证号」：{exc.errors.get('id_number', exc.message)}")
            continue
        candidate = by_hash.get(people_services.identity_hash(ident.doc_type, ident.number))
        if candidate is None:
            bad(i, "id_number", f"{where}「身份证号」：该证件号码不是本计划的考生")
            continue
        if candidate.pk in seen:
            bad(i, "id_number", f"{where}「身份证号」：与第 {seen[candidate.pk] + 1} 行是同一考生"
                                f"（{candidate.person.name}）")
            continue
        seen[candidate.pk] = i
        where = f"{where}（{candidate.person.name}）"
        scores = {}
        for field, value, label, required in (
                ("theory_score", row.theory, "理论成绩", not practical_only),
                ("practical_score", row.practical, "实操成绩", True)):
            try:
                scores[field] = score(value, label, required=required)
            except ValueError as exc:
                bad(i, field, f"{where}：{exc}")
        if len(scores) == 2:
            good.append(ScoreRow(candidate, scores["theory_score"], scores["practical_score"]))
    if messages:
        raise _bad_rows(messages, errors)
    return results_enter(actor=actor, plan=plan, rows=good)


# ---------------------------------------------------------------- the spreadsheet


def _header_positions(row: list) -> dict[str, int]:
    labels = [str(c or "").strip().replace(" ", "") for c in row]
    found = {}
    for key, names in HEADERS.items():
        for i, label in enumerate(labels):
            if label in names:
                found[key] = i
                break
    return found


def _save(upload) -> Path:
    handle, name = tempfile.mkstemp(suffix=Path(getattr(upload, "name", "x.xlsx")).suffix,
                                    prefix="results-")
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            out.write(chunk)
    return Path(name)


def _file_rows(upload) -> tuple[dict[str, int], list[tuple[int, list]]]:
    path = _save(upload)
    try:
        source = open_rows(path, getattr(upload, "name", ""))
        try:
            rows = [(n, list(r)) for n, r in source.rows]
        finally:
            source.close()
    except ReadError as exc:
        raise field_error("file", exc.message) from None
    finally:
        path.unlink(missing_ok=True)
    if not rows:
        raise field_error("file", "文件是空的")
    header = _header_positions(rows[0][1])
    missing = [HEADERS[k][0] for k in ("id_number", "practical") if k not in header]
    if missing:
        raise field_error("file", f"第 1 行应为表头，缺少“{'、'.join(missing)}”列"
                                  "（表头：身份证号、姓名、理论成绩、实操成绩）")
    if len(rows) - 1 > IMPORT_MAX_ROWS:
        raise field_error("file", f"成绩表最多 {IMPORT_MAX_ROWS} 行，请拆分后再导入")
    return header, rows[1:]


def _cell(row: list, i: int | None):
    return row[i] if i is not None and i < len(row) else None


@transaction.atomic
def results_import(*, actor, plan: EvaluationPlan, upload) -> int:
    """Scores from an .xlsx (or .csv): 身份证号, 姓名, 理论成绩, 实操成绩; every row must be a
    candidate of the plan, named as registered; one message lists every bad row and cell."""
    from jineng.people import services as people_services

    plan = _enterable(actor, plan)
    header, rows = _file_rows(upload)
    by_hash = {c.person.id_hash: c for c in plan.candidates.select_related("person")}
    score_rows, errors = [], []
    for number, row in rows:
        if not any(str(c or "").strip() for c in row):
            continue
        raw_id = _cell(row, header["id_number"])
        try:
            ident = people_services.identity_check(str(raw_id or ""))
        except ServiceError as exc:
            errors.append(f"第 {number} 行「身份证号」：{exc.message}")
            continue
        candidate = by_hash.get(people_services.identity_hash(ident.doc_type, ident.number))
        if candidate is None:
            errors.append(f"第 {number} 行「身份证号」：该证件号码不是本计划的考生")
            continue
        name = str(_cell(row, header.get("name")) or "").strip()
        if name and name != candidate.person.name:
            errors.append(f"第 {number} 行「姓名」：「{name}」与登记的考生姓名不一致")
            continue
        score_rows.append(ScoreRow(candidate, _cell(row, header.get("theory")),
                                   _cell(row, header["practical"]), row=number))
    try:
        checked = _checked(plan, score_rows)
    except ServiceError as exc:
        errors += exc.errors["rows"]
        checked = []
    if errors:
        errors.sort(key=lambda e: int(e.split(" ")[1]) if e.startswith("第 ") else 0)
        raise ServiceError("；".join(errors[:50]) + ("" if len(errors) <= 50 else
                                                     f"；等共 {len(errors)} 处错误"),
                           code="bad_rows", errors={"rows": errors})
    return results_enter(actor=actor, plan=plan, rows=[
        ScoreRow(c, t, p) for c, t, p in checked])


# ---------------------------------------------------------------- publication


@transaction.atomic
def plan_results_publish(*, actor, plan: EvaluationPlan) -> int:
    """held → published, by someone other than who entered the scores: the results are fixed
    and each pass gets its certificate. Returns the number of certificates issued."""
    require(actor, "evaluation.publish_evaluationplan", message="没有确认发布考核成绩的权限")
    require_visible(actor, plan, "view")
    plan = plan_lock(plan)
    if plan.status != PlanStatus.HELD:
        raise field_error("status", f"考核计划「{plan.name}」当前为"
                                    f"「{plan.get_status_display()}」，"
                                    "只有已录入成绩的计划可以发布", code="wrong_state")
    if plan.filing.status != FilingStatus.FILED:
        raise field_error("status", f"「{plan.filing.institution.name}」的评价机构备案当前为"
                                    f"「{plan.filing.get_status_display()}」，不能发布成绩")
    results = Result.objects.filter(candidate__plan=plan, status=ResultStatus.ENTERED)
    enterers = set(results.order_by().values_list("entered_by_id", flat=True).distinct())
    enterers.add(plan.results_entered_by_id)
    if actor.pk in enterers:
        raise Forbidden("成绩须由录入人以外的另一人确认发布（双人复核）")
    missing = plan.candidates.exclude(results__status=ResultStatus.ENTERED)
    if missing.exists():
        names = "、".join(missing.values_list("person__name", flat=True)[:10])
        raise field_error("results", f"还有考生没有成绩：{names}")
    entered = Result.objects.filter(candidate__plan=plan, status=ResultStatus.ENTERED).update(
        status=ResultStatus.PUBLISHED)
    issued = certificates.certificates_issue(actor=actor, plan=plan, passes=Result.objects.filter(
        candidate__plan=plan, status=ResultStatus.PUBLISHED, passed=True))
    plan.status, plan.published_by, plan.published_at = (PlanStatus.PUBLISHED, actor,
                                                         timezone.now())
    plan.save(update_fields=["status", "published_by", "published_at"])
    audit_record(actor=actor, action=EvaluationAction.RESULTS_PUBLISH, obj=plan, changes={
        "status": [PlanStatus.HELD, PlanStatus.PUBLISHED], "results": [None, entered],
        "certificates": [None, issued]})
    return issued


# ---------------------------------------------------------------- corrections


@transaction.atomic
def result_correct(*, actor, result: Result, theory, practical, reason: str) -> Result:
    """A correction of a published result: a new record, into the review chain; the published
    one stands until the correction is approved."""
    require(actor, "evaluation.add_result", message="没有更正考核成绩的权限")
    require_visible(actor, result, "view")
    reason = bodies.reason_required(reason, "更正成绩")
    result = result_lock(result)
    if result.status != ResultStatus.PUBLISHED:
        raise field_error("status", f"只有已发布的成绩可以更正，该成绩当前为"
                                    f"「{result.get_status_display()}」", code="wrong_state")
    if result.corrections.filter(status=ResultStatus.CORRECTION).exists():
        raise field_error("status", "该成绩已有一条更正在审核中")
    plan = result.candidate.plan
    practical_only = plan.evaluation_type.code in PRACTICAL_ONLY_TYPES
    try:
        theory = score(theory, "理论成绩", required=not practical_only)
        practical = score(practical, "实操成绩", required=True)
    except ValueError as exc:
        raise field_error("theory_score" if "理论" in str(exc) else "practical_score",
                          str(exc)) from None
    correction = Result.objects.create(
        candidate=result.candidate, theory_score=theory, practical_score=practical,
        passed=passes(plan, theory, practical), status=ResultStatus.CORRECTION,
        corrects=result, reason=reason, entered_by=actor)
    audit_record(actor=actor, action=EvaluationAction.RESULT_CORRECT, obj=correction, changes={
        "corrects": [None, result.pk], "theory_score": [result.theory_score, theory],
        "practical_score": [result.practical_score, practical], "reason": [None, reason]})
    review_submit(actor=actor, kind=CORRECTION_REVIEW, subject=correction)
    return correction


def _pending(actor, correction: Result) -> Result:
    require(actor, REVIEW_CORRECTION, message="没有审核成绩更正的权限")
    correction = result_lock(correction)
    if correction.status != ResultStatus.CORRECTION:
        raise field_error("status", "该更正已处理", code="wrong_state")
    return correction


@transaction.atomic
def correction_approve(*, actor, correction: Result) -> Result:
    """The correction stands in place of the published result: a pass that becomes a fail
    revokes the certificate; a fail that becomes a pass gets one."""
    correction = _pending(actor, correction)
    old = result_lock(correction.corrects)
    old.status = ResultStatus.SUPERSEDED
    Result.objects.filter(pk=old.pk).update(status=ResultStatus.SUPERSEDED)
    Result.objects.filter(pk=correction.pk).update(status=ResultStatus.PUBLISHED)
    correction.status = ResultStatus.PUBLISHED
    plan = correction.candidate.plan
    held = getattr(old, "certificate", None)
    if held and held.status == CertificateStatus.VALID and not correction.passed:
        certificates.revoke(actor=actor, certificate=held,
                            reason=f"成绩更正为不合格：{correction.reason}")
    elif correction.passed and not (held and held.status == CertificateStatus.VALID):
        certificates.certificates_issue(actor=actor, plan=plan,
                                        passes=Result.objects.filter(pk=correction.pk))
    audit_record(actor=actor, action=EvaluationAction.RESULT_CORRECTION_APPROVE,
                 obj=correction, changes={"status": [ResultStatus.CORRECTION,
                                                     ResultStatus.PUBLISHED]})
    return correction


@transaction.atomic
def correction_reject(*, actor, correction: Result, reason: str) -> Result:
    reason = bodies.reason_required(reason, "不予更正")
    correction = _pending(actor, correction)
    Result.objects.filter(pk=correction.pk).update(status=ResultStatus.REJECTED)
    correction.status = ResultStatus.REJECTED
    audit_record(actor=actor, action=EvaluationAction.RESULT_CORRECTION_REJECT,
                 obj=correction, changes={"status": [ResultStatus.CORRECTION,
                                                     ResultStatus.REJECTED],
                                          "reason": [None, reason]})
    return correction
