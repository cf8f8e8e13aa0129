"""Enrolment (报名): one by one, from a roster file, and a worker enrolling themself.

Services (each one transaction, audited, refusals in Chinese naming the field):

- `enrol(actor=, training_class=, person=, source=, mentor=, school_teacher=)`
- `enrol_by_id_number(actor=, training_class=, id_number=, name=, ...)`: the enrolment
  look-up (people.person_lookup_for_enrolment), registering the person first
  (people.person_create) when the number is not registered and a name is given
- `enrolment_withdraw(actor=, enrolment=, reason=)`
- `enrol_roster(actor=, training_class=, path=, file_name=, mode=)`: the registry's
  importer (people/importing) reads, validates and registers; each batch is checked against
  the same rules before it is written, and the rows that pass are enrolled in the batch's
  own transaction.

The rules, checked in this order (`Rules`, once per class, set-based for a roster batch):
the class is open (approved or running); not enrolled in this class already; the person
lives in the institution's region (household or residence region under it); they belong to
one of the programme's target groups (when it names any); the `person_limits` policy's
subsidised trainings a year (the class region's version in force at the start date; the
person's enrolments, not withdrawn, in classes starting that year); no other class of
theirs has a session overlapping one of this class's; an apprenticeship class takes only
the enterprise's staff on the start date, each with a mentor (also on its staff) and a
school teacher of the class; and a seat is left (the class row is locked while counting,
so two operators enrolling the last seat at once cannot both have it).

Roster policy (the registry importer's, row by row): the user chooses, as for a registry
import, between 全部成功才报名 (strict: one bad row and nothing of the file is written,
neither registrations nor enrolments) and 导入正确的行 (partial, the default: every good row
is registered if needed and enrolled, every bad one is reported with its row number and
field and is neither registered nor enrolled). A row is never half done: its person is
registered only when the row is also enrolled. A person twice in the roster: the first
row is enrolled, every later one refused, naming the first; in strict mode the whole file.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from jineng.catalog.models import PolicyKind
from jineng.catalog.services import resolve
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.refusals import OutOfScope, require, require_visible
from jineng.core.scope import permission_code, user_reach
from jineng.orgs.models import Region, TargetGroup
from jineng.people import services as people_services
from jineng.people.models import ImportMode, OnDuplicate, Person
from jineng.people.services import name_mask
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import class_seats_lock, enrolment_lock
from jineng.training.models import (
    ClassKind,
    ClassStatus,
    ClassTeacher,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    EnterpriseStaff,
    Session,
    Teacher,
    TrainingClass,
)

OPEN_STATES = (ClassStatus.APPROVED, ClassStatus.RUNNING)
# Enrolments that count (for the yearly limit and overlapping sessions): all but withdrawn.
COUNTED = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED)
REASON_MAX = 300


def _fail(field_name: str, message: str, code: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, errors={field_name: message})


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _when(starts: dt.datetime, ends: dt.datetime) -> str:
    starts, ends = _local(starts), _local(ends)
    return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


# ---------------------------------------------------------------- the rules


@dataclass
class Facts:
    """What the rules need of one person: their id (None: not registered yet), regions
    (paths) and target-group codes, and how messages call them."""

    person_id: int | None
    paths: tuple[str, ...]
    region_names: tuple[str, ...]
    groups: tuple[str, ...]
    label: str


@dataclass
class Rules:
    """The rules of one class, read once; `problems(facts)` checks many people at a time."""

    training_class: TrainingClass
    taken: int = 0
    sessions: list = field(default_factory=list)
    limit: int | None = None
    limit_source: str = ""
    group_names: dict = field(default_factory=dict)

    @classmethod
    def of(cls, training_class: TrainingClass) -> "Rules":
        rules = cls(training_class=training_class)
        rules.taken = Enrolment.objects.filter(training_class=training_class,
                                               status__in=COUNTED).count()
        rules.sessions = list(Session.objects.filter(training_class=training_class)
                              .values_list("starts_at", "ends_at"))
        try:
            resolution = resolve(PolicyKind.PERSON_LIMITS, training_class.region,
                                 training_class.start_date)
        except NotFound:
            resolution = None
        if resolution is not None:
            rules.limit = resolution.data.get("subsidised_trainings_per_year")
            rules.limit_source = resolution.source_label
        rules.group_names = dict(TargetGroup.objects.values_list("code", "name"))
        return rules

    # ------------------------------------------------------------ class-level

    def class_problem(self) -> tuple[str, str] | None:
        c = self.training_class
        if c.status not in OPEN_STATES:
            return ("training_class", f"「{c.name}」当前为「{c.get_status_display()}」，"
                                      "只有已审核（可开班）或培训中的班级可以报名")
        return None

    @property
    def seats_left(self) -> int:
        return max(self.training_class.capacity - self.taken, 0)

    def full_message(self) -> str:
        c = self.training_class
        return f"「{c.name}」计划人数 {c.capacity} 人，已报满（已报名 {self.taken} 人）"

    # ------------------------------------------------------------ per person

    def problems(self, people: dict) -> dict:
        """{key: (field, message)} for the people ({key: Facts}) that may not enrol; the seat
        is not counted here (the caller takes seats in order)."""
        out = {}
        c = self.training_class
        registered = {k: f.person_id for k, f in people.items() if f.person_id}
        ids = set(registered.values())
        already = set(Enrolment.objects.filter(training_class=c, person_id__in=ids)
                      .values_list("person_id", flat=True)) if ids else set()
        counts = self._year_counts(ids)
        overlaps = self._overlaps(ids)
        region = c.institution.region
        wanted = set(c.programme.target_groups or [])
        for key, facts in people.items():
            pid = facts.person_id
            if pid in already:
                out[key] = ("id_number", f"{facts.label}已报名本班，不能重复报名")
            elif not any(p.startswith(region.path) for p in facts.paths if p):
                where = "、".join(n for n in facts.region_names if n) or "未登记"
                out[key] = ("household_region",
                            f"{facts.label}的户籍地和常住地（{where}）都不在培训机构"
                            f"「{c.institution.name}」所在的{region.name}范围内，不能报名")
            elif wanted and not wanted.intersection(facts.groups):
                names = "、".join(self.group_names.get(g, g) for g in sorted(wanted))
                out[key] = ("target_groups",
                            f"「{c.programme.name}」只面向{names}，{facts.label}登记的重点群体"
                            "不在其中，不符合报名条件")
            elif self.limit is not None and counts.get(pid, 0) >= self.limit:
                out[key] = ("person",
                            f"{facts.label}{c.start_date.year} 年已报名补贴性培训 "
                            f"{counts[pid]} 次，已达每人每年 {self.limit} 次的上限"
                            f"（{self.limit_source}）")
            elif pid in overlaps:
                other, starts, ends = overlaps[pid]
                out[key] = ("person",
                            f"{facts.label}已报名的「{other}」有课次（{_when(starts, ends)}）"
                            "与本班课次时间重叠，同一时间不能参加两个班")
        return out

    def _year_counts(self, ids: set) -> dict:
        if not ids or self.limit is None:
            return {}
        c = self.training_class
        rows = (Enrolment.objects.filter(person_id__in=ids, status__in=COUNTED,
                                         training_class__start_date__year=c.start_date.year)
                .exclude(training_class=c).values("person_id").annotate(n=Count("id")))
        return {r["person_id"]: r["n"] for r in rows}

    def _overlaps(self, ids: set) -> dict:
        """{person id: (other class name, session start, end)}: the first session of another
        class of theirs that overlaps one of this class's."""
        if not ids or not self.sessions:
            return {}
        first = min(s for s, _ in self.sessions)
        last = max(e for _, e in self.sessions)
        theirs = (Session.objects.filter(
            training_class__enrolments__person_id__in=ids,
            training_class__enrolments__status__in=COUNTED,
            starts_at__lt=last, ends_at__gt=first)
            .exclude(training_class=self.training_class)
            .values_list("training_class__enrolments__person_id", "training_class__name",
                         "starts_at", "ends_at").order_by("starts_at"))
        out = {}
        for pid, name, starts, ends in theirs:
            if pid in out:
                continue
            if any(starts < e and ends > s for s, e in self.sessions):
                out[pid] = (name, starts, ends)
        return out


def _facts(person: Person, label: str) -> Facts:
    regions = [r for r in (person.household_region, person.residence_region) if r is not None]
    return Facts(person_id=person.pk, paths=tuple(r.path for r in regions),
                 region_names=tuple(r.name for r in regions),
                 groups=tuple(person.target_groups or []), label=label)


def _label(person: Person, source: str) -> str:
    return "您" if source == EnrolmentSource.SELF else f"「{name_mask(person.name)}」"


def _apprenticeship(training_class: TrainingClass, person: Person, mentor, school_teacher,
                    label: str) -> None:
    c = training_class
    on = c.start_date
    staff = (EnterpriseStaff.objects.filter(enterprise_id=c.enterprise_id, since__lte=on)
             .filter(Q(until__isnull=True) | Q(until__gte=on)))
    enterprise = c.enterprise.name if c.enterprise_id else "（未指定企业）"
    if not staff.filter(person=person).exists():
        raise _fail("person", f"{label}不是「{enterprise}」{on:%Y-%m-%d} 在职的职工，"
                              "企业新型学徒制只招收本企业职工", code="not_staff")
    if mentor is None:
        raise _fail("mentor", "企业新型学徒制须为每名学徒指定企业导师")
    if mentor.pk == person.pk:
        raise _fail("mentor", "企业导师不能是学徒本人")
    if not staff.filter(person=mentor).exists():
        raise _fail("mentor", f"企业导师「{name_mask(mentor.name)}」不是「{enterprise}」"
                              f"{on:%Y-%m-%d} 在职的职工")
    if school_teacher is None:
        raise _fail("school_teacher", "企业新型学徒制须为每名学徒指定院校导师")
    if not ClassTeacher.objects.filter(training_class=c, teacher=school_teacher).exists():
        raise _fail("school_teacher", f"「{school_teacher.person.name}」不是本班的教师，"
                                      "院校导师须从本班教师中指定")


def _allowed(actor, training_class: TrainingClass, person: Person, source: str) -> None:
    """Who may enrol: the person themself (source self), or staff of the class's
    institution or region (`training.add_enrolment`)."""
    code = permission_code(Enrolment, "add")
    if source == EnrolmentSource.SELF:
        require(actor, code, message="没有报名的权限")
        if person.user_id != actor.pk:
            raise Forbidden("只能为本人报名")
        return
    require(actor, code, message="没有办理报名的权限")
    reach = user_reach(actor, code)
    institution = training_class.institution
    region = institution.region
    if (reach.covers_all(Enrolment.scope) or institution.pk in reach.institution_ids
            or reach.admits_region(region.pk, region.path)):
        return
    message = f"无权为「{institution.name}」的培训班办理报名"
    raise OutOfScope(message, errors={"training_class": message})


def _audit(actor, enrolment: Enrolment, person: Person) -> None:
    changes = {"training_class": [None, enrolment.training_class.code],
               "person": [None, person.id_masked], "source": [None, enrolment.source]}
    if enrolment.mentor_id:
        changes["mentor"] = [None, enrolment.mentor.id_masked]
    if enrolment.school_teacher_id:
        changes["school_teacher"] = [None, enrolment.school_teacher.person.name]
    audit_record(actor=actor, action=TrainingAction.ENROLMENT_ENROL, obj=enrolment,
                 changes=changes)


@transaction.atomic
def enrol(*, actor, training_class: TrainingClass, person: Person,
          source: str = EnrolmentSource.PAGE, mentor: Person | None = None,
          school_teacher: Teacher | None = None) -> Enrolment:
    """Enrol one person into a class, after every rule (see the module's docstring)."""
    if source not in EnrolmentSource.values or source == EnrolmentSource.ROSTER:
        raise _fail("source", "报名方式不正确")
    _allowed(actor, training_class, person, source)
    training_class = class_seats_lock(training_class)
    person = Person.objects.select_related("household_region", "residence_region").get(
        pk=person.pk)
    label = _label(person, source)
    rules = Rules.of(training_class)
    problem = rules.class_problem()
    if problem:
        raise _fail(*problem, code="class_not_open")
    found = rules.problems({0: _facts(person, label)}).get(0)
    if found:
        field_name, message = found
        if field_name == "id_number":
            raise Conflict(message, errors={"id_number": message})
        raise _fail(field_name, message)
    if training_class.kind == ClassKind.APPRENTICESHIP:
        _apprenticeship(training_class, person, mentor, school_teacher, label)
    else:
        mentor = school_teacher = None
    if rules.seats_left <= 0:
        raise _fail("training_class", rules.full_message(), code="full")
    enrolment = Enrolment.objects.create(
        training_class=training_class, person=person, source=source, mentor=mentor,
        school_teacher=school_teacher, enrolled_by=actor)
    _audit(actor, enrolment, person)
    return enrolment


def enrol_by_id_number(*, actor, training_class: TrainingClass, id_number: str,
                       doc_type: str | None = None, name: str = "",
                       household_region: str = "", residence_region: str = "",
                       target_groups=(), phone: str = "", mentor_id_number: str = "",
                       school_teacher: Teacher | None = None,
                       source: str = EnrolmentSource.PAGE) -> Enrolment:
    """An institution enrols by identity number: the registry-wide look-up for enrolment
    (audited in its own transaction, so the look-up stays on record when the enrolment is
    refused); a number not registered is registered first when a name is given, in the
    enrolment's transaction (a refused enrolment registers no one)."""
    if not clean_text(id_number or ""):
        raise _fail("id_number", "请填写证件号码")
    _allowed_staff(actor, training_class)
    found = people_services.person_lookup_for_enrolment(actor=actor, id_number=id_number,
                                                        doc_type=doc_type)
    mentor = None
    if clean_text(mentor_id_number or ""):
        looked = people_services.person_lookup_for_enrolment(actor=actor,
                                                             id_number=mentor_id_number)
        if looked is None:
            raise _fail("mentor", "企业导师的证件号码尚未实名登记")
        mentor = Person.objects.get(pk=looked.person_id)
    with transaction.atomic():
        return _register_and_enrol(
            actor=actor, training_class=training_class, found=found, id_number=id_number,
            doc_type=doc_type, name=name, household_region=household_region,
            residence_region=residence_region, target_groups=target_groups, phone=phone,
            mentor=mentor, school_teacher=school_teacher, source=source)


def _register_and_enrol(*, actor, training_class, found, id_number, doc_type, name,
                        household_region, residence_region, target_groups, phone, mentor,
                        school_teacher, source) -> Enrolment:
    if found is not None:
        person = Person.objects.get(pk=found.person_id)
    else:
        if not clean_text(name or ""):
            raise _fail("name", "该证件号码尚未实名登记：请填写姓名、户籍地等信息，"
                                "报名时一并办理实名登记")
        fields = {"household_region": household_region, "residence_region": residence_region,
                  "target_groups": list(target_groups or []), "phone": phone}
        if doc_type:
            fields["doc_type"] = doc_type
        person = people_services.person_create(
            actor=actor, id_number=id_number, name=name, source=source,
            **{k: v for k, v in fields.items() if v})
    return enrol(actor=actor, training_class=training_class, person=person, source=source,
                 mentor=mentor, school_teacher=school_teacher)


def _allowed_staff(actor, training_class: TrainingClass) -> None:
    require(actor, "people.lookup_person", message="没有按证件号码查找劳动者的权限")
    dummy = Person(user_id=None)
    _allowed(actor, training_class, dummy, EnrolmentSource.PAGE)


@transaction.atomic
def enrolment_withdraw(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """enrolled → withdrawn (退学), with a reason; the seat is free again."""
    reason = clean_text(reason or "")
    if not reason:
        raise _fail("reason", "退学须填写原因")
    if len(reason) > REASON_MAX:
        raise _fail("reason", f"原因最多 {REASON_MAX} 字")
    require(actor, permission_code(Enrolment, "change"), message="没有办理退学的权限")
    require_visible(actor, enrolment, "change")
    enrolment = enrolment_lock(enrolment)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise _fail("status", f"该报名当前为「{enrolment.get_status_display()}」，"
                              "只有在训的学员可以退学", code="wrong_state")
    enrolment.status, enrolment.reason = EnrolmentStatus.WITHDRAWN, reason
    enrolment.save(update_fields=["status", "reason"])
    audit_record(actor=actor, action=TrainingAction.ENROLMENT_WITHDRAW, obj=enrolment,
                 changes={"status": [EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN],
                          "reason": [None, reason]})
    return enrolment


# ---------------------------------------------------------------- roster


@dataclass
class RosterRow:
    row: int
    reasons: list[str]


@dataclass
class RosterResult:
    rows: int = 0
    enrolled: int = 0
    registered: int = 0
    rejected: list[RosterRow] = field(default_factory=list)
    rolled_back: bool = False
    seconds: float = 0.0

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)


def _enrolment_importer():
    """The registry's importer with the enrolment rules in front of each batch's writes
    (built lazily: the importing package is heavy)."""
    from jineng.people.importing import db as import_db
    from jineng.people.importing.rows import GROUPS
    from jineng.people.importing.run import Importer

    class EnrolmentImporter(Importer):
        def __init__(self, path, options, *, rules: Rules, actor, out: RosterResult):
            super().__init__(path, options)
            self.rules = rules
            self.actor = actor
            self.out = out
            self.now = timezone.now()
            self.wanted_groups = set(rules.training_class.programme.target_groups or ())
            self.inside_memo: dict = {}

        # A repeat of a number met before: refused, naming the first row. (No raw row: this
        # importer writes no report file, and rebuilding a worker's part for it would cost
        # the part's validation again.)
        def _repeat(self, first, h, part, i):
            number = part.numbers[i]
            self._reject(number, [], [
                f"{self._id_label()}：与第 {first} 行是同一人，同一人在一个班只能报名一次"
                f"（按第 {first} 行办理，第 {number} 行不予报名）"])
            return False

        def _reject(self, number, row, reasons):
            super()._reject(number, row, reasons)
            with self.lock:
                self.out.rejected.append(RosterRow(number, list(reasons)))

        def _facts(self, h, part, i, found) -> Facts:
            """The rule's view of a row: the registered person (`found`, a row of
            db.EXISTING_COLUMNS) or, for someone new, the row itself."""
            if found is not None:
                regions = [(found[import_db.E_HOUSEHOLD], found[import_db.E_HOUSEHOLD_PATH]),
                           (found[import_db.E_RESIDENCE], found[import_db.E_RESIDENCE_PATH])]
                return Facts(person_id=found[import_db.E_ID],
                             paths=tuple(p for pk, p in regions if pk),
                             region_names=tuple(self.region_name(pk) for pk, _ in regions
                                                if pk),
                             groups=tuple(import_db.stored_groups(found)), label="本行人员")
            pks = [pk for pk in (part.households[i] or self.o.region.pk, part.residences[i])
                   if pk]
            # The whole record (rebuilt in this process when workers validated it) only
            # when the programme names target groups.
            groups = tuple(part.record(i)[GROUPS] or ()) if self.wanted_groups else ()
            return Facts(person_id=None, paths=tuple(self.refs.paths.get(pk, "") for pk in pks),
                         region_names=tuple(self.region_name(pk) for pk in pks),
                         groups=groups, label="本行人员")

        def _assess(self, pending, existing):
            """(kept, refused): the rows that may enrol, in file order while seats last, and
            (part, i, (field, message)) for the others. Registered people go through
            Rules.problems (set-based); a new row needs only its region and target groups,
            checked here row by row on flat columns (a Facts only to word a refusal)."""
            rules = self.rules
            known = {h: self._facts(h, part, i, existing[h])
                     for h, (part, i) in pending.items() if h in existing}
            problems = rules.problems(known) if known else {}
            inside, default, wanted = self._inside, self.o.region.pk, self.wanted_groups
            seats = rules.seats_left
            kept, refused = {}, []
            for h, (part, i) in pending.items():
                if h in existing:
                    problem = problems.get(h)
                else:
                    residence = part.residences[i]
                    problem = None
                    if not (inside(part.households[i] or default)
                            or (residence and inside(residence))) or (
                            wanted and not wanted.intersection(part.record(i)[GROUPS] or ())):
                        problem = rules.problems({h: self._facts(h, part, i, None)}).get(h)
                if problem is None and len(kept) >= seats:
                    problem = ("training_class", rules.full_message())
                if problem is None:
                    kept[h] = (part, i)
                else:
                    refused.append((part, i, problem))
            return kept, refused

        def _inside(self, pk) -> bool:
            """Whether region `pk` is under the institution's region (memoised)."""
            answer = self.inside_memo.get(pk)
            if answer is None:
                answer = self.inside_memo[pk] = self.refs.paths.get(pk, "").startswith(
                    self.rules.training_class.institution.region.path)
            return answer

        def _refuse(self, refused):
            labels = self.validate.labels
            for part, i, (field_name, message) in refused:
                label = {"id_number": self._id_label(),
                         "household_region": labels.get("household_region", "户籍地"),
                         "target_groups": labels.get("target_groups", "重点群体"),
                         "training_class": "培训班", "person": "学员"}[field_name]
                self._reject(part.numbers[i], [], [f"{label}：{message}"])

        def _write_batch(self, pending):
            created_before = self.result.created
            if self.none_registered_so_far:
                # The importer's first-import way: everyone taken as new, written in one
                # COPY that the unique index refuses if anyone is registered after all.
                kept, refused = self._assess(pending, {})
                if refused and self.writer.existing([
                        h for h, (part, i) in pending.items()
                        if h not in kept]):
                    self.none_registered_so_far = False  # a refused row is someone known
                elif not kept or self._insert_if_none_registered(kept):
                    self._refuse(refused)
                    self._enrol(kept, created_before)
                    return
            existing = self.writer.existing(list(pending))
            kept, refused = self._assess(pending, existing)
            self._refuse(refused)
            before = len(self.out.rejected)
            if kept:
                super()._write_batch(kept)
            refused_now = {r.row for r in self.out.rejected[before:]}
            if refused_now:  # the importer's own refusals (scope) are not enrolled either
                kept = {h: v for h, v in kept.items() if v[0].numbers[v[1]] not in refused_now}
            self._enrol(kept, created_before)

        def _enrol(self, kept, created_before):
            self.out.registered += self.result.created - created_before
            done = _insert_enrolments(self.rules.training_class, list(kept), self.actor,
                                      self.now)
            self.rules.taken += done
            self.out.enrolled += done

        def region_name(self, pk) -> str:
            label = self.refs.labels.get(pk, "")
            return label.rsplit("（", 1)[0] if label else ""

    return EnrolmentImporter


def _insert_enrolments(training_class: TrainingClass, hashes: list[bytes], actor, now) -> int:
    """One batch of enrolments of the people with these identity hashes, set-based: one
    INSERT ... SELECT (PostgreSQL: the hashes as one bytea, as the importer's look-up
    sends them), then one audit event for the batch. Returns how many were enrolled."""
    if not hashes:
        return 0
    actor_id = getattr(actor, "pk", None)
    table, people = Enrolment._meta.db_table, Person._meta.db_table
    insert = (f"INSERT INTO {table} (training_class_id, person_id, status, source, "
              "enrolled_by_id, enrolled_at, attended_hours, online_hours, reason) "
              f"SELECT %s, p.id, %s, %s, %s, %s, 0, 0, '' FROM {people} p ")
    head = [training_class.pk, EnrolmentStatus.ENROLLED, EnrolmentSource.ROSTER, actor_id,
            connection.ops.adapt_datetimefield_value(now)]
    done = 0
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(insert + "WHERE p.id_hash = ANY(ARRAY("
                      "SELECT substring(%s::bytea FROM 32 * i + 1 FOR 32) "
                      "FROM generate_series(0, %s - 1) AS i))",
                      [*head, b"".join(hashes), len(hashes)])
            done = c.rowcount
        else:
            for k in range(0, len(hashes), 20000):
                chunk = hashes[k: k + 20000]
                c.execute(insert + f"WHERE p.id_hash IN ({','.join(['%s'] * len(chunk))})",
                          [*head, *chunk])
                done += c.rowcount
    audit_record(actor=actor, action=TrainingAction.ENROLMENT_ROSTER, obj=training_class,
                 changes={"enrolled": done})
    return done


@transaction.atomic
def enrol_roster(*, actor, training_class: TrainingClass, path, file_name: str = "",
                 mode: str = ImportMode.PARTIAL, workers: int | None = None) -> RosterResult:
    """Enrol a roster file (.xlsx/.xls/.csv, the registry's columns) into a class; see the
    module's docstring for the policy. Raises ServiceError when the file cannot be read at
    all or the class takes no enrolment; otherwise the result lists every refused row."""
    import time
    from pathlib import Path

    from jineng.core.spreadsheet_reader import ReadError
    from jineng.people.importing.run import ImportOptions

    started = time.monotonic()
    if mode not in ImportMode.values:
        raise _fail("mode", "导入模式应为“全部成功才报名”或“导入正确的行”")
    _allowed(actor, training_class, Person(user_id=None), EnrolmentSource.ROSTER)
    require(actor, "people.import_person", message="没有导入花名册的权限")
    file_name = Path(file_name or str(path)).name
    if Path(file_name).suffix.lower() not in (".xlsx", ".xls", ".csv"):
        raise _fail("file", "只能导入 .xlsx、.xls 或 .csv 文件")
    training_class = class_seats_lock(training_class)
    rules = Rules.of(training_class)
    problem = rules.class_problem()
    if problem:
        raise _fail(*problem, code="class_not_open")
    if training_class.kind == ClassKind.APPRENTICESHIP:
        raise _fail("file", "企业新型学徒制班级须逐个报名（每名学徒须指定企业导师和院校导师），"
                            "不能用花名册导入")
    out = RosterResult()
    if workers is None and training_class.programme.target_groups:
        # The rule needs each new row's target groups, which a worker process does not send
        # back (the importer rebuilds a part's records from the file when asked): validate
        # in this process, once, rather than twice.
        workers = 0
    options = ImportOptions(
        region=training_class.region, mode=mode, on_duplicate=OnDuplicate.SKIP, actor=actor,
        institution_id=getattr(actor, "institution_id", None),
        source=f"enrol:{training_class.pk}"[:40], file_name=file_name, workers=workers)
    importer = _enrolment_importer()(path, options, rules=rules, actor=actor, out=out)
    try:
        result = importer.run()
    except ReadError as exc:
        raise _fail("file", exc.message) from None
    out.rows = result.rows
    if result.rolled_back:
        out.rolled_back = True
        out.enrolled = out.registered = 0
    out.rejected.sort(key=lambda r: r.row)
    out.seconds = time.monotonic() - started
    audit_record(actor=actor, action=TrainingAction.ENROLMENT_ROSTER, obj=training_class,
                 changes={"file": file_name, "mode": mode, "rows": out.rows,
                          "enrolled": out.enrolled, "registered": out.registered,
                          "rejected": out.rejected_count, "rolled_back": out.rolled_back})
    return out


# ---------------------------------------------------------------- reads


def enrolment_list(*, user, action: str = "view", q: str = "", training_class=None,
                   status: str = ""):
    qs = (Enrolment.objects.restrict(user, action)
          .select_related("training_class__institution", "training_class__occupation",
                          "training_class__level", "person", "mentor",
                          "school_teacher__person"))
    if training_class:
        qs = qs.filter(training_class_id=getattr(training_class, "pk", training_class))
    if status:
        qs = qs.filter(status=status)
    q = clean_text(q or "")
    if q:
        qs = qs.filter(Q(training_class__code=q) | Q(training_class__name__contains=q)
                       | Q(person__name__startswith=q))
    return qs.order_by("-enrolled_at", "-pk")


def enrolment_get(*, user, pk, action: str = "view") -> Enrolment:
    try:
        return enrolment_list(user=user, action=action).get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def class_for_enrolment(*, user, pk) -> TrainingClass:
    """A class as staff who enrol into it see it: one of their institution's or region's
    (`training.view_enrolment` in its scope); NotFound otherwise."""
    qs = TrainingClass.objects.select_related("institution__region", "region", "programme",
                                              "occupation", "level", "enterprise")
    try:
        obj = qs.get(pk=pk)
    except (TrainingClass.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    code = permission_code(Enrolment, "view")
    if not user.has_permission(code):
        raise Forbidden()
    reach = user_reach(user, code)
    region = obj.institution.region
    if (reach.covers_all(Enrolment.scope) or obj.institution_id in reach.institution_ids
            or (obj.enterprise_id and obj.enterprise_id in reach.institution_ids)
            or reach.admits_region(region.pk, region.path)
            or reach.admits_region(obj.region_id, obj.region.path)):
        return obj
    raise NotFound()


def open_classes_for(person: Person | None):
    """Approved or running classes, not ended, whose institution's region covers the
    person's household or residence region (where enrol would not refuse them for region).
    Apprenticeship classes are not offered: the enterprise enrols its own employees."""
    if person is None:
        return TrainingClass.objects.none()
    codes = set()
    for region in (person.household_region, person.residence_region):
        if region is not None:
            codes.update(c for c in region.path.strip("/").split("/") if c)
    regions = Region.objects.filter(code__in=codes)
    return (TrainingClass.objects.filter(status__in=OPEN_STATES,
                                         end_date__gte=timezone.localdate(),
                                         institution__region__in=regions)
            .exclude(kind=ClassKind.APPRENTICESHIP)
            .select_related("institution", "region", "occupation", "level", "programme")
            .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=COUNTED)))
            .order_by("start_date", "pk"))


def my_enrolment_class_ids(person: Person | None) -> set:
    if person is None:
        return set()
    return set(Enrolment.objects.filter(person=person).exclude(
        status=EnrolmentStatus.WITHDRAWN).values_list("training_class_id", flat=True))


def archive_rows(person: Person, user) -> list[list]:
    """The archive's 培训记录: the person's enrolments as the user may see them."""
    rows = []
    for e in (Enrolment.objects.restrict(user, "view").filter(person=person)
              .select_related("training_class__institution", "training_class__occupation",
                              "training_class__work_type", "training_class__level")
              .order_by("-training_class__start_date", "-pk")):
        c = e.training_class
        what = c.occupation.name + (f"（{c.work_type.name}）" if c.work_type_id else "")
        rows.append([c.name, c.institution.name, what, c.level.name,
                     f"{c.start_date:%Y-%m-%d} 至 {c.end_date:%Y-%m-%d}",
                     e.get_status_display()])
    return rows


ARCHIVE_COLUMNS = ["培训班", "培训机构", "职业（工种）", "等级", "培训时间", "状态"]


def register_archive() -> None:
    """The archive's 培训记录 section lists enrolments (called from the app's ready())."""
    from jineng.people.selectors import ArchiveSection, register_archive_section

    register_archive_section(ArchiveSection("training", "培训记录", 10, ARCHIVE_COLUMNS,
                                            rows=archive_rows))


def enrolment_counts(training_class: TrainingClass) -> dict:
    counts = defaultdict(int)
    for status, n in (Enrolment.objects.filter(training_class=training_class)
                      .values_list("status").annotate(n=Count("id"))):
        counts[status] = n
    return dict(counts)
