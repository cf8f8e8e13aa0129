"""/api/v1/ endpoints of the catalogue: occupations and levels, policy tables and their
resolution, programmes, fund budgets; and the public catalogue of subsidised occupations."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.catalog import selectors, services
from jineng.catalog.models import EvaluationType, FundSource, PolicyKind
from jineng.core.api import Paging
from jineng.core.errors import NotFound, ServiceError
from jineng.orgs.api import InRegion
from jineng.orgs.models import Department, Region
from jineng.orgs.selectors import region_find
from jineng.orgs.target_groups import target_group_names

router = Router(tags=["目录与政策"])


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# ---------------------------------------------------------------- schemas


class OccupationLevelOut(Schema):
    """The occupation (工种) and level of a record that names them (a class, a plan, a
    certificate): its API schema inherits these fields."""

    occupation_code: str = Field(description="职业代码")
    occupation_name: str = Field(description="职业名称")
    work_type: str = Field(description="工种")
    level_code: str = Field(description="等级代码")
    level_name: str = Field(description="等级名称")

    @staticmethod
    def resolve_occupation_code(obj):
        return obj.occupation.code

    @staticmethod
    def resolve_occupation_name(obj):
        return obj.occupation.name

    @staticmethod
    def resolve_work_type(obj):
        return obj.work_type.name if obj.work_type_id else ""

    @staticmethod
    def resolve_level_code(obj):
        return obj.level.code

    @staticmethod
    def resolve_level_name(obj):
        return obj.level.name


class OccupationOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    parent_code: str | None
    is_digital: bool
    is_green: bool
    edition: str
    is_current: bool
    successor_code: str | None

    @staticmethod
    def resolve_level_label(obj):
        return obj.get_level_display()

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_successor_code(obj):
        return obj.successor.code if obj.successor_id else None


class WorkTypeOut(Schema):
    id: int
    occupation_code: str
    occupation_name: str
    name: str
    is_active: bool

    @staticmethod
    def resolve_occupation_code(obj):
        return obj.occupation.code

    @staticmethod
    def resolve_occupation_name(obj):
        return obj.occupation.name


class LevelOut(Schema):
    code: str
    digit: int | None
    name: str
    short_name: str
    rank: int
    is_eight_level_addition: bool


class NamedOut(Schema):
    code: str
    name: str
    description: str


class DocumentOut(InRegion):
    id: int
    issuer: str
    title: str
    number: str
    issued_on: dt.date | None
    source: str


class VersionOut(InRegion):
    id: int
    kind: str
    kind_label: str
    number: int
    valid_from: dt.date
    valid_to: dt.date | None
    data: dict
    is_sample: bool
    source: str
    section: str
    note: str
    document: DocumentOut | None
    supersedes_id: int | None

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_source(obj):
        return obj.source_label


class CatalogueEntryOut(Schema):
    occupation_code: str
    occupation_name: str
    work_type: str
    level: str
    level_name: str
    subsidy_fen: int
    subsidy_yuan: str
    min_hours: int
    direct_subsidy: bool
    target_groups: list[str] = Field(description="适用群体编码（与劳动者的重点群体编码相同）")
    target_group_names: list[str]
    # Where the figure comes from: the catalogue version, its period and its document, or
    # the sample label (a sample is never attributed to a document).
    version_id: int
    version_number: int
    version_region_code: str
    version_region_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    is_sample: bool
    document_title: str | None
    document_number: str | None
    section: str
    source: str

    @staticmethod
    def resolve_version_number(obj):
        return obj.version.number

    @staticmethod
    def resolve_version_region_code(obj):
        return obj.version.region.code

    @staticmethod
    def resolve_version_region_name(obj):
        return obj.version.region.name

    @staticmethod
    def resolve_valid_from(obj):
        return obj.version.valid_from

    @staticmethod
    def resolve_valid_to(obj):
        return obj.version.valid_to

    @staticmethod
    def resolve_is_sample(obj):
        return obj.version.is_sample

    @staticmethod
    def resolve_document_title(obj):
        return obj.version.document.title if obj.version.document_id else None

    @staticmethod
    def resolve_document_number(obj):
        return obj.version.document.number if obj.version.document_id else None

    @staticmethod
    def resolve_section(obj):
        return obj.version.section

    @staticmethod
    def resolve_source(obj):
        return obj.version.source_label

    @staticmethod
    def resolve_occupation_code(obj):
        return obj.occupation.code

    @staticmethod
    def resolve_occupation_name(obj):
        return obj.occupation.name

    @staticmethod
    def resolve_work_type(obj):
        return obj.work_type.name if obj.work_type_id else ""

    @staticmethod
    def resolve_level(obj):
        return obj.level.code

    @staticmethod
    def resolve_level_name(obj):
        return obj.level.name

    @staticmethod
    def resolve_subsidy_yuan(obj):
        return yuan(obj.subsidy_fen)

    @staticmethod
    def resolve_target_group_names(obj):
        return target_group_names(obj)


class ResolveOut(Schema):
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    date: dt.date
    inherited: bool
    source: str
    figures: dict
    version: VersionOut
    entry: CatalogueEntryOut | None = None


class ProgrammeOut(InRegion):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    period_start: dt.date
    period_end: dt.date | None
    goal: str
    responsible: str
    departments: list[str]
    target_groups: list[str] = Field(description="重点群体编码（与劳动者的重点群体编码相同）")
    target_group_names: list[str]
    occupations: list[str]
    fund_sources: list[str]
    document: str
    section: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_departments(obj):
        return [d.name for d in obj.departments.all()]

    @staticmethod
    def resolve_target_group_names(obj):
        return target_group_names(obj)

    @staticmethod
    def resolve_occupations(obj):
        return [o.code for o in obj.occupations.all()]

    @staticmethod
    def resolve_fund_sources(obj):
        return [f.code for f in obj.fund_sources.all()]

    @staticmethod
    def resolve_document(obj):
        return str(obj.document) if obj.document_id else ""


class BudgetOut(InRegion):
    id: int
    source_code: str
    source_name: str
    year: int
    amount_fen: int
    is_sample: bool
    note: str

    @staticmethod
    def resolve_source_code(obj):
        return obj.source.code

    @staticmethod
    def resolve_source_name(obj):
        return obj.source.name


# ---------------------------------------------------------------- filters and inputs


class OccupationFilter(Schema):
    q: str = ""
    level: int | None = None
    mark: str = ""
    edition: str = ""


class VersionFilter(Schema):
    q: str = ""
    kind: str = ""
    region_code: str = ""
    in_force_on: dt.date | None = None


class ResolveQuery(Schema):
    kind: str
    region: str
    date: dt.date | None = None
    occupation: str = ""
    level: str = ""
    work_type: str = ""


class CatalogueQuery(Schema):
    region: str = Field(description="地区：区划代码或名称，如 411402 或 梁园区")
    date: dt.date | None = None
    q: str = ""
    level: str = ""


class ProgrammeFilter(Schema):
    q: str = ""
    kind: str = ""
    region_code: str = ""


class BudgetFilter(Schema):
    year: int | None = None
    region_code: str = ""
    source: str = ""


class PublishIn(Schema):
    kind: str
    region_code: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    data: dict
    document_id: int | None = None
    section: str = ""
    is_sample: bool = False
    note: str = ""


class ReviseIn(Schema):
    valid_from: dt.date
    data: dict
    document_id: int | None = None
    section: str = ""
    is_sample: bool = False
    note: str = ""


class DocumentIn(Schema):
    region_code: str
    issuer: str
    title: str
    number: str = ""
    issued_on: dt.date | None = None
    source: str = ""


class BudgetIn(Schema):
    source_code: str
    region_code: str
    year: int
    amount_fen: int
    note: str = ""


class WorkTypeIn(Schema):
    name: str


class WorkTypePatch(Schema):
    name: str | None = None
    is_active: bool | None = None


class ProgrammePatch(Schema):
    name: str | None = None
    kind: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    goal: str | None = None
    responsible: str | None = None
    department_ids: list[int] | None = None
    target_groups: list[str] | None = Field(None, description="重点群体编码或名称")
    occupation_codes: list[str] | None = None
    fund_source_codes: list[str] | None = None
    document_id: int | None = None
    section: str | None = None
    is_active: bool | None = None


class ProgrammeIn(ProgrammePatch):
    region_code: str
    code: str
    name: str
    kind: str
    period_start: dt.date


# ---------------------------------------------------------------- occupations and levels


@router.get("/occupations", response=list[OccupationOut], summary="职业分类（默认现行版本）")
@paginate(Paging)
def list_occupations(request, filters: Query[OccupationFilter]):
    return selectors.occupation_list(user=request.auth, **filters.dict())


@router.get("/occupations/{code}", response=OccupationOut, summary="职业（旧代码指向新版）")
def get_occupation(request, code: str):
    if not request.auth.has_permission("catalog.view_occupation"):
        raise NotFound()
    occupation = services.occupation_current(code)
    if occupation is None:
        raise NotFound(f"职业代码 {code} 不存在")
    return occupation


@router.get("/occupations/{code}/work-types", response=list[WorkTypeOut], summary="职业的工种")
def list_work_types(request, code: str):
    return list(selectors.work_type_list(user=request.auth, occupation_code=code))


@router.post("/occupations/{code}/work-types", response={201: WorkTypeOut}, summary="新增工种")
def create_work_type(request, code: str, payload: WorkTypeIn):
    occupation = services.occupation_current(code)
    if occupation is None:
        raise NotFound(f"职业代码 {code} 不存在")
    work_type = services.work_type_create(actor=request.auth, occupation=occupation,
                                          name=payload.name)
    return Status(201, work_type)


@router.patch("/work-types/{work_type_id}", response=WorkTypeOut,
              summary="修改或停用工种（is_active=false 为停用）")
def update_work_type(request, work_type_id: int, payload: WorkTypePatch):
    work_type = selectors.work_type_get(user=request.auth, pk=work_type_id)
    return services.work_type_update(actor=request.auth, work_type=work_type,
                                     **payload.dict(exclude_unset=True))


@router.get("/skill-levels", response=list[LevelOut], summary="技能等级")
def list_levels(request):
    return list(selectors.level_list(user=request.auth))


@router.get("/evaluation-types", response=list[NamedOut], summary="评价类型")
def list_evaluation_types(request):
    return list(EvaluationType.objects.restrict(request.auth))


@router.get("/fund-sources", response=list[NamedOut], summary="资金来源")
def list_fund_sources(request):
    return list(FundSource.objects.restrict(request.auth))


# ---------------------------------------------------------------- policies


@router.get("/policies/kinds", response=list[NamedOut], summary="政策类型")
def list_kinds(request):
    return [{"code": c, "name": label, "description": ""} for c, label in PolicyKind.choices]


@router.get("/policies/resolve", response=ResolveOut,
            summary="某地区某日生效的政策（县优先于市，市优先于省）")
def resolve_policy(request, query: Query[ResolveQuery]):
    if not request.auth.has_permission("catalog.view_policyversion"):
        raise NotFound()
    region = selectors.region_for(request.auth, query.region)
    on_date = query.date or selectors.today()
    entry = None
    if query.kind == PolicyKind.TRAINING_SUBSIDY and query.occupation:
        entry, resolution = services.training_subsidy_for(
            region=region, on_date=on_date, occupation_code=query.occupation,
            level=query.level, work_type=query.work_type)
    else:
        resolution = services.resolve(query.kind, region, on_date)
    version = resolution.version
    return {
        "kind": query.kind, "kind_label": version.get_kind_display(),
        "region_code": region.code, "region_name": region.name, "date": on_date,
        "inherited": resolution.inherited, "source": version.source_label,
        "figures": version.data, "version": version, "entry": entry,
    }


@router.get("/policies", response=list[VersionOut], summary="政策版本列表（本级、下级及上级）")
@paginate(Paging)
def list_policies(request, filters: Query[VersionFilter]):
    return selectors.policy_version_list(user=request.auth, **filters.dict())


@router.get("/policies/{version_id}", response=VersionOut, summary="政策版本详情")
def get_policy(request, version_id: int):
    return selectors.policy_version_get(user=request.auth, pk=version_id)


def _document(request, document_id):
    if document_id is None:
        return None
    qs = selectors.document_list(user=request.auth)
    document = qs.filter(pk=document_id).first()
    if document is None:
        raise ServiceError("依据文件不存在或无权访问", errors={"document_id": "依据文件不存在"})
    return document


def _region_for_write(code: str):
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ServiceError(f"地区代码 {code} 不存在", errors={"region_code": "地区代码不存在"})
    return region


@router.post("/policies", response={201: VersionOut}, summary="发布政策版本")
def publish_policy(request, payload: PublishIn):
    version = services.policy_version_publish(
        actor=request.auth, kind=payload.kind, region=_region_for_write(payload.region_code),
        valid_from=payload.valid_from, valid_to=payload.valid_to, data=payload.data,
        document=_document(request, payload.document_id), section=payload.section,
        is_sample=payload.is_sample, note=payload.note,
    )
    return Status(201, version)


@router.post("/policies/{version_id}/revise", response={201: VersionOut},
             summary="修订政策（生成新版本，旧版本截止于新版本生效前一日）")
def revise_policy(request, version_id: int, payload: ReviseIn):
    version = selectors.policy_version_get(user=request.auth, pk=version_id)
    new = services.policy_version_revise(
        actor=request.auth, version=version, valid_from=payload.valid_from, data=payload.data,
        document=_document(request, payload.document_id), section=payload.section,
        is_sample=payload.is_sample, note=payload.note,
    )
    return Status(201, new)


@router.get("/policy-documents", response=list[DocumentOut], summary="政策文件")
@paginate(Paging)
def list_documents(request, q: str = "", region_code: str = ""):
    return selectors.document_list(user=request.auth, q=q, region_code=region_code)


@router.post("/policy-documents", response={201: DocumentOut}, summary="登记政策文件")
def create_document(request, payload: DocumentIn):
    data = payload.dict()
    region = _region_for_write(data.pop("region_code"))
    document = services.policy_document_create(actor=request.auth, region=region, **data)
    return Status(201, document)


# ---------------------------------------------------------------- public catalogue


@router.get("/catalogue", response=list[CatalogueEntryOut], auth=None,
            summary="补贴性培训职业目录（公开，无需登录）：某地区某日生效的目录")
@paginate(Paging)
def public_catalogue(request, query: Query[CatalogueQuery]):
    region, problem = region_find(query.region, Region.objects.filter(is_active=True))
    if region is None:
        raise NotFound(problem, errors={"region": problem})
    _, entries = selectors.catalogue_in_force(
        region=region, on_date=query.date or selectors.today(), q=query.q, level=query.level)
    return entries


# ---------------------------------------------------------------- programmes and budgets


@router.get("/programmes", response=list[ProgrammeOut], summary="计划/工程")
@paginate(Paging)
def list_programmes(request, filters: Query[ProgrammeFilter]):
    return selectors.programme_list(user=request.auth, **filters.dict())


@router.get("/programmes/{programme_id}", response=ProgrammeOut, summary="计划/工程详情")
def get_programme(request, programme_id: int):
    return selectors.programme_get(user=request.auth, pk=programme_id)


def _programme_fields(request, payload: ProgrammePatch) -> dict:
    """Schema fields as service arguments: codes and ids become objects, each checked."""
    data = payload.dict(exclude_unset=True)
    if "occupation_codes" in data:
        occupations = [services.occupation_current(c) for c in data.pop("occupation_codes") or []]
        if None in occupations:
            raise ServiceError("职业代码不存在",
                               errors={"occupation_codes": "含有不存在的职业代码"})
        data["occupations"] = occupations
    if "fund_source_codes" in data:
        codes = data.pop("fund_source_codes") or []
        sources = list(FundSource.objects.filter(code__in=codes))
        if len(sources) != len(set(codes)):
            raise ServiceError("资金来源不存在",
                               errors={"fund_source_codes": "含有不存在的资金来源"})
        data["fund_sources"] = sources
    if "department_ids" in data:
        ids = data.pop("department_ids") or []
        departments = list(Department.objects.restrict(request.auth).filter(pk__in=ids))
        if len(departments) != len(set(ids)):
            raise ServiceError("责任单位不存在或无权访问",
                               errors={"department_ids": "含有不存在或无权访问的责任单位"})
        data["departments"] = departments
    if "document_id" in data:
        data["document"] = _document(request, data.pop("document_id"))
    return data


@router.post("/programmes", response={201: ProgrammeOut}, summary="新增计划/工程")
def create_programme(request, payload: ProgrammeIn):
    data = _programme_fields(request, payload)
    data.pop("is_active", None)
    region = _region_for_write(data.pop("region_code"))
    return Status(201, services.programme_create(actor=request.auth, region=region, **data))


@router.patch("/programmes/{programme_id}", response=ProgrammeOut, summary="修改计划/工程")
def update_programme(request, programme_id: int, payload: ProgrammePatch):
    programme = selectors.programme_get(user=request.auth, pk=programme_id)
    return services.programme_update(actor=request.auth, programme=programme,
                                     **_programme_fields(request, payload))


@router.get("/fund-budgets", response=list[BudgetOut], summary="资金预算")
@paginate(Paging)
def list_budgets(request, filters: Query[BudgetFilter]):
    return selectors.fund_budget_list(user=request.auth, **filters.dict())


@router.post("/fund-budgets", response={200: BudgetOut}, summary="设定某资金来源某地区某年度预算")
def set_budget(request, payload: BudgetIn):
    source = FundSource.objects.filter(code=payload.source_code).first()
    if source is None:
        raise ServiceError("资金来源不存在", errors={"source_code": "资金来源不存在"})
    return services.fund_budget_set(
        actor=request.auth, source=source, region=_region_for_write(payload.region_code),
        year=payload.year, amount_fen=payload.amount_fen, note=payload.note)

