"""Classes (培训班), their sessions (课次) and teachers, changes after approval, and the
enterprise staff an apprenticeship class trains. Services (every write: check, change, audit,
in one transaction) and the reads pages and the API share.

States of a class: draft → filed → approved (or returned → filed again / rejected) →
running → completed → closed. A filed class and a filed change go through the review chain
("class_filing", "class_change": county officer, then city reviewer, by default); the last
decision calls `class_approve` / `class_return` / `class_reject` (or the change's own).

Decisions taken here (the seeds give no figure):
- a session counts at most one class hour (课时) per 45 minutes of its length;
- the timetable's class hours add up to at least the planned hours;
- a regular class lasts at most 183 days, an apprenticeship class (months long) 731;
- a teacher's sessions may not overlap any session of a filed, approved or running class,
  of any institution, nor another of the same class.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.catalog.models import (
    CatalogueEntry,
    FundSource,
    Occupation,
    PolicyKind,
    Programme,
    SkillLevel,
    WorkType,
)
from jineng.catalog.services import ancestor_codes, occupation_current, resolve
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, NotFound, ServiceError
from jineng.core.refusals import require, require_institution, require_visible
from jineng.core.review import review_submit
from jineng.orgs.models import Institution, InstitutionStatus, Region
from jineng.people import services as people_services
from jineng.people.models import Person
from jineng.training import selectors, wishes
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import changes_lock, class_lock, classes_lock, region_lock
from jineng.training.models import (
    TRAINING_KINDS,
    ClassChange,
    ClassChangeStatus,
    ClassKind,
    ClassStatus,
    ClassTeacher,
    ClassTeacherRole,
    Designation,
    DesignationStatus,
    Engagement,
    EnterpriseStaff,
    Session,
    Teacher,
    TrainingClass,
)
from jineng.training.services import _fail, _reason

CLASS_FILING = "class_filing"
CLASS_CHANGE = "class_change"
REVIEW_PERMISSION = "training.review_trainingclass"

# Classes whose sessions hold their teachers' time.
BUSY = (ClassStatus.FILED, ClassStatus.APPROVED, ClassStatus.RUNNING)
MINUTES_PER_HOUR = 45  # one 课时
MAX_DAYS = {ClassKind.REGULAR: 183, ClassKind.APPRENTICESHIP: 731}
RADIUS_RANGE = (50, 5000)
NAME_MAX = 100

# What a change may propose, and what a draft or returned class may be changed in.
CHANGE_KEYS = ("teachers", "venue", "venue_lat", "venue_lng", "venue_radius_m", "sessions")
FIELDS = ("name", "kind", "programme", "occupation", "work_type", "level", "region",
          "fund_source", "venue", "venue_lat", "venue_lng", "venue_radius_m", "start_date",
          "end_date", "planned_hours", "capacity", "allows_online", "enterprise")


# ---------------------------------------------------------------- input rows


@dataclass
class TeacherRow:
    teacher: Teacher
    role: str = ClassTeacherRole.TEACHER


@dataclass
class SessionRow:
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: int
    teacher: Teacher
    topic: str = ""
    id: int | None = None  # an existing session (a change keeps or moves it)

    def same_as(self, session: Session) -> bool:
        return (self.starts_at == session.starts_at and self.ends_at == session.ends_at
                and self.hours == session.hours and self.teacher.pk == session.teacher_id)


def _local(value, field: str, n: int) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _fail("sessions", f"第 {n} 课次：{field}「{value}」不是日期时间") from None
    if not isinstance(value, dt.datetime):
        raise _fail("sessions", f"第 {n} 课次：请填写{field}")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _teachers_by_id(ids) -> dict:
    return {t.pk: t for t in Teacher.objects.filter(pk__in=[i for i in ids if i])
            .select_related("person")}


def teacher_rows(items) -> list[TeacherRow]:
    """Teachers as given: Teacher objects, (teacher, role) pairs or {"teacher" or
    "teacher_id", "role"} (the stored form of a change)."""
    items = list(items or [])
    ids = [i.get("teacher_id") for i in items if isinstance(i, dict) and "teacher_id" in i]
    known = _teachers_by_id(ids)
    rows = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, Teacher):
            rows.append(TeacherRow(item))
        elif isinstance(item, TeacherRow):
            rows.append(item)
        elif isinstance(item, tuple | list):
            rows.append(TeacherRow(item[0], item[1]))
        else:
            teacher = item.get("teacher") or known.get(item.get("teacher_id"))
            if teacher is None:
                raise _fail("teachers", f"第 {n} 位教师不存在")
            rows.append(TeacherRow(teacher, item.get("role") or ClassTeacherRole.TEACHER))
    return rows


def session_rows(items) -> list[SessionRow]:
    """Sessions as given: SessionRow, or dicts of starts_at, ends_at, hours, teacher (or
    teacher_id), topic, id. Naive times are Beijing time."""
    items = list(items or [])
    known = _teachers_by_id([i.get("teacher_id") for i in items if isinstance(i, dict)])
    rows = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, SessionRow):
            rows.append(item)
            continue
        teacher = item.get("teacher") or known.get(item.get("teacher_id"))
        if teacher is None:
            raise _fail("sessions", f"第 {n} 课次：请选择授课教师")
        try:
            hours = int(item.get("hours"))
        except (TypeError, ValueError):
            raise _fail("sessions", f"第 {n} 课次：课时应为整数") from None
        rows.append(SessionRow(
            starts_at=_local(item.get("starts_at"), "开始时间", n),
            ends_at=_local(item.get("ends_at"), "结束时间", n), hours=hours, teacher=teacher,
            topic=clean_text(item.get("topic") or "")[:200], id=item.get("id")))
    return rows


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _span(starts_at, ends_at) -> str:
    return f"{_fmt(starts_at)}–{timezone.localtime(ends_at):%H:%M}"


# ---------------------------------------------------------------- the rules


def _decimal(value, field: str, label: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, TypeError, ValueError):
        raise _fail(field, f"请在地图上选择培训地点（{label}）") from None
    if not low <= number <= high:
        raise _fail(field, f"{label}应在 {low} 到 {high} 之间，当前为 {value}")
    return number


def _clean_venue(data: dict) -> None:
    data["venue"] = clean_text(data.get("venue") or "")
    if not data["venue"]:
        raise _fail("venue", "请填写培训地点")
    if len(data["venue"]) > 200:
        raise _fail("venue", "培训地点最多 200 字")
    if data.get("venue_lat") in (None, "") or data.get("venue_lng") in (None, ""):
        raise _fail("venue_lat", "请在地图上选择培训地点（须有经纬度）")
    data["venue_lat"] = _decimal(data["venue_lat"], "venue_lat", "地点纬度", -90, 90)
    data["venue_lng"] = _decimal(data["venue_lng"], "venue_lng", "地点经度", -180, 180)
    radius = data.get("venue_radius_m")
    low, high = RADIUS_RANGE
    if not isinstance(radius, int) or not low <= radius <= high:
        raise _fail("venue_radius_m", f"签到范围应在 {low} 到 {high} 米之间，当前为 {radius}")


def _clean_shape(institution: Institution, data: dict) -> None:
    """What any class must say, a draft too."""
    data["name"] = clean_text(data.get("name") or "")
    if not data["name"]:
        raise _fail("name", "请填写班级名称")
    if len(data["name"]) > NAME_MAX:
        raise _fail("name", f"班级名称最多 {NAME_MAX} 字")
    if data.get("kind") not in ClassKind.values:
        raise _fail("kind", "请选择班级类型（职业技能培训或企业新型学徒制）")
    if institution.kind not in TRAINING_KINDS:
        raise _fail("institution", f"「{institution.name}」不是培训机构或技工院校，不能备案培训班")
    for key, label in (("programme", "培训项目"), ("occupation", "职业"), ("level", "等级"),
                       ("fund_source", "资金来源")):
        if data.get(key) is None:
            raise _fail(key, f"请选择{label}")
    enterprise = data.get("enterprise")
    if data["kind"] == ClassKind.APPRENTICESHIP:
        if enterprise is None:
            raise _fail("enterprise", "企业新型学徒制培训班须填写学徒所在企业")
        if enterprise.kind != "enterprise":
            raise _fail("enterprise", f"「{enterprise.name}」不是企业，不能作为学徒所在企业")
    elif enterprise is not None:
        raise _fail("enterprise", "只有企业新型学徒制培训班填写学徒所在企业")
    work_type = data.get("work_type")
    if work_type is not None and work_type.occupation_id != data["occupation"].pk:
        raise _fail("work_type", f"工种「{work_type.name}」不属于职业「{data['occupation'].name}」")
    region = data.get("region") or institution.region
    if not region.path.startswith(institution.region.path):
        raise _fail("region", f"培训地区「{region.name}」不在「{institution.name}」所在的"
                              f"{institution.region.name}范围内")
    data["region"] = region
    start, end = data.get("start_date"), data.get("end_date")
    if start is None:
        raise _fail("start_date", "请填写开班日期")
    if end is None:
        raise _fail("end_date", "请填写结业日期")
    if end < start:
        raise _fail("end_date", f"结业日期（{end:%Y-%m-%d}）早于开班日期（{start:%Y-%m-%d}）")
    longest = MAX_DAYS[data["kind"]]
    if (end - start).days + 1 > longest:
        raise _fail("end_date", f"{ClassKind(data['kind']).label}班的培训期最长 {longest} 天，"
                                f"当前为 {(end - start).days + 1} 天")
    for key, label in (("planned_hours", "计划课时"), ("capacity", "计划人数")):
        value = data.get(key)
        if not isinstance(value, int) or value < 1:
            raise _fail(key, f"{label}应为不小于 1 的整数，当前为 {value}")
    _clean_venue(data)
    data["allows_online"] = bool(data.get("allows_online"))


def _designation_for(institution, occupation, level, start, end) -> Designation:
    covering = Designation.objects.filter(
        institution=institution, status=DesignationStatus.DESIGNATED, valid_from__lte=start,
        valid_to__gte=end, occupations=occupation, levels=level).order_by("-valid_from").first()
    if covering is not None:
        return covering
    latest = (Designation.objects.filter(institution=institution)
              .order_by("-submitted_at", "-pk").first())
    if latest is not None and latest.status in (DesignationStatus.SUSPENDED,
                                                DesignationStatus.EXITED):
        what = "已暂停" if latest.status == DesignationStatus.SUSPENDED else "已退出"
        reason = f"（原因：{latest.reason}）" if latest.reason else ""
        raise _fail("institution", f"「{institution.name}」的定点资格{what}{reason}，"
                                   "不能备案新的培训班", code="designation_" + latest.status)
    raise _fail("occupation", f"「{institution.name}」在 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} "
                              f"不是「{occupation.name}」{level.name}的定点培训机构，"
                              "不能备案该职业等级的培训班", code="not_designated")


def catalogue_line(*, region: Region, on: dt.date, occupation: Occupation, level: SkillLevel,
                   work_type: WorkType | None) -> CatalogueEntry:
    """The subsidised-occupation catalogue line in force for the class's region on its start
    date, for the occupation (or its 工种) and level."""
    try:
        version = resolve(PolicyKind.TRAINING_SUBSIDY, region, on).version
    except NotFound:
        raise _fail("occupation", f"「{region.name}」在 {on:%Y-%m-%d} 没有生效的补贴性培训职业"
                                  "目录，不能备案培训班") from None
    lines = list(version.entries.filter(occupation__code=occupation.code, level=level)
                 .select_related("work_type"))
    where = f"{version.region.name}现行补贴性培训职业目录"
    if not lines:
        raise _fail("occupation", f"{where}未列入「{occupation.name}」{level.name}",
                    code="not_in_catalogue")
    if work_type is not None:
        line = next((e for e in lines if e.work_type_id == work_type.pk), None) or next(
            (e for e in lines if e.work_type_id is None), None)
        if line is None:
            listed = "、".join(e.work_type.name for e in lines)
            raise _fail("work_type", f"{where}中「{occupation.name}」{level.name}只列入工种"
                                     f"{listed}，未列入「{work_type.name}」")
        return line
    line = next((e for e in lines if e.work_type_id is None), None)
    if line is None:
        listed = "、".join(e.work_type.name for e in lines)
        raise _fail("work_type", f"{where}中「{occupation.name}」{level.name}按工种列入，"
                                 f"请选择工种：{listed}")
    return line


def _programme_rules(data: dict) -> None:
    programme, region = data["programme"], data["region"]
    if not programme.is_active:
        raise _fail("programme", f"培训项目「{programme.name}」已停用")
    if programme.region.code not in ancestor_codes(region):
        raise _fail("programme", f"培训项目「{programme.name}」属于{programme.region.name}，"
                                 f"不适用于{region.name}的培训班")
    sources = list(programme.fund_sources.all())
    if sources and data["fund_source"].pk not in {s.pk for s in sources}:
        names = "、".join(s.name for s in sources)
        raise _fail("fund_source", f"培训项目「{programme.name}」的资金来源为{names}，"
                                   f"不含「{data['fund_source'].name}」")
    occupations = list(programme.occupations.all())
    if occupations and data["occupation"].pk not in {o.pk for o in occupations}:
        raise _fail("occupation",
                    f"培训项目「{programme.name}」不含职业「{data['occupation'].name}」")


def _years(start: dt.date, end: dt.date) -> list[int]:
    return list(range(start.year, end.year + 1))


def _engaged_here(institution, teachers: list[TeacherRow], start: dt.date,
                  end: dt.date) -> None:
    """Every teacher named is engaged by this institution for the class's years (a draft
    names no one else's teachers either)."""
    years = _years(start, end)
    engaged = set(Engagement.objects.filter(
        institution=institution, year__in=years, teacher__in=[r.teacher for r in teachers]
    ).values_list("teacher_id", "year"))
    for row in teachers:
        missing = [y for y in years if (row.teacher.pk, y) not in engaged]
        if missing:
            # masked: a teacher this institution does not engage is not its to name
            name = people_services.name_mask(row.teacher.person.name)
            raise _fail("teachers", f"教师「{name}」未登记 "
                                    f"{'、'.join(str(y) for y in missing)} 年度受聘于"
                                    f"「{institution.name}」，不能在本机构授课",
                        code="teacher_not_engaged")


def _teacher_rules(institution, kind: str, teachers: list[TeacherRow],
                   sessions: list[SessionRow], start: dt.date, end: dt.date) -> None:
    if not teachers:
        raise _fail("teachers", "请至少安排一名授课教师")
    seen = set()
    for row in teachers:
        if row.role not in ClassTeacherRole.values:
            raise _fail("teachers", f"教师「{row.teacher.person.name}」的角色不正确")
        if row.teacher.pk in seen:
            raise _fail("teachers", f"教师「{row.teacher.person.name}」重复填写")
        seen.add(row.teacher.pk)
    school_teachers = [r for r in teachers if r.role == ClassTeacherRole.SCHOOL_TEACHER]
    if kind == ClassKind.APPRENTICESHIP and not school_teachers:
        raise _fail("teachers", "企业新型学徒制培训班须至少安排一名院校导师（企校双师）")
    if kind == ClassKind.REGULAR and school_teachers:
        raise _fail("teachers", "只有企业新型学徒制培训班安排院校导师")
    last_taught = {}
    for row in sessions:
        day = timezone.localtime(row.ends_at).date()
        last_taught[row.teacher.pk] = max(last_taught.get(row.teacher.pk, day), day)
    for row in teachers:
        teacher = row.teacher
        problem = selectors.teacher_assignable(teacher, on=start)
        if problem:
            raise _fail("teachers", problem, code="teacher_expired")
        last = last_taught.get(teacher.pk, end)
        if teacher.qualification_expires < last:
            raise _fail("teachers", f"教师「{teacher.person.name}」的上岗资格（证号 "
                                    f"{teacher.qualification_number}）有效期至 "
                                    f"{teacher.qualification_expires:%Y-%m-%d}，早于其最后一次"
                                    f"授课（{last:%Y-%m-%d}），不能安排授课",
                        code="teacher_expired")
    _engaged_here(institution, teachers, start, end)


def _session_rules(sessions: list[SessionRow], teachers: list[TeacherRow], start: dt.date,
                   end: dt.date, planned_hours: int, *, complete: bool) -> None:
    if not sessions:
        if complete:
            raise _fail("sessions", "请填写课程表（至少一个课次）")
        return
    listed = {r.teacher.pk for r in teachers}
    for n, row in enumerate(sessions, start=1):
        if row.ends_at <= row.starts_at:
            raise _fail("sessions", f"第 {n} 课次：结束时间（{_fmt(row.ends_at)}）不晚于"
                                    f"开始时间（{_fmt(row.starts_at)}）")
        day, last_day = (timezone.localtime(row.starts_at).date(),
                         timezone.localtime(row.ends_at).date())
        if day < start or last_day > end:
            raise _fail("sessions", f"第 {n} 课次（{_span(row.starts_at, row.ends_at)}）不在"
                                    f"培训期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 内")
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        most = minutes // MINUTES_PER_HOUR
        if row.hours < 1 or row.hours > most:
            raise _fail("sessions", f"第 {n} 课次：课时 {row.hours} 不正确，{minutes} 分钟最多计 "
                                    f"{most} 课时（每课时 {MINUTES_PER_HOUR} 分钟）")
        if row.teacher.pk not in listed:
            raise _fail("sessions", f"第 {n} 课次的授课教师「{row.teacher.person.name}」"
                                    "不在本班教师名单中")
    ordered = sorted(enumerate(sessions, start=1), key=lambda p: p[1].starts_at)
    for (n_a, a), (n_b, b) in zip(ordered, ordered[1:], strict=False):
        if b.starts_at < a.ends_at:
            raise _fail("sessions", f"第 {n_a} 课次（{_span(a.starts_at, a.ends_at)}）与第 "
                                    f"{n_b} 课次（{_span(b.starts_at, b.ends_at)}）时间重叠")
    total = sum(r.hours for r in sessions)
    if complete and total < planned_hours:
        raise _fail("sessions", f"课程表合计 {total} 课时，少于计划课时 {planned_hours} 课时")


def _overlap_rules(sessions: list[SessionRow], exclude_class_id=None) -> None:
    """A teacher is in one place at a time: no session of theirs overlaps one of another
    filed, approved or running class, of any institution."""
    if not sessions:
        return
    teachers = {r.teacher.pk for r in sessions}
    first = min(r.starts_at for r in sessions)
    last = max(r.ends_at for r in sessions)
    others = (Session.objects.filter(teacher_id__in=teachers, starts_at__lt=last,
                                     ends_at__gt=first, training_class__status__in=BUSY)
              .select_related("training_class__institution").order_by("starts_at", "pk"))
    if exclude_class_id:
        others = others.exclude(training_class_id=exclude_class_id)
    others = list(others)
    for n, row in enumerate(sessions, start=1):
        for other in others:
            if (other.teacher_id == row.teacher.pk and other.starts_at < row.ends_at
                    and other.ends_at > row.starts_at):
                c = other.training_class
                raise _fail("sessions", f"第 {n} 课次（{_span(row.starts_at, row.ends_at)}）："
                                        f"教师「{row.teacher.person.name}」同一时间已在"
                                        f"「{c.institution.name}」的「{c.name}」（{c.code}）"
                                        f"授课（{_span(other.starts_at, other.ends_at)}，"
                                        f"{c.venue}），不能同时在两地授课",
                            code="teacher_overlap")


def _check(institution: Institution, data: dict, teachers: list[TeacherRow],
           sessions: list[SessionRow], *, complete: bool, exclude_class_id=None) -> dict:
    """Every rule of a class; `complete` (a filing, not a draft) adds those that need the
    whole class. Returns what the rules found (the designation, the catalogue line)."""
    _clean_shape(institution, data)
    _session_rules(sessions, teachers, data["start_date"], data["end_date"],
                   data["planned_hours"], complete=complete)
    if not complete:
        _engaged_here(institution, teachers, data["start_date"], data["end_date"])
        return {}
    if institution.status != InstitutionStatus.ACTIVE:
        raise _fail("institution", f"「{institution.name}」的机构状态为"
                                   f"「{institution.get_status_display()}」，不能备案培训班")
    if data["kind"] == ClassKind.APPRENTICESHIP and \
            data["enterprise"].status != InstitutionStatus.ACTIVE:
        raise _fail("enterprise", f"「{data['enterprise'].name}」的状态为"
                                  f"「{data['enterprise'].get_status_display()}」")
    start, end = data["start_date"], data["end_date"]
    designation = _designation_for(institution, data["occupation"], data["level"], start, end)
    line = catalogue_line(region=data["region"], on=start, occupation=data["occupation"],
                          level=data["level"], work_type=data.get("work_type"))
    if data["planned_hours"] < line.min_hours:
        raise _fail("planned_hours", f"计划课时 {data['planned_hours']} 课时，低于目录规定的"
                                     f"最低培训课时 {line.min_hours} 课时", code="hours_short")
    _programme_rules(data)
    _teacher_rules(institution, data["kind"], teachers, sessions, start, end)
    problem = selectors.full_time_share_problem(institution, start.year,
                                                ownership=designation.ownership)
    if problem:
        raise _fail("teachers", problem, code="full_time_share")
    _overlap_rules(sessions, exclude_class_id=exclude_class_id)
    return {"designation": designation, "line": line}


# ---------------------------------------------------------------- writing a class


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return getattr(value, "code", None) or str(value)
    return value


def class_summary(training_class: TrainingClass) -> dict:
    """The class as the audit trail records it (before/after)."""
    out = {key: _plain(getattr(training_class, key)) for key in FIELDS}
    # Named in words: "teachers" and "sessions" are relations, not fields, of the class.
    out["教师"] = [[t.teacher.person.name, t.role]
                 for t in training_class.teachers.select_related("teacher__person")]
    out["课程表"] = [[_span(s.starts_at, s.ends_at), s.hours, s.teacher.person.name]
                  for s in training_class.sessions.select_related("teacher__person")]
    return out


def _diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _write_teachers(training_class, teachers: list[TeacherRow]) -> None:
    training_class.teachers.all().delete()
    ClassTeacher.objects.bulk_create([ClassTeacher(training_class=training_class,
                                                   teacher=r.teacher, role=r.role)
                                      for r in teachers])


def _write_sessions(training_class, sessions: list[SessionRow]) -> None:
    training_class.sessions.all().delete()
    Session.objects.bulk_create([
        Session(training_class=training_class, starts_at=r.starts_at, ends_at=r.ends_at,
                hours=r.hours, teacher=r.teacher, topic=r.topic)
        for r in sorted(sessions, key=lambda r: r.starts_at)])


def _next_code(region: Region) -> str:
    """Region code + filing year + a four-digit serial: 41140220260001."""
    region_lock(region)
    prefix = f"{region.code}{timezone.localdate().year}"
    last = (TrainingClass.objects.filter(code__startswith=prefix)
            .order_by("-code").values_list("code", flat=True).first())
    serial = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{serial:04d}"


def _data(fields: dict) -> dict:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ServiceError(f"字段 {'、'.join(sorted(unknown))} 不可填写")
    data = dict.fromkeys(FIELDS)
    data.update({"kind": ClassKind.REGULAR, "venue_radius_m": 300, "allows_online": False})
    data.update(fields)
    return data


@transaction.atomic
def class_file(*, actor, institution: Institution, teachers=(), sessions=(),
               draft: bool = False, **fields) -> TrainingClass:
    """An institution files a class (→ filed, and into the review chain), or saves it as a
    draft to file later (`class_submit`)."""
    require_institution(actor, TrainingClass, "add", institution)
    data = _data(fields)
    teacher_list, session_list = teacher_rows(teachers), session_rows(sessions)
    found = _check(institution, data, teacher_list, session_list, complete=not draft)
    training_class = TrainingClass.objects.create(
        code=_next_code(data["region"]), institution=institution,
        designation=found.get("designation"),
        status=ClassStatus.DRAFT if draft else ClassStatus.FILED, filed_by=actor,
        filed_at=None if draft else timezone.now(), **data)
    _write_teachers(training_class, teacher_list)
    _write_sessions(training_class, session_list)
    action = TrainingAction.CLASS_DRAFT if draft else TrainingAction.CLASS_FILE
    audit_record(actor=actor, action=action, obj=training_class,
                 changes={k: [None, v] for k, v in class_summary(training_class).items()})
    if not draft:
        review_submit(actor=actor, kind=CLASS_FILING, subject=training_class)
    return training_class


def _editable(actor, training_class: TrainingClass) -> TrainingClass:
    require(actor, "training.add_trainingclass")
    require_visible(actor, training_class, "add")
    training_class = class_lock(training_class)
    if training_class.status not in (ClassStatus.DRAFT, ClassStatus.RETURNED):
        raise _fail("status", f"只有草稿或退回修改的培训班可以修改后备案，该班当前为"
                              f"「{training_class.get_status_display()}」；审核通过后请申请变更",
                    code="wrong_state")
    return training_class


def _current_rows(training_class) -> tuple[list[TeacherRow], list[SessionRow]]:
    teachers = [TeacherRow(t.teacher, t.role)
                for t in training_class.teachers.select_related("teacher__person")]
    sessions = [SessionRow(s.starts_at, s.ends_at, s.hours, s.teacher, s.topic, s.pk)
                for s in training_class.sessions.select_related("teacher__person")]
    return teachers, sessions


@transaction.atomic
def class_update(*, actor, training_class: TrainingClass, teachers=None, sessions=None,
                 **fields) -> TrainingClass:
    """A draft or returned class changed (not yet filed again: `class_submit`)."""
    training_class = _editable(actor, training_class)
    before = class_summary(training_class)
    data = _data({**{k: getattr(training_class, k) for k in FIELDS}, **fields})
    old_teachers, old_sessions = _current_rows(training_class)
    teacher_list = teacher_rows(teachers) if teachers is not None else old_teachers
    session_list = session_rows(sessions) if sessions is not None else old_sessions
    _check(training_class.institution, data, teacher_list, session_list, complete=False)
    for key, value in data.items():
        setattr(training_class, key, value)
    training_class.save()
    _write_teachers(training_class, teacher_list)
    _write_sessions(training_class, session_list)
    changes = _diff(before, class_summary(training_class))
    if changes:
        audit_record(actor=actor, action=TrainingAction.CLASS_UPDATE, obj=training_class,
                     changes=changes)
    return training_class


@transaction.atomic
def class_submit(*, actor, training_class: TrainingClass) -> TrainingClass:
    """A draft filed, or a returned class filed again (→ filed, into the review chain)."""
    training_class = _editable(actor, training_class)
    teachers, sessions = _current_rows(training_class)
    data = {k: getattr(training_class, k) for k in FIELDS}
    found = _check(training_class.institution, data, teachers, sessions, complete=True,
                   exclude_class_id=training_class.pk)
    before = training_class.status
    training_class.status = ClassStatus.FILED
    training_class.designation = found["designation"]
    training_class.filed_by, training_class.filed_at = actor, timezone.now()
    training_class.reason = ""
    training_class.save()
    audit_record(actor=actor, action=TrainingAction.CLASS_FILE, obj=training_class,
                 changes={"status": [before, ClassStatus.FILED]})
    review_submit(actor=actor, kind=CLASS_FILING, subject=training_class)
    return training_class


@transaction.atomic
def class_resubmit(*, actor, training_class: TrainingClass, **fields) -> TrainingClass:
    """A returned class changed and filed again, in one step."""
    training_class = class_update(actor=actor, training_class=training_class, **fields)
    return class_submit(actor=actor, training_class=training_class)


# ---------------------------------------------------------------- review decisions


def _reviewable(actor, training_class: TrainingClass, verb: str) -> TrainingClass:
    require(actor, REVIEW_PERMISSION, message="没有审核培训班备案的权限")
    require_visible(actor, training_class, "review")
    training_class = class_lock(training_class)
    if training_class.status != ClassStatus.FILED:
        raise _fail("status", f"该培训班当前为「{training_class.get_status_display()}」，"
                              f"只有待审核的培训班可以{verb}", code="wrong_state")
    return training_class


def _move(actor, training_class, to: str, action: str, reason: str = "", **stamps):
    before = training_class.status
    training_class.status = to
    training_class.reason = reason
    for key, value in stamps.items():
        setattr(training_class, key, value)
    training_class.save()
    changes = {"status": [before, to]}
    if reason:
        changes["reason"] = [None, reason]
    audit_record(actor=actor, action=action, obj=training_class, changes=changes)
    return training_class


@transaction.atomic
def class_approve(*, actor, training_class: TrainingClass) -> TrainingClass:
    """filed → approved. The institution must still be designated for it. Workers whose
    training wish the class meets are told it has opened."""
    training_class = _reviewable(actor, training_class, "审核通过")
    training_class.designation = _designation_for(
        training_class.institution, training_class.occupation, training_class.level,
        training_class.start_date, training_class.end_date)
    approved = _move(actor, training_class, ClassStatus.APPROVED, TrainingAction.CLASS_APPROVE,
                     approved_at=timezone.now())
    wishes.notify_class_opened(approved, actor=actor)
    return approved


@transaction.atomic
def class_return(*, actor, training_class: TrainingClass, reason: str) -> TrainingClass:
    reason = _reason(reason, "退回修改")
    training_class = _reviewable(actor, training_class, "退回")
    return _move(actor, training_class, ClassStatus.RETURNED, TrainingAction.CLASS_RETURN,
                 reason)


@transaction.atomic
def class_reject(*, actor, training_class: TrainingClass, reason: str) -> TrainingClass:
    reason = _reason(reason, "不予备案")
    training_class = _reviewable(actor, training_class, "不予备案")
    return _move(actor, training_class, ClassStatus.REJECTED, TrainingAction.CLASS_REJECT,
                 reason)


# ---------------------------------------------------------------- running a class


def _runner(actor, training_class: TrainingClass) -> TrainingClass:
    require(actor, "training.change_trainingclass")
    require_visible(actor, training_class, "change")
    return class_lock(training_class)


@transaction.atomic
def class_start(*, actor, training_class: TrainingClass) -> TrainingClass:
    """approved → running, on or after the start date."""
    training_class = _runner(actor, training_class)
    if training_class.status != ClassStatus.APPROVED:
        raise _fail("status", f"只有审核通过的培训班可以开班，该班当前为"
                              f"「{training_class.get_status_display()}」", code="wrong_state")
    today = selectors.today()
    if today < training_class.start_date:
        raise _fail("start_date", f"开班日期为 {training_class.start_date:%Y-%m-%d}，尚未到开班"
                                  "日期", code="not_yet")
    return _move(actor, training_class, ClassStatus.RUNNING, TrainingAction.CLASS_START)


@transaction.atomic
def classes_start_due(*, actor, now: dt.datetime | None = None) -> int:
    """Every approved class whose first session has begun is running (a periodic task, or
    the first check-in's caller). Returns how many started."""
    now = now or timezone.now()
    begun = Session.objects.filter(starts_at__lte=now).values("training_class_id")
    due = classes_lock(TrainingClass.objects.filter(status=ClassStatus.APPROVED,
                                                      pk__in=begun))
    for training_class in due:
        _move(actor, training_class, ClassStatus.RUNNING, TrainingAction.CLASS_START)
    return len(due)


@transaction.atomic
def class_complete(*, actor, training_class: TrainingClass) -> TrainingClass:
    """running (or approved) → completed, once its last session has ended (completion
    calls it)."""
    training_class = _runner(actor, training_class)
    if training_class.status not in (ClassStatus.RUNNING, ClassStatus.APPROVED):
        raise _fail("status", f"只有培训中的培训班可以结业，该班当前为"
                              f"「{training_class.get_status_display()}」", code="wrong_state")
    last = training_class.sessions.order_by("-ends_at").first()
    if last is not None and last.ends_at > timezone.now():
        raise _fail("status", f"最后一个课次（{_span(last.starts_at, last.ends_at)}）尚未结束，"
                              "不能结业", code="not_yet")
    return _move(actor, training_class, ClassStatus.COMPLETED, TrainingAction.CLASS_COMPLETE,
                 completed_at=timezone.now())


@transaction.atomic
def class_close(*, actor, training_class: TrainingClass) -> TrainingClass:
    """completed → closed."""
    training_class = _runner(actor, training_class)
    if training_class.status != ClassStatus.COMPLETED:
        raise _fail("status", f"只有已结业的培训班可以关闭，该班当前为"
                              f"「{training_class.get_status_display()}」", code="wrong_state")
    return _move(actor, training_class, ClassStatus.CLOSED, TrainingAction.CLASS_CLOSE)


# ---------------------------------------------------------------- changes after approval


def _proposed_rows(training_class, proposed: dict):
    unknown = set(proposed) - set(CHANGE_KEYS)
    if unknown:
        raise ServiceError(f"变更只能涉及教师、培训地点和课程表，不能变更："
                           f"{'、'.join(sorted(unknown))}",
                           errors={"proposed": "只能变更教师、培训地点和课程表"})
    if not proposed:
        raise _fail("proposed", "请填写要变更的内容")
    teachers, sessions = _current_rows(training_class)
    if "teachers" in proposed:
        teachers = teacher_rows(proposed["teachers"])
    if "sessions" in proposed:
        sessions = session_rows(proposed["sessions"])
    data = {k: getattr(training_class, k) for k in FIELDS}
    data.update({k: proposed[k] for k in ("venue", "venue_lat", "venue_lng", "venue_radius_m")
                 if k in proposed})
    return data, teachers, sessions


def _started_kept(training_class, sessions: list[SessionRow]) -> None:
    """A session that has begun, or has check-ins (they open before it begins), stays as it
    was: its attendance is recorded against it."""
    now = timezone.now()
    given = {r.id: r for r in sessions if r.id}
    begun = training_class.sessions.filter(Q(starts_at__lte=now) | Q(attendances__isnull=False))
    for session in begun.distinct().select_related("teacher"):
        row = given.get(session.pk)
        if row is None or not row.same_as(session):
            raise _fail("sessions", f"课次 {_span(session.starts_at, session.ends_at)} 已开始，"
                                    "不能变更或删除", code="session_started")
    ids = set(training_class.sessions.values_list("pk", flat=True))
    stray = [i for i in given if i not in ids]
    if stray:
        raise _fail("sessions", "课程表中有不属于本班的课次")


def _stored(data: dict, teachers, sessions, proposed: dict) -> dict:
    """The change as stored (JSON): only the keys it proposes."""
    out = {}
    if "teachers" in proposed:
        out["teachers"] = [{"teacher_id": r.teacher.pk, "role": r.role} for r in teachers]
    if "sessions" in proposed:
        out["sessions"] = [{"id": r.id, "starts_at": r.starts_at.isoformat(),
                            "ends_at": r.ends_at.isoformat(), "hours": r.hours,
                            "teacher_id": r.teacher.pk, "topic": r.topic} for r in sessions]
    for key in ("venue", "venue_lat", "venue_lng", "venue_radius_m"):
        if key in proposed:
            out[key] = str(data[key]) if isinstance(data[key], Decimal) else data[key]
    return out


def _check_change(training_class, proposed: dict):
    """The change checked by every rule of a class; (stored form, data, teachers, sessions)."""
    data, teachers, sessions = _proposed_rows(training_class, proposed)
    if "sessions" in proposed:
        _started_kept(training_class, sessions)
    _check(training_class.institution, data, teachers, sessions, complete=True,
           exclude_class_id=training_class.pk)
    return _stored(data, teachers, sessions, proposed), data, teachers, sessions


def _changeable_class(actor, training_class) -> TrainingClass:
    require(actor, "training.add_classchange")
    require_visible(actor, training_class, "view")
    if not TrainingClass.objects.restrict(actor, "add").filter(pk=training_class.pk).exists():
        raise NotFound()
    training_class = class_lock(training_class)
    if training_class.status not in (ClassStatus.APPROVED, ClassStatus.RUNNING):
        raise _fail("status", f"只有审核通过或培训中的培训班可以申请变更，该班当前为"
                              f"「{training_class.get_status_display()}」", code="wrong_state")
    return training_class


@transaction.atomic
def class_change_file(*, actor, training_class: TrainingClass, proposed: dict) -> ClassChange:
    """A change of an approved class (teachers, venue, timetable) filed for review; the
    class runs as approved until the change is approved. While a change is returned for
    changes, a new proposal is that change filed again (its review goes on)."""
    training_class = _changeable_class(actor, training_class)
    returned = training_class.changes.filter(status=ClassChangeStatus.RETURNED).first()
    if returned is not None:
        return class_change_resubmit(actor=actor, change=returned, proposed=proposed)
    pending = training_class.changes.filter(status=ClassChangeStatus.FILED).first()
    if pending is not None:
        message = (f"该班已有一项「{pending.get_status_display()}」的变更申请"
                   f"（{timezone.localtime(pending.filed_at):%Y-%m-%d %H:%M}），请先处理该申请")
        raise Conflict(message, errors={"proposed": message})
    stored = _check_change(training_class, dict(proposed))[0]
    change = ClassChange.objects.create(training_class=training_class, proposed=stored,
                                        filed_by=actor)
    audit_record(actor=actor, action=TrainingAction.CLASS_CHANGE_FILE, obj=change,
                 changes={"training_class": training_class.code, "proposed": [None, stored]})
    review_submit(actor=actor, kind=CLASS_CHANGE, subject=change)
    return change


@transaction.atomic
def class_change_resubmit(*, actor, change: ClassChange, proposed: dict) -> ClassChange:
    """A returned change, changed and filed again."""
    training_class = _changeable_class(actor, change.training_class)
    change = changes_lock(ClassChange.objects.filter(pk=change.pk))[0]
    if change.status != ClassChangeStatus.RETURNED:
        raise _fail("status", f"只有退回修改的变更申请可以重新提交，该申请当前为"
                              f"「{change.get_status_display()}」", code="wrong_state")
    stored = _check_change(training_class, dict(proposed))[0]
    before = change.proposed
    change.proposed, change.status, change.reason = stored, ClassChangeStatus.FILED, ""
    change.save()
    audit_record(actor=actor, action=TrainingAction.CLASS_CHANGE_FILE, obj=change,
                 changes={"proposed": [before, stored], "status": ["returned", "filed"]})
    review_submit(actor=actor, kind=CLASS_CHANGE, subject=change)
    return change


def _change_reviewable(actor, change: ClassChange, verb: str) -> ClassChange:
    require(actor, REVIEW_PERMISSION, message="没有审核培训班备案的权限")
    require_visible(actor, change.training_class, "review")
    change = changes_lock(ClassChange.objects.filter(pk=change.pk))[0]
    if change.status != ClassChangeStatus.FILED:
        raise _fail("status", f"该变更申请当前为「{change.get_status_display()}」，"
                              f"只有待审核的变更申请可以{verb}", code="wrong_state")
    return change


def _apply_sessions(training_class, rows: list[SessionRow]) -> None:
    keep = {r.id for r in rows if r.id}
    training_class.sessions.exclude(pk__in=keep).delete()
    existing = {s.pk: s for s in training_class.sessions.all()}
    for row in rows:
        session = existing.get(row.id) if row.id else None
        if session is None:
            Session.objects.create(training_class=training_class, starts_at=row.starts_at,
                                   ends_at=row.ends_at, hours=row.hours, teacher=row.teacher,
                                   topic=row.topic)
        elif not row.same_as(session) or session.topic != row.topic:
            session.starts_at, session.ends_at, session.hours = (row.starts_at, row.ends_at,
                                                                 row.hours)
            session.teacher, session.topic = row.teacher, row.topic
            session.save()


@transaction.atomic
def class_change_approve(*, actor, change: ClassChange) -> ClassChange:
    """filed → approved: the change applies to the class (audited before and after),
    checked once more against the class as it is now."""
    change = _change_reviewable(actor, change, "审核通过")
    training_class = class_lock(change.training_class)
    if training_class.status not in (ClassStatus.APPROVED, ClassStatus.RUNNING):
        raise _fail("status", f"培训班当前为「{training_class.get_status_display()}」，"
                              "变更不能生效", code="wrong_state")
    _stored_form, data, teachers, sessions = _check_change(training_class, dict(change.proposed))
    before = class_summary(training_class)
    for key in ("venue", "venue_lat", "venue_lng", "venue_radius_m"):
        setattr(training_class, key, data[key])
    training_class.save()
    if "teachers" in change.proposed:
        _apply_teachers(training_class, teachers)
    if "sessions" in change.proposed:
        _apply_sessions(training_class, sessions)
    change.status, change.decided_at = ClassChangeStatus.APPROVED, timezone.now()
    change.save()
    audit_record(actor=actor, action=TrainingAction.CLASS_CHANGE_APPROVE, obj=change,
                 changes={"status": ["filed", "approved"]})
    audit_record(actor=actor, action=TrainingAction.CLASS_CHANGE_APPLY, obj=training_class,
                 changes=_diff(before, class_summary(training_class)))
    return change


def _apply_teachers(training_class, rows: list[TeacherRow]) -> None:
    wanted = {r.teacher.pk: r.role for r in rows}
    training_class.teachers.exclude(teacher_id__in=wanted).delete()
    current = {t.teacher_id: t for t in training_class.teachers.all()}
    for teacher_id, role in wanted.items():
        if teacher_id not in current:
            ClassTeacher.objects.create(training_class=training_class, teacher_id=teacher_id,
                                        role=role)
        elif current[teacher_id].role != role:
            current[teacher_id].role = role
            current[teacher_id].save()


def _change_decided(actor, change, to: str, action: str, reason: str) -> ClassChange:
    change.status, change.reason = to, reason
    if to == ClassChangeStatus.REJECTED:
        change.decided_at = timezone.now()
    change.save()
    audit_record(actor=actor, action=action, obj=change,
                 changes={"status": ["filed", to], "reason": [None, reason]})
    return change


@transaction.atomic
def class_change_return(*, actor, change: ClassChange, reason: str) -> ClassChange:
    reason = _reason(reason, "退回修改")
    change = _change_reviewable(actor, change, "退回")
    return _change_decided(actor, change, ClassChangeStatus.RETURNED,
                           TrainingAction.CLASS_CHANGE_RETURN, reason)


@transaction.atomic
def class_change_reject(*, actor, change: ClassChange, reason: str) -> ClassChange:
    reason = _reason(reason, "不予通过")
    change = _change_reviewable(actor, change, "不予通过")
    return _change_decided(actor, change, ClassChangeStatus.REJECTED,
                           TrainingAction.CLASS_CHANGE_REJECT, reason)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def change_described(change: ClassChange) -> list[tuple[str, str]]:
    """What a change proposes, in words for its page."""
    proposed = change.proposed
    rows = []
    known = _teachers_by_id([t.get("teacher_id") for t in proposed.get("teachers", [])]
                            + [s.get("teacher_id") for s in proposed.get("sessions", [])])

    def name(pk):
        teacher = known.get(pk)
        return teacher.person.name if teacher else "—"

    if "teachers" in proposed:
        rows.append(("教师", "、".join(
            f"{name(t['teacher_id'])}（{ClassTeacherRole(t['role']).label}）"
            for t in proposed["teachers"])))
    if "venue" in proposed:
        rows.append(("培训地点", proposed["venue"]))
    if "venue_lat" in proposed or "venue_lng" in proposed:
        rows.append(("地点坐标",
                     f"{proposed.get('venue_lat', '')}，{proposed.get('venue_lng', '')}"))
    if "venue_radius_m" in proposed:
        rows.append(("签到范围（米）", str(proposed["venue_radius_m"])))
    if "sessions" in proposed:
        rows.append(("课程表", "；".join(
            f"{_span(_at(s['starts_at']), _at(s['ends_at']))} {s['hours']} 课时 "
            f"{name(s['teacher_id'])}" for s in proposed["sessions"])))
    return rows


# ---------------------------------------------------------------- enterprise staff


def _enterprise(actor, enterprise: Institution, action: str) -> None:
    require_institution(actor, EnterpriseStaff, action, enterprise)
    if enterprise.kind != "enterprise":
        raise _fail("enterprise", f"「{enterprise.name}」不是企业")


def _person_for_staff(actor, enterprise, id_number: str, name: str) -> Person:
    found = people_services.person_lookup_for_enrolment(actor=actor, id_number=id_number)
    if found is not None:
        return Person.objects.get(pk=found.person_id)
    name = clean_text(name or "")
    if not name:
        raise _fail("name", "该证件号码尚未实名登记，请填写姓名以完成实名登记")
    return people_services.person_create(
        actor=actor, id_number=id_number, name=name, source="page",
        household_region=enterprise.region, residence_region=enterprise.region)


@transaction.atomic
def enterprise_staff_declare(*, actor, enterprise: Institution, id_number: str,
                             since: dt.date, name: str = "") -> EnterpriseStaff:
    """An enterprise declares an employee (by identity number, through the registry: one
    not yet registered is registered with the name given)."""
    _enterprise(actor, enterprise, "add")
    if since is None:
        raise _fail("since", "请填写入职日期")
    if since > selectors.today():
        raise _fail("since", f"入职日期（{since:%Y-%m-%d}）晚于今天")
    person = _person_for_staff(actor, enterprise, id_number, name)
    existing = EnterpriseStaff.objects.filter(enterprise=enterprise, person=person).first()
    if existing is not None and existing.until is None:
        message = f"「{person.name}」已是「{enterprise.name}」的在职职工（入职 {existing.since}）"
        raise Conflict(message, errors={"id_number": message})
    if existing is not None:  # left and came back: the record is reopened
        before = [existing.since, existing.until]
        existing.since, existing.until, existing.declared_by = since, None, actor
        existing.save()
        audit_record(actor=actor, action=TrainingAction.STAFF_DECLARE, obj=existing,
                     changes={"since": [before[0], since], "until": [before[1], None]})
        return existing
    staff = EnterpriseStaff.objects.create(enterprise=enterprise, person=person, since=since,
                                           declared_by=actor)
    audit_record(actor=actor, action=TrainingAction.STAFF_DECLARE, obj=staff, changes={
        "enterprise": [None, enterprise.name], "person": [None, person.id_masked],
        "since": [None, since]})
    return staff


@transaction.atomic
def enterprise_staff_end(*, actor, staff: EnterpriseStaff, until: dt.date) -> EnterpriseStaff:
    """An employee has left (离职) on `until`."""
    require(actor, "training.change_enterprisestaff")
    require_visible(actor, staff, "change")
    if staff.enterprise.kind != "enterprise":
        raise _fail("enterprise", "不是企业")
    if until is None:
        raise _fail("until", "请填写离职日期")
    if staff.until is not None:
        raise _fail("until", f"「{staff.person.name}」已于 {staff.until} 离职")
    if until < staff.since:
        raise _fail("until", f"离职日期（{until:%Y-%m-%d}）早于入职日期（{staff.since:%Y-%m-%d}）")
    staff.until = until
    staff.save()
    audit_record(actor=actor, action=TrainingAction.STAFF_END, obj=staff,
                 changes={"until": [None, until]})
    return staff


def is_enterprise_staff(enterprise: Institution, person: Person, *,
                        on: dt.date | None = None) -> bool:
    """Whether the person is the enterprise's declared employee on the day."""
    on = on or selectors.today()
    return EnterpriseStaff.objects.filter(
        Q(until__isnull=True) | Q(until__gte=on), enterprise=enterprise, person=person,
        since__lte=on).exists()


def enterprise_staff_list(*, user, q: str = "", current: str = "",
                          action: str = "view") -> QuerySet[EnterpriseStaff]:
    qs = EnterpriseStaff.objects.restrict(user, action).select_related("enterprise", "person")
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(enterprise__name__contains=q))
    if current == "yes":
        qs = qs.filter(until__isnull=True)
    elif current == "no":
        qs = qs.filter(until__isnull=False)
    return qs.order_by("enterprise__name", "-since", "pk")


def enterprise_staff_get(*, user, pk, action: str = "view") -> EnterpriseStaff:
    return selectors._one(enterprise_staff_list(user=user, action=action), pk=pk)


# ---------------------------------------------------------------- reads


def class_list(*, user, q: str = "", status: str = "", region_code: str = "", kind: str = "",
               occupation: str = "", institution_id=None,
               action: str = "view") -> QuerySet[TrainingClass]:
    qs = TrainingClass.objects.restrict(user, action).select_related(
        "institution", "enterprise", "occupation", "work_type", "level", "region", "programme",
        "fund_source")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__contains=q)
                       | Q(institution__name__contains=q))
    if status:
        qs = qs.filter(status=status)
    if region_code:
        qs = qs.filter(region__path__contains=f"/{region_code}/")
    if kind:
        qs = qs.filter(kind=kind)
    if occupation:
        qs = qs.filter(Q(occupation__code=occupation) | Q(occupation__name__contains=occupation))
    if institution_id:
        qs = qs.filter(Q(institution_id=institution_id) | Q(enterprise_id=institution_id))
    return qs.order_by("-start_date", "-pk")


def class_get(*, user, pk, action: str = "view") -> TrainingClass:
    return selectors._one(class_list(user=user, action=action).select_related(
        "programme", "fund_source", "designation"), pk=pk)


def _visible_class(user, training_class: TrainingClass) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.restrict(user, "view").filter(pk=training_class.pk)


def session_list(*, user, training_class: TrainingClass) -> QuerySet[Session]:
    """A class's timetable, for whoever may see the class (its institution, the enterprise
    of an apprenticeship class, officers of its region)."""
    return (Session.objects.filter(training_class__in=_visible_class(user, training_class))
            .select_related("teacher__person").order_by("starts_at", "pk"))


def class_teacher_list(*, user, training_class: TrainingClass) -> QuerySet[ClassTeacher]:
    return (ClassTeacher.objects.filter(training_class__in=_visible_class(user, training_class))
            .select_related("teacher__person").order_by("role", "pk"))


def change_list(*, user, training_class: TrainingClass | None = None,
                action: str = "view") -> QuerySet[ClassChange]:
    qs = ClassChange.objects.restrict(user, action).select_related("training_class", "filed_by")
    if training_class is not None:
        qs = qs.filter(training_class=training_class)
    return qs.order_by("-filed_at", "-pk")


def change_get(*, user, pk, action: str = "view") -> ClassChange:
    return selectors._one(change_list(user=user, action=action), pk=pk)


# ---------------------------------------------------------------- codes → records (API, pages)


def class_parse(*, institution: Institution, codes: dict) -> dict:
    """The fields of a class from the codes a client sends (programme_code, occupation_code,
    work_type, level_code, region_code, fund_source_code, enterprise_id): each unknown one is
    named in its field."""
    out = {}
    region = institution.region
    if codes.get("region_code"):
        region = Region.objects.filter(code=codes["region_code"], is_active=True).first()
        if region is None:
            raise _fail("region_code", f"区划代码 {codes['region_code']} 不存在")
        out["region"] = region
    if "occupation_code" in codes:
        occupation = occupation_current(codes["occupation_code"] or "")
        if occupation is None:
            raise _fail("occupation_code",
                        f"职业代码 {codes['occupation_code']} 不在现行职业分类大典中")
        out["occupation"] = occupation
        name = clean_text(codes.get("work_type") or "")
        out["work_type"] = None
        if name:
            out["work_type"] = WorkType.objects.filter(occupation=occupation, name=name,
                                                       is_active=True).first()
            if out["work_type"] is None:
                raise _fail("work_type", f"职业「{occupation.name}」没有工种「{name}」")
    if "level_code" in codes:
        out["level"] = SkillLevel.objects.filter(code=codes["level_code"]).first()
        if out["level"] is None:
            raise _fail("level_code", f"等级代码 {codes['level_code']} 不存在")
    if "programme_code" in codes:
        out["programme"] = (Programme.objects.filter(code=codes["programme_code"],
                                                     region__code__in=ancestor_codes(region))
                            .order_by("-region__level").first())
        if out["programme"] is None:
            raise _fail("programme_code", f"{region.name}没有编号为 {codes['programme_code']} "
                                          "的培训项目")
    if "fund_source_code" in codes:
        out["fund_source"] = FundSource.objects.filter(code=codes["fund_source_code"],
                                                       is_active=True).first()
        if out["fund_source"] is None:
            raise _fail("fund_source_code", f"资金来源 {codes['fund_source_code']} 不存在")
    if codes.get("enterprise_id"):
        out["enterprise"] = Institution.objects.filter(pk=codes["enterprise_id"],
                                                       kind="enterprise").first()
        if out["enterprise"] is None:
            raise _fail("enterprise_id", "学徒所在企业不存在")
    elif "enterprise_id" in codes:
        out["enterprise"] = None
    return out
