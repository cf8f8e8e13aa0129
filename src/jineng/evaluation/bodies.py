"""Evaluation bodies file (备案) what they may evaluate; the review chain decides
(`filing_approve`, `filing_return`, `filing_reject` are its callbacks); an officer suspends
or withdraws a filing with a reason. Only a filed body, within its period, for what it filed,
may hold evaluations."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, field_error
from jineng.core.refusals import require, require_institution, require_visible
from jineng.core.review import review_submit
from jineng.evaluation.events import EvaluationAction
from jineng.evaluation.lock_objects import filing_lock
from jineng.evaluation.models import BodyFiling, BodyKind, FilingStatus
from jineng.orgs.models import Institution, InstitutionKind, InstitutionStatus

FILING = "body_filing"
REVIEW_FILING = "evaluation.review_bodyfiling"
REASON_MAX = 300
LIVE = (FilingStatus.APPLIED, FilingStatus.RETURNED, FilingStatus.FILED, FilingStatus.SUSPENDED)
# which institutions may file as which kind of body
KIND_INSTITUTIONS = {
    BodyKind.SOCIAL: (InstitutionKind.EVALUATION, InstitutionKind.TRAINING),
    BodyKind.ENTERPRISE: (InstitutionKind.ENTERPRISE,),
    BodyKind.SCHOOL: (InstitutionKind.TECHNICAL_SCHOOL,),
    BodyKind.QUALIFICATION: (InstitutionKind.EVALUATION,),
    BodyKind.SPECIAL: (InstitutionKind.EVALUATION, InstitutionKind.TRAINING,
                       InstitutionKind.TECHNICAL_SCHOOL),
}


def reason_required(reason: str, what: str) -> str:
    reason = clean_text(reason or "")
    if not reason:
        raise field_error("reason", f"{what}须填写原因")
    if len(reason) > REASON_MAX:
        raise field_error("reason", f"原因最多 {REASON_MAX} 字")
    return reason


def _summary(filing: BodyFiling) -> dict:
    return {
        "institution": filing.institution.name, "kind": filing.kind,
        "evaluation_types": sorted(t.code for t in filing.evaluation_types.all()),
        "occupations": sorted(o.code for o in filing.occupations.all()),
        "levels": sorted(level.code for level in filing.levels.all()),
        "valid_from": filing.valid_from, "valid_to": filing.valid_to,
    }


def _clean(*, institution: Institution, kind: str, evaluation_types, occupations, levels,
           valid_from, valid_to) -> tuple[list, list, list]:
    if kind not in BodyKind.values:
        raise field_error("kind", "请选择评价机构类别")
    if institution.kind not in KIND_INSTITUTIONS[kind]:
        raise field_error("kind", f"「{institution.name}」是{institution.get_kind_display()}，"
                                  f"不能备案为{BodyKind(kind).label}")
    if institution.status != InstitutionStatus.ACTIVE:
        raise field_error("institution", f"「{institution.name}」的机构状态为"
                                         f"「{institution.get_status_display()}」，不能备案")
    types, occupations, levels = (list(evaluation_types or []), list(occupations or []),
                                  list(levels or []))
    if not types:
        raise field_error("evaluation_types", "请至少选择一种评价类型")
    if not occupations:
        raise field_error("occupations", "请至少选择一个评价职业")
    old = [o.code for o in occupations if not o.is_current]
    if old:
        raise field_error("occupations",
                          f"职业 {'、'.join(old)} 不属于现行职业分类大典，请选择现行职业")
    if not levels:
        raise field_error("levels", "请至少选择一个评价等级")
    if valid_from is None or valid_to is None:
        raise field_error("valid_to", "请填写备案期起止日期")
    if valid_to < valid_from:
        raise field_error("valid_to", f"备案期止（{valid_to}）早于备案期起（{valid_from}）")
    return types, occupations, levels


def _no_live_filing(institution: Institution, exclude_pk=None) -> None:
    live = BodyFiling.objects.filter(institution=institution, status__in=LIVE)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    if current := live.first():
        message = (f"「{institution.name}」已有状态为「{current.get_status_display()}」的"
                   "评价机构备案，不能重复申请")
        raise Conflict(message, errors={"institution": message})


def _move(*, actor, filing: BodyFiling, to: str, action: str, reason: str = "",
          decided: bool = False) -> BodyFiling:
    before = filing.status
    filing.status, filing.reason = to, reason
    if decided:
        filing.decided_at = timezone.now()
    filing.save(update_fields=["status", "reason", "decided_at", "updated_at"])
    changes = {"status": [before, to]}
    if reason:
        changes["reason"] = [None, reason]
    audit_record(actor=actor, action=action, obj=filing, changes=changes)
    return filing


def _write(filing: BodyFiling, types, occupations, levels) -> None:
    filing.evaluation_types.set(types)
    filing.occupations.set(occupations)
    filing.levels.set(levels)


@transaction.atomic
def filing_submit(*, actor, institution: Institution, kind: str, evaluation_types: list,
                  occupations: list, levels: list, valid_from: dt.date,
                  valid_to: dt.date) -> BodyFiling:
    """A body files what it may evaluate (→ applied, into the review chain)."""
    require_institution(actor, BodyFiling, "add", institution)
    types, occupations, levels = _clean(
        institution=institution, kind=kind, evaluation_types=evaluation_types,
        occupations=occupations, levels=levels, valid_from=valid_from, valid_to=valid_to)
    _no_live_filing(institution)
    filing = BodyFiling.objects.create(institution=institution, kind=kind,
                                       valid_from=valid_from, valid_to=valid_to,
                                       submitted_by=actor)
    _write(filing, types, occupations, levels)
    audit_record(actor=actor, action=EvaluationAction.FILING_SUBMIT, obj=filing,
                 changes={k: [None, v] for k, v in _summary(filing).items()})
    review_submit(actor=actor, kind=FILING, subject=filing)
    return filing


@transaction.atomic
def filing_resubmit(*, actor, filing: BodyFiling, evaluation_types: list, occupations: list,
                    levels: list, valid_from: dt.date, valid_to: dt.date) -> BodyFiling:
    """A returned filing, changed and filed again (returned → applied)."""
    require_visible(actor, filing, "add")
    filing = filing_lock(filing)
    if filing.status != FilingStatus.RETURNED:
        raise field_error("status", f"只有退回修改的备案可以重新提交，该备案当前为"
                                    f"「{filing.get_status_display()}」", code="wrong_state")
    types, occupations, levels = _clean(
        institution=filing.institution, kind=filing.kind, evaluation_types=evaluation_types,
        occupations=occupations, levels=levels, valid_from=valid_from, valid_to=valid_to)
    before = _summary(filing)
    filing.valid_from, filing.valid_to = valid_from, valid_to
    filing.save(update_fields=["valid_from", "valid_to", "updated_at"])
    _write(filing, types, occupations, levels)
    after = _summary(filing)
    _move(actor=actor, filing=filing, to=FilingStatus.APPLIED,
          action=EvaluationAction.FILING_RESUBMIT)
    if changed := {k: [before[k], after[k]] for k in after if before[k] != after[k]}:
        audit_record(actor=actor, action=EvaluationAction.FILING_RESUBMIT, obj=filing,
                     changes=changed)
    review_submit(actor=actor, kind=FILING, subject=filing)
    return filing


def _reviewable(actor, filing: BodyFiling, verb: str) -> BodyFiling:
    require(actor, REVIEW_FILING, message="没有审核评价机构备案的权限")
    require_visible(actor, filing, "review")
    filing = filing_lock(filing)
    if filing.status != FilingStatus.APPLIED:
        raise field_error("status", f"该备案当前为「{filing.get_status_display()}」，"
                                    f"只有待审核的备案可以{verb}", code="wrong_state")
    return filing


@transaction.atomic
def filing_approve(*, actor, filing: BodyFiling) -> BodyFiling:
    filing = _reviewable(actor, filing, "通过")
    return _move(actor=actor, filing=filing, to=FilingStatus.FILED,
                 action=EvaluationAction.FILING_APPROVE, decided=True)


@transaction.atomic
def filing_return(*, actor, filing: BodyFiling, reason: str) -> BodyFiling:
    reason = reason_required(reason, "退回修改")
    filing = _reviewable(actor, filing, "退回")
    return _move(actor=actor, filing=filing, to=FilingStatus.RETURNED,
                 action=EvaluationAction.FILING_RETURN, reason=reason)


@transaction.atomic
def filing_reject(*, actor, filing: BodyFiling, reason: str) -> BodyFiling:
    reason = reason_required(reason, "不予备案")
    filing = _reviewable(actor, filing, "不予备案")
    return _move(actor=actor, filing=filing, to=FilingStatus.REJECTED,
                 action=EvaluationAction.FILING_REJECT, reason=reason, decided=True)


def _supervised(actor, filing: BodyFiling) -> BodyFiling:
    require(actor, "evaluation.change_bodyfiling", message="没有管理评价机构的权限")
    require_visible(actor, filing, "change")
    return filing_lock(filing)


@transaction.atomic
def filing_suspend(*, actor, filing: BodyFiling, reason: str) -> BodyFiling:
    """filed → suspended: no new plans and no publication while suspended."""
    reason = reason_required(reason, "暂停评价机构")
    filing = _supervised(actor, filing)
    if filing.status != FilingStatus.FILED:
        raise field_error("status", f"只有已备案的评价机构可以暂停，该备案当前为"
                                    f"「{filing.get_status_display()}」", code="wrong_state")
    return _move(actor=actor, filing=filing, to=FilingStatus.SUSPENDED,
                 action=EvaluationAction.FILING_SUSPEND, reason=reason)


@transaction.atomic
def filing_withdraw(*, actor, filing: BodyFiling, reason: str) -> BodyFiling:
    """filed or suspended → withdrawn (撤销), with a reason; final."""
    reason = reason_required(reason, "撤销备案")
    filing = _supervised(actor, filing)
    if filing.status not in (FilingStatus.FILED, FilingStatus.SUSPENDED):
        raise field_error("status", f"只有已备案或暂停的评价机构可以撤销，该备案当前为"
                                    f"「{filing.get_status_display()}」", code="wrong_state")
    return _move(actor=actor, filing=filing, to=FilingStatus.WITHDRAWN,
                 action=EvaluationAction.FILING_WITHDRAW, reason=reason)


def filing_covers(filing: BodyFiling, *, evaluation_type: EvaluationType,
                  occupation: Occupation, level: SkillLevel, on_date: dt.date) -> str:
    """Why the filing does not allow this evaluation ("" if it does)."""
    name = filing.institution.name
    if filing.status != FilingStatus.FILED:
        return f"「{name}」的评价机构备案当前为「{filing.get_status_display()}」，不能组织考核"
    if not filing.valid_from <= on_date <= filing.valid_to:
        return (f"考核日期 {on_date} 不在「{name}」的备案期"
                f"（{filing.valid_from} 至 {filing.valid_to}）内")
    if not filing.evaluation_types.filter(pk=evaluation_type.pk).exists():
        return f"「{name}」未备案评价类型「{evaluation_type.name}」"
    if not filing.occupations.filter(pk=occupation.pk).exists():
        return f"「{name}」未备案职业「{occupation.code} {occupation.name}」，不能组织该职业的考核"
    if not filing.levels.filter(pk=level.pk).exists():
        return f"「{name}」未备案等级「{level.name}」"
    return ""
