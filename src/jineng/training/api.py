"""/api/v1/ endpoints of training: designations (the public directory, and scoped lists,
applying, suspending and exiting), teachers and their engagements, school reports."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.api import Paging
from jineng.core.errors import NotFound, ServiceError
from jineng.orgs.models import Institution, Region
from jineng.orgs.selectors import region_find
from jineng.training import selectors, services

router = Router(tags=["培训机构与师资"])


# ---------------------------------------------------------------- schemas


class PublicDesignationOut(Schema):
    """What the public directory says: no reasons, no ids."""

    institution_name: str
    region_code: str
    region_name: str
    occupations: list[dict]
    levels: list[dict]
    valid_from: dt.date
    valid_to: dt.date
    status: str
    status_label: str

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
    def resolve_occupations(obj):
        return [{"code": o.code, "name": o.name} for o in obj.occupations.all()]

    @staticmethod
    def resolve_levels(obj):
        return [{"code": lv.code, "name": lv.name} for lv in obj.levels.all()]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class DesignationOut(PublicDesignationOut):
    id: int
    institution_id: int
    ownership: str
    reason: str


class DesignationFilter(Schema):
    q: str = ""
    status: str = ""
    region_code: str = ""
    occupation: str = ""


class DirectoryQuery(Schema):
    region: str = ""
    occupation: str = ""
    q: str = ""


class DesignationIn(Schema):
    institution_id: int
    ownership: str
    occupation_codes: list[str]
    level_codes: list[str]
    valid_from: dt.date
    valid_to: dt.date


class ReasonIn(Schema):
    reason: str


class TeacherOut(Schema):
    id: int
    name: str
    id_masked: str
    institution_id: int
    qualification_number: str
    qualification_expires: dt.date
    dual_qualified: bool
    certificates: str

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked


class TeacherIn(Schema):
    institution_id: int
    id_number: str
    qualification_number: str
    qualification_expires: dt.date
    dual_qualified: bool = False
    certificates: str = ""


class EngagementOut(Schema):
    id: int
    teacher_id: int
    teacher_name: str
    institution_id: int
    institution_name: str
    year: int
    kind: str

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.person.name

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name


class EngagementIn(Schema):
    institution_id: int
    id_number: str
    year: int
    kind: str


class SchoolReportOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    year: int
    enrolled_students: int
    required_person_times: int
    training_person_times: int | None
    is_short: bool

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name


class SchoolReportIn(Schema):
    institution_id: int
    year: int
    enrolled_students: int
    training_person_times: int | None = None


# ---------------------------------------------------------------- helpers


def _institution(user, pk: int) -> Institution:
    institution = Institution.objects.restrict(user, "view").filter(pk=pk).first()
    if institution is None:
        message = "机构不存在或无权访问"
        raise ServiceError(message, errors={"institution_id": message})
    return institution


def _codes(model, codes: list[str], field: str, what: str, **extra) -> list:
    found = {o.code: o for o in model.objects.filter(code__in=codes, **extra)}
    missing = [c for c in codes if c not in found]
    if missing:
        message = f"{what} {'、'.join(missing)} 不存在"
        raise ServiceError(message, errors={field: message})
    return [found[c] for c in codes]


# ---------------------------------------------------------------- designations


@router.get("/designations/directory", response=list[PublicDesignationOut], auth=None,
            summary="定点培训机构名录（公开，无需登录）")
@paginate(Paging)
def public_directory(request, query: Query[DirectoryQuery]):
    region_code = ""
    if query.region:
        region, problem = region_find(query.region, Region.objects.filter(is_active=True))
        if region is None:
            raise NotFound(problem, errors={"region": problem})
        region_code = region.code
    return selectors.public_directory(region_code=region_code, occupation=query.occupation,
                                      q=query.q)


@router.get("/designations", response=list[DesignationOut], summary="定点培训机构认定")
@paginate(Paging)
def list_designations(request, filters: Query[DesignationFilter]):
    return selectors.designation_list(user=request.auth, **filters.dict())


@router.get("/designations/{designation_id}", response=DesignationOut,
            summary="定点培训机构认定详情")
def get_designation(request, designation_id: int):
    return selectors.designation_get(user=request.auth, pk=designation_id)


@router.post("/designations", response={201: DesignationOut}, summary="申请定点培训机构")
def submit_designation(request, payload: DesignationIn):
    designation = services.designation_submit(
        actor=request.auth, institution=_institution(request.auth, payload.institution_id),
        ownership=payload.ownership,
        occupations=_codes(Occupation, payload.occupation_codes, "occupation_codes", "职业代码",
                           is_current=True),
        levels=_codes(SkillLevel, payload.level_codes, "level_codes", "等级代码"),
        valid_from=payload.valid_from, valid_to=payload.valid_to)
    return Status(201, designation)


class ResubmitIn(Schema):
    ownership: str
    occupation_codes: list[str]
    level_codes: list[str]
    valid_from: dt.date
    valid_to: dt.date


@router.post("/designations/{designation_id}/resubmit", response=DesignationOut,
             summary="重新提交退回修改的定点申请")
def resubmit_designation(request, designation_id: int, payload: ResubmitIn):
    designation = selectors.designation_get(user=request.auth, pk=designation_id)
    return services.designation_resubmit(
        actor=request.auth, designation=designation, ownership=payload.ownership,
        occupations=_codes(Occupation, payload.occupation_codes, "occupation_codes", "职业代码",
                           is_current=True),
        levels=_codes(SkillLevel, payload.level_codes, "level_codes", "等级代码"),
        valid_from=payload.valid_from, valid_to=payload.valid_to)


@router.post("/designations/{designation_id}/suspend", response=DesignationOut,
             summary="暂停定点资格（须填写原因）")
def suspend_designation(request, designation_id: int, payload: ReasonIn):
    designation = selectors.designation_get(user=request.auth, pk=designation_id)
    return services.designation_suspend(actor=request.auth, designation=designation,
                                        reason=payload.reason)


@router.post("/designations/{designation_id}/exit", response=DesignationOut,
             summary="退出定点（须填写原因）")
def exit_designation(request, designation_id: int, payload: ReasonIn):
    designation = selectors.designation_get(user=request.auth, pk=designation_id)
    return services.designation_exit(actor=request.auth, designation=designation,
                                     reason=payload.reason)


# ---------------------------------------------------------------- teachers


@router.get("/teachers", response=list[TeacherOut], summary="培训教师")
@paginate(Paging)
def list_teachers(request, q: str = ""):
    return selectors.teacher_list(user=request.auth, q=q)


@router.get("/teachers/{teacher_id}", response=TeacherOut, summary="培训教师详情")
def get_teacher(request, teacher_id: int):
    return selectors.teacher_get(user=request.auth, pk=teacher_id)


@router.post("/teachers", response={201: TeacherOut}, summary="登记培训教师（须已实名登记）")
def register_teacher(request, payload: TeacherIn):
    data = payload.dict()
    institution = _institution(request.auth, data.pop("institution_id"))
    return Status(201, services.teacher_register_by_id(actor=request.auth,
                                                       institution=institution, **data))


class TeacherPatch(Schema):
    qualification_number: str
    qualification_expires: dt.date
    dual_qualified: bool
    certificates: str = ""


@router.put("/teachers/{teacher_id}", response=TeacherOut, summary="修改培训教师资格")
def update_teacher(request, teacher_id: int, payload: TeacherPatch):
    teacher = selectors.teacher_get(user=request.auth, pk=teacher_id)
    return services.teacher_update(actor=request.auth, teacher=teacher, **payload.dict())


@router.get("/engagements", response=list[EngagementOut], summary="教师聘用")
@paginate(Paging)
def list_engagements(request, q: str = "", year: int | None = None):
    return selectors.engagement_list(user=request.auth, q=q, year=year)


@router.post("/engagements", response={201: EngagementOut}, summary="登记教师聘用")
def add_engagement(request, payload: EngagementIn):
    data = payload.dict()
    institution = _institution(request.auth, data.pop("institution_id"))
    return Status(201, services.engagement_add_by_id(actor=request.auth,
                                                     institution=institution, **data))


# ---------------------------------------------------------------- school reports


@router.get("/school-reports", response=list[SchoolReportOut], summary="院校培训年报")
@paginate(Paging)
def list_school_reports(request, q: str = "", year: int | None = None):
    return selectors.school_report_list(user=request.auth, q=q, year=year)


@router.post("/school-reports", response={200: SchoolReportOut},
             summary="填报院校培训年报（在校生人数、培训人次）")
def set_school_report(request, payload: SchoolReportIn):
    data = payload.dict()
    institution = _institution(request.auth, data.pop("institution_id"))
    return services.school_report_set(actor=request.auth, institution=institution, **data)


from jineng.training import (  # noqa: E402
    api_attendance,
    api_classes,
    api_completion,
    api_enrolment,
    api_wishes,
)

router.add_router("", api_classes.router)
router.add_router("", api_enrolment.router)
router.add_router("", api_attendance.router)
router.add_router("", api_completion.router)
router.add_router("", api_wishes.router)
