"""Online hours, completion (结业考核) and ratings: services and reads.

- Learning platforms post online hours (`online_hours_post`): each record is matched to the
  person's enrolment in a class that allows online study, is approved or running and whose
  dates cover the day studied; it counts toward that class up to the TrainingProcess policy's
  `max_online_share` of the class's planned hours. Idempotent by (platform, record_id).
- Attendance of an enrolment: the class hours of the sessions it attended — a session counts
  when the trainee has BOTH a confirmed check-in and a confirmed check-out for it (签到且签退；
  a trainee who signs in and leaves gets nothing for that session) — plus the counted online
  hours, over the planned hours.
- Completion: the institution records exam results (page, .xlsx, API), then submits the
  class: an enrolment completes at or above the policy's `min_attendance_share` and with a
  pass (a score of at least PASS_SCORE out of 100; 缺考 is a fail); otherwise it fails with
  the reason. The class moves to completed.
- Ratings: a completer rates the class once (QUESTIONS, 1–5 each). An institution whose
  average is below the policy's `min_rating_tenths`/10 with at least RATING_MIN_COUNT ratings
  is flagged for review.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from jineng.catalog.models import PolicyKind
from jineng.catalog.services import resolve
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.scope import ScopeSpec, user_reach
from jineng.core.spreadsheet_reader import ReadError, open_rows
from jineng.orgs.models import Institution
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training.attendance import results_deadline
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import class_lock, enrolment_lock, enrolments_lock
from jineng.training.models import (
    Attendance,
    AttendanceStatus,
    CheckKind,
    ClassRating,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    OnlineHours,
    Session,
    TrainingClass,
)

PASS_SCORE = Decimal(60)  # 百分制, 60 分及格
MAX_SCORE = Decimal(100)
RATING_MIN_COUNT = 5  # an institution is flagged only once it has this many ratings
MAX_BATCH = 500  # online-hours records in one request
MAX_RECORD_HOURS = Decimal(24)  # one record is one day's study at most
OPEN_STATES = (ClassStatus.APPROVED, ClassStatus.RUNNING)
QUESTIONS = [
    ("content", "培训内容实用，符合岗位需要"),
    ("teaching", "教师讲解清楚，实操指导到位"),
    ("organisation", "课程安排、场地和设备满足培训需要"),
    ("outcome", "通过培训，掌握了新的技能"),
]
SCORE_LABELS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}


def _fail(field_name: str, message: str, code: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, errors={field_name: message})


def percent(share) -> str:
    """0.8 -> "80%", 0.625 -> "62.5%"."""
    if share is None:
        return "—"
    value = (Decimal(share) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
    return f"{value:f}%"


def hours_text(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')).normalize():f}"


# ---------------------------------------------------------------- the policy of a class


@dataclass(frozen=True)
class ProcessPolicy:
    min_attendance: Fraction
    max_online: Fraction
    results_deadline_days: int
    min_rating_tenths: int
    source: str


def process_policy(region, on_date: dt.date) -> ProcessPolicy:
    """The TrainingProcess figures in force for a region on a day; NotFound naming both."""
    resolution = resolve(PolicyKind.TRAINING_PROCESS, region, on_date)
    data = resolution.data
    return ProcessPolicy(
        min_attendance=Fraction(data["min_attendance_share"]["numerator"],
                                data["min_attendance_share"]["denominator"]),
        max_online=Fraction(data["max_online_share"]["numerator"],
                            data["max_online_share"]["denominator"]),
        results_deadline_days=data["results_deadline_days"],
        min_rating_tenths=data["min_rating_tenths"], source=resolution.source_label)


def class_policy(training_class: TrainingClass) -> ProcessPolicy:
    try:
        return process_policy(training_class.region, training_class.start_date)
    except NotFound as exc:
        raise _fail("policy", f"{exc.message}，无法计算出勤率和线上学时",
                    code="no_policy") from None


def _fraction_text(value: Fraction) -> str:
    return percent(Decimal(value.numerator) / Decimal(value.denominator))


def online_cap(training_class: TrainingClass, policy: ProcessPolicy) -> Decimal:
    """The online hours that may count toward the class: max_online_share × planned hours."""
    cap = Decimal(training_class.planned_hours) * policy.max_online.numerator \
        / policy.max_online.denominator
    return cap.quantize(Decimal("0.01"), ROUND_DOWN)


# ---------------------------------------------------------------- attendance figures


@dataclass
class Figures:
    """What an enrolment has attended, and whether it reaches the minimum."""

    planned: int
    attended: Decimal
    sessions_attended: int
    sessions_total: int
    online_reported: Decimal
    online_counted: Decimal
    online_cap: Decimal
    min_share: Fraction
    half_sessions: int = 0  # sessions with a check-in but no confirmed check-out

    @property
    def total(self) -> Decimal:
        return self.attended + self.online_counted

    @property
    def share(self) -> Decimal:
        if not self.planned:
            return Decimal(0)
        return min(Decimal(1), (self.total / self.planned).quantize(Decimal("0.0001"),
                                                                   ROUND_DOWN))

    @property
    def meets(self) -> bool:
        # exact: total / planned >= numerator / denominator
        return (self.total * self.min_share.denominator
                >= self.planned * self.min_share.numerator)

    @property
    def shortfall(self) -> str:
        return (f"出勤率 {percent(self.share)}（出勤 {hours_text(self.attended)} 课时、"
                f"线上计入 {hours_text(self.online_counted)} 学时，计划 {self.planned} 课时）"
                f"低于结业最低出勤率 {_fraction_text(self.min_share)}")


def class_figures(training_class: TrainingClass, enrolments, policy: ProcessPolicy
                  ) -> dict[int, Figures]:
    """Figures for each of the class's enrolments, in three queries."""
    ids = [e.pk for e in enrolments]
    sessions = {s.pk: s.hours for s in Session.objects.filter(training_class=training_class)}
    marks: dict[tuple[int, int], set[str]] = {}
    for enrolment_id, session_id, kind in Attendance.objects.filter(
            enrolment_id__in=ids, session__training_class=training_class,
            status=AttendanceStatus.CONFIRMED).values_list("enrolment_id", "session_id", "kind"):
        marks.setdefault((enrolment_id, session_id), set()).add(kind)
    online = dict(OnlineHours.objects.filter(enrolment_id__in=ids).order_by()
                  .values("enrolment_id").annotate(total=Sum("hours"))
                  .values_list("enrolment_id", "total"))
    cap = online_cap(training_class, policy)
    out = {}
    for pk in ids:
        attended, count, half = Decimal(0), 0, 0
        for session_id, hours in sessions.items():
            kinds = marks.get((pk, session_id), set())
            if {CheckKind.IN, CheckKind.OUT} <= kinds:
                attended += hours
                count += 1
            elif CheckKind.IN in kinds:
                half += 1
        reported = Decimal(online.get(pk) or 0)
        out[pk] = Figures(planned=training_class.planned_hours, attended=attended,
                          sessions_attended=count, sessions_total=len(sessions),
                          online_reported=reported, online_counted=min(reported, cap),
                          online_cap=cap, min_share=policy.min_attendance, half_sessions=half)
    return out


def _store_figures(enrolment: Enrolment, figures: Figures) -> None:
    enrolment.attended_hours = figures.attended
    enrolment.online_hours = figures.online_counted
    enrolment.attendance_share = figures.share
    enrolment.save(update_fields=["attended_hours", "online_hours", "attendance_share"])


# ---------------------------------------------------------------- online hours


@dataclass
class OnlineResult:
    index: int
    record_id: str
    status: str  # accepted, duplicate, refused
    message: str
    errors: dict = field(default_factory=dict)
    class_code: str | None = None
    counted_hours: Decimal | None = None

    STATUS_LABELS = {"accepted": "已计入", "duplicate": "已接收（重复报送）", "refused": "未接收"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]


def _online_clean(record: dict) -> dict:
    errors = {}
    record_id = clean_text(record.get("record_id"))
    if not record_id:
        errors["record_id"] = "缺少平台记录号（record_id）"
    elif len(record_id) > 80:
        errors["record_id"] = "平台记录号最多 80 个字符"
    course = clean_text(record.get("course"))
    if not course:
        errors["course"] = "缺少课程名称（course）"
    elif len(course) > 120:
        errors["course"] = "课程名称最多 120 个字"
    hours = None
    try:
        hours = Decimal(clean_text(record.get("hours")))
        if not hours.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["hours"] = "学时（hours）应为数字，如 2 或 1.5"
    else:
        if hours <= 0:
            errors["hours"] = "学时（hours）应大于 0"
        elif hours > MAX_RECORD_HOURS:
            errors["hours"] = f"一条记录的学时不能超过 {MAX_RECORD_HOURS} 学时"
        elif hours != hours.quantize(Decimal("0.01")):
            errors["hours"] = "学时最多两位小数"
    studied_on = record.get("studied_on")
    if isinstance(studied_on, str):
        try:
            studied_on = dt.date.fromisoformat(clean_text(studied_on))
        except ValueError:
            studied_on = None
    if not isinstance(studied_on, dt.date):
        errors["studied_on"] = "学习日期（studied_on）应为日期，格式 YYYY-MM-DD"
    elif studied_on > timezone.localdate():
        errors["studied_on"] = f"学习日期 {studied_on} 晚于今天"
    person = None
    try:
        ident = people_services.identity_check(record.get("id_number") or "")
    except ServiceError as exc:
        errors["id_number"] = exc.errors.get("id_number") or exc.message
    else:
        person = Person.objects.filter(
            id_hash=people_services.identity_hash(ident.doc_type, ident.number)).first()
        if person is None:
            # the same words as a registered person without a class: a platform learns
            # nothing of who is in the registry
            errors.setdefault("id_number", NO_ENROLMENT)
    if errors:
        first = next(iter(errors.values()))
        raise ServiceError(first, code="invalid", errors=errors)
    return {"record_id": record_id, "course": course, "hours": hours,
            "studied_on": studied_on, "person": person}


NO_ENROLMENT = "该学员在本地区没有可计入线上学时的在训报名"


def _no_class_reason(person: Person, studied_on: dt.date, candidates: QuerySet) -> str:
    """Why no enrolment of the person can take hours studied that day."""
    mine = list(candidates.filter(person=person, status=EnrolmentStatus.ENROLLED)
                .select_related("training_class").order_by("-training_class__start_date")[:5])
    base = f"该学员在 {studied_on} 没有可计入线上学时的培训班"
    if not mine:
        return NO_ENROLMENT
    reasons = []
    for e in mine:
        c = e.training_class
        if not c.allows_online:
            reasons.append(f"「{c.name}」不允许线上学习")
        elif c.status not in OPEN_STATES:
            reasons.append(f"「{c.name}」状态为「{c.get_status_display()}」")
        else:
            reasons.append(f"学习日期不在「{c.name}」培训期（{c.start_date} 至 {c.end_date}）内")
    return f"{base}：{'；'.join(reasons)}"


def _platform_enrolments(actor) -> QuerySet:
    """Enrolments whose classes are where the platform's grant reaches (a province's
    platform: that province's classes)."""
    reach = user_reach(actor, "training.add_onlinehours")
    condition = reach.q(ScopeSpec(regions=("training_class__region",)))
    if condition is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(condition) if condition else Enrolment.objects.all()


def platform_of(actor) -> str:
    """The platform's key: its account name (stable; OnlineHours keeps it)."""
    return actor.username


@transaction.atomic
def online_hours_record(*, actor, record: dict, index: int = 0) -> OnlineResult:
    """One platform record, in its own transaction: accepted and counted, a duplicate of one
    already received (nothing written), or refused with the reason (nothing written)."""
    require(actor, "training.add_onlinehours", message="只有学习平台的接口令牌可以报送线上学时")
    platform = platform_of(actor)
    clean = _online_clean(record)
    existing = OnlineHours.objects.filter(platform=platform, record_id=clean["record_id"]) \
        .select_related("enrolment__training_class").first()
    if existing is not None:
        return _duplicate(existing, clean, index)
    person, studied_on = clean["person"], clean["studied_on"]
    candidates = _platform_enrolments(actor)
    match = (candidates.filter(
        person=person, status=EnrolmentStatus.ENROLLED, training_class__allows_online=True,
        training_class__status__in=OPEN_STATES, training_class__start_date__lte=studied_on,
        training_class__end_date__gte=studied_on)
        .order_by("training_class__start_date", "pk").first())
    if match is None:
        raise _fail("class", _no_class_reason(person, studied_on, candidates), code="no_class")
    enrolment = enrolment_lock(match)
    training_class = enrolment.training_class
    if (training_class.status not in OPEN_STATES or enrolment.status != EnrolmentStatus.ENROLLED):
        raise _fail("class", f"「{training_class.name}」已结业或该报名已结束，线上学时不再计入",
                    code="no_class")
    policy = class_policy(training_class)
    try:
        with transaction.atomic():
            made = OnlineHours.objects.create(
                platform=platform, record_id=clean["record_id"], person=person,
                enrolment=enrolment, course=clean["course"], hours=clean["hours"],
                studied_on=studied_on)
    except IntegrityError:  # the same record posted at the same moment: one row
        existing = OnlineHours.objects.select_related("enrolment__training_class").get(
            platform=platform, record_id=clean["record_id"])
        return _duplicate(existing, clean, index)
    figures = class_figures(training_class, [enrolment], policy)[enrolment.pk]
    _store_figures(enrolment, figures)
    audit_record(actor=actor, action=TrainingAction.ONLINE_HOURS_RECORD, obj=made, changes={
        "platform": [None, platform], "record_id": [None, clean["record_id"]],
        "person": [None, person.id_masked], "course": [None, clean["course"]],
        "hours": [None, str(clean["hours"])], "studied_on": [None, studied_on],
        "class": [None, training_class.code],
        "online_hours": [None, str(figures.online_counted)]})
    message = f"已计入「{training_class.name}」"
    if figures.online_reported > figures.online_cap:
        message += (f"；线上学时累计 {hours_text(figures.online_reported)} 学时，已达上限 "
                    f"{hours_text(figures.online_cap)} 学时（计划课时的 "
                    f"{_fraction_text(policy.max_online)}），超出部分不计入出勤")
    return OnlineResult(index, clean["record_id"], "accepted", message,
                        class_code=training_class.code, counted_hours=figures.online_counted)


def _duplicate(existing: OnlineHours, clean: dict, index: int) -> OnlineResult:
    same = (existing.person_id == clean["person"].pk and existing.hours == clean["hours"]
            and existing.studied_on == clean["studied_on"] and existing.course == clean["course"])
    if not same:
        raise Conflict(f"平台记录号 {existing.record_id} 已于 "
                       f"{timezone.localtime(existing.received_at):%Y-%m-%d %H:%M} 报送，"
                       "内容与本次不同；已接收的记录不能修改，更正请使用新的记录号",
                       code="record_changed", errors={"record_id": "记录号已使用，内容不同"})
    enrolment = existing.enrolment
    return OnlineResult(index, existing.record_id, "duplicate", "该记录已接收，未重复计入",
                        class_code=enrolment.training_class.code if enrolment else None,
                        counted_hours=enrolment.online_hours if enrolment else None)


def online_hours_post(*, actor, records: list[dict]) -> list[OnlineResult]:
    """A platform's batch: each record stands or falls alone (`online_hours_record`, one
    transaction each); the answer reports every one, in order."""
    require(actor, "training.add_onlinehours", message="只有学习平台的接口令牌可以报送线上学时")
    if not records:
        raise _fail("records", "没有要报送的记录")
    if len(records) > MAX_BATCH:
        raise _fail("records", f"一次最多报送 {MAX_BATCH} 条记录，本次 {len(records)} 条")
    results = []
    for index, record in enumerate(records):
        try:
            results.append(online_hours_record(actor=actor, record=record, index=index))
        except ServiceError as exc:
            if isinstance(exc, Forbidden):
                raise
            results.append(OnlineResult(index, clean_text(record.get("record_id")), "refused",
                                        exc.message, errors=exc.errors))
    return results


# ---------------------------------------------------------------- exam results


def _results_allowed(actor, training_class: TrainingClass) -> None:
    """The institution of the class (or an officer over its region) may record its results."""
    require(actor, "training.change_enrolment", message="没有录入结业考核结果的权限")
    if not Enrolment.objects.restrict(actor, "change").filter(
            training_class=training_class).exists() and not TrainingClass.objects.restrict(
            actor, "view").filter(pk=training_class.pk).exists():
        raise NotFound()
    reach = user_reach(actor, "training.change_enrolment")
    region = training_class.region
    if not (reach.everything or training_class.institution_id in reach.institution_ids
            or reach.admits_region(region.pk, region.path)
            or reach.admits_region(training_class.institution.region_id,
                                   training_class.institution.region.path)):
        raise NotFound()


def parse_score(text) -> tuple[Decimal | None, bool]:
    """(score, absent) from what was typed: a number 0–100 (one decimal), or 缺考."""
    value = clean_text(text)
    if value in ("缺考", "缺席", "absent"):
        return None, True
    try:
        score = Decimal(value)
        if not score.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(f"成绩「{value}」应为 0–100 的数字，或填“缺考”") from None
    if score < 0 or score > MAX_SCORE:
        raise ValueError(f"成绩 {value} 应在 0–100 之间")
    if score != score.quantize(Decimal("0.1")):
        raise ValueError("成绩最多一位小数")
    return score, False


@transaction.atomic
def exam_results_record(*, actor, training_class: TrainingClass, results: list[dict]
                        ) -> list[Enrolment]:
    """Record exam results: each item {enrolment (or enrolment_id), score (text or number;
    blank clears), absent, row (what to call it in a message)}. All or nothing: every bad item
    is named, and nothing is written."""
    _results_allowed(actor, training_class)
    training_class = class_lock(training_class)
    if training_class.status not in OPEN_STATES:
        raise _fail("status", f"「{training_class.name}」当前为"
                              f"「{training_class.get_status_display()}」，不能录入考核结果",
                    code="wrong_state")
    enrolments = {e.pk: e for e in Enrolment.objects.filter(
        training_class=training_class).select_related("person")}
    errors, seen, changes = {}, set(), []
    for i, item in enumerate(results, start=1):
        row = item.get("row") or f"第 {i} 项"
        key = f"row{item.get('row_number', i)}"
        enrolment = item.get("enrolment") or enrolments.get(item.get("enrolment_id"))
        if enrolment is None or enrolment.pk not in enrolments:
            errors[key] = f"{row}：不是本班学员"
            continue
        enrolment = enrolments[enrolment.pk]
        if enrolment.pk in seen:
            errors[key] = f"{row}：{enrolment.person.name} 重复出现"
            continue
        seen.add(enrolment.pk)
        if enrolment.status != EnrolmentStatus.ENROLLED:
            errors[key] = (f"{row}：{enrolment.person.name} 的报名状态为"
                           f"「{enrolment.get_status_display()}」")
            continue
        raw = item.get("score")
        absent = bool(item.get("absent"))
        if absent:
            score, passed = None, False
        elif raw is None or clean_text(raw) == "":
            score, passed = None, None
        else:
            try:
                score, absent = parse_score(raw)
            except ValueError as exc:
                errors[key] = f"{row}（{enrolment.person.name}）：{exc}"
                continue
            passed = False if absent else score >= PASS_SCORE
        changes.append((enrolment, score, passed))
    if errors:
        first = "；".join(list(errors.values())[:5])
        raise ServiceError(f"有 {len(errors)} 处错误，考核结果均未保存：{first}", errors=errors)
    saved = []
    for enrolment, score, passed in changes:
        if (enrolment.exam_score, enrolment.exam_passed) == (score, passed):
            continue
        before = [_result_text(enrolment.exam_score, enrolment.exam_passed)]
        enrolment.exam_score, enrolment.exam_passed = score, passed
        enrolment.save(update_fields=["exam_score", "exam_passed"])
        audit_record(actor=actor, action=TrainingAction.EXAM_RESULT_RECORD, obj=enrolment,
                     changes={"exam": before + [_result_text(score, passed)]})
        saved.append(enrolment)
    return saved


def _result_text(score, passed) -> str | None:
    if passed is None and score is None:
        return None
    if score is None:
        return "缺考"
    return f"{Decimal(score).normalize():f} 分（{'通过' if passed else '未通过'}）"


def result_text(enrolment: Enrolment) -> str:
    return _result_text(enrolment.exam_score, enrolment.exam_passed) or "未录入"


RESULT_COLUMNS = {"id_number": ("证件号码", "身份证号", "身份证号码"), "name": ("姓名",),
                  "score": ("考核成绩", "成绩", "结业考核成绩")}
HEADER_SEARCH_ROWS = 10


def exam_results_from_file(*, actor, training_class: TrainingClass, path, name: str = ""
                           ) -> list[Enrolment]:
    """Exam results from a spreadsheet (证件号码, 姓名, 成绩): every bad row named with its row
    number and column; nothing written unless the whole file is good."""
    _results_allowed(actor, training_class)
    try:
        source = open_rows(path, name)
    except ReadError as exc:
        raise _fail("file", exc.message) from None
    try:
        items, errors = _read_results(source, training_class)
    except ReadError as exc:
        raise _fail("file", exc.message) from None
    finally:
        source.close()
    if errors:
        first = "；".join(list(errors.values())[:5])
        raise ServiceError(f"文件有 {len(errors)} 处错误，考核结果均未保存：{first}",
                           errors=errors)
    return exam_results_record(actor=actor, training_class=training_class, results=items)


def _read_results(source, training_class) -> tuple[list[dict], dict]:
    by_hash = {e.person.id_hash: e for e in Enrolment.objects.filter(
        training_class=training_class).select_related("person")}
    columns, items, errors, seen = None, [], {}, {}
    for number, cells in source.rows:
        texts = [clean_text(c).replace(" ", "") for c in cells]
        if columns is None:
            found = {}
            for key, aliases in RESULT_COLUMNS.items():
                for alias in aliases:
                    if alias in texts:
                        found[key] = texts.index(alias)
                        break
            if "id_number" in found and "score" in found:
                columns = found
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(texts):
            continue

        def cell(key, cells=cells, columns=columns):
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        if isinstance(cell("id_number"), float) and cell("id_number").is_integer():
            raw_id = str(int(cell("id_number")))
        else:
            raw_id = clean_text(cell("id_number"))
        try:
            ident = people_services.identity_check(raw_id)
        except ServiceError as exc:
            errors[f"row{number}.id_number"] = (f"第 {number} 行「证件号码」："
                                                f"{exc.errors.get('id_number') or exc.message}")
            continue
        enrolment = by_hash.get(people_services.identity_hash(ident.doc_type, ident.number))
        if enrolment is None:
            errors[f"row{number}.id_number"] = f"第 {number} 行「证件号码」：不是本班学员"
            continue
        if enrolment.pk in seen:
            errors[f"row{number}.id_number"] = (f"第 {number} 行「证件号码」：与第 "
                                                f"{seen[enrolment.pk]} 行是同一学员")
            continue
        seen[enrolment.pk] = number
        typed_name = clean_text(cell("name"))
        if typed_name and typed_name != enrolment.person.name:
            errors[f"row{number}.name"] = (f"第 {number} 行「姓名」：{typed_name} "
                                           "与该证件号码登记的姓名不符")
            continue
        raw = cell("score")
        raw = f"{raw:g}" if isinstance(raw, float) else clean_text(raw)
        if raw == "":
            errors[f"row{number}.score"] = f"第 {number} 行「成绩」：未填写（缺考请填“缺考”）"
            continue
        try:
            parse_score(raw)
        except ValueError as exc:
            errors[f"row{number}.score"] = f"第 {number} 行「成绩」：{exc}"
            continue
        items.append({"enrolment": enrolment, "score": raw, "row": f"第 {number} 行",
                      "row_number": number})
    if columns is None:
        raise ReadError(f"没有找到表头：前 {HEADER_SEARCH_ROWS} 行中须有列“证件号码”和“成绩”")
    if not items and not errors:
        raise ReadError("文件中没有成绩行")
    return items, errors


# ---------------------------------------------------------------- completion


@dataclass
class CompletionOutcome:
    training_class: TrainingClass
    completed: list[Enrolment]
    failed: list[Enrolment]
    late: bool


def _decide(enrolment: Enrolment, figures: Figures) -> tuple[str, str]:
    reasons = []
    if not figures.meets:
        reasons.append(figures.shortfall)
    if not enrolment.exam_passed:
        if enrolment.exam_score is None:
            reasons.append("结业考核缺考")
        else:
            reasons.append(f"结业考核未通过（{Decimal(enrolment.exam_score).normalize():f} 分，"
                           f"{PASS_SCORE} 分及格）")
    if reasons:
        return EnrolmentStatus.FAILED, "；".join(reasons)
    return EnrolmentStatus.COMPLETED, ""


@transaction.atomic
def class_completion_submit(*, actor, training_class: TrainingClass, now=None
                            ) -> CompletionOutcome:
    """The institution submits the class's completion: each enrolled trainee completes or
    fails (with the reason); the class moves to completed. Past the policy's deadline after
    the class's end the results are late: they count only once an officer has approved the
    late submission (attendance.attendance_results_submit, then attendance_late_approve)."""
    _results_allowed(actor, training_class)
    now = now or timezone.now()
    training_class = class_lock(training_class)
    if training_class.status not in OPEN_STATES:
        raise _fail("status", f"「{training_class.name}」当前为"
                              f"「{training_class.get_status_display()}」，只有已审核或培训中的班级"
                              "可以提交结业", code="wrong_state")
    last = Session.objects.filter(training_class=training_class).order_by("-ends_at").first()
    if last is not None and last.ends_at > now:
        raise _fail("status", f"最后一次课（{timezone.localtime(last.ends_at):%Y-%m-%d %H:%M} "
                              "结束）尚未结束，不能提交结业", code="not_finished")
    if last is None and training_class.end_date > timezone.localdate(now):
        raise _fail("status", f"班级结业日期 {training_class.end_date} 未到，不能提交结业",
                    code="not_finished")
    policy = class_policy(training_class)
    deadline = results_deadline(training_class)
    late = timezone.localdate(now) > deadline
    if late and training_class.late_approved_by_id is None:
        raise _fail("status", f"已超过考勤与结业结果的提交期限（{deadline}）：请先在考勤页面提交"
                              "考勤结果，经人社部门审批逾期后再提交结业", code="results_late")
    enrolments = enrolments_lock(training_class)
    if not enrolments:
        raise _fail("enrolments", "该班没有在训学员，无法提交结业")
    missing = [e.person.name for e in enrolments if e.exam_passed is None]
    if missing:
        names = "、".join(missing[:10]) + (f" 等 {len(missing)} 人" if len(missing) > 10 else "")
        raise _fail("exam", f"以下学员尚未录入结业考核结果：{names}（缺考请录入“缺考”）",
                    code="results_missing")
    figures = class_figures(training_class, enrolments, policy)
    completed, failed = [], []
    for enrolment in enrolments:
        status, reason = _decide(enrolment, figures[enrolment.pk])
        _store_figures(enrolment, figures[enrolment.pk])
        enrolment.status, enrolment.reason = status, reason
        enrolment.completed_at = now if status == EnrolmentStatus.COMPLETED else None
        enrolment.save(update_fields=["status", "reason", "completed_at"])
        audit_record(
            actor=actor, obj=enrolment,
            action=(TrainingAction.ENROLMENT_COMPLETE if status == EnrolmentStatus.COMPLETED
                    else TrainingAction.ENROLMENT_FAIL),
            changes={"status": [EnrolmentStatus.ENROLLED, status],
                     "attendance_share": [None, str(figures[enrolment.pk].share)],
                     **({"reason": [None, reason]} if reason else {})})
        (completed if status == EnrolmentStatus.COMPLETED else failed).append(enrolment)
    before = training_class.status
    training_class.status = ClassStatus.COMPLETED
    training_class.completed_at = now
    training_class.results_late = training_class.results_late or late
    training_class.save(update_fields=["status", "completed_at", "results_late", "updated_at"])
    audit_record(actor=actor, action=TrainingAction.COMPLETION_SUBMIT, obj=training_class,
                 changes={"status": [before, ClassStatus.COMPLETED],
                          "completed": [None, len(completed)], "failed": [None, len(failed)],
                          **({"results_late": [False, True]} if late else {})})
    return CompletionOutcome(training_class, completed, failed, late)


# ---------------------------------------------------------------- ratings


def rating_clean(scores, comment: str) -> tuple[list[int], str]:
    scores = list(scores or [])
    if len(scores) != len(QUESTIONS):
        raise _fail("scores", f"请回答全部 {len(QUESTIONS)} 个问题")
    clean = []
    for i, value in enumerate(scores):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip() in {"1", "2", "3", "4", "5"}:
            number = int(value)
        else:
            number = None
        if number is None or not 1 <= number <= 5:
            raise _fail(f"q{i + 1}", f"第 {i + 1} 题「{QUESTIONS[i][1]}」请选择 1–5 分")
        clean.append(number)
    comment = clean_text(comment or "")
    if len(comment) > 300:
        raise _fail("comment", "意见建议最多 300 字")
    return clean, comment


@transaction.atomic
def class_rating_submit(*, actor, enrolment: Enrolment, scores, comment: str = ""
                        ) -> ClassRating:
    """A completer rates their class, once per enrolment."""
    require(actor, "training.add_classrating", message="只有结业学员本人可以评价培训班")
    enrolment = enrolment_lock(enrolment)
    if enrolment.person.user_id != actor.pk:
        raise NotFound()
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise _fail("enrolment", "结业后才能评价，该报名当前为"
                                 f"「{enrolment.get_status_display()}」", code="not_completed")
    if ClassRating.objects.filter(enrolment=enrolment).exists():
        raise Conflict("您已评价过该培训班，每次培训只能评价一次",
                       errors={"enrolment": "已评价"})
    clean, comment = rating_clean(scores, comment)
    average = (Decimal(sum(clean)) / len(clean)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    try:
        with transaction.atomic():
            rating = ClassRating.objects.create(
                enrolment=enrolment, institution=enrolment.training_class.institution,
                scores=clean, average=average, comment=comment)
    except IntegrityError:
        raise Conflict("您已评价过该培训班，每次培训只能评价一次",
                       errors={"enrolment": "已评价"}) from None
    audit_record(actor=actor, action=TrainingAction.CLASS_RATING_SUBMIT, obj=rating,
                 changes={"scores": [None, clean], "average": [None, str(average)],
                          "comment": [None, comment] if comment else [None, ""]})
    return rating


@dataclass(frozen=True)
class InstitutionRating:
    institution: Institution
    average: Decimal | None
    count: int
    threshold: Decimal | None  # min_rating_tenths / 10 of the policy in force

    @property
    def flagged(self) -> bool:
        return (self.threshold is not None and self.average is not None
                and self.count >= RATING_MIN_COUNT and self.average < self.threshold)

    @property
    def average_text(self) -> str:
        return "—" if self.average is None else f"{self.average:.1f}"


def _threshold(institution: Institution, on: dt.date | None = None) -> Decimal | None:
    try:
        policy = process_policy(institution.region, on or timezone.localdate())
    except NotFound:
        return None
    return Decimal(policy.min_rating_tenths) / 10


def institution_rating(institution: Institution) -> InstitutionRating:
    """Every rating of the institution's classes: average of the ratings, their count, and
    whether it is flagged (public figures: no rater is named)."""
    agg = ClassRating.objects.filter(institution=institution).aggregate(
        average=Avg("average"), count=Count("pk"))
    average = agg["average"]
    if average is not None:
        average = Decimal(average).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return InstitutionRating(institution, average, agg["count"], _threshold(institution))


def with_ratings(qs: QuerySet) -> QuerySet:
    """Designations (or anything with an `institution`) annotated with `rating_average` and
    `rating_count` of the institution's ratings."""
    ratings = ClassRating.objects.filter(institution=OuterRef("institution")).order_by() \
        .values("institution")
    return qs.annotate(
        rating_average=Subquery(ratings.annotate(a=Avg("average")).values("a")[:1]),
        rating_count=Subquery(ratings.annotate(c=Count("pk")).values("c")[:1]))


def flagged_institutions(*, user) -> list[InstitutionRating]:
    """Institutions in the user's scope whose ratings fall below the policy's threshold."""
    rows = (ClassRating.objects.restrict(user, "view").order_by().values("institution")
            .annotate(average=Avg("average"), count=Count("pk"))
            .filter(count__gte=RATING_MIN_COUNT))
    ids = {r["institution"]: r for r in rows}
    out = []
    for institution in Institution.objects.filter(pk__in=ids).select_related("region") \
            .order_by("region__code", "name"):
        r = ids[institution.pk]
        summary = InstitutionRating(
            institution, Decimal(r["average"]).quantize(Decimal("0.01"), ROUND_HALF_UP),
            r["count"], _threshold(institution))
        if summary.flagged:
            out.append(summary)
    return out


def rating_summaries(*, user) -> list[InstitutionRating]:
    """Each institution in the user's scope that has ratings, with its figures."""
    rows = (ClassRating.objects.restrict(user, "view").order_by().values("institution")
            .annotate(average=Avg("average"), count=Count("pk")))
    ids = {r["institution"]: r for r in rows}
    return [InstitutionRating(i, Decimal(ids[i.pk]["average"]).quantize(Decimal("0.01")),
                              ids[i.pk]["count"], _threshold(i))
            for i in Institution.objects.filter(pk__in=ids).select_related("region")
            .order_by("region__code", "name")]


def public_ratings() -> list[InstitutionRating]:
    """Every institution that has ratings: what the public directory shows (no rater named)."""
    rows = ClassRating.objects.order_by().values("institution").annotate(
        average=Avg("average"), count=Count("pk"))
    ids = {r["institution"]: r for r in rows}
    return [InstitutionRating(i, Decimal(ids[i.pk]["average"]).quantize(Decimal("0.01")),
                              ids[i.pk]["count"], _threshold(i))
            for i in Institution.objects.filter(pk__in=ids).select_related("region")
            .order_by("region__code", "name")]


# ---------------------------------------------------------------- reads


def online_hours_list(*, user, q: str = "", action: str = "view") -> QuerySet[OnlineHours]:
    qs = OnlineHours.objects.restrict(user, action).select_related(
        "person", "enrolment__training_class")
    if q:
        qs = qs.filter(Q(record_id=q) | Q(course__contains=q) | Q(person__name=q)
                       | Q(enrolment__training_class__code=q))
    return qs.order_by("-studied_on", "-pk")


def online_hours_get(*, user, pk) -> OnlineHours:
    try:
        return online_hours_list(user=user).get(pk=pk)
    except (OnlineHours.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def rating_list(*, user, q: str = "", action: str = "view") -> QuerySet[ClassRating]:
    qs = ClassRating.objects.restrict(user, action).select_related(
        "institution", "enrolment__training_class", "enrolment__person")
    if q:
        qs = qs.filter(Q(institution__name__contains=q)
                       | Q(enrolment__training_class__name__contains=q)
                       | Q(enrolment__training_class__code=q))
    return qs.order_by("-created_at", "-pk")


def rating_get(*, user, pk) -> ClassRating:
    try:
        return rating_list(user=user).get(pk=pk)
    except (ClassRating.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def class_get(*, user, pk) -> TrainingClass:
    """A class the user may see (its own institution, its region) or record results for."""
    visible = TrainingClass.objects.restrict(user, "view").filter(pk=pk)
    results = Enrolment.objects.restrict(user, "change").filter(training_class_id=pk)
    try:
        return TrainingClass.objects.select_related("institution__region", "region").get(
            Q(pk__in=visible.values("pk")) | Q(pk__in=results.values("training_class_id")))
    except (TrainingClass.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass
class ResultRow:
    enrolment: Enrolment
    figures: Figures | None

    @property
    def share_text(self) -> str:
        if self.enrolment.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED):
            return percent(self.enrolment.attendance_share)
        return percent(self.figures.share) if self.figures else "—"

    @property
    def meets(self) -> bool | None:
        return self.figures.meets if self.figures else None

    @property
    def result(self) -> str:
        return result_text(self.enrolment)


def class_results(*, user, training_class: TrainingClass) -> dict:
    """The class's trainees with their attendance (live until completion, stored after),
    exam results and outcome, as `user` may see them."""
    enrolments = list(Enrolment.objects.restrict(user, "view").filter(
        training_class=training_class).exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("person").order_by("pk"))
    problem = ""
    try:
        policy = class_policy(training_class)
    except ServiceError as exc:
        policy, problem = None, exc.message
    figures = class_figures(training_class, enrolments, policy) if policy else {}
    rows = [ResultRow(e, figures.get(e.pk)) for e in enrolments]
    return {
        "training_class": training_class, "rows": rows, "policy": policy,
        "policy_problem": problem,
        "min_share": _fraction_text(policy.min_attendance) if policy else "—",
        "max_online": _fraction_text(policy.max_online) if policy else "—",
        "pass_score": PASS_SCORE,
        "completed": sum(1 for e in enrolments if e.status == EnrolmentStatus.COMPLETED),
        "failed": sum(1 for e in enrolments if e.status == EnrolmentStatus.FAILED),
        "open": training_class.status in OPEN_STATES,
        "can_record": training_class.status in OPEN_STATES
        and user.has_permission("training.change_enrolment")
        and Enrolment.objects.restrict(user, "change").filter(
            training_class=training_class).exists(),
    }


def completion_summary(*, user, training_class: TrainingClass) -> dict:
    """What the class page shows (training/completion_panel.html): who completed, who failed
    and why, and a link to the results page for those who record them."""
    data = class_results(user=user, training_class=training_class)
    data["rating"] = ClassRating.objects.filter(
        enrolment__training_class=training_class).aggregate(average=Avg("average"),
                                                             count=Count("pk"))
    return data


def my_completions(*, user) -> list[Enrolment]:
    """The worker's finished enrolments (completed or failed), newest first, with ratings."""
    return list(Enrolment.objects.restrict(user, "view").filter(
        person__user=user, status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED])
        .select_related("training_class__institution", "rating").order_by("-completed_at",
                                                                          "-pk"))


def my_enrolment(*, user, pk) -> Enrolment:
    try:
        return Enrolment.objects.restrict(user, "view").select_related(
            "training_class__institution", "person").get(pk=pk, person__user=user)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def archive_rows(person: Person, user) -> list[list]:
    """The lifelong archive's 结业记录 section: the person's finished enrolments the user may
    see."""
    rows = []
    for e in (Enrolment.objects.restrict(user, "view").filter(
            person=person, status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED])
            .select_related("training_class__institution", "training_class__occupation")
            .order_by("-completed_at", "-pk")):
        c = e.training_class
        outcome = "已结业" if e.status == EnrolmentStatus.COMPLETED else f"未通过：{e.reason}"
        rows.append([c.name, c.institution.name, c.occupation.name,
                     percent(e.attendance_share), result_text(e), outcome,
                     timezone.localtime(e.completed_at).strftime("%Y-%m-%d")
                     if e.completed_at else "—"])
    return rows


def register_archive() -> None:
    from jineng.people.selectors import ArchiveSection, register_archive_section

    register_archive_section(ArchiveSection(
        key="completion", title="结业记录", order=12,
        columns=["培训班", "培训机构", "职业", "出勤率", "结业考核", "结业结果", "结业日期"],
        rows=archive_rows))
