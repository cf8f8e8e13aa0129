"""/api/v1/attendance: the trainee's check-in and check-out by the QR token, the records in
one's scope, an officer's manual corrections, and a class's results and their deadline."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import Paging
from jineng.core.errors import NotFound
from jineng.training import attendance as service
from jineng.training.models import CheckKind, Enrolment, Session, TrainingClass

router = Router(tags=["考勤（过程监管）"])


class CheckInIn(Schema):
    token: str = Field(..., max_length=200, description="培训现场二维码中的签到码（每 30 秒更新）")
    lat: float | None = Field(None, description="纬度（手机定位）；缺少则拒绝签到")
    lng: float | None = Field(None, description="经度（手机定位）；缺少则拒绝签到")
    device_id: str = Field("", max_length=200, description="设备标识（签到页面在手机上生成并保存）")


class AttendanceOut(Schema):
    id: int
    enrolment_id: int
    person_name: str
    session_id: int
    class_id: int
    class_code: str
    class_name: str
    kind: str
    kind_label: str
    at: dt.datetime
    lat: Decimal | None
    lng: Decimal | None
    distance_m: int | None
    device_id: str
    status: str
    status_label: str
    flags: list[str]
    flag_labels: list[str]
    is_manual: bool
    reason: str

    @staticmethod
    def resolve_person_name(obj):
        return obj.enrolment.person.name

    @staticmethod
    def resolve_class_id(obj):
        return obj.session.training_class_id

    @staticmethod
    def resolve_class_code(obj):
        return obj.session.training_class.code

    @staticmethod
    def resolve_class_name(obj):
        return obj.session.training_class.name

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_flag_labels(obj):
        return service.flag_texts(obj)


class CheckInOut(Schema):
    code: str = Field(..., description="checked_in / checked_out：已确认；flagged：已记录、待核实")
    message: str
    attendance: AttendanceOut


class AttendanceFilter(Schema):
    q: str = ""
    flagged: str = Field("", description="1：只列有异常标记的记录")
    flag: str = ""
    status: str = ""
    class_code: str = ""
    date: str = Field("", description="课次日期 YYYY-MM-DD")


class ManualIn(Schema):
    enrolment_id: int
    session_id: int
    kind: str = CheckKind.IN
    at: dt.datetime
    reason: str


class DecisionIn(Schema):
    decision: str = Field(..., description="confirm 确认 / reject 不予认可 / void 作废")
    reason: str


class ReasonIn(Schema):
    reason: str


class ClassResultsOut(Schema):
    class_id: int
    class_code: str
    results_submitted_at: dt.datetime | None
    results_late: bool
    late_approved: bool
    results_state: str
    results_label: str

    @staticmethod
    def resolve_class_id(obj):
        return obj.pk

    @staticmethod
    def resolve_class_code(obj):
        return obj.code

    @staticmethod
    def resolve_late_approved(obj):
        return obj.late_approved_by_id is not None

    @staticmethod
    def resolve_results_state(obj):
        return service.results_state(obj)[0]

    @staticmethod
    def resolve_results_label(obj):
        return service.results_state(obj)[1]


def _check(request, payload: CheckInIn, kind: str) -> dict:
    done = service.check_in(actor=request.auth, token=payload.token, lat=payload.lat,
                            lng=payload.lng, device_id=payload.device_id, kind=kind)
    code, message = service.check_in_answer(done.attendance)
    return {"code": code, "message": message, "attendance": done.attendance}


@router.post("/attendance/check-in", response=CheckInOut, url_name="attendance_check_in",
             summary="学员扫码签到（本人；须有位置；重复扫码返回同一记录）")
def check_in(request, payload: CheckInIn):
    return _check(request, payload, CheckKind.IN)


@router.post("/attendance/check-out", response=CheckInOut, url_name="attendance_check_out",
             summary="学员扫码签退（本人；须有位置；重复扫码返回同一记录）")
def check_out(request, payload: CheckInIn):
    return _check(request, payload, CheckKind.OUT)


@router.get("/attendance", response=list[AttendanceOut], summary="考勤记录（按数据范围）")
@paginate(Paging)
def list_attendance(request, filters: Query[AttendanceFilter]):
    return service.attendance_list(user=request.auth, **filters.dict())


@router.get("/attendance/{int:attendance_id}", response=AttendanceOut, summary="考勤记录详情")
def get_attendance(request, attendance_id: int):
    return service.attendance_get(user=request.auth, pk=attendance_id)


def _visible(model, user, pk: int, field: str, *related):
    found = model.objects.restrict(user, "view").filter(pk=pk).select_related(*related).first()
    if found is None:
        message = "记录不存在或无权访问"
        raise NotFound(message, errors={field: message})
    return found


@router.post("/attendance/manual", response={201: AttendanceOut},
             summary="人工补录考勤（人社部门，须填写原因）")
def record_manual(request, payload: ManualIn):
    enrolment = _visible(Enrolment, request.auth, payload.enrolment_id, "enrolment_id")
    session = _visible(Session, request.auth, payload.session_id, "session_id")
    return Status(201, service.attendance_record_manual(
        actor=request.auth, enrolment=enrolment, session=session, kind=payload.kind,
        at=payload.at, reason=payload.reason))


@router.post("/attendance/{int:attendance_id}/decision", response=AttendanceOut,
             summary="确认、不予认可或作废考勤记录（人社部门，须填写原因）")
def decide(request, attendance_id: int, payload: DecisionIn):
    record = service.attendance_get(user=request.auth, pk=attendance_id)
    return service.attendance_decide(actor=request.auth, attendance=record,
                                     decision=payload.decision, reason=payload.reason)


def _class(request, class_id: int) -> TrainingClass:
    try:
        return _visible(TrainingClass, request.auth, class_id, "class_id", "region",
                        "institution__region")
    except NotFound:
        raise NotFound() from None  # a class out of scope: the plain 404


@router.post("/attendance/classes/{int:class_id}/results", response=ClassResultsOut,
             summary="培训机构提交培训班的考勤与结业结果（结班后；逾期须审批）")
def submit_results(request, class_id: int):
    return service.attendance_results_submit(actor=request.auth,
                                             training_class=_class(request, class_id))


@router.post("/attendance/classes/{int:class_id}/late-approval", response=ClassResultsOut,
             summary="审批逾期提交的考勤结果（人社部门，须填写原因）")
def approve_late(request, class_id: int, payload: ReasonIn):
    return service.attendance_late_approve(actor=request.auth,
                                           training_class=_class(request, class_id),
                                           reason=payload.reason)
