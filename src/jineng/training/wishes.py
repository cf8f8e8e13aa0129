"""Training wishes (培训意愿摸排, "点菜式"): what registered people want to learn, when and
where they can attend; counted by region, target group and occupation for those who plan
classes; and a worker told when a matching class opens.

Services (one transaction each, audited):

- `wish_record(actor, person, occupation, region, ...)`: one active wish per person and
  occupation (a database constraint): recording the same occupation again updates it. An
  officer records in their region (`wish_record_by_id`: the person found by identity number
  anywhere in the registry); a worker records only their own (`wish_record_self`, any region
  they can attend in).
- `wish_withdraw(actor, wish)`: no longer wanted (inactive; a new one may then be recorded).
- `wish_import(actor, upload, file_name, region)`: a survey roster (.xlsx/.xls/.csv). The
  person columns are read by the registry's importer machinery (header detection, row
  validation); the rows are checked as a whole first and one bad row refuses the file —
  nothing is written, every bad row is named with its row number and field. A survey roster
  is small (at most WISH_IMPORT_MAX_ROWS rows) and is imported while the page waits. People
  not yet registered are registered through the registry's importer (strict mode, in the same
  transaction); people already registered are found, wherever they are registered, and never
  changed by a survey.
- `notify_class_opened(training_class)`: a WishNotice for every active wish the class meets;
  idempotent (a unique constraint). The class approval calls it.
- `notice_mark_read(actor, notice)`, `notices_mark_all_read(actor)`.

Reads: `wish_list`, `wish_get`, `wish_summary` (counts only: what institutions see),
`my_wishes`, `my_notices`, `notice_get`.

Matching (`notify_class_opened`): the class's occupation; the wish's 工种 and level when the
wish names them (a wish without them takes any); regions nested either way (a wish for 商丘市
is met by a class anywhere in the city, a wish for 睢阳区 by a class held in 睢阳区 or in a
place under it, and a class filed for the whole city meets the wishes of its counties); the
wish's availability overlapping the class dates (an open end matches); nobody already enrolled
in the class.
"""

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from jineng.catalog.models import Occupation, OccupationLevel, SkillLevel, WorkType
from jineng.catalog.services import occupation_find
from jineng.core.audit import audit_record
from jineng.core.codes import clean_text
from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.events import CoreAction
from jineng.core.refusals import OutOfScope, require, require_visible
from jineng.core.scope import region_allowed, user_reach
from jineng.core.spreadsheet_reader import XLSX_MAGIC, ReadError, check_xlsx_inflation, open_rows
from jineng.orgs.models import Region, TargetGroup
from jineng.orgs.selectors import region_find
from jineng.people import roster
from jineng.people import services as people_services
from jineng.people.importing.columns import HEADER_SCAN_ROWS, detect_header, header_key
from jineng.people.importing.pipeline import _FOOTER
from jineng.people.importing.rows import HASH, NAME, References, RowValidator, filled, is_blank
from jineng.people.importing.run import Importer, ImportOptions
from jineng.people.lock_objects import people_lock, person_lock
from jineng.people.models import ImportMode, OnDuplicate, Person
from jineng.training.events import TrainingAction
from jineng.training.lock_objects import notice_lock, wish_lock
from jineng.training.models import (
    ClassStatus,
    Enrolment,
    TrainingClass,
    TrainingWish,
    WishNotice,
    WishSource,
)

TIME_NOTE_MAX = 60
WISH_IMPORT_MAX_ROWS = 5000
WISH_IMPORT_MAX_BYTES = 10 << 20
WISH_IMPORT_SUFFIXES = (".xlsx", ".xls", ".csv")
# The classes whose opening is told: approved, or already running.
OPEN_CLASS = (ClassStatus.APPROVED, ClassStatus.RUNNING)

FIELD_LABELS = {
    "id_number": "证件号码", "occupation": "意向职业", "work_type": "意向工种",
    "level": "意向等级", "region": "可参训地区", "available_from": "可参训起",
    "available_to": "可参训止", "time_note": "可参训时段", "file": "文件",
}


def _fail(field: str, message: str, code: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, errors={field: message})


def _fail_all(errors: dict[str, str]) -> ServiceError:
    message = "；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in errors.items())
    return ServiceError(message, errors=errors)


# ---------------------------------------------------------------- parsing a wish's fields
# Each parser takes what a form, the API or a roster cell gives and returns the clean value
# or raises ValueError with the Chinese reason (without the field's name: each path adds it).


class _Bad(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_occupation(value) -> Occupation:
    """A current occupation (第 4 层 of the 职业分类大典) by code (old codes followed to their
    successor) or exact name."""
    if isinstance(value, Occupation):
        occupation = value
    else:
        text = clean_text(value)
        if not text:
            raise _Bad("请填写想学的职业（职业名称或职业分类大典代码，如 电工 或 6-31-01-03）")
        occupation, problem = occupation_find(text)
        if occupation is None:
            raise _Bad(problem)
    if not occupation.is_current:
        raise _Bad(f"职业 {occupation.code} 不属于现行职业分类大典，请选择现行职业")
    if occupation.level != OccupationLevel.OCCUPATION:
        raise _Bad(f"「{occupation.name}」是职业分类，不是具体职业，请填写具体职业（如 电工）")
    return occupation


def parse_work_type(value, occupation: Occupation) -> WorkType | None:
    if value in (None, ""):
        return None
    if isinstance(value, WorkType):
        work_type = value
    else:
        text = clean_text(value)
        if not text:
            return None
        work_type = WorkType.objects.filter(occupation=occupation, name=text,
                                            is_active=True).first()
        if work_type is None:
            raise _Bad(f"职业「{occupation.name}」下没有工种「{text}」")
    if work_type.occupation_id != occupation.pk:
        raise _Bad(f"工种「{work_type.name}」不属于职业「{occupation.name}」")
    return work_type


def _level_names() -> dict[str, SkillLevel]:
    names: dict[str, SkillLevel] = {}
    for level in SkillLevel.objects.all():
        for text in (level.code, level.name, level.short_name, *level.name.split("/")):
            names.setdefault(text.strip().lower(), level)
        if level.short_name and not level.short_name.endswith(("工", "师")):
            names.setdefault(f"{level.short_name}工", level)
    return names


def parse_level(value, names: dict | None = None) -> SkillLevel | None:
    if value in (None, ""):
        return None
    if isinstance(value, SkillLevel):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value).lower()
    if not text:
        return None
    level = (names if names is not None else _level_names()).get(text)
    if level is None:
        raise _Bad(f"“{clean_text(value)}”不是可识别的等级（如 五级、四级/中级工、专项职业能力）")
    return level


def parse_region(value) -> Region:
    if isinstance(value, Region):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if not text:
        raise _Bad("请填写可参训地区（地区名称或区划代码，如 梁园区）")
    region, problem = region_find(text, Region.objects.filter(is_active=True))
    if region is None:
        raise _Bad(problem)
    return region


def parse_date(value) -> dt.date | None:
    try:
        return roster.date(value)
    except roster.FieldError as exc:
        raise _Bad(exc.message) from None


def parse_time_note(value) -> str:
    text = clean_text(value).replace("\n", " ")
    if len(text) > TIME_NOTE_MAX:
        raise _Bad(f"最多 {TIME_NOTE_MAX} 个字（现有 {len(text)} 个）")
    return text


def _dates_problem(available_from, available_to, *, today: dt.date) -> dict[str, str]:
    if available_from and available_to and available_to < available_from:
        return {"available_to": f"{available_to:%Y-%m-%d} 早于可参训起 {available_from:%Y-%m-%d}"}
    if available_to and available_to < today:
        return {"available_to": f"{available_to:%Y-%m-%d} 已经过去，请填写今后可参训的时间"}
    return {}


@dataclass
class _Clean:
    occupation: Occupation
    work_type: WorkType | None
    level: SkillLevel | None
    region: Region
    available_from: dt.date | None
    available_to: dt.date | None
    time_note: str


def _clean(*, occupation, region, work_type=None, level=None, available_from=None,
           available_to=None, time_note="") -> _Clean:
    """Every field checked; all the errors at once (ServiceError naming each field)."""
    errors: dict[str, str] = {}
    values: dict = {}

    def take(name, parse, *args):
        try:
            values[name] = parse(*args)
        except _Bad as exc:
            errors[name] = exc.message
            values[name] = None

    take("occupation", parse_occupation, occupation)
    if values["occupation"] is not None:
        take("work_type", parse_work_type, work_type, values["occupation"])
    else:
        values["work_type"] = None
    take("level", parse_level, level)
    take("region", parse_region, region)
    take("available_from", parse_date, available_from)
    take("available_to", parse_date, available_to)
    take("time_note", parse_time_note, time_note)
    if "available_from" not in errors and "available_to" not in errors:
        errors.update(_dates_problem(values["available_from"], values["available_to"],
                                     today=timezone.localdate()))
    if errors:
        raise _fail_all(errors)
    return _Clean(**values)


# ---------------------------------------------------------------- recording


def _fields_of(wish: TrainingWish) -> dict:
    """What history and the audit trail show of a wish: names, not codes of internals."""
    return {
        "occupation": f"{wish.occupation.code} {wish.occupation.name}",
        "work_type": wish.work_type.name if wish.work_type_id else None,
        "level": wish.level.name if wish.level_id else None,
        "region": f"{wish.region.name}（{wish.region.code}）",
        "available_from": wish.available_from, "available_to": wish.available_to,
        "time_note": wish.time_note or None,
    }


def _may_record(actor, person: Person, region: Region, source: str) -> None:
    if source == WishSource.SELF:
        require(actor, "training.add_trainingwish", message="没有填报培训意愿的权限")
        if person.user_id is None or person.user_id != getattr(actor, "pk", None):
            raise Forbidden("只能填报本人的培训意愿")
        return
    require(actor, "training.add_trainingwish", message="没有登记培训意愿的权限")
    if not region_allowed(actor, TrainingWish, "add", region):
        message = f"无权在「{region.name}」登记培训意愿"
        raise OutOfScope(message, errors={"region": message})


@transaction.atomic
def wish_record(*, actor, person: Person, occupation, region, work_type=None, level=None,
                available_from=None, available_to=None, time_note: str = "",
                source: str = WishSource.OFFICER) -> TrainingWish:
    """Record what `person` wants to learn. The same person and occupation again updates the
    active wish (`wish.was_update` says which happened). Occupation, 工种, level and region
    may be objects or text (codes or names)."""
    require(actor, "training.add_trainingwish", message="没有登记培训意愿的权限")
    if source not in WishSource.values:
        raise _fail("source", "来源不正确")
    clean = _clean(occupation=occupation, region=region, work_type=work_type, level=level,
                   available_from=available_from, available_to=available_to,
                   time_note=time_note)
    _may_record(actor, person, clean.region, source)
    person = person_lock(person)  # one person's wishes are written one at a time
    wish = (TrainingWish.objects.filter(person=person, occupation=clean.occupation,
                                        is_active=True)
            .select_related("occupation", "work_type", "level", "region").first())
    values = {"work_type": clean.work_type, "level": clean.level, "region": clean.region,
              "available_from": clean.available_from, "available_to": clean.available_to,
              "time_note": clean.time_note}
    if wish is not None:
        if source != WishSource.SELF and not TrainingWish.objects.restrict(
                actor, "change").filter(pk=wish.pk).exists():
            message = (f"该人员已在其他地区登记了想学「{wish.occupation.name}」的意愿，"
                       "不在您的管辖范围内，请联系当地经办机构修改")
            raise OutOfScope(message, errors={"occupation": message})
        before = _fields_of(wish)
        for key, value in values.items():
            setattr(wish, key, value)
        wish.source, wish.recorded_by = source, _user(actor)
        wish.save()
        after = _fields_of(wish)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        audit_record(actor=actor, action=TrainingAction.WISH_UPDATE, obj=wish,
                     changes={**changes, "person": person.id_masked, "source": source})
        wish.was_update = True
        return wish
    try:
        with transaction.atomic():
            wish = TrainingWish.objects.create(person=person, occupation=clean.occupation,
                                               source=source, recorded_by=_user(actor),
                                               **values)
    except IntegrityError:  # recorded meanwhile by someone who did not lock the person
        message = (f"「{person.name}」想学「{clean.occupation.name}」的意愿刚刚已被登记，"
                   "请刷新后重试")
        raise ServiceError(message, code="duplicate", errors={"occupation": message}) from None
    audit_record(actor=actor, action=TrainingAction.WISH_RECORD, obj=wish, changes={
        **{k: [None, v] for k, v in _fields_of(wish).items() if v is not None},
        "person": person.id_masked, "source": source})
    wish.was_update = False
    return wish


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def person_by_id_number(id_number: str) -> Person:
    """The registered person with this number, wherever registered; refused when none."""
    ident = people_services.identity_check(id_number)
    person = Person.objects.filter(
        id_hash=people_services.identity_hash(ident.doc_type, ident.number)).first()
    if person is None:
        raise _fail("id_number", "该证件号码尚未实名登记：请先在“实名登记”中登记该人员，"
                                 "或通过摸排花名册导入（花名册中未登记的人员会一并登记）")
    return person


def wish_record_by_id(*, actor, id_number: str, **fields) -> TrainingWish:
    """An officer records a wish for the registered person with this identity number."""
    require(actor, "training.add_trainingwish", message="没有登记培训意愿的权限")
    return wish_record(actor=actor, person=person_by_id_number(id_number),
                       source=WishSource.OFFICER, **fields)


def own_person(actor) -> Person:
    person = Person.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if person is None:
        raise _fail("id_number", "您的账号尚未关联实名登记信息，"
                                 "请联系当地人社部门或培训机构办理实名登记")
    return person


def wish_record_self(*, actor, **fields) -> TrainingWish:
    """A worker records their own wish on their phone."""
    return wish_record(actor=actor, person=own_person(actor), source=WishSource.SELF,
                       **fields)


@transaction.atomic
def wish_withdraw(*, actor, wish: TrainingWish) -> TrainingWish:
    """The person no longer wants it: the wish stops counting and matching."""
    require(actor, "training.change_trainingwish", message="没有修改培训意愿的权限")
    require_visible(actor, wish, "change")
    wish = wish_lock(wish)
    if not wish.is_active:
        raise _fail("wish", "该培训意愿已撤销", code="wrong_state")
    wish.is_active = False
    wish.save(update_fields=["is_active"])
    audit_record(actor=actor, action=TrainingAction.WISH_WITHDRAW, obj=wish,
                 changes={"is_active": [True, False]})
    return wish


# ---------------------------------------------------------------- survey roster import

# The wish's columns of a survey roster: field -> (label, header synonyms). The person's
# columns are the registry's (people/roster.py COLUMNS).
WISH_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "occupation": ("意向职业", ("意向职业", "想学职业", "意向培训职业", "培训意向职业", "培训职业",
                                "意向职业名称", "意向职业代码", "职业", "职业名称", "职业代码",
                                "培训意向", "想学技能", "意向工种职业")),
    "work_type": ("意向工种", ("意向工种", "工种", "培训工种", "工种名称")),
    "level": ("意向等级", ("意向等级", "等级", "培训等级", "技能等级", "意向培训等级")),
    "region": ("可参训地区", ("可参训地区", "参训地区", "意向培训地区", "培训地区", "意向参训地区",
                              "可参训地点", "参训地点", "意向培训地点")),
    "available_from": ("可参训起", ("可参训起", "可参训开始日期", "可参训时间起", "参训开始日期",
                                    "开始日期", "可参训日期起")),
    "available_to": ("可参训止", ("可参训止", "可参训结束日期", "可参训时间止", "参训结束日期",
                                  "结束日期", "可参训日期止")),
    "time_note": ("可参训时段", ("可参训时段", "参训时段", "时段", "可参训时间", "参训时间",
                                 "时间段", "培训时间段")),
}
_WISH_HEADERS = {header_key(s): f for f, (_, names) in WISH_COLUMNS.items() for s in names}
TEMPLATE_HEADERS = ["姓名", "身份证号", "手机号", "户籍地", "重点群体",
                    *[label for label, _ in WISH_COLUMNS.values()]]


@dataclass
class ImportedRow:
    row: int
    name: str  # masked
    occupation: str
    region: str
    outcome: str  # 新增 / 更新


@dataclass
class WishImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    registered: int = 0  # people registered by this import
    errors: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, reasons)
    imported: list[ImportedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> list[str]:
        return [f"第 {row} 行 " + "；".join(reasons) for row, reasons in self.errors]


class _Refused(Exception):
    def __init__(self, errors):
        super().__init__("refused")
        self.errors = errors


class _RosterImporter(Importer):
    """The registry's importer as a survey roster uses it: people already registered are
    found wherever they are registered (the wish import looked them up by number, as an
    officer may), never refused or changed; what it refuses is collected for the page."""

    def __init__(self, path, options):
        super().__init__(path, options)
        self.find_registered = True
        self.refused: list[tuple[int, list[str]]] = []

    def _reject(self, number, row, reasons):
        super()._reject(number, row, reasons)
        self.refused.append((number, list(reasons)))


def _check_file(path: Path, file_name: str) -> None:
    if Path(file_name).suffix.lower() not in WISH_IMPORT_SUFFIXES:
        raise _fail("file", "只能导入 .xlsx、.xls 或 .csv 文件")
    size = path.stat().st_size
    if size > WISH_IMPORT_MAX_BYTES:
        raise _fail("file", f"文件大小 {size / (1 << 20):.1f} MB，超过摸排花名册上限 "
                            f"{WISH_IMPORT_MAX_BYTES >> 20} MB，请拆分后再导入")
    with open(path, "rb") as handle:
        if handle.read(4) == XLSX_MAGIC:
            handle.seek(0)
            try:
                check_xlsx_inflation(handle)
            except ReadError as exc:
                raise _fail("file", exc.message) from None


def _save_upload(upload, file_name: str) -> Path:
    suffix = Path(file_name).suffix.lower()
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="wishes-")
    with os.fdopen(handle, "wb") as out:
        if isinstance(upload, str | Path):
            out.write(Path(upload).read_bytes())
        elif hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                out.write(chunk)
        else:
            out.write(upload.read())
    return Path(name)


def _read(path: Path, file_name: str):
    """(header, wish column positions, data rows) of the file's first sheet."""
    try:
        source = open_rows(path, file_name)
    except ReadError as exc:
        raise _fail("file", exc.message) from None
    try:
        rows = []
        for number, row in source.rows:
            rows.append((number, list(row)))
            if len(rows) > WISH_IMPORT_MAX_ROWS + HEADER_SCAN_ROWS:
                raise _fail("file", f"摸排花名册最多 {WISH_IMPORT_MAX_ROWS} 行，请拆分后再导入")
        merged = source.merged
    except ReadError as exc:
        raise _fail("file", exc.message) from None
    finally:
        source.close()
    header = detect_header(rows[:HEADER_SCAN_ROWS], merged)
    if header is None or header.missing():
        wanted = "、".join(header.missing()) if header else "身份证号、姓名"
        raise _fail("file", f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头（缺少“{wanted}”列），"
                            "请使用摸排花名册模板")
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for c, text in enumerate(header.labels):
        f = _WISH_HEADERS.get(header_key(text))
        if f and f not in positions and c not in header.positions.values():
            positions[f] = c
            labels[f] = text.strip().replace("\n", "") or WISH_COLUMNS[f][0]
    if "occupation" not in positions:
        raise _fail("file", "没有找到“意向职业”列：请在表头写明“意向职业”（职业名称或代码）")
    return header, positions, labels, [(n, r) for n, r in rows if n > header.row_number]


class _Memo:
    """A cell parser remembered by the cell's value: rosters repeat occupations and regions."""

    def __init__(self, parse):
        self.parse, self.cache = parse, {}

    def __call__(self, *key):
        try:
            return self.cache[key]
        except KeyError:
            pass
        try:
            found = (self.parse(*key), None)
        except _Bad as exc:
            found = (None, exc.message)
        self.cache[key] = found
        return found


def _cell(row: list, i: int | None):
    if i is None or i >= len(row):
        return None
    value = row[i]
    return None if isinstance(value, str) and not value.strip() else value


def wish_import(*, actor, upload, file_name: str, region: Region) -> WishImportResult:
    """Import a survey roster: every row checked first; any bad row refuses the whole file
    (nothing written) and the result names each, with its row and field. Otherwise, in one
    transaction: people not yet registered are registered (the registry's importer), and each
    row's wish is recorded, or updates the person's active wish for that occupation."""
    require(actor, "training.add_trainingwish", message="没有登记培训意愿的权限")
    if region is None:
        raise _fail("region", "请选择默认可参训地区")
    if not region_allowed(actor, TrainingWish, "add", region):
        message = f"无权在「{region.name}」登记培训意愿"
        raise OutOfScope(message, errors={"region": message})
    file_name = Path(file_name or "roster.xlsx").name
    if Path(file_name).suffix.lower() not in WISH_IMPORT_SUFFIXES:
        raise _fail("file", "只能导入 .xlsx、.xls 或 .csv 文件")
    path = _save_upload(upload, file_name)
    try:
        _check_file(path, file_name)
        return _import(actor=actor, path=path, file_name=file_name, region=region)
    finally:
        path.unlink(missing_ok=True)


def _import(*, actor, path: Path, file_name: str, region: Region) -> WishImportResult:
    header, positions, labels, rows = _read(path, file_name)
    result = WishImportResult(file_name=file_name)
    validate = RowValidator(header, References(region))
    id_label = validate.labels.get("id_number", "身份证号")
    name_label = validate.labels.get("name", "姓名")
    level_names = _level_names()
    occupation_of = _Memo(parse_occupation)
    work_type_of = _Memo(parse_work_type)
    level_of = _Memo(lambda v: parse_level(v, level_names))
    region_of = _Memo(parse_region)
    date_of = _Memo(parse_date)
    note_of = _Memo(parse_time_note)
    may_add_in = _Memo(lambda r: region_allowed(actor, TrainingWish, "add", r))
    today = timezone.localdate()

    good = []  # (row number, person record, wish values)
    first_of_pair: dict[tuple, int] = {}
    first_of_person: dict[bytes, tuple[int, str]] = {}
    errors = result.errors
    id_col, name_col = header.positions["id_number"], header.positions["name"]
    for number, row in rows:
        if _cell(row, id_col) is None and (is_blank(row) or filled(row) <= 1 and (
                _cell(row, name_col) is None or _FOOTER.match(str(row[name_col]).strip()))):
            continue  # blank, or a note or footer line (合计、制表人：…), as the registry skips
        result.rows += 1
        record, reasons = validate(number, row)
        reasons = list(reasons)

        def wish_cell(f, parse, *extra, _row=row, _reasons=reasons):
            value, problem = parse(_cell(_row, positions.get(f)), *extra)
            if problem:
                _reasons.append(f"{labels.get(f, WISH_COLUMNS[f][0])}：{problem}")
            return value

        occupation = wish_cell("occupation", occupation_of)
        work_type = wish_cell("work_type", work_type_of, occupation) if occupation else None
        level = wish_cell("level", level_of)
        if _cell(row, positions.get("region")) is None:
            wish_region = region
        else:
            wish_region = wish_cell("region", region_of)
        if wish_region is not None and wish_region != region and not may_add_in(wish_region)[0]:
            reasons.append(f"{labels.get('region', '可参训地区')}：无权在「{wish_region.name}」"
                           "登记培训意愿")
        available_from = wish_cell("available_from", date_of)
        available_to = wish_cell("available_to", date_of)
        problem = _dates_problem(available_from, available_to, today=today)
        if problem:
            reasons.append(f"{labels.get('available_to', '可参训止')}：{problem['available_to']}")
        time_note = wish_cell("time_note", note_of)
        if record is not None:
            h = record[HASH]
            seen = first_of_person.get(h)
            if seen is None:
                first_of_person[h] = (number, record[NAME])
            elif seen[1] != record[NAME]:
                reasons.append(f"{name_label}：与第 {seen[0]} 行是同一证件号码，但姓名不一致")
            if occupation is not None:
                earlier = first_of_pair.get((h, occupation.pk))
                if earlier is not None:
                    reasons.append(f"{id_label}：与第 {earlier} 行是同一人员、同一意向职业"
                                   f"（{occupation.name}），同一职业只能填报一次，请删除其中一行")
                else:
                    first_of_pair[(h, occupation.pk)] = number
        if reasons:
            errors.append((number, reasons))
            continue
        good.append((number, record, {
            "occupation": occupation, "work_type": work_type, "level": level,
            "region": wish_region, "available_from": available_from,
            "available_to": available_to, "time_note": time_note}))
    if not result.rows:
        raise _fail("file", "文件中没有数据行")

    registered = _registered({record[HASH] for _, record, _ in good})
    new_people = set()
    for number, record, _ in good:
        found = registered.get(bytes(record[HASH]))
        if found is None:
            new_people.add(bytes(record[HASH]))
        elif found[1] != record[NAME]:
            errors.append((number, [
                f"{name_label}：与实名库中该证件号码登记的姓名"
                f"（{people_services.name_mask(found[1])}）不一致，请核对"]))
    if new_people and not actor.has_permission("people.add_person"):
        for number, record, _ in good:
            if bytes(record[HASH]) in new_people:
                errors.append((number, [f"{id_label}：该人员尚未实名登记，您没有登记劳动者的权限"]))
    if errors:
        errors.sort(key=lambda e: e[0])
        return result

    try:
        with transaction.atomic():
            _write(actor=actor, path=path, file_name=file_name, region=region, good=good,
                   new_people=new_people, result=result)
    except _Refused as refused:
        result.created = result.updated = result.registered = 0
        result.imported = []
        result.errors = sorted(refused.errors, key=lambda e: e[0])
    return result


def _registered(hashes: set[bytes]) -> dict[bytes, tuple[int, str]]:
    found = {}
    items = sorted(hashes)
    for i in range(0, len(items), 500):
        for pk, h, name in Person.objects.filter(id_hash__in=items[i:i + 500]).values_list(
                "pk", "id_hash", "name"):
            found[bytes(h)] = (pk, name)
    return found


def _write(*, actor, path, file_name, region, good, new_people, result) -> None:
    if new_people:
        importer = _RosterImporter(path, ImportOptions(
            region=region, mode=ImportMode.STRICT, on_duplicate=OnDuplicate.SKIP, actor=actor,
            institution_id=getattr(actor, "institution_id", None), source="import",
            workers=0, file_name=file_name))
        outcome = importer.run()
        if importer.refused or outcome.rolled_back:
            raise _Refused(importer.refused or [(0, ["花名册人员登记失败，未导入"])])
        result.registered = outcome.created
    people = _registered({bytes(record[HASH]) for _, record, _ in good})
    person_ids = {h: pk for h, (pk, _) in people.items()}
    ids = sorted(set(person_ids.values()))
    people_lock(ids)  # one person's wishes at a time
    active = {}
    for i in range(0, len(ids), 500):
        for wish in (TrainingWish.objects.filter(person_id__in=ids[i:i + 500], is_active=True)
                     .select_related("occupation", "work_type", "level", "region")):
            active[(wish.person_id, wish.occupation_id)] = wish
    may_change = set(TrainingWish.objects.restrict(actor, "change").filter(
        pk__in=[w.pk for w in active.values()]).values_list("pk", flat=True))
    creates, updates, refused = [], [], []
    user = _user(actor)
    names = {h: name for h, (_, name) in people.items()}
    for number, record, values in good:
        h = bytes(record[HASH])
        pid = person_ids[h]
        wish = active.get((pid, values["occupation"].pk))
        label = ImportedRow(number, people_services.name_mask(names[h]),
                            values["occupation"].name, values["region"].name, "新增")
        if wish is None:
            creates.append(TrainingWish(person_id=pid, source=WishSource.SURVEY,
                                        recorded_by=user, **values))
        elif wish.pk not in may_change:
            refused.append((number, [f"意向职业：该人员已在「{wish.region.name}」登记了想学「"
                                     f"{wish.occupation.name}」的意愿，不在您的管辖范围内"]))
            continue
        else:
            for key, value in values.items():
                setattr(wish, key, value)
            wish.source, wish.recorded_by = WishSource.SURVEY, user
            updates.append(wish)
            label.outcome = "更新"
        result.imported.append(label)
    if refused:
        raise _Refused(refused)
    try:
        with transaction.atomic():
            TrainingWish.objects.bulk_create(creates, batch_size=500)
    except IntegrityError:
        raise _Refused([(0, ["导入期间有人登记了相同人员、相同职业的培训意愿，"
                             "请重新导入"])]) from None
    TrainingWish.objects.bulk_update(updates, ["work_type", "level", "region", "available_from",
                                               "available_to", "time_note", "source",
                                               "recorded_by"], batch_size=500)
    result.created, result.updated = len(creates), len(updates)
    audit_record(actor=actor, action=TrainingAction.WISH_IMPORT,
                 object_type="training.trainingwish", object_repr=file_name[:200], changes={
                     "file": file_name, "region": region.code, "rows": result.rows,
                     "created": result.created, "updated": result.updated,
                     "people_registered": result.registered})


def write_import_template(target) -> None:
    from jineng.core.identity import make_resident_number
    from jineng.core.spreadsheets import write_xlsx

    year = timezone.localdate().year
    example = ["张三", make_resident_number("411402", dt.date(1990, 1, 1), 123), "13800000000",
               "411402", "农村转移劳动力", "电工", "", "四级/中级工", "梁园区",
               f"{year}-01-01", f"{year}-12-31", "周末"]
    write_xlsx(target, TEMPLATE_HEADERS, [example], sheet="培训意愿摸排")


# ---------------------------------------------------------------- matching classes to wishes


def _ancestor_paths(path: str) -> list[str]:
    """/410000/411400/411402/ → /410000/, /410000/411400/, /410000/411400/411402/."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def matching_wishes(training_class: TrainingClass) -> QuerySet[TrainingWish]:
    """The active wishes `training_class` meets (see the module's note on matching)."""
    region = training_class.region
    qs = TrainingWish.objects.filter(is_active=True, occupation_id=training_class.occupation_id)
    qs = qs.filter(Q(region__path__startswith=region.path)
                   | Q(region__path__in=_ancestor_paths(region.path)))
    if training_class.work_type_id:
        qs = qs.filter(Q(work_type__isnull=True) | Q(work_type_id=training_class.work_type_id))
    else:
        qs = qs.filter(work_type__isnull=True)
    qs = qs.filter(Q(level__isnull=True) | Q(level_id=training_class.level_id))
    qs = qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=training_class.end_date),
                   Q(available_to__isnull=True) | Q(available_to__gte=training_class.start_date))
    enrolled = Enrolment.objects.filter(training_class=training_class).values("person_id")
    return qs.exclude(person_id__in=enrolled)


@transaction.atomic
def notify_class_opened(training_class: TrainingClass, *, actor=None) -> int:
    """A notice, for each active wish the class meets, to the person who made it; returns how
    many new notices. Calling again adds none (one notice per wish and class, a database
    constraint). Only an approved or running class is told."""
    if training_class.status not in OPEN_CLASS:
        return 0
    wish_ids = set(matching_wishes(training_class).values_list("pk", flat=True))
    told = set(WishNotice.objects.filter(training_class=training_class, wish_id__in=wish_ids)
               .values_list("wish_id", flat=True))
    new = sorted(wish_ids - told)
    if not new:
        return 0
    WishNotice.objects.bulk_create(
        [WishNotice(wish_id=pk, training_class=training_class) for pk in new],
        batch_size=500, ignore_conflicts=True)
    audit_record(actor=actor, action=TrainingAction.WISH_NOTIFY, obj=training_class,
                 changes={"notices": len(new)})
    return len(new)


@transaction.atomic
def notice_mark_read(*, actor, notice: WishNotice) -> WishNotice:
    """The worker has read the notice (their own only)."""
    require(actor, "training.change_wishnotice", message="没有处理开班通知的权限")
    require_visible(actor, notice, "change")
    notice = notice_lock(notice)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        audit_record(actor=actor, action=TrainingAction.WISH_NOTICE_READ, obj=notice,
                     changes={"read_at": [None, notice.read_at]})
    return notice


@transaction.atomic
def notices_mark_all_read(*, actor) -> int:
    require(actor, "training.change_wishnotice", message="没有处理开班通知的权限")
    unread = WishNotice.objects.restrict(actor, "change").filter(read_at__isnull=True)
    ids = list(unread.values_list("pk", flat=True))
    if ids:
        now = timezone.now()
        WishNotice.objects.filter(pk__in=ids).update(read_at=now)
        audit_record(actor=actor, action=TrainingAction.WISH_NOTICE_READ,
                     object_type="training.wishnotice", changes={"notices": ids, "read_at": now})
    return len(ids)


# ---------------------------------------------------------------- reads


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("person", "occupation", "work_type", "level", "region")


def wish_list(*, user, q: str = "", region_code: str = "", occupation: str = "",
              source: str = "", active: str = "1", action: str = "view") -> QuerySet[TrainingWish]:
    """Wishes in the user's scope (an officer's region and below; a worker's own)."""
    qs = _with_relations(TrainingWish.objects.restrict(user, action))
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(occupation__name__contains=q))
    if region_code:
        qs = qs.filter(region__path__contains=f"/{region_code}/")
    if occupation:
        qs = qs.filter(Q(occupation__code=occupation) | Q(occupation__name__contains=occupation))
    if source:
        qs = qs.filter(source=source)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("-created_at", "-pk")


def wish_get(*, user, pk, action: str = "view") -> TrainingWish:
    try:
        return _with_relations(TrainingWish.objects.restrict(user, action)).get(pk=pk)
    except (TrainingWish.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def my_wishes(*, user) -> QuerySet[TrainingWish]:
    return wish_list(user=user, active="").filter(person__user=user)


def _notices(user, action="view") -> QuerySet[WishNotice]:
    return (WishNotice.objects.restrict(user, action)
            .select_related("wish__occupation", "training_class__institution",
                            "training_class__region", "training_class__level",
                            "training_class__occupation", "training_class__work_type"))


def my_notices(*, user) -> QuerySet[WishNotice]:
    return _notices(user).filter(wish__person__user=user).order_by("read_at", "-created_at",
                                                                   "-pk")


def notice_get(*, user, pk) -> WishNotice:
    try:
        return _notices(user).get(pk=pk, wish__person__user=user)
    except (WishNotice.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def notices_for_wish(wish: TrainingWish) -> QuerySet[WishNotice]:
    return WishNotice.objects.filter(wish=wish).select_related("training_class__institution")


# ---------------------------------------------------------------- the summary (counts only)

SUMMARY_PERMISSION = "training.summary_trainingwish"


def _summary_reach(user):
    """The wishes the user may count, and the regions they may ask about: an officer's
    scope; an institution's region and below (an own-institution grant of the summary
    permission counts the wishes of the institution's region, never shows one)."""
    reach = user_reach(user, SUMMARY_PERMISSION)
    if not reach.granted:
        raise Forbidden("没有查看培训意愿汇总的权限")
    qs = TrainingWish.objects.restrict(user, "summary")
    paths = list(reach.region_paths)
    if reach.institution_ids:
        from jineng.orgs.models import Institution

        inst_paths = list(Institution.objects.filter(pk__in=reach.institution_ids)
                          .values_list("region__path", flat=True))
        paths += inst_paths
        if inst_paths:
            extra = Q()
            for p in inst_paths:
                extra |= Q(region__path__startswith=p)
            qs = qs | TrainingWish.objects.filter(extra)
    return reach, qs, paths


def summary_regions(user) -> QuerySet[Region]:
    """The regions the user may pick for the summary."""
    reach, _, paths = _summary_reach(user)
    if reach.everything:
        return Region.objects.filter(is_active=True)
    condition = Q(pk__in=sorted(reach.region_ids)) if reach.region_ids else Q(pk__in=[])
    for p in paths:
        condition |= Q(path__startswith=p)
    return Region.objects.filter(condition, is_active=True)


def summary_home(user) -> Region | None:
    """Where the summary starts: the user's region, or their institution's."""
    regions = summary_regions(user)
    for candidate in (getattr(user, "region", None),
                      getattr(getattr(user, "institution", None), "region", None)):
        if candidate is not None and regions.filter(pk=candidate.pk).exists():
            return candidate
    return regions.order_by("level", "code").first()


@dataclass
class SummaryRow:
    key: str
    label: str
    wishes: int
    people: int
    code: str = ""  # a region's code, to drill down
    drill: bool = False


@dataclass
class WishSummary:
    region: Region
    year: int | None
    occupation: Occupation | None
    wishes: int
    people: int
    by_region: list[SummaryRow]
    by_group: list[SummaryRow]
    by_occupation: list[SummaryRow]
    parent: Region | None = None  # one level up, when the user may see it
    period_from: dt.date | None = None
    period_to: dt.date | None = None


def wish_summary(*, user, region: Region | None = None, occupation: Occupation | None = None,
                 year: int | None = None, period_from: dt.date | None = None,
                 period_to: dt.date | None = None) -> WishSummary:
    """Counts of active wishes (and of the people behind them) in `region` and below, by the
    region's next level, by target group and by occupation; `year` counts the wishes recorded
    that year; `period_from`/`period_to` those whose availability overlaps the period (a
    wish with no dates is available any time). Never a name or a number."""
    _, base, _ = _summary_reach(user)
    allowed = summary_regions(user)
    region = region or summary_home(user)
    if region is None or not allowed.filter(pk=region.pk).exists():
        message = "该地区不在您可查看的范围内"
        raise OutOfScope(message, errors={"region": message})
    qs = base.filter(is_active=True, region__path__startswith=region.path)
    if occupation is not None:
        qs = qs.filter(occupation=occupation)
    if year:
        qs = qs.filter(created_at__year=year)
    if period_from and period_to and period_to < period_from:
        message = f"期间止 {period_to:%Y-%m-%d} 早于期间起 {period_from:%Y-%m-%d}"
        raise ServiceError(message, errors={"period_to": message})
    if period_to:
        qs = qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=period_to))
    if period_from:
        qs = qs.filter(Q(available_to__isnull=True) | Q(available_to__gte=period_from))
    totals = qs.aggregate(wishes=Count("id"), people=Count("person", distinct=True))

    children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
    by_region = []
    if children:
        place = Case(*[When(region__path__startswith=c.path, then=Value(c.code))
                       for c in children], default=Value(""))
        counts = {row["place"]: row for row in qs.annotate(place=place).values("place").annotate(
            wishes=Count("id"), people=Count("person", distinct=True))}
        for c in children:
            row = counts.get(c.code)
            if row:
                by_region.append(SummaryRow(c.code, c.name, row["wishes"], row["people"],
                                            code=c.code, drill=True))
        own = counts.get("")
        if own:
            by_region.append(SummaryRow("", f"{region.name}（本级）", own["wishes"],
                                        own["people"]))
    elif totals["wishes"]:
        by_region.append(SummaryRow(region.code, region.name, totals["wishes"],
                                    totals["people"], code=region.code))

    groups = list(TargetGroup.objects.filter(is_active=True).order_by("sort_order", "code"))
    aggregates = {}
    for i, g in enumerate(groups):
        has = Q(person__target_groups__has=g.code)
        aggregates[f"w{i}"] = Count("id", filter=has)
        aggregates[f"p{i}"] = Count("person", filter=has, distinct=True)
    counted = qs.aggregate(**aggregates) if groups else {}
    by_group = [SummaryRow(g.code, g.name, counted[f"w{i}"], counted[f"p{i}"])
                for i, g in enumerate(groups) if counted.get(f"w{i}")]

    by_occupation = [
        SummaryRow(row["occupation__code"], f"{row['occupation__code']} {row['occupation__name']}",
                   row["wishes"], row["people"])
        for row in qs.values("occupation__code", "occupation__name").annotate(
            wishes=Count("id"), people=Count("person", distinct=True)
        ).order_by("-wishes", "occupation__code")]
    parent = region.parent if region.parent_id and allowed.filter(
        pk=region.parent_id).exists() else None
    return WishSummary(region=region, year=year, occupation=occupation,
                       period_from=period_from, period_to=period_to,
                       wishes=totals["wishes"], people=totals["people"], by_region=by_region,
                       by_group=by_group, by_occupation=by_occupation, parent=parent)


def summary_xlsx(summary: WishSummary, *, actor) -> bytes:
    """The summary as a workbook (three sheets); the export is audited."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7"})
    title = (f"{summary.region.name} 培训意愿汇总"
             + (f"（{summary.year} 年登记）" if summary.year else "")
             + (f"（可参训 {summary.period_from or '…'} 至 {summary.period_to or '…'}）"
                if summary.period_from or summary.period_to else "")
             + (f" · {summary.occupation.name}" if summary.occupation else ""))
    for sheet_name, first, rows in (("按地区", "地区", summary.by_region),
                                    ("按重点群体", "重点群体", summary.by_group),
                                    ("按职业", "职业", summary.by_occupation)):
        sheet = book.add_worksheet(sheet_name)
        sheet.write_string(0, 0, title)
        sheet.write_row(1, 0, [first, "意愿（人次）", "人数"], bold)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, 2, 14)
        for r, row in enumerate(rows, start=2):
            sheet.write_string(r, 0, row.label)
            sheet.write_number(r, 1, row.wishes)
            sheet.write_number(r, 2, row.people)
        sheet.write_string(len(rows) + 2, 0, "合计")
        sheet.write_number(len(rows) + 2, 1, summary.wishes)
        sheet.write_number(len(rows) + 2, 2, summary.people)
    book.close()
    with transaction.atomic():
        audit_record(actor=actor, action=CoreAction.EXPORT, object_type="training.trainingwish",
                     changes={"summary": summary.region.code, "year": summary.year,
                              "occupation": summary.occupation.code if summary.occupation
                              else None})
    return buffer.getvalue()


# ---------------------------------------------------------------- archive sections


def archive_wish_rows(person: Person, user) -> list[list]:
    rows = []
    for w in wish_list(user=user, active="1").filter(person=person):
        when = _period(w)
        rows.append([f"{w.occupation.name}" + (f"（{w.work_type.name}）" if w.work_type_id else ""),
                     w.level.name if w.level_id else "—", w.region.name,
                     when + (f" {w.time_note}" if w.time_note else "")])
    return rows


def archive_notice_rows(person: Person, user) -> list[list]:
    from django.urls import reverse
    from django.utils.html import format_html

    rows = []
    own = person.user_id is not None and person.user_id == getattr(user, "pk", None)
    for n in _notices(user).filter(wish__person=person).order_by("-created_at")[:20]:
        c = n.training_class
        name = (format_html('<a href="{}">{}</a>', reverse("training:my_notice", args=[n.pk]),
                            c.name) if own else c.name)
        rows.append([name, c.institution.name,
                     f"{c.start_date:%Y-%m-%d} 至 {c.end_date:%Y-%m-%d}",
                     "已读" if n.read_at else "未读"])
    return rows


def _period(w: TrainingWish) -> str:
    if w.available_from and w.available_to:
        return f"{w.available_from:%Y-%m-%d} 至 {w.available_to:%Y-%m-%d}"
    if w.available_from:
        return f"{w.available_from:%Y-%m-%d} 起"
    if w.available_to:
        return f"{w.available_to:%Y-%m-%d} 前"
    return "时间不限"


def register_archive_sections() -> None:
    """The worker's archive shows their wishes and the notices of classes that opened."""
    from jineng.people.selectors import ArchiveSection, register_archive_section

    register_archive_section(ArchiveSection(
        key="training_wishes", title="培训意愿", order=12,
        columns=["想学的职业（工种）", "等级", "可参训地区", "可参训时间"],
        rows=archive_wish_rows, empty_text="暂无培训意愿"))
    register_archive_section(ArchiveSection(
        key="wish_notices", title="开班通知", order=13,
        columns=["培训班", "培训机构", "培训时间", "状态"],
        rows=archive_notice_rows, empty_text="暂无开班通知"))
