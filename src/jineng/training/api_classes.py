"""/api/v1/ endpoints of classes (培训班): list, read, file, change a draft or returned class,
file a change after approval, the sessions; and an enterprise's declared staff."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.catalog.api import OccupationLevelOut
from jineng.core.api import Paging
from jineng.core.errors import ServiceError
from jineng.orgs.models import Institution
from jineng.training import classes

router = Router(tags=["培训班"])


# ---------------------------------------------------------------- schemas


class ClassTeacherOut(Schema):
    teacher_id: int = Field(description="教师 id")
    name: str = Field(description="教师姓名")
    role: str = Field(description="角色：teacher 授课教师，school_teacher 院校导师")
    role_label: str = Field(description="角色名称")

    @staticmethod
    def resolve_name(obj):
        return obj.teacher.person.name

    @staticmethod
    def resolve_role_label(obj):
        return obj.get_role_display()


class ClassOut(OccupationLevelOut):
    id: int
    code: str = Field(description="班级编号（地区代码 + 年度 + 序号）")
    name: str = Field(description="班级名称")
    kind: str = Field(description="班级类型：regular 职业技能培训，apprenticeship 企业新型学徒制")
    kind_label: str = Field(description="班级类型名称")
    status: str = Field(description="状态：draft、filed、returned、rejected、approved、running、"
                                    "completed、closed")
    status_label: str = Field(description="状态名称")
    reason: str = Field(description="退回或不予备案的原因")
    institution_id: int = Field(description="培训机构（院校）id")
    institution_name: str = Field(description="培训机构名称")
    enterprise_id: int | None = Field(description="学徒所在企业 id（学徒制）")
    enterprise_name: str = Field(description="学徒所在企业名称")
    programme_code: str = Field(description="培训项目编号")
    region_code: str = Field(description="培训地区代码")
    region_name: str = Field(description="培训地区名称")
    fund_source_code: str = Field(description="资金来源编码")
    venue: str = Field(description="培训地点")
    venue_lat: float = Field(description="地点纬度")
    venue_lng: float = Field(description="地点经度")
    venue_radius_m: int = Field(description="签到范围（米）")
    start_date: dt.date = Field(description="开班日期")
    end_date: dt.date = Field(description="结业日期")
    planned_hours: int = Field(description="计划课时")
    capacity: int = Field(description="计划人数")
    allows_online: bool = Field(description="允许线上学习")
    filed_at: dt.datetime | None = Field(description="备案时间")
    approved_at: dt.datetime | None = Field(description="审核通过时间")

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name if obj.enterprise_id else ""

    @staticmethod
    def resolve_programme_code(obj):
        return obj.programme.code

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_fund_source_code(obj):
        return obj.fund_source.code


class ClassDetailOut(ClassOut):
    teachers: list[ClassTeacherOut] = Field(description="教师")

    @staticmethod
    def resolve_teachers(obj):
        return list(obj.teachers.select_related("teacher__person").order_by("role", "pk"))


class SessionOut(Schema):
    id: int
    starts_at: dt.datetime = Field(description="开始时间")
    ends_at: dt.datetime = Field(description="结束时间")
    hours: int = Field(description="课时")
    teacher_id: int = Field(description="授课教师 id")
    teacher_name: str = Field(description="授课教师姓名")
    topic: str = Field(description="内容")

    @staticmethod
    def resolve_teacher_name(obj):
        return obj.teacher.person.name


class TeacherIn(Schema):
    teacher_id: int = Field(description="教师 id（须已登记并受聘于本机构）")
    role: str = Field("teacher", description="teacher 授课教师，school_teacher 院校导师（学徒制）")


class SessionIn(Schema):
    id: int | None = Field(None, description="已有课次的 id（变更时保留或调整该课次）")
    starts_at: dt.datetime = Field(description="开始时间（不带时区时按北京时间）")
    ends_at: dt.datetime = Field(description="结束时间")
    hours: int = Field(description="课时（每 45 分钟最多 1 课时）")
    teacher_id: int = Field(description="授课教师 id（须在本班教师名单中）")
    topic: str = Field("", description="内容")


class ClassIn(Schema):
    institution_id: int = Field(description="备案机构（学徒制为院校）id")
    name: str = Field(description="班级名称")
    kind: str = Field("regular", description="regular 职业技能培训，apprenticeship 企业新型学徒制")
    enterprise_id: int | None = Field(None, description="学徒所在企业 id（仅学徒制）")
    programme_code: str = Field(description="培训项目编号，如 SQ-2022-02")
    occupation_code: str = Field(description="职业代码，如 4-10-01-06")
    work_type: str = Field("", description="工种名称（目录按工种列入时必填）")
    level_code: str = Field(description="等级代码，如 5")
    region_code: str = Field("", description="培训地区代码（默认为机构所在地区）")
    fund_source_code: str = Field(description="资金来源编码，如 employment_subsidy")
    venue: str = Field(description="培训地点")
    venue_lat: Decimal = Field(description="地点纬度")
    venue_lng: Decimal = Field(description="地点经度")
    venue_radius_m: int = Field(300, description="签到范围（米，50–5000）")
    start_date: dt.date = Field(description="开班日期")
    end_date: dt.date = Field(description="结业日期")
    planned_hours: int = Field(description="计划课时（不少于目录最低课时）")
    capacity: int = Field(description="计划人数")
    allows_online: bool = Field(False, description="允许线上学习")
    teachers: list[TeacherIn] = Field(description="教师")
    sessions: list[SessionIn] = Field(description="课程表")
    draft: bool = Field(False, description="true：只保存为草稿，不提交审核")


class ClassPatch(Schema):
    """Any of the fields of a draft or returned class; `submit` files it afterwards."""

    name: str | None = None
    kind: str | None = None
    enterprise_id: int | None = None
    programme_code: str | None = None
    occupation_code: str | None = None
    work_type: str | None = None
    level_code: str | None = None
    region_code: str | None = None
    fund_source_code: str | None = None
    venue: str | None = None
    venue_lat: Decimal | None = None
    venue_lng: Decimal | None = None
    venue_radius_m: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    planned_hours: int | None = None
    capacity: int | None = None
    allows_online: bool | None = None
    teachers: list[TeacherIn] | None = None
    sessions: list[SessionIn] | None = None
    submit: bool = Field(False, description="true：修改后提交审核")


class ChangeIn(Schema):
    teachers: list[TeacherIn] | None = Field(None, description="新的教师名单")
    venue: str | None = Field(None, description="新的培训地点")
    venue_lat: Decimal | None = Field(None, description="新的地点纬度")
    venue_lng: Decimal | None = Field(None, description="新的地点经度")
    venue_radius_m: int | None = Field(None, description="新的签到范围（米）")
    sessions: list[SessionIn] | None = Field(
        None, description="新的完整课程表（已开始的课次须原样保留，带 id）")


class ChangeOut(Schema):
    id: int
    class_id: int = Field(description="培训班 id")
    status: str = Field(description="状态：filed、approved、returned、rejected")
    status_label: str = Field(description="状态名称")
    reason: str = Field(description="退回或不予通过的原因")
    proposed: dict = Field(description="变更内容")
    filed_at: dt.datetime = Field(description="申请时间")
    decided_at: dt.datetime | None = Field(description="审核时间")

    @staticmethod
    def resolve_class_id(obj):
        return obj.training_class_id

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ClassFilter(Schema):
    q: str = Field("", description="班级名称、编号或机构名称")
    status: str = Field("", description="状态")
    region_code: str = Field("", description="培训地区代码（含下级）")
    kind: str = Field("", description="班级类型")
    occupation: str = Field("", description="职业代码或名称")
    institution_id: int | None = Field(None, description="机构（或学徒所在企业）id")


class StaffOut(Schema):
    id: int
    enterprise_id: int = Field(description="企业 id")
    enterprise_name: str = Field(description="企业名称")
    name: str = Field(description="职工姓名")
    id_masked: str = Field(description="证件号码（脱敏）")
    since: dt.date = Field(description="入职日期")
    until: dt.date | None = Field(description="离职日期")

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked


class StaffIn(Schema):
    enterprise_id: int = Field(description="企业 id")
    id_number: str = Field(description="职工证件号码")
    name: str = Field("", description="姓名（尚未实名登记时必填，用于登记）")
    since: dt.date = Field(description="入职日期")


class StaffEndIn(Schema):
    until: dt.date = Field(description="离职日期")


# ---------------------------------------------------------------- helpers


def _institution(user, pk: int, field: str = "institution_id") -> Institution:
    institution = Institution.objects.restrict(user, "view").filter(pk=pk).first()
    if institution is None:
        message = "机构不存在或无权访问"
        raise ServiceError(message, errors={field: message})
    return institution


_CODES = ("programme_code", "occupation_code", "work_type", "level_code", "region_code",
          "fund_source_code", "enterprise_id")


def _fields(institution, data: dict) -> dict:
    """The service's fields from a payload's (non-None) values."""
    codes = {k: data.pop(k) for k in _CODES if k in data}
    if "work_type" in codes and "occupation_code" not in codes:
        raise ServiceError("修改工种时须同时填写职业代码",
                           errors={"work_type": "修改工种时须同时填写职业代码"})
    parsed = classes.class_parse(institution=institution, codes=codes)
    if "teachers" in data:
        data["teachers"] = [dict(t) for t in data["teachers"]]
    if "sessions" in data:
        data["sessions"] = [dict(s) for s in data["sessions"]]
    return {**data, **parsed}


# ---------------------------------------------------------------- classes


@router.get("/classes", response=list[ClassOut],
            summary="培训班列表（机构只见本机构的，经办人员见本地区的）")
@paginate(Paging)
def list_classes(request, filters: Query[ClassFilter]):
    return classes.class_list(user=request.auth, **filters.dict())


@router.get("/classes/{class_id}", response=ClassDetailOut, summary="培训班详情")
def get_class(request, class_id: int):
    return classes.class_get(user=request.auth, pk=class_id)


@router.post("/classes", response={201: ClassDetailOut},
             summary="备案培训班（提交审核；draft 为 true 时只保存草稿）")
def file_class(request, payload: ClassIn):
    data = payload.dict()
    institution = _institution(request.auth, data.pop("institution_id"))
    draft = data.pop("draft")
    made = classes.class_file(actor=request.auth, institution=institution, draft=draft,
                              **_fields(institution, data))
    return Status(201, made)


@router.patch("/classes/{class_id}", response=ClassDetailOut,
              summary="修改草稿或退回修改的培训班（submit 为 true 时修改后提交审核）")
def update_class(request, class_id: int, payload: ClassPatch):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    submit = data.pop("submit", False)
    if "enterprise_id" in payload.model_fields_set and payload.enterprise_id is None:
        data["enterprise_id"] = None
    fields = _fields(training_class.institution, data)
    with transaction.atomic():  # a refused submit leaves the edit unsaved too
        training_class = classes.class_update(actor=request.auth,
                                              training_class=training_class, **fields)
        if submit:
            training_class = classes.class_submit(actor=request.auth,
                                                  training_class=training_class)
    return training_class


@router.post("/classes/{class_id}/submit", response=ClassDetailOut,
             summary="提交草稿或退回修改的培训班审核")
def submit_class(request, class_id: int):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    return classes.class_submit(actor=request.auth, training_class=training_class)


@router.post("/classes/{class_id}/start", response=ClassDetailOut,
             summary="开班（审核通过且已到开班日期）")
def start_class(request, class_id: int):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    return classes.class_start(actor=request.auth, training_class=training_class)


@router.get("/classes/{class_id}/sessions", response=list[SessionOut], summary="培训班课程表")
@paginate(Paging)
def list_sessions(request, class_id: int):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    return classes.session_list(user=request.auth, training_class=training_class)


@router.get("/classes/{class_id}/changes", response=list[ChangeOut], summary="培训班变更申请")
@paginate(Paging)
def list_changes(request, class_id: int):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    return classes.change_list(user=request.auth, training_class=training_class)


@router.post("/classes/{class_id}/changes", response={201: ChangeOut},
             summary="申请变更审核通过的培训班（教师、地点、课程表），变更经审核后生效")
def file_change(request, class_id: int, payload: ChangeIn):
    training_class = classes.class_get(user=request.auth, pk=class_id)
    proposed = {k: v for k, v in payload.dict().items() if v is not None}
    if "teachers" in proposed:
        proposed["teachers"] = [dict(t) for t in proposed["teachers"]]
    if "sessions" in proposed:
        proposed["sessions"] = [dict(s) for s in proposed["sessions"]]
    change = classes.class_change_file(actor=request.auth, training_class=training_class,
                                       proposed=proposed)
    return Status(201, change)


# ---------------------------------------------------------------- enterprise staff


@router.get("/enterprise-staff", response=list[StaffOut], summary="企业职工申报")
@paginate(Paging)
def list_staff(request, q: str = "", current: str = ""):
    return classes.enterprise_staff_list(user=request.auth, q=q, current=current)


@router.post("/enterprise-staff", response={201: StaffOut},
             summary="申报企业职工（按证件号码；未实名登记的同时登记）")
def declare_staff(request, payload: StaffIn):
    enterprise = _institution(request.auth, payload.enterprise_id, "enterprise_id")
    staff = classes.enterprise_staff_declare(actor=request.auth, enterprise=enterprise,
                                             id_number=payload.id_number, name=payload.name,
                                             since=payload.since)
    return Status(201, staff)


@router.post("/enterprise-staff/{staff_id}/end", response=StaffOut, summary="职工离职")
def end_staff(request, staff_id: int, payload: StaffEndIn):
    staff = classes.enterprise_staff_get(user=request.auth, pk=staff_id)
    return classes.enterprise_staff_end(actor=request.auth, staff=staff, until=payload.until)
