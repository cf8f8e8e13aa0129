"""/api/v1/ endpoints of evaluation: bodies' filings (/evaluation/bodies), plans with their
examiners, candidates and results (/evaluation/plans), certificates in the caller's scope
(/certificates), and the public checks that need no token (/certificates/verify,
/certificates/revocations, /certificates/keys).

Thin: each handler finds what the caller may see (`restrict`), turns codes and identity
numbers into records, and calls the service. The public answers carry only what a printed
certificate shows: the masked name, never the identity number or an id of the system."""

import dataclasses
import datetime as dt
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from jineng.catalog.api import OccupationLevelOut
from jineng.catalog.models import EvaluationType, Occupation, SkillLevel, WorkType
from jineng.catalog.services import occupation_current
from jineng.core.api import ErrorOut, Paging
from jineng.core.codes import clean_text
from jineng.core.errors import ServiceError
from jineng.core.scope import get_restricted
from jineng.evaluation import bodies, certificates, plans, results
from jineng.evaluation.models import (
    BodyFiling,
    Candidate,
    Certificate,
    CertificateStatus,
    EvaluationPlan,
    Examiner,
    Result,
)
from jineng.orgs.models import Institution, Region
from jineng.orgs.selectors import region_find
from jineng.people import services as people_services
from jineng.people.models import Person

router = Router()
bodies_router = Router(tags=["评价机构备案"])
plans_router = Router(tags=["考核计划与成绩"])
public_router = Router(tags=["证书查验（公开，无需令牌）"])
certificates_router = Router(tags=["职业技能等级证书"])


# ---------------------------------------------------------------- helpers


@contextmanager
def _fields_named(names: dict[str, str]):
    """A service's refusal with its fields named as this API's body names them
    (occupation → occupation_code): a client finds the message under the field it sent."""
    try:
        yield
    except ServiceError as exc:
        exc.errors = {names.get(k, k): v for k, v in exc.errors.items()}
        raise


def _refuse(field: str, message: str) -> ServiceError:
    return ServiceError(message, errors={field: message})


def _institution(user, pk: int) -> Institution:
    institution = Institution.objects.restrict(user, "view").filter(pk=pk).first()
    if institution is None:
        raise _refuse("institution_id", "机构不存在或无权访问")
    return institution


def _codes(model, codes: list[str], field: str, what: str, **extra) -> list:
    codes = list(dict.fromkeys(clean_text(c) for c in codes))
    found = {o.code: o for o in model.objects.filter(code__in=codes, **extra)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise _refuse(field, f"{what} {'、'.join(missing)} 不存在")
    return [found[c] for c in codes]


def _one(model, code: str, field: str, what: str):
    found = model.objects.filter(code=clean_text(code)).first()
    if found is None:
        raise _refuse(field, f"{what} {code} 不存在")
    return found


def _occupation(code: str, field: str = "occupation_code") -> Occupation:
    occupation = occupation_current(clean_text(code))
    if occupation is None:
        raise _refuse(field, f"职业代码 {code} 不在现行职业分类大典中")
    return occupation


def _person(id_number: str) -> Person:
    """The registered person with this number, anywhere in the registry (a candidate or an
    examiner may be registered in another county)."""
    ident = people_services.identity_check(id_number)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash(ident.doc_type, ident.number)).first()
    if person is None:
        raise _refuse("id_number", "该证件号码尚未实名登记，请先在“实名登记”中登记该人员")
    return person


def _filing(user, pk: int) -> BodyFiling:
    return get_restricted(_filings(), user, "view", pk=pk)


def _filings():
    return (BodyFiling.objects.select_related("institution__region")
            .prefetch_related("evaluation_types", "occupations", "levels"))


def _plans():
    return EvaluationPlan.objects.select_related(
        "filing__institution", "evaluation_type", "occupation", "work_type", "level", "region")


def _plan(user, pk: int) -> EvaluationPlan:
    return get_restricted(_plans(), user, "view", pk=pk)


def _with_people(user, plan: EvaluationPlan) -> EvaluationPlan:
    """The plan with the examiners and candidates the caller may see."""
    plan.examiner_rows = list(Examiner.objects.restrict(user, "view").filter(plan=plan)
                              .select_related("person").order_by("pk"))
    plan.candidate_rows = list(Candidate.objects.restrict(user, "view").filter(plan=plan)
                               .select_related("person", "enrolment__training_class")
                               .order_by("pk"))
    return plan


def _certificates():
    return Certificate.objects.select_related(
        "person", "occupation", "work_type", "level", "evaluation_type", "body", "region")


def _local_date(moment):
    return timezone.localdate(moment) if moment else None


def _coded(objects) -> list[dict]:
    return [{"code": o.code, "name": o.name} for o in objects]


# ---------------------------------------------------------------- schemas


class Coded(Schema):
    code: str
    name: str


class FilingOut(Schema):
    id: int = Field(description="备案 id（报备考核计划时的 filing_id）")
    institution_id: int = Field(description="评价机构 id")
    institution_name: str = Field(description="评价机构名称")
    region_code: str = Field(description="机构所在地区代码")
    region_name: str = Field(description="机构所在地区")
    kind: str = Field(description="机构类别：social 社会培训评价组织，enterprise 企业自主评价，"
                                  "school 院校评价，qualification 职业资格评价机构，special "
                                  "专项职业能力考核机构")
    kind_label: str = Field(description="机构类别名称")
    evaluation_types: list[Coded] = Field(description="备案的评价类型")
    occupations: list[Coded] = Field(description="备案的评价职业")
    levels: list[Coded] = Field(description="备案的评价等级")
    valid_from: dt.date = Field(description="备案期起")
    valid_to: dt.date = Field(description="备案期止")
    status: str = Field(description="状态：applied 待审核，returned 退回修改，rejected 不予备案，"
                                    "filed 已备案，suspended 暂停，withdrawn 已撤销")
    status_label: str = Field(description="状态名称")
    reason: str = Field(description="退回、不予备案、暂停或撤销的原因")
    submitted_at: dt.datetime = Field(description="申请时间")
    decided_at: dt.datetime | None = Field(description="备案时间")

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.institution.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.institution.region.name

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_evaluation_types(obj):
        return _coded(obj.evaluation_types.all())

    @staticmethod
    def resolve_occupations(obj):
        return _coded(obj.occupations.all())

    @staticmethod
    def resolve_levels(obj):
        return _coded(obj.levels.all())

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class FilingFilter(Schema):
    q: str = Field("", max_length=100, description="机构名称")
    status: str = Field("", max_length=20, description="状态")
    kind: str = Field("", max_length=20, description="机构类别")


class FilingIn(Schema):
    institution_id: int = Field(description="申请备案的机构 id（本机构）")
    kind: str = Field(description="机构类别：social、enterprise、school、qualification、special")
    evaluation_type_codes: list[str] = Field(description="评价类型编码，如 skill_level、"
                                                         "special_ability", max_length=20)
    occupation_codes: list[str] = Field(description="职业代码（现行职业分类大典），如 6-31-01-03",
                                        max_length=200)
    level_codes: list[str] = Field(description="等级代码，如 5、4、3", max_length=20)
    valid_from: dt.date = Field(description="备案期起")
    valid_to: dt.date = Field(description="备案期止")


class FilingResubmitIn(Schema):
    evaluation_type_codes: list[str] = Field(max_length=20)
    occupation_codes: list[str] = Field(max_length=200)
    level_codes: list[str] = Field(max_length=20)
    valid_from: dt.date
    valid_to: dt.date


class ReasonIn(Schema):
    reason: str = Field(description="原因（必填，最多 300 字）")


FILING_FIELDS = {"institution": "institution_id", "evaluation_types": "evaluation_type_codes",
                 "occupations": "occupation_codes", "levels": "level_codes"}


class ExaminerOut(Schema):
    id: int
    name: str = Field(description="考评员姓名")
    id_masked: str = Field(description="证件号码（脱敏）")
    number: str = Field(description="考评员证号")

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked


class CandidateOut(Schema):
    id: int
    name: str = Field(description="考生姓名")
    id_masked: str = Field(description="证件号码（脱敏）")
    source: str = Field(description="来源：completion 培训结业，direct 直接报名")
    source_label: str = Field(description="来源名称")
    class_name: str | None = Field(description="结业的培训班")
    added_at: dt.datetime = Field(description="登记时间")

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_class_name(obj):
        return obj.enrolment.training_class.name if obj.enrolment_id else None


class PlanOut(OccupationLevelOut):
    id: int
    code: str = Field(description="计划编号")
    name: str = Field(description="计划名称")
    status: str = Field(description="状态：draft 草稿，filed 待审核，returned 退回修改，rejected "
                                    "不予通过，approved 已批准，held 已考核（成绩待发布），"
                                    "published 成绩已发布")
    status_label: str = Field(description="状态名称")
    reason: str = Field(description="退回或不予通过的原因")
    filing_id: int = Field(description="评价机构备案 id")
    institution_id: int = Field(description="评价机构 id")
    institution_name: str = Field(description="评价机构名称")
    evaluation_type_code: str = Field(description="评价类型编码")
    evaluation_type_name: str = Field(description="评价类型")
    region_code: str = Field(description="考核地区代码")
    region_name: str = Field(description="考核地区")
    site: int = Field(description="考核站点编号（编入证书编号）")
    venue: str = Field(description="考核地点")
    exam_date: dt.date = Field(description="考核日期")
    created_at: dt.datetime = Field(description="填报时间")
    published_at: dt.datetime | None = Field(description="成绩发布时间")

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_institution_id(obj):
        return obj.filing.institution_id

    @staticmethod
    def resolve_institution_name(obj):
        return obj.filing.institution.name

    @staticmethod
    def resolve_evaluation_type_code(obj):
        return obj.evaluation_type.code

    @staticmethod
    def resolve_evaluation_type_name(obj):
        return obj.evaluation_type.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name


class PlanDetailOut(PlanOut):
    examiners: list[ExaminerOut] = Field(description="考评员")
    candidates: list[CandidateOut] = Field(description="考生")

    @staticmethod
    def resolve_examiners(obj):
        return obj.examiner_rows

    @staticmethod
    def resolve_candidates(obj):
        return obj.candidate_rows


class PlanFilter(Schema):
    q: str = Field("", max_length=100, description="计划名称、编号或机构名称")
    status: str = Field("", max_length=20, description="状态")
    filing_id: int | None = Field(None, description="评价机构备案 id")
    occupation: str = Field("", max_length=20, description="职业代码")


class PlanIn(Schema):
    filing_id: int = Field(
        description="评价机构备案 id（须已备案，且备案了该职业、等级和评价类型）")
    name: str = Field(description="计划名称", max_length=120)
    evaluation_type_code: str = Field(description="评价类型编码，如 skill_level")
    occupation_code: str = Field(description="职业代码，如 6-31-01-03")
    work_type: str = Field("", description="工种名称（可不填）")
    level_code: str = Field(description="等级代码，如 4")
    region_code: str = Field("", description="考核地区代码（默认为机构所在地区）")
    site: int = Field(1, description="本机构的考核站点编号（1–999），编入证书编号")
    venue: str = Field(description="考核地点", max_length=200)
    exam_date: dt.date = Field(description="考核日期")


PLAN_FIELDS = {"occupation": "occupation_code", "level": "level_code",
               "evaluation_type": "evaluation_type_code", "region": "region_code",
               "institution": "filing_id"}


class ExaminerIn(Schema):
    id_number: str = Field(description="考评员证件号码（须已实名登记；只在请求体中传送）",
                           max_length=40)
    number: str = Field("", description="考评员证号", max_length=40)


class CandidateIn(Schema):
    id_number: str = Field(description="考生证件号码（须已实名登记；只在请求体中传送）",
                           max_length=40)


PERSON_FIELDS = {"person": "id_number"}

def _score(description: str):
    """A score as sent, a number or a text: the service reads it and says in Chinese what is
    wrong with it (a JSON true is not taken for 1)."""
    return Annotated[Any, WithJsonSchema({
        "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
        "description": description})]


Theory = _score("理论成绩：0–100 分，最多一位小数（专项职业能力考核可不填）")
Practical = _score("实操成绩：0–100 分，最多一位小数（必填）")


class ScoreRowIn(Schema):
    id_number: str = Field(description="考生证件号码", max_length=40)
    theory_score: Theory = None
    practical_score: Practical = None


class ScoresIn(Schema):
    rows: list[ScoreRowIn] = Field(
        description="每位考生一行：证件号码、理论成绩（专项职业能力考核可不填）、实操成绩。"
                    "任一行有误则全部不保存，错误按行和字段列出（rows.<序号>.<字段>，序号从 0 起）",
        min_length=1, max_length=results.IMPORT_MAX_ROWS)


class ScoresOut(Schema):
    entered: int = Field(description="录入的成绩条数")
    status: str = Field(description="考核计划状态")
    status_label: str = Field(description="考核计划状态名称")


class ResultOut(Schema):
    id: int
    candidate_id: int = Field(description="考生 id")
    name: str = Field(description="考生姓名")
    id_masked: str = Field(description="证件号码（脱敏）")
    theory_score: float | None = Field(description="理论成绩")
    practical_score: float = Field(description="实操成绩")
    passed: bool = Field(description="合格")
    status: str = Field(description="状态：entered 已录入，published 已发布，correction "
                                    "更正待审核，superseded 已被更正，rejected 更正未通过")
    status_label: str = Field(description="状态名称")
    corrects_id: int | None = Field(description="更正的成绩 id")
    reason: str = Field(description="更正原因")
    entered_at: dt.datetime = Field(description="录入时间")
    certificate_number: str | None = Field(description="据此颁发的证书编号")

    @staticmethod
    def resolve_name(obj):
        return obj.candidate.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.candidate.person.id_masked

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_certificate_number(obj):
        certificate = getattr(obj, "certificate", None)
        return certificate.number if certificate else None


class PublishOut(Schema):
    certificates_issued: int = Field(description="颁发的证书数")
    status: str = Field(description="考核计划状态")
    status_label: str = Field(description="考核计划状态名称")
    published_at: dt.datetime | None = Field(description="成绩发布时间")


class CorrectionIn(Schema):
    theory_score: Theory = None
    practical_score: Practical = None
    reason: str = Field(description="更正原因（必填）")


class CertificateOut(OccupationLevelOut):
    id: int
    number: str = Field(description="证书编号")
    holder_name: str = Field(description="持证人姓名")
    id_masked: str = Field(description="持证人证件号码（脱敏）")
    evaluation_type: str = Field(description="评价类型")
    body_id: int = Field(description="评价机构 id")
    body_name: str = Field(description="评价机构名称")
    region_code: str = Field(description="发证地区代码")
    region_name: str = Field(description="发证地区")
    plan_id: int = Field(description="考核计划 id")
    issued_on: dt.date = Field(description="发证日期")
    status: str = Field(description="状态：valid 有效，revoked 已撤销")
    status_label: str = Field(description="状态名称")
    revoked_reason: str = Field(description="撤销原因")
    revoked_at: dt.datetime | None = Field(description="撤销时间")

    @staticmethod
    def resolve_holder_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked

    @staticmethod
    def resolve_evaluation_type(obj):
        return obj.evaluation_type.name

    @staticmethod
    def resolve_body_name(obj):
        return obj.body.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class CertificateDetailOut(CertificateOut):
    key_id: str = Field(description="签名密钥编号（见 /certificates/keys）")
    qr_payload: str = Field(description="证书二维码内容（Ed25519 签名，可离线核验）")

    @staticmethod
    def resolve_qr_payload(obj):
        return certificates.qr_payload(obj)


class CertificateFilter(Schema):
    q: str = Field("", max_length=50, description="证书编号或持证人姓名")
    status: str = Field("", max_length=20, description="状态：valid、revoked")
    plan_id: int | None = Field(None, description="考核计划 id")
    occupation: str = Field("", max_length=20, description="职业代码")


class VerificationOut(Schema):
    """What anyone may learn of a certificate: what is printed on it, the name masked."""

    code: str = Field(description="valid 有效；revoked 已撤销；not_found 查无此证书")
    message: str = Field(description="查验结论（中文）")
    number: str | None = Field(None, description="证书编号")
    holder: str | None = Field(None, description="持证人姓名（脱敏，如 张*三）")
    occupation_code: str | None = Field(None, description="职业代码")
    occupation_name: str | None = Field(None, description="职业名称")
    work_type: str | None = Field(None, description="工种")
    level_code: str | None = Field(None, description="等级代码")
    level_name: str | None = Field(None, description="等级名称")
    evaluation_type: str | None = Field(None, description="评价类型")
    body_name: str | None = Field(None, description="评价机构")
    issued_on: dt.date | None = Field(None, description="发证日期")
    status: str | None = Field(None, description="证书状态：valid、revoked")
    status_label: str | None = Field(None, description="证书状态名称")
    revoked_reason: str | None = Field(None, description="撤销原因")
    revoked_on: dt.date | None = Field(None, description="撤销日期")


def _verification(answer: certificates.Verification) -> dict:
    out = {"code": answer.code, "message": answer.message}
    f = answer.facts
    if f is None:
        return out
    revoked = f.status == CertificateStatus.REVOKED
    return {**out, **dataclasses.asdict(f), "status_label": f.status_label,
            "revoked_reason": f.revoked_reason if revoked else None}


class NumberQuery(Schema):
    number: str = Field(max_length=64, description="证书编号（22 位：1 位字母加 21 位数字）")


class HolderIn(Schema):
    name: str = Field(min_length=1, max_length=50, description="持证人姓名")
    id_number: str = Field(min_length=1, max_length=40, description="持证人证件号码")


class HolderOut(Schema):
    code: str = Field(description="found 查到证书；not_found 未查到")
    message: str = Field(description="查验结论（中文）")
    certificates: list[VerificationOut] = Field(description="该持证人的证书（脱敏）")


class RevocationListOut(Schema):
    format: str = Field(description=f"名单格式：{certificates.CRL_FORMAT}")
    issued_at: str = Field(description="名单生成时间（UTC，ISO 8601）")
    key_id: str = Field(description="签名密钥编号")
    revoked: list[list[str]] = Field(description="已撤销的证书：[证书编号, 撤销日期, 撤销原因]")
    signature: str = Field(
        description="Ed25519 签名（base64url，无填充），签名内容为 format、issued_at、key_id、"
                    "revoked 四项按键名排序、无空格的 JSON（UTF-8，中文不转义）")


class KeysOut(Schema):
    algorithm: str = Field(description="签名算法")
    current_key_id: str = Field(description="当前用于签发的密钥编号")
    keys: dict[str, str] = Field(description="密钥编号 → 公钥（原始 32 字节的十六进制）")


# ---------------------------------------------------------------- bodies


@bodies_router.get("/evaluation/bodies", response=list[FilingOut],
                   summary="评价机构备案列表（机构只见本机构的，经办人员见本地区的）")
@paginate(Paging)
def list_bodies(request, filters: Query[FilingFilter]):
    qs = _filings().restrict(request.auth, "view")
    if filters.q:
        qs = qs.filter(institution__name__contains=filters.q.strip())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("institution__region__code", "institution__name", "-valid_from", "-pk")


@bodies_router.get("/evaluation/bodies/{filing_id}", response=FilingOut,
                   summary="评价机构备案详情")
def get_body(request, filing_id: int):
    return _filing(request.auth, filing_id)


@bodies_router.post("/evaluation/bodies", response={201: FilingOut},
                    summary="申请评价机构备案（评价职业、等级、评价类型和备案期；提交审核）")
def submit_body(request, payload: FilingIn):
    with _fields_named(FILING_FIELDS):
        filing = bodies.filing_submit(
            actor=request.auth, institution=_institution(request.auth, payload.institution_id),
            kind=payload.kind,
            evaluation_types=_codes(EvaluationType, payload.evaluation_type_codes,
                                    "evaluation_type_codes", "评价类型编码"),
            occupations=_codes(Occupation, payload.occupation_codes, "occupation_codes",
                               "职业代码", is_current=True),
            levels=_codes(SkillLevel, payload.level_codes, "level_codes", "等级代码"),
            valid_from=payload.valid_from, valid_to=payload.valid_to)
    return Status(201, _filing(request.auth, filing.pk))


@bodies_router.post("/evaluation/bodies/{filing_id}/resubmit", response=FilingOut,
                    summary="重新提交退回修改的评价机构备案")
def resubmit_body(request, filing_id: int, payload: FilingResubmitIn):
    filing = _filing(request.auth, filing_id)
    with _fields_named(FILING_FIELDS):
        bodies.filing_resubmit(
            actor=request.auth, filing=filing,
            evaluation_types=_codes(EvaluationType, payload.evaluation_type_codes,
                                    "evaluation_type_codes", "评价类型编码"),
            occupations=_codes(Occupation, payload.occupation_codes, "occupation_codes",
                               "职业代码", is_current=True),
            levels=_codes(SkillLevel, payload.level_codes, "level_codes", "等级代码"),
            valid_from=payload.valid_from, valid_to=payload.valid_to)
    return _filing(request.auth, filing_id)


@bodies_router.post("/evaluation/bodies/{filing_id}/suspend", response=FilingOut,
                    summary="暂停评价机构（须填写原因；暂停期间不能报备计划、发布成绩）")
def suspend_body(request, filing_id: int, payload: ReasonIn):
    bodies.filing_suspend(actor=request.auth, filing=_filing(request.auth, filing_id),
                          reason=payload.reason)
    return _filing(request.auth, filing_id)


@bodies_router.post("/evaluation/bodies/{filing_id}/withdraw", response=FilingOut,
                    summary="撤销评价机构备案（须填写原因）")
def withdraw_body(request, filing_id: int, payload: ReasonIn):
    bodies.filing_withdraw(actor=request.auth, filing=_filing(request.auth, filing_id),
                           reason=payload.reason)
    return _filing(request.auth, filing_id)


# ---------------------------------------------------------------- plans


@plans_router.get("/evaluation/plans", response=list[PlanOut],
                  summary="考核计划列表（机构只见本机构的，经办人员见本地区的）")
@paginate(Paging)
def list_plans(request, filters: Query[PlanFilter]):
    qs = _plans().restrict(request.auth, "view")
    if q := filters.q.strip():
        qs = qs.filter(Q(name__contains=q) | Q(code=q) | Q(filing__institution__name__contains=q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.filing_id is not None:
        qs = qs.filter(filing_id=filters.filing_id)
    if filters.occupation:
        qs = qs.filter(occupation__code=filters.occupation.strip())
    return qs.order_by("-exam_date", "-pk")


@plans_router.get("/evaluation/plans/{plan_id}", response=PlanDetailOut,
                  summary="考核计划详情（含考评员与考生）")
def get_plan(request, plan_id: int):
    return _with_people(request.auth, _plan(request.auth, plan_id))


@plans_router.post("/evaluation/plans", response={201: PlanDetailOut},
                   summary="新建考核计划草稿（职业、等级、评价类型须在本机构备案范围内）")
def draft_plan(request, payload: PlanIn):
    filing = BodyFiling.objects.restrict(request.auth, "view").filter(
        pk=payload.filing_id).select_related("institution__region").first()
    if filing is None:
        raise _refuse("filing_id", "评价机构备案不存在或无权访问")
    region = filing.institution.region
    if payload.region_code.strip():
        region, problem = region_find(payload.region_code, Region.objects.filter(is_active=True))
        if region is None:
            raise _refuse("region_code", problem)
    occupation = _occupation(payload.occupation_code)
    work_type = None
    if name := clean_text(payload.work_type):
        work_type = WorkType.objects.filter(occupation=occupation, name=name,
                                            is_active=True).first()
        if work_type is None:
            raise _refuse("work_type", f"职业「{occupation.name}」没有工种「{name}」")
    with _fields_named(PLAN_FIELDS):
        plan = plans.plan_draft(
            actor=request.auth, filing=filing, name=payload.name,
            evaluation_type=_one(EvaluationType, payload.evaluation_type_code,
                                 "evaluation_type_code", "评价类型编码"),
            occupation=occupation, work_type=work_type,
            level=_one(SkillLevel, payload.level_code, "level_code", "等级代码"),
            region=region, venue=payload.venue, exam_date=payload.exam_date, site=payload.site)
    return Status(201, _with_people(request.auth, _plan(request.auth, plan.pk)))


@plans_router.post("/evaluation/plans/{plan_id}/examiners", response={201: ExaminerOut},
                   summary="登记考评员（按证件号码；每场至少 2 名）")
def add_examiner(request, plan_id: int, payload: ExaminerIn):
    plan = _plan(request.auth, plan_id)
    with _fields_named(PERSON_FIELDS):
        examiner = plans.examiner_add(actor=request.auth, plan=plan,
                                      person=_person(payload.id_number), number=payload.number)
    return Status(201, examiner)


@plans_router.post("/evaluation/plans/{plan_id}/candidates", response={201: CandidateOut},
                   summary="登记考生（按证件号码；有该职业培训结业记录的自动关联）")
def add_candidate(request, plan_id: int, payload: CandidateIn):
    plan = _plan(request.auth, plan_id)
    with _fields_named(PERSON_FIELDS):
        candidate = plans.candidate_add(actor=request.auth, plan=plan,
                                        person=_person(payload.id_number))
    return Status(201, Candidate.objects.select_related(
        "person", "enrolment__training_class").get(pk=candidate.pk))


@plans_router.post("/evaluation/plans/{plan_id}/file", response=PlanDetailOut,
                   summary="报备考核计划（提交审核）")
def file_plan(request, plan_id: int):
    plans.plan_file(actor=request.auth, plan=_plan(request.auth, plan_id))
    return _with_people(request.auth, _plan(request.auth, plan_id))


# ---------------------------------------------------------------- results


def _results(user, plan: EvaluationPlan):
    return (Result.objects.restrict(user, "view").filter(candidate__plan=plan)
            .select_related("candidate__person", "certificate").order_by("candidate_id", "pk"))


@plans_router.get("/evaluation/plans/{plan_id}/results", response=list[ResultOut],
                  summary="考核计划的成绩（含更正记录）")
@paginate(Paging)
def list_results(request, plan_id: int):
    return _results(request.auth, _plan(request.auth, plan_id))


@plans_router.post("/evaluation/plans/{plan_id}/results", response=ScoresOut,
                   summary="录入成绩（按证件号码，每位考生一行；任一行有误则全部不保存）")
def enter_results(request, plan_id: int, payload: ScoresIn):
    plan = _plan(request.auth, plan_id)
    entered = results.results_enter_by_id(actor=request.auth, plan=plan, rows=[
        results.IdScoreRow(r.id_number, r.theory_score, r.practical_score)
        for r in payload.rows])
    plan.refresh_from_db(fields=["status"])
    return {"entered": entered, "status": plan.status, "status_label": plan.get_status_display()}


@plans_router.post("/evaluation/plans/{plan_id}/results/publish", response=PublishOut,
                   summary="确认发布成绩（须由录入人以外的另一人确认；合格者颁发证书）")
def publish_results(request, plan_id: int):
    plan = _plan(request.auth, plan_id)
    issued = results.plan_results_publish(actor=request.auth, plan=plan)
    plan.refresh_from_db(fields=["status", "published_at"])
    return {"certificates_issued": issued, "status": plan.status,
            "status_label": plan.get_status_display(), "published_at": plan.published_at}


@plans_router.post("/evaluation/results/{result_id}/correct", response={201: ResultOut},
                   summary="申请更正已发布的成绩（须填写原因；审核通过后生效）")
def correct_result(request, result_id: int, payload: CorrectionIn):
    result = get_restricted(Result, request.auth, "view", pk=result_id)
    correction = results.result_correct(actor=request.auth, result=result,
                                        theory=payload.theory_score,
                                        practical=payload.practical_score,
                                        reason=payload.reason)
    return Status(201, Result.objects.select_related("candidate__person").get(pk=correction.pk))


# ---------------------------------------------------------------- the public checks


HOLDER_LOOKUPS = 20  # a minute, from one address


class TooManyLookups(ServiceError):
    code = "too_many_requests"
    status = 429

    def __init__(self):
        super().__init__("查询过于频繁，请一分钟后再试")


def _holder_lookup_allowed(request) -> None:
    """At most HOLDER_LOOKUPS name-and-number look-ups a minute from one address: a known
    name is not tried with guessed numbers at speed."""
    minute = int(timezone.now().timestamp()) // 60
    key = f"evaluation:holder-lookups:{request.META.get('REMOTE_ADDR', '')}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # gone between add and incr
        count = 1
    if count > HOLDER_LOOKUPS:
        raise TooManyLookups()


@public_router.get("/certificates/verify", response=VerificationOut, auth=None,
                   summary="按证书编号查验证书（公开，无需令牌）")
def verify_by_number(request, query: Query[NumberQuery]):
    return _verification(certificates.verify_number(query.number))


@public_router.post("/certificates/verify", response={200: HolderOut, 429: ErrorOut},
                    auth=None, openapi_extra={"responses": {429: {
                        "description": f"查询过于频繁：每个地址每分钟最多 {HOLDER_LOOKUPS} 次"}}},
                    summary="按姓名和证件号码查验证书（公开，无需令牌；证件号码只在请求体中传送）")
def verify_by_holder(request, payload: HolderIn):
    _holder_lookup_allowed(request)
    people_services.identity_check(payload.id_number)  # a malformed number says so (422)
    found = certificates.verify_holder(payload.name, payload.id_number)
    if not found:
        return {"code": "not_found", "certificates": [],
                "message": "未查到证书：请核对姓名和证件号码，或证书不是本系统颁发的"}
    return {"code": "found", "message": f"查到 {len(found)} 本证书",
            "certificates": [_verification(v) for v in found]}


@public_router.get("/certificates/revocations", response=RevocationListOut, auth=None,
                   summary="证书撤销名单（公开，带签名，供离线核验）")
def revocations(request):
    return certificates.revocation_list()


@public_router.get("/certificates/keys", response=KeysOut, auth=None,
                   summary="证书签名公钥（公开，供离线核验二维码和撤销名单）")
def keys(request):
    from django.conf import settings

    return {"algorithm": "Ed25519", "current_key_id": settings.CERTIFICATE_KEY_ID,
            "keys": certificates.public_keys()}


# ---------------------------------------------------------------- certificates in scope


@certificates_router.get("/certificates", response=list[CertificateOut],
                         summary="证书列表（机构见本机构颁发的，县区见本县区的，劳动者见本人的）")
@paginate(Paging)
def list_certificates(request, filters: Query[CertificateFilter]):
    qs = _certificates().restrict(request.auth, "view")
    if q := filters.q.strip():
        qs = qs.filter(Q(number=q.upper()) | Q(person__name=q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.plan_id is not None:
        qs = qs.filter(plan_id=filters.plan_id)
    if filters.occupation:
        qs = qs.filter(occupation__code=filters.occupation.strip())
    return qs.order_by("-issued_on", "-pk")


@certificates_router.get("/certificates/{certificate_id}", response=CertificateDetailOut,
                         summary="证书详情（含二维码内容）")
def get_certificate(request, certificate_id: int):
    return certificates.certificate_for_holder(user=request.auth, pk=certificate_id)


@certificates_router.post("/certificates/{certificate_id}/revoke",
                          response=CertificateDetailOut, summary="撤销证书（须填写原因）")
def revoke_certificate(request, certificate_id: int, payload: ReasonIn):
    certificate = certificates.certificate_for_holder(user=request.auth, pk=certificate_id)
    certificates.certificate_revoke(actor=request.auth, certificate=certificate,
                                    reason=payload.reason)
    return certificates.certificate_for_holder(user=request.auth, pk=certificate_id)


# The public checks first: /certificates/verify is not /certificates/{certificate_id}.
router.add_router("", bodies_router)
router.add_router("", plans_router)
router.add_router("", public_router)
router.add_router("", certificates_router)
