"""Attendance (process supervision): the QR code a class shows, the trainee's own check-in
and check-out with location and device, the flags a supervisor looks at, an officer's
manual corrections, and the institution's submission of the class's results with its
deadline. Services (every write: checked, one transaction, audited) and the reads of it.

The QR token is `<session id>.<slot>.<mac>`: `slot` is the 30-second slot of the moment the
screen asked for it, and `mac` an HMAC (a key derived from SECRET_KEY for this purpose only)
of the session and the slot. A token is good for its slot and the next one (clock skew, and
the seconds a trainee takes to scan), and only for its session.

A check-in is refused only when it cannot be one (a token that is not a live one, no
location, not the trainee themself, before the window opens); everything suspicious is
recorded and flagged (`unconfirmed`), never dropped: outside the venue's radius, a device
that checked in another trainee for the session, after the window, or a place too far from
the trainee's other check-in to have travelled between them.
"""

import base64
import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from jineng.catalog.models import PolicyKind
from jineng.catalog.services import resolve
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, NotFound, ServiceError
from jineng.core.refusals import require, require_visible
from jineng.core.scope import user_reach
from jineng.people.models import Person
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import (
    attendance_class_lock,
    attendance_lock,
    checkin_enrolment_lock,
    enrolment_lock,
)
from jineng.training.models import (
    Attendance,
    AttendanceFlag,
    AttendanceStatus,
    CheckKind,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    Session,
    TrainingClass,
)

SLOT_SECONDS = 30
_TOKEN_SALT = "jineng.training.attendance.qr"
_MAC_BYTES = 12  # 96 bits: a guess is good for one minute at most
REASON_MAX = 300
DEVICE_MAX = 80
TRAVEL_LOOKBACK = dt.timedelta(hours=24)
TRAVEL_MIN_KM = 1.0  # nearer than this is the same place (GPS jitter, a big campus)
EARTH_RADIUS_M = 6_371_008.8
# The class states in which sessions are held and checked into.
CHECKIN_CLASS_STATES = (ClassStatus.APPROVED, ClassStatus.RUNNING)
RESULTS_CLASS_STATES = (ClassStatus.APPROVED, ClassStatus.RUNNING, ClassStatus.COMPLETED)
ONLY_SELF = "签到须由学员本人用自己的账号扫码完成，培训机构或他人不能代为签到"


def _fail(field: str, message: str, code: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, errors={field: message})


def _reason(reason: str, what: str) -> str:
    reason = clean_text(reason or "")
    if not reason:
        raise _fail("reason", f"{what}须填写原因", code="reason_missing")
    if len(reason) > REASON_MAX:
        raise _fail("reason", f"原因最多 {REASON_MAX} 字", code="reason_too_long")
    return reason


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _hm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# ---------------------------------------------------------------- the QR token


def slot_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // SLOT_SECONDS


def _mac(session_id: int, slot: int) -> str:
    digest = salted_hmac(_TOKEN_SALT, f"{session_id}:{slot}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode()


def qr_token(session: Session | int, *, now: dt.datetime | None = None) -> str:
    """The token the class's screen shows now for `session` (a new one every 30 s)."""
    session_id = getattr(session, "pk", session)
    slot = slot_of(now or timezone.now())
    return f"{session_id}.{slot}.{_mac(session_id, slot)}"


def qr_seconds_left(now: dt.datetime | None = None) -> int:
    """Seconds until the screen's token changes."""
    now = now or timezone.now()
    return SLOT_SECONDS - int(now.timestamp()) % SLOT_SECONDS


FORGED = "签到二维码无效：不是本系统为培训班生成的签到码，请扫描培训现场屏幕上的二维码"
EXPIRED = "签到二维码已过期：二维码每 30 秒更新一次，请扫描屏幕上当前的二维码"


def qr_token_read(token: str, *, now: dt.datetime | None = None,
                  session: Session | None = None) -> int:
    """The session id a live token names. Refused, each in its own words and code: a token
    that this system did not make (`qr_forged`), one older than the slot before the current
    one (`qr_expired`), one for a session other than `session` when that is given
    (`qr_other_session`)."""
    now = now or timezone.now()
    parts = (token or "").strip().split(".")
    try:
        session_id, slot = int(parts[0]), int(parts[1])
        mac = parts[2]
    except (IndexError, ValueError):
        raise _fail("token", FORGED, code="qr_forged") from None
    if len(parts) != 3 or session_id <= 0 or not constant_time_compare(
            mac, _mac(session_id, slot)):
        raise _fail("token", FORGED, code="qr_forged")
    current = slot_of(now)
    if slot > current:  # not made by this clock: no screen shows a token from the future
        raise _fail("token", FORGED, code="qr_forged")
    if slot < current - 1:
        raise _fail("token", EXPIRED, code="qr_expired")
    if session is not None and session.pk != session_id:
        raise _fail("token", "该二维码是另一课次的签到码，不是本课次的，请扫描本课次现场的二维码",
                    code="qr_other_session")
    return session_id


# ---------------------------------------------------------------- windows and distance


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime


def process_policy(training_class: TrainingClass, on_date: dt.date) -> dict:
    """The training-process figures in force for the class's region on a date."""
    try:
        return resolve(PolicyKind.TRAINING_PROCESS, training_class.region, on_date).data
    except NotFound:
        raise _fail("session", f"「{training_class.region.name}」在 {on_date} 没有生效的"
                               "培训过程管理政策（签到时段），暂不能签到，请联系人社部门",
                    code="no_policy") from None


def window_of(session: Session, kind: str, policy: dict) -> Window:
    """Check-in: from `checkin_opens_minutes_before` the start to `checkin_closes_minutes_after`
    it. Check-out, around the end the same way: from `checkin_opens_minutes_before` the end to
    `checkin_closes_minutes_after` it."""
    before = dt.timedelta(minutes=policy["checkin_opens_minutes_before"])
    after = dt.timedelta(minutes=policy["checkin_closes_minutes_after"])
    at = session.starts_at if kind == CheckKind.IN else session.ends_at
    return Window(at - before, at + after)


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _coordinate(value, field: str, label: str, limit: int) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail(field, f"未取得位置信息（{label}）：签到须允许手机获取位置后再扫码",
                    code="location_missing")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(field, f"位置信息的{label}不是数字", code="location_invalid") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise _fail(field, f"位置信息的{label}应在 -{limit} 到 {limit} 之间",
                    code="location_invalid")
    return number.quantize(Decimal("0.000001"))


# ---------------------------------------------------------------- check-in


@dataclass
class CheckIn:
    attendance: Attendance
    created: bool


def _actor_enrolment(actor, session: Session) -> Enrolment:
    # the actor's enrolment in the session's class, locked (one trainee's scans take turns)
    enrolment = checkin_enrolment_lock(actor, session.training_class_id)
    if enrolment is None:
        if not _has_person(actor):
            raise _fail("token", ONLY_SELF, code="not_trainee")
        name = session.training_class.name
        raise _fail("token", f"该二维码是「{name}」{_local(session.starts_at)} 课次的签到码，"
                             "您没有报名该培训班", code="qr_other_session")
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise _fail("token", "您已退出该培训班，不能再签到", code="withdrawn")
    return enrolment


def _has_person(actor) -> bool:
    return Person.objects.filter(user=actor).exists()


def _nearby(session: Session, enrolment: Enrolment, device_id: str,
            now: dt.datetime) -> list[Attendance]:
    """In one query: this enrolment's records of the session, the session's records from the
    same device, and the trainee's records of the last and next 24 hours elsewhere. A UNION
    of the three, each on its own index (an OR of them is a scan of the whole table)."""
    def near(*conditions, **fields) -> QuerySet:
        return (Attendance.objects.filter(*conditions, **fields)
                .annotate(person_id=F("enrolment__person_id")).order_by())

    rows = near(session=session, enrolment=enrolment).union(
        near(session=session, device_id=device_id),
        near(enrolment__person_id=enrolment.person_id, at__gte=now - TRAVEL_LOOKBACK,
             at__lte=now + TRAVEL_LOOKBACK))
    return sorted(rows, key=lambda r: r.pk)


def _travel_problem(records: list[Attendance], lat, lng, now: dt.datetime,
                    max_kmh: int) -> Attendance | None:
    """The trainee's other record that this one could not have travelled from in time."""
    for other in records:
        if other.lat is None or other.lng is None:
            continue
        km = distance_m(other.lat, other.lng, lat, lng) / 1000
        if km < TRAVEL_MIN_KM:
            continue
        hours = max(abs((now - other.at).total_seconds()), 1) / 3600
        if km / hours > max_kmh:
            return other
    return None


@transaction.atomic
def check_in(*, actor, token: str, lat, lng, device_id: str, kind: str = CheckKind.IN,
             now: dt.datetime | None = None) -> CheckIn:
    """The trainee checks in (or out) by the token of the QR code their class shows, with
    their phone's location and device id. A repeated scan gives back the record already made
    (`created` False). `now` is for the demo's past sessions; it defaults to the present."""
    require(actor, "training.add_attendance", message=ONLY_SELF)
    if kind not in CheckKind.values:
        raise _fail("kind", "签到类型应为签到或签退", code="invalid")
    now = now or timezone.now()
    session_id = qr_token_read(token, now=now)
    session = (Session.objects.filter(pk=session_id)
               .select_related("training_class__region").first())
    if session is None:
        raise _fail("token", FORGED, code="qr_forged")
    enrolment = _actor_enrolment(actor, session)
    lat = _coordinate(lat, "lat", "纬度", 90)
    lng = _coordinate(lng, "lng", "经度", 180)
    device_id = clean_text(device_id or "")
    if not device_id:
        raise _fail("device_id", "未取得设备标识：请用手机浏览器打开签到页面",
                    code="device_missing")
    device_id = device_id[:DEVICE_MAX]
    training_class = session.training_class
    if training_class.status not in CHECKIN_CLASS_STATES:
        state = training_class.get_status_display()
        raise _fail("token", f"「{training_class.name}」当前为「{state}」，不在培训中，不能签到",
                    code="class_not_running")
    records = _nearby(session, enrolment, device_id, now)
    own = {r.kind: r for r in records if r.session_id == session.pk
           and r.enrolment_id == enrolment.pk}
    if kind in own:  # a repeated scan: the same answer, no second row
        return CheckIn(own[kind], created=False)
    what = CheckKind(kind).label
    if kind == CheckKind.OUT and CheckKind.IN not in own:
        raise _fail("kind", "本课次还没有签到记录，不能签退：请先扫码签到", code="not_checked_in")
    policy = process_policy(training_class, timezone.localdate(session.starts_at))
    window = window_of(session, kind, policy)
    if now < window.opens:
        raise _fail("token", f"{what}尚未开始：本课次 {_local(window.opens)} 起可以{what}",
                    code="window_not_open")
    distance = distance_m(training_class.venue_lat, training_class.venue_lng, lat, lng)
    flags = []
    if distance > training_class.venue_radius_m:
        flags.append(AttendanceFlag.OUTSIDE_VENUE)
    shared = [r for r in records if r.session_id == session.pk and r.device_id == device_id
              and r.enrolment_id != enrolment.pk]
    if shared:
        flags.append(AttendanceFlag.SHARED_DEVICE)
    if now > window.closes:
        flags.append(AttendanceFlag.AFTER_WINDOW)
    # the trainee's own records (this session's check-in too), not other trainees' on the device
    theirs = [r for r in records if r.person_id == enrolment.person_id]
    travelled = _travel_problem(theirs, lat, lng, now, policy["max_travel_kmh"])
    if travelled is not None:
        flags.append(AttendanceFlag.IMPOSSIBLE_TRAVEL)
    attendance = Attendance(
        enrolment=enrolment, session=session, kind=kind, at=now, lat=lat, lng=lng,
        distance_m=round(distance), device_id=device_id, flags=[str(f) for f in flags],
        status=AttendanceStatus.UNCONFIRMED if flags else AttendanceStatus.CONFIRMED,
        recorded_by=actor)
    # no race with the same scan on another connection: the enrolment is locked, and the one
    # before this one has committed its record, which `_nearby` found
    attendance.save(force_insert=True)
    also = _flag_shared(shared)
    changes = {"session": [None, session.pk], "kind": [None, kind], "at": [None, now],
               "lat": [None, lat], "lng": [None, lng], "distance_m": [None, round(distance)],
               "device_id": [None, device_id], "status": [None, attendance.status],
               "flags": [None, attendance.flags]}
    if travelled is not None:
        changes["travel_from"] = [None, travelled.pk]
    if also:
        changes["also_flagged"] = [None, also]
    audit_record(actor=actor, action=TrainingAction.ATTENDANCE_CHECK_IN if kind == CheckKind.IN
                 else TrainingAction.ATTENDANCE_CHECK_OUT, obj=attendance, changes=changes)
    return CheckIn(attendance, created=True)


def _flag_shared(shared: list[Attendance]) -> list[int]:
    """The other trainees' records from the same device are flagged too: which of them holds
    the phone is for the supervisor to find out."""
    done = []
    for other in shared:
        if other.is_manual or AttendanceFlag.SHARED_DEVICE in other.flags:
            continue
        other.flags = [*other.flags, str(AttendanceFlag.SHARED_DEVICE)]
        if other.status == AttendanceStatus.CONFIRMED:
            other.status = AttendanceStatus.UNCONFIRMED
        other.save(update_fields=["flags", "status"])
        done.append(other.pk)
    return done


# ---------------------------------------------------------------- what the trainee is told


FLAG_DETAIL = {
    AttendanceFlag.SHARED_DEVICE: "这部手机已为其他学员签到",
    AttendanceFlag.AFTER_WINDOW: "已超过签到时段",
    AttendanceFlag.IMPOSSIBLE_TRAVEL: "与您在另一地点的签到相距过远、时间过近",
    AttendanceFlag.MANUAL: "人工补录",
}


def flag_texts(attendance: Attendance, training_class: TrainingClass | None = None) -> list[str]:
    training_class = training_class or attendance.session.training_class
    texts = []
    for flag in attendance.flags:
        if flag == AttendanceFlag.OUTSIDE_VENUE:
            texts.append(f"不在培训地点范围内（距培训地点约 {_far(attendance.distance_m)}，"
                         f"签到范围 {training_class.venue_radius_m} 米）")
        else:
            texts.append(FLAG_DETAIL.get(flag, flag))
    return texts


def _far(metres: int | None) -> str:
    if metres is None:
        return "—"
    return f"{metres / 1000:.1f} 公里" if metres >= 1000 else f"{metres} 米"


def check_in_answer(attendance: Attendance) -> tuple[str, str]:
    """(code, Chinese message) for the trainee: the same for a repeated scan."""
    what = attendance.get_kind_display()
    at = _hm(attendance.at)
    if attendance.status == AttendanceStatus.CONFIRMED:
        return ("checked_in" if attendance.kind == CheckKind.IN else "checked_out",
                f"{what}成功（{at}）")
    if attendance.status == AttendanceStatus.UNCONFIRMED:
        return "flagged", f"已记录{what}（{at}），待核实：{'；'.join(flag_texts(attendance))}"
    return attendance.status, f"{what}记录（{at}）{attendance.get_status_display()}"


# ---------------------------------------------------------------- officers: corrections


def _class_in_reach(actor, permission: str, training_class: TrainingClass) -> None:
    """NotFound unless the actor holds `permission` over the class (its region, or its
    institution's): a class out of scope is said as if missing."""
    reach = user_reach(actor, permission)
    regions = [training_class.region, training_class.institution.region]
    if not (reach.covers_all(Attendance.scope)
            or training_class.institution_id in reach.institution_ids
            or any(reach.admits_region(r.pk, r.path) for r in regions)):
        raise NotFound()


SUPERVISE = "training.supervise_attendance"
NO_SUPERVISE = "没有考勤监管的权限"


@transaction.atomic
def attendance_record_manual(*, actor, enrolment: Enrolment, session: Session, kind: str,
                             at: dt.datetime, reason: str) -> Attendance:
    """An officer records a check-in (or out) a trainee could not make (a broken phone, no
    signal), with a reason: confirmed, marked manual."""
    require(actor, SUPERVISE, message=NO_SUPERVISE)
    reason = _reason(reason, "人工补录")
    training_class = session.training_class
    _class_in_reach(actor, SUPERVISE, training_class)
    if enrolment.training_class_id != session.training_class_id:
        raise _fail("session", f"该课次不属于「{enrolment.training_class.name}」",
                    code="wrong_class")
    if kind not in CheckKind.values:
        raise _fail("kind", "请选择签到或签退", code="invalid")
    if at is None:
        raise _fail("at", "请填写签到时间", code="invalid")
    day = timezone.localdate(session.starts_at)
    if timezone.localdate(at) != day:
        raise _fail("at", f"补录的时间应在课次当天（{day}）", code="wrong_day")
    if at > timezone.now() or session.starts_at > timezone.now():
        raise _fail("at", "课次尚未开始，不能补录尚未发生的考勤", code="not_yet")
    training_class = attendance_class_lock(training_class)
    _results_still_open(training_class)
    enrolment = enrolment_lock(enrolment)  # the trainee's own scans take turns (check_in)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise _fail("enrolment", f"该学员当前为「{enrolment.get_status_display()}」，不能补录考勤",
                    code="wrong_state")
    if Attendance.objects.filter(enrolment=enrolment, session=session, kind=kind).exists():
        raise Conflict(f"{enrolment.person.name}在该课次已有{CheckKind(kind).label}记录，"
                       "请在该记录上确认或作废", errors={"kind": "已有记录"})
    attendance = Attendance.objects.create(
        enrolment=enrolment, session=session, kind=kind, at=at, status=AttendanceStatus.CONFIRMED,
        flags=[str(AttendanceFlag.MANUAL)], is_manual=True, reason=reason, recorded_by=actor)
    audit_record(actor=actor, action=TrainingAction.ATTENDANCE_MANUAL, obj=attendance,
                 changes={"session": [None, session.pk], "kind": [None, kind], "at": [None, at],
                          "status": [None, attendance.status], "reason": [None, reason]})
    return attendance


# decision -> (state it gives, states it may come from, audit action, what it is called)
DECISIONS = {
    "confirm": (AttendanceStatus.CONFIRMED,
                (AttendanceStatus.UNCONFIRMED, AttendanceStatus.REJECTED),
                TrainingAction.ATTENDANCE_CONFIRM, "确认"),
    "reject": (AttendanceStatus.REJECTED,
               (AttendanceStatus.UNCONFIRMED, AttendanceStatus.CONFIRMED),
               TrainingAction.ATTENDANCE_REJECT, "不予认可"),
    "void": (AttendanceStatus.VOIDED,
             (AttendanceStatus.UNCONFIRMED, AttendanceStatus.CONFIRMED, AttendanceStatus.REJECTED),
             TrainingAction.ATTENDANCE_VOID, "作废"),
}


@transaction.atomic
def _results_still_open(training_class: TrainingClass) -> None:
    """Attendance is decided before completion: a completed class's results stand."""
    if training_class.status in (ClassStatus.COMPLETED, ClassStatus.CLOSED):
        raise _fail("status", f"「{training_class.name}」已结业，考勤记录不能再补录或改判",
                    code="class_completed")


def attendance_decide(*, actor, attendance: Attendance, decision: str,
                      reason: str) -> Attendance:
    """An officer confirms, rejects or voids a record, always with a reason; the record keeps
    its flags (the evidence) and is marked manual."""
    require(actor, SUPERVISE, message=NO_SUPERVISE)
    if decision not in DECISIONS:
        raise _fail("decision", "请选择确认、不予认可或作废", code="invalid")
    to, sources, action, verb = DECISIONS[decision]
    reason = _reason(reason, verb)
    require_visible(actor, attendance, "supervise")
    attendance = attendance_lock(attendance)
    _results_still_open(attendance.session.training_class)
    if attendance.status not in sources:
        raise _fail("decision", f"该记录当前为「{attendance.get_status_display()}」，不能{verb}",
                    code="wrong_state")
    before = attendance.status
    attendance.status, attendance.reason = to, reason
    attendance.is_manual, attendance.recorded_by = True, actor
    attendance.save(update_fields=["status", "reason", "is_manual", "recorded_by"])
    audit_record(actor=actor, action=action, obj=attendance,
                 changes={"status": [before, to], "reason": [None, reason]})
    return attendance


# ---------------------------------------------------------------- results and their deadline


def results_deadline(training_class: TrainingClass) -> dt.date:
    policy = process_policy(training_class, training_class.end_date)
    return training_class.end_date + dt.timedelta(days=policy["results_deadline_days"])


@transaction.atomic
def attendance_results_submit(*, actor, training_class: TrainingClass,
                              now: dt.datetime | None = None) -> TrainingClass:
    """The institution submits the class's attendance (and completion) results once the class
    has ended. Past the policy's `results_deadline_days` after the end date they are late
    (`results_late`) and count only once an officer approves them."""
    require(actor, "training.change_attendance", message="没有提交考勤结果的权限")
    _class_in_reach(actor, "training.change_attendance", training_class)
    now = now or timezone.now()
    training_class = attendance_class_lock(training_class)
    if training_class.status not in RESULTS_CLASS_STATES:
        state = training_class.get_status_display()
        raise _fail("status", f"「{training_class.name}」当前为「{state}」，不能提交考勤结果",
                    code="wrong_state")
    if training_class.results_submitted_at is not None:
        raise Conflict(f"「{training_class.name}」的考勤与结业结果已于 "
                       f"{_local(training_class.results_submitted_at)} 提交，不能重复提交",
                       errors={"status": "已提交"})
    last = training_class.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    today = timezone.localdate(now)
    if today < training_class.end_date or (last is not None and last > now):
        raise _fail("status", f"「{training_class.name}」尚未结束（结业日期 "
                              f"{training_class.end_date}），结班后才能提交考勤结果",
                    code="not_ended")
    deadline = results_deadline(training_class)
    late = today > deadline
    training_class.results_submitted_at = now
    training_class.results_late = training_class.results_late or late
    training_class.save(update_fields=["results_submitted_at", "results_late", "updated_at"])
    audit_record(actor=actor, action=TrainingAction.ATTENDANCE_RESULTS_SUBMIT,
                 obj=training_class,
                 changes={"results_submitted_at": [None, now], "results_late": [None, late],
                          "deadline": [None, deadline]})
    return training_class


@transaction.atomic
def attendance_late_approve(*, actor, training_class: TrainingClass,
                            reason: str) -> TrainingClass:
    """An officer approves results submitted after the deadline, with a reason."""
    require(actor, SUPERVISE, message=NO_SUPERVISE)
    reason = _reason(reason, "逾期审批")
    _class_in_reach(actor, SUPERVISE, training_class)
    training_class = attendance_class_lock(training_class)
    if not training_class.results_late:
        raise _fail("status", f"「{training_class.name}」的考勤结果没有逾期，无需审批",
                    code="not_late")
    if training_class.late_approved_by_id is not None:
        raise Conflict(f"「{training_class.name}」的逾期提交已经审批", errors={"status": "已审批"})
    training_class.late_approved_by = actor
    training_class.save(update_fields=["late_approved_by", "updated_at"])
    audit_record(actor=actor, action=TrainingAction.ATTENDANCE_LATE_APPROVE, obj=training_class,
                 changes={"late_approved_by": [None, actor.pk], "reason": [None, reason]})
    return training_class


def results_accepted(training_class: TrainingClass) -> bool:
    """Whether the class's results count: submitted, and in time or approved when late."""
    return training_class.results_submitted_at is not None and (
        not training_class.results_late or training_class.late_approved_by_id is not None)


def results_state(training_class: TrainingClass) -> tuple[str, str]:
    """(code, Chinese label) of where the class's results are."""
    if training_class.results_submitted_at is None:
        return "not_submitted", "未提交"
    if not training_class.results_late:
        return "submitted", f"已按期提交（{_local(training_class.results_submitted_at)}）"
    if training_class.late_approved_by_id is None:
        return "late", f"逾期提交（{_local(training_class.results_submitted_at)}），待人社部门审批"
    return "late_approved", f"逾期提交（{_local(training_class.results_submitted_at)}），已审批"


# ---------------------------------------------------------------- reads


def current_session(training_class: TrainingClass, *, now: dt.datetime | None = None
                    ) -> tuple[Session | None, str]:
    """The session whose check-in or check-out window is open now (or, before the first
    window of the day, the next one, not yet scannable), and which kind the screen asks for:
    "in", "out", or "" when nothing is open."""
    now = now or timezone.now()
    sessions = list(training_class.sessions.filter(
        ends_at__gte=now - dt.timedelta(hours=4)).order_by("starts_at")[:20])
    if not sessions:
        return None, ""
    policy = process_policy(training_class, timezone.localdate(now))
    for session in sessions:
        checkin, checkout = (window_of(session, CheckKind.IN, policy),
                             window_of(session, CheckKind.OUT, policy))
        if checkout.opens <= now <= checkout.closes:
            return session, CheckKind.OUT
        if checkin.opens <= now < checkout.opens:
            return session, CheckKind.IN
    upcoming = [s for s in sessions if s.starts_at > now]
    return (upcoming[0] if upcoming else None), ""


def session_counts(session: Session) -> dict:
    counts = dict(Attendance.objects.filter(session=session)
                  .exclude(status=AttendanceStatus.VOIDED)
                  .values_list("kind").annotate(n=Count("pk")).order_by())
    flagged = Attendance.objects.filter(session=session,
                                        status=AttendanceStatus.UNCONFIRMED).count()
    enrolled = Enrolment.objects.filter(training_class_id=session.training_class_id).exclude(
        status=EnrolmentStatus.WITHDRAWN).count()
    return {"in": counts.get(CheckKind.IN, 0), "out": counts.get(CheckKind.OUT, 0),
            "flagged": flagged, "enrolled": enrolled}


def _has_flag(qs: QuerySet, flag: str) -> QuerySet:
    # A JSON list's text holds each flag in quotes, on SQLite and PostgreSQL alike.
    return qs.annotate(_flags_text=Cast("flags", TextField())).filter(
        _flags_text__contains=f'"{flag}"')


def attendance_list(*, user, action: str = "view", q: str = "", flag: str = "",
                    status: str = "", class_code: str = "", date: str | dt.date = "",
                    flagged: str = "") -> QuerySet[Attendance]:
    """Check-ins in the user's scope. `flagged` ("1") keeps the flagged ones only; `flag` one
    kind of flag; `class_code` a class (code); `date` a day (the session's, local)."""
    qs = (Attendance.objects.restrict(user, action)
          .select_related("enrolment__person", "session__training_class__region"))
    if q:
        qs = qs.filter(Q(enrolment__person__name__contains=q)
                       | Q(session__training_class__code=q)
                       | Q(session__training_class__name__contains=q))
    if flagged:
        qs = qs.exclude(flags=[])
    if flag:
        qs = _has_flag(qs, flag)
    if status:
        qs = qs.filter(status=status)
    if class_code:
        qs = qs.filter(session__training_class__code=class_code)
    if date:
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                return qs.none()
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(date, dt.time(0), tzinfo=zone)
        qs = qs.filter(session__starts_at__gte=start,
                       session__starts_at__lt=start + dt.timedelta(days=1))
    return qs.order_by("-at", "-pk")


def attendance_get(*, user, pk, action: str = "view") -> Attendance:
    try:
        return (Attendance.objects.restrict(user, action)
                .select_related("enrolment__person", "session__training_class__region",
                                "session__training_class__institution__region", "recorded_by")
                .get(pk=pk))
    except (Attendance.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def late_results_list(*, user) -> QuerySet[TrainingClass]:
    """Classes whose results came in late and wait for an officer's approval."""
    return (TrainingClass.objects.restrict(user, "view")
            .filter(results_late=True, late_approved_by__isnull=True)
            .select_related("institution", "region").order_by("results_submitted_at", "pk"))


def attendance_summary(training_class: TrainingClass, *, user=None) -> dict:
    """What the class page shows of attendance: per session the check-ins, check-outs and
    flagged ones, the flagged records (those the user may see, when a user is given), and
    where the results stand."""
    sessions = list(training_class.sessions.order_by("starts_at", "pk"))
    enrolled = Enrolment.objects.filter(training_class=training_class).exclude(
        status=EnrolmentStatus.WITHDRAWN).count()
    rows = (Attendance.objects.filter(session__training_class=training_class)
            .exclude(status=AttendanceStatus.VOIDED)
            .values("session_id", "kind").annotate(n=Count("pk")).order_by())
    unconfirmed = dict(Attendance.objects.filter(session__training_class=training_class,
                                                 status=AttendanceStatus.UNCONFIRMED)
                       .values_list("session_id").annotate(n=Count("pk")).order_by())
    counts = {(r["session_id"], r["kind"]): r["n"] for r in rows}
    per_session = [{"session": s, "in": counts.get((s.pk, CheckKind.IN), 0),
                    "out": counts.get((s.pk, CheckKind.OUT), 0),
                    "flagged": unconfirmed.get(s.pk, 0)} for s in sessions]
    flagged = (Attendance.objects.restrict(user, "view") if user is not None
               else Attendance.objects.all())
    flagged = (flagged.filter(session__training_class=training_class).exclude(flags=[])
               .select_related("enrolment__person", "session").order_by("-at", "-pk")[:50])
    code, label = results_state(training_class)
    try:
        deadline = results_deadline(training_class)
    except ServiceError:
        deadline = None
    return {
        "training_class": training_class, "enrolled": enrolled, "sessions": per_session,
        "flagged": [{"record": a, "texts": flag_texts(a, training_class)} for a in flagged],
        "flagged_count": sum(r["flagged"] for r in per_session),
        "results_code": code, "results_label": label, "results_deadline": deadline,
        "results_accepted": results_accepted(training_class),
    }


def my_attendance(*, user) -> QuerySet[Attendance]:
    """A worker's own records, newest first."""
    return (Attendance.objects.restrict(user, "view").filter(enrolment__person__user=user)
            .select_related("session__training_class").order_by("-at", "-pk"))

