"""Every write to the catalogue, the policy tables, programmes and budgets (validate, change,
audit, in one transaction), and `resolve`, which says which figure applies where and when."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from jineng.catalog.events import CatalogAction
from jineng.catalog.lock_objects import fund_budget_lock, policy_version_lock, work_type_lock
from jineng.catalog.models import (
    CatalogueEntry,
    FundBudget,
    FundSource,
    Occupation,
    OccupationLevel,
    PolicyDocument,
    PolicyKind,
    PolicyVersion,
    Programme,
    ProgrammeKind,
    SkillLevel,
    WorkType,
)
from jineng.catalog.policies import KINDS, MAX_FEN, validation_errors
from jineng.core.actors import user_or_none
from jineng.core.audit import audit_record, diff, snapshot
from jineng.core.codes import clean_text
from jineng.core.errors import Conflict, NotFound, ServiceError
from jineng.core.events import CoreAction
from jineng.core.refusals import require, require_region
from jineng.core.scope import permission_code
from jineng.orgs.lock_objects import region_lock
from jineng.orgs.models import Department, Region
from jineng.orgs.target_groups import TargetGroupVocabulary, unknown_message

CODE_RE = re.compile(r"^[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}$")
MAX_DATE = dt.date.max
# An evaluation-subsidy table gives a figure for each of these (the eight-level additions
# 学徒工, 特级技师, 首席技师 are optional).
EVALUATION_REQUIRED_LEVELS = frozenset({"special", "5", "4", "3", "2", "1"})


def _text(value) -> str:
    """Free text as typed (Chinese punctuation kept), without surrounding blanks. Codes go
    through `clean_text`, which also folds full-width characters."""
    return "" if value is None else str(value).strip()


def _fail(field: str, message: str, cls=ServiceError):
    raise cls(message, errors={field: message})


def _created(actor, obj, fields: tuple[str, ...], action: str = CoreAction.CREATE):
    audit_record(actor=actor, action=action, obj=obj,
                 changes={k: [None, v] for k, v in snapshot(obj, fields).items()})
    return obj


# ---------------------------------------------------------------- occupations


@dataclass
class ImportResult:
    edition: str
    created: int
    superseded: int
    mapped: int


def _parent_code_candidates(code: str) -> list[str]:
    """6-12-02-03 → [6-12-02-00, 6-12-00-00, 6-00-00-00]."""
    parts = code.split("-")
    out = []
    for i in range(3, 0, -1):
        candidate = "-".join(parts[:i] + ["00"] * (4 - i))
        if candidate != code and candidate not in out:
            out.append(candidate)
    return out


def _clean_occupation_rows(rows: Iterable[dict]) -> dict[str, dict]:
    """Validate and de-duplicate; a code listed as 小类 and as 职业 is one 职业 row."""
    out: dict[str, dict] = {}
    errors = {}
    for n, row in enumerate(rows, start=2):
        code = clean_text(row.get("code"))
        name = _text(row.get("name"))
        level = clean_text(row.get("level"))
        mark = clean_text(row.get("mark")).upper()
        if not CODE_RE.match(code):
            errors[f"row{n}.code"] = f"第 {n} 行：职业代码「{code}」格式应为 X-XX-XX-XX"
        elif level not in {"1", "2", "3", "4"}:
            errors[f"row{n}.level"] = f"第 {n} 行：层级应为 1–4"
        elif not name:
            errors[f"row{n}.name"] = f"第 {n} 行：名称不能为空"
        elif mark not in {"", "S", "L", "L/S", "S/L"}:
            errors[f"row{n}.mark"] = f"第 {n} 行：标识应为 S、L 或 L/S"
        else:
            previous = out.get(code)
            if previous and previous["name"] != name:
                errors[f"row{n}.code"] = f"第 {n} 行：代码 {code} 重复且名称不同"
            level_n = max(int(level), previous["level"] if previous else 0)
            out[code] = {"code": code, "name": name, "level": level_n,
                         "is_digital": "S" in mark, "is_green": "L" in mark}
    if errors:
        raise ServiceError(f"职业分类数据有 {len(errors)} 处错误，未导入", errors=errors)
    return out


def _link_parents(created: dict[str, Occupation], ordered: list[dict]) -> list[Occupation]:
    changed = []
    for row in ordered:
        if row["level"] == OccupationLevel.MAJOR:
            continue
        obj = created[row["code"]]
        for candidate in _parent_code_candidates(row["code"]):
            parent = created.get(candidate)
            if parent is not None and parent.level < obj.level:
                obj.parent = parent
                changed.append(obj)
                break
    return changed


@transaction.atomic
def occupation_edition_import(
    *, actor, edition: str, rows: Iterable[dict], successor_map: dict[str, str] | None = None,
) -> ImportResult:
    """Import an edition of 《职业分类大典》. Rows of the previous edition stay (records keep
    referring to them), become not current, and point to their successor: the row of the same
    code, or the one `successor_map` names for a renumbered code."""
    require(actor, permission_code(Occupation, "add"))
    edition = clean_text(edition)
    if not re.fullmatch(r"[0-9]{4}[a-z]?", edition):
        _fail("edition", "版本应为年份，如 2022")
    if Occupation.objects.filter(edition=edition).exists():
        _fail("edition", f"{edition} 版职业分类已导入", Conflict)
    cleaned = _clean_occupation_rows(rows)
    ordered = sorted(cleaned.values(), key=lambda r: (r["level"], r["code"]))
    objs = [Occupation(edition=edition, is_current=True, **row) for row in ordered]
    Occupation.objects.bulk_create(objs, batch_size=1000)
    created = {o.code: o for o in Occupation.objects.filter(edition=edition)}
    Occupation.objects.bulk_update(_link_parents(created, ordered), ["parent"], batch_size=1000)
    superseded, mapped = _supersede_previous(edition, created, successor_map or {})
    audit_record(actor=actor, action=CatalogAction.IMPORT_EDITION, object_type="catalog.occupation",
                 object_id=edition, object_repr=f"职业分类大典 {edition} 版",
                 changes={"rows": len(objs), "superseded": superseded, "mapped": mapped})
    return ImportResult(edition, len(objs), superseded, mapped)


def _supersede_previous(edition: str, created: dict[str, Occupation],
                        successor_map: dict[str, str]) -> tuple[int, int]:
    old = list(Occupation.objects.filter(is_current=True).exclude(edition=edition))
    old_codes = {occ.code for occ in old}
    unknown_new = sorted(new for new in successor_map.values() if new not in created)
    unknown_old = sorted(code for code in successor_map if code not in old_codes)
    if unknown_new or unknown_old:
        parts = ([f"新代码不存在：{'、'.join(unknown_new[:10])}"] if unknown_new else []) + \
            ([f"旧代码不在现行版本中：{'、'.join(unknown_old[:10])}"] if unknown_old else [])
        _fail("successor_map", "新旧代码对照表有误：" + "；".join(parts))
    for occ in old:
        occ.successor = created.get(successor_map.get(occ.code) or occ.code)
        occ.is_current = False
    Occupation.objects.bulk_update(old, ["successor", "is_current"], batch_size=1000)
    _copy_work_types([occ for occ in old if occ.successor is not None])
    return len(old), sum(occ.successor is not None for occ in old)


def _copy_work_types(old: list[Occupation]) -> None:
    """Each old occupation's 工种 also under its successor (one read, one insert)."""
    successor = {occ.pk: occ.successor for occ in old}
    rows = WorkType.objects.filter(occupation_id__in=successor).values_list("occupation_id",
                                                                             "name")
    WorkType.objects.bulk_create(
        [WorkType(occupation=successor[occ_id], name=name) for occ_id, name in rows],
        ignore_conflicts=True, batch_size=1000,
    )


def occupation_current(code: str) -> Occupation | None:
    """The current row for a code, following old codes to their successor."""
    occ = (Occupation.objects.filter(code=code).order_by("-is_current", "-edition")
           .select_related("successor").first())
    seen = set()
    while occ is not None and not occ.is_current and occ.successor_id and occ.pk not in seen:
        seen.add(occ.pk)
        occ = occ.successor
    return occ if occ is not None and occ.is_current else None


WORK_TYPE_FIELDS = ("occupation", "name", "is_active")


def _work_type_refusal(verb: str) -> str:
    return f"您的角色不能{verb}工种：工种是全省共用的参考数据，由省级经办人员维护"


def _work_type_name(occupation: Occupation, name, *, exclude_pk=None) -> str:
    """The name as stored, unless it is empty or already taken under this occupation."""
    name = _text(name)
    if not name:
        _fail("name", "工种名称不能为空")
    if len(name) > WorkType._meta.get_field("name").max_length:
        _fail("name", "工种名称不能超过 100 个字")
    if occupation.work_types.filter(name=name).exclude(pk=exclude_pk).exists():
        _fail("name", f"职业「{occupation.name}」下已有工种「{name}」", Conflict)
    return name


def occupation_find(text: str) -> tuple[Occupation | None, str]:
    """The current occupation (第 4 层) meant by a code (old codes followed) or an exact
    name, or None and a message in Chinese saying why not."""
    text = clean_text(text or "")
    if CODE_RE.match(text):
        occupation = occupation_current(text)
        return (occupation, "") if occupation else (None, f"职业代码 {text} 不存在")
    named = list(Occupation.objects.filter(name=text, is_current=True,
                                           level=OccupationLevel.OCCUPATION)[:6])
    if len(named) == 1:
        return named[0], ""
    if not named:
        return None, f"职业「{text}」不存在，请输入职业分类大典中的职业名称或代码"
    listed = "、".join(f"{o.code} {o.name}" for o in named[:5])
    return None, f"名为「{text}」的职业不止一个（{listed}），请输入职业代码"


@transaction.atomic
def work_type_create(*, actor, occupation: Occupation, name: str) -> WorkType:
    require(actor, permission_code(WorkType, "add"), message=_work_type_refusal("新增"))
    if occupation.level != OccupationLevel.OCCUPATION or not occupation.is_current:
        _fail("occupation", "工种只能建在现行版本的职业（第 4 层）下")
    name = _work_type_name(occupation, name)
    work_type = WorkType.objects.create(occupation=occupation, name=name)
    return _created(actor, work_type, WORK_TYPE_FIELDS)


@transaction.atomic
def work_type_update(*, actor, work_type: WorkType, name: str | None = None,
                     is_active: bool | None = None) -> WorkType:
    """Rename a 工种, or retire it (is_active=False: new catalogues may no longer name it;
    the catalogues that already do keep it) or bring it back."""
    require(actor, permission_code(WorkType, "change"), message=_work_type_refusal("修改"))
    work_type = work_type_lock(work_type)
    before = snapshot(work_type, WORK_TYPE_FIELDS)
    if name is not None:
        work_type.name = _work_type_name(work_type.occupation, name, exclude_pk=work_type.pk)
    if is_active is not None:
        work_type.is_active = bool(is_active)
    work_type.save()
    changes = diff(before, snapshot(work_type, WORK_TYPE_FIELDS))
    if changes:
        audit_record(actor=actor, action=CoreAction.UPDATE, obj=work_type, changes=changes)
    return work_type


# ---------------------------------------------------------------- documents

DOCUMENT_FIELDS = ("region", "issuer", "title", "number", "issued_on", "source")


@transaction.atomic
def policy_document_create(
    *, actor, region: Region, issuer: str, title: str, number: str = "",
    issued_on: dt.date | None = None, source: str = "",
) -> PolicyDocument:
    require_region(actor, PolicyDocument, "add", region)
    issuer, title, number = _text(issuer), _text(title), _text(number)
    errors = {}
    if not issuer:
        errors["issuer"] = "发文机关不能为空"
    if not title:
        errors["title"] = "标题不能为空"
    elif PolicyDocument.objects.filter(region=region, title=title).exists():
        errors["title"] = f"「{region.name}」已有同名文件"
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    document = PolicyDocument.objects.create(
        region=region, issuer=issuer, title=title, number=number, issued_on=issued_on,
        source=_text(source),
    )
    return _created(actor, document, DOCUMENT_FIELDS)


# ---------------------------------------------------------------- policy versions

VERSION_FIELDS = ("kind", "region", "number", "valid_from", "valid_to", "data", "document",
                  "section", "is_sample", "note", "supersedes")


def policy_data_validate(kind: str, data, *, keep_groups=()) -> dict:
    """The data as the kind's schema accepts it, or ServiceError with Chinese messages.
    A catalogue's target groups (codes or names) become codes; `keep_groups`: codes the
    version being revised already has, kept even if their group has since been switched off."""
    spec = KINDS.get(kind)
    if spec is None:
        _fail("kind", f"不认识的政策类型「{kind}」")
    if not isinstance(data, dict):
        _fail("data", "政策内容应为 JSON 对象")
    try:
        model = spec.schema.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc)
        raise ServiceError("政策内容不正确：" + "；".join(list(errors.values())[:5]),
                           errors=errors) from None
    cleaned = model.model_dump(mode="json")
    _check_levels(kind, cleaned)
    _check_target_groups(kind, cleaned, keep=keep_groups)
    return cleaned


def _check_target_groups(kind: str, data: dict, keep=()) -> None:
    if kind != PolicyKind.TRAINING_SUBSIDY:
        return
    vocabulary = TargetGroupVocabulary()
    errors = {}
    for i, line in enumerate(data["entries"]):
        line["target_groups"], unknown = vocabulary.parse(line["target_groups"], keep=keep)
        if unknown:
            errors[f"entries.{i}.target_groups"] = f"第 {i + 1} 行：{unknown_message(unknown)}"
    if errors:
        summary = "；".join(list(errors.values())[:5])
        raise ServiceError(f"目录有 {len(errors)} 行不正确：{summary}", errors=errors)


def _groups_of(version: PolicyVersion) -> set[str]:
    """The target-group codes a catalogue version's lines carry."""
    return {code for line in version.data.get("entries", []) for code in line["target_groups"]}


def _check_levels(kind: str, data: dict) -> None:
    if kind == PolicyKind.EVALUATION_SUBSIDY:
        used = set(data["amounts_fen"])
    elif kind == PolicyKind.TRAINING_SUBSIDY:
        used = {line["level"] for line in data["entries"]}
    else:
        return
    names = dict(SkillLevel.objects.order_by("rank").values_list("code", "name"))
    unknown = sorted(used - set(names))
    if unknown:
        available = "、".join(f"{name}（{code}）" for code, name in names.items())
        message = f"等级「{'、'.join(unknown)}」不存在；可用等级（编码）：{available}"
        _fail("level", message)
    if kind == PolicyKind.EVALUATION_SUBSIDY:
        # Resolution takes one version whole (no merging with the region above), so a table
        # that leaves a level out would silently stop subsidising it: all six are required.
        missing = [code for code in names if code in EVALUATION_REQUIRED_LEVELS
                   and code not in used]
        if missing:
            listed = "、".join(f"{names[c]}（{c}）" for c in missing)
            _fail("amounts_fen", f"评价补贴标准须列出专项职业能力和五级至一级共 6 个等级的金额，"
                                 f"缺少：{listed}")


def _check_period(valid_from, valid_to) -> None:
    if not isinstance(valid_from, dt.date):
        _fail("valid_from", "请填写生效日期")
    if valid_to is not None and valid_to < valid_from:
        _fail("valid_to", "截止日期不能早于生效日期")


def _check_source(document, is_sample: bool) -> None:
    if document is None and not is_sample:
        _fail("document", "请选择依据文件；没有文件依据的数据须标为示例数据")
    if document is not None and is_sample:
        _fail("is_sample", "示例数据不能关联政策文件")


def _overlapping(kind: str, region: Region, valid_from, valid_to, exclude_pk=None):
    end = valid_to or MAX_DATE
    return (
        PolicyVersion.objects.filter(kind=kind, region=region, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .exclude(pk=exclude_pk)
        .order_by("valid_from")
        .first()
    )


def _check_past_unchanged(kind: str, region: Region, valid_from: dt.date,
                          valid_to: dt.date | None) -> None:
    """A version that starts before today may not change what a past date resolves to: it is
    refused when, on any day of [valid_from, today) it would cover, a version of this kind is
    already in force for the region, a region above it or one below it (i.e. `resolve` for the
    region or any region under it returns something). Entering a historical document for days
    that had no figure stays possible."""
    today = timezone.localdate()
    if valid_from >= today:
        return
    past_end = today - dt.timedelta(days=1)
    if valid_to is not None and valid_to < past_end:
        past_end = valid_to
    clash = (
        PolicyVersion.objects.filter(kind=kind, valid_from__lte=past_end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .filter(Q(region__code__in=ancestor_codes(region))
                | Q(region__path__startswith=region.path))
        .select_related("region")
        .order_by("valid_from", "region__level")
        .first()
    )
    if clash is None:
        return
    first_day = max(clash.valid_from, valid_from)
    _fail("valid_from",
          f"生效日期 {valid_from.isoformat()} 早于今天（{today.isoformat()}），而"
          f"「{clash.region.name}」的{KINDS[kind].label}第 {clash.number} 版"
          f"（{_period_label(clash)}）自 {first_day.isoformat()} 起已适用于「{region.name}」"
          "或其下级地区；发布不能改变过去日期已执行的政策，请将生效日期定为今天或以后",
          Conflict)


def _period_label(version: PolicyVersion) -> str:
    end = version.valid_to.isoformat() if version.valid_to else "长期"
    return f"{version.valid_from.isoformat()} 至 {end}"


def _catalogue_lines(actor, data: dict, may_add_work_types: bool) -> list[dict]:
    """Resolve the catalogue's occupation codes, 工种 and levels; every unknown code is named.
    工种 named for the first time are created (set-based, audited) when the publisher may add
    工种 (a province officer); for anyone else they are refused, named."""
    lines = data["entries"]
    codes = {line["occupation_code"] for line in lines}
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=codes, is_current=True)}
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    errors = {}
    for i, line in enumerate(lines, start=1):
        occ = occupations.get(line["occupation_code"])
        if occ is None or occ.level != OccupationLevel.OCCUPATION:
            errors[f"entries.{i - 1}.occupation_code"] = (
                f"第 {i} 行：职业代码 {line['occupation_code']} 不是现行职业分类大典中的职业")
    if errors:
        summary = "；".join(list(errors.values())[:5])
        raise ServiceError(f"目录有 {len(errors)} 行不正确：{summary}", errors=errors)
    work_types = _work_types_for(actor, {(occupations[line["occupation_code"]], line["work_type"])
                                         for line in lines if line["work_type"]},
                                 may_add=may_add_work_types)
    return [{"occupation": occupations[line["occupation_code"]],
             "work_type": work_types.get((line["occupation_code"], line["work_type"])),
             "level": levels[line["level"]], "line": line} for line in lines]


def _work_types_for(actor, wanted: set[tuple[Occupation, str]],
                    may_add: bool) -> dict[tuple[str, str], WorkType]:
    """{(occupation code, name): WorkType}, creating the missing ones in one statement."""
    if not wanted:
        return {}
    occ_ids = {occ.pk for occ, _ in wanted}
    existing = {(w.occupation_id, w.name): w for w in
                WorkType.objects.filter(occupation_id__in=occ_ids).select_related("occupation")}
    retired = sorted(f"{occ.name}（{name}）" for occ, name in wanted
                     if (occ.pk, name) in existing and not existing[occ.pk, name].is_active)
    if retired:
        _fail("work_type", f"工种已停用，不能列入新目录：{'、'.join(retired[:10])}")
    missing = [WorkType(occupation=occ, name=name) for occ, name in sorted(
        wanted, key=lambda pair: (pair[0].code, pair[1])) if (occ.pk, name) not in existing]
    if missing and not may_add:
        unknown = "、".join(f"{w.occupation.name}（{w.name}）" for w in missing[:10])
        _fail("work_type", f"工种不存在：{unknown}。工种由省级经办人员维护，请先请其新增，"
                           "或将该行的工种留空")
    if missing:
        WorkType.objects.bulk_create(missing)
        audit_record(actor=actor, action=CoreAction.CREATE, object_type="catalog.worktype",
                     object_repr=f"随目录新增工种 {len(missing)} 个",
                     changes={"work_types": [f"{w.occupation.code} {w.name}" for w in missing]})
        existing = {(w.occupation_id, w.name): w for w in
                    WorkType.objects.filter(occupation_id__in=occ_ids)
                    .select_related("occupation")}
    return {(w.occupation.code, w.name): w for w in existing.values()}


def _write_entries(version: PolicyVersion, resolved: list[dict]) -> None:
    CatalogueEntry.objects.bulk_create([
        CatalogueEntry(
            version=version, occupation=r["occupation"], work_type=r["work_type"],
            level=r["level"], subsidy_fen=r["line"]["amount_fen"],
            min_hours=r["line"]["min_hours"], direct_subsidy=r["line"]["direct_subsidy"],
            target_groups=r["line"]["target_groups"],
        )
        for r in resolved
    ], batch_size=1000)


def _create_version(*, actor, kind, region, valid_from, valid_to, data, document, section,
                    is_sample, note, supersedes=None) -> PolicyVersion:
    may_add_work_types = actor.has_permission(permission_code(WorkType, "add"))
    resolved = _catalogue_lines(actor, data, may_add_work_types) \
        if kind == PolicyKind.TRAINING_SUBSIDY else None
    last = PolicyVersion.objects.filter(kind=kind, region=region).order_by("-number").first()
    version = PolicyVersion.objects.create(
        kind=kind, region=region, number=(last.number + 1) if last else 1,
        valid_from=valid_from, valid_to=valid_to, data=data, document=document,
        section=_text(section), is_sample=is_sample, note=_text(note),
        supersedes=supersedes, created_by=user_or_none(actor),
    )
    if resolved is not None:
        _write_entries(version, resolved)
    return _created(actor, version, VERSION_FIELDS, action=CatalogAction.PUBLISH)


@transaction.atomic
def policy_version_publish(
    *, actor, kind: str, region: Region, valid_from: dt.date, valid_to: dt.date | None = None,
    data: dict, document: PolicyDocument | None = None, section: str = "",
    is_sample: bool = False, note: str = "",
) -> PolicyVersion:
    """Publish a new version for a period that no other version of this kind and region
    covers. It may start before today only over days on which nothing of this kind is in force
    for the region, above or below it (a past date never changes what it resolves to). Figures
    are validated by the kind's schema; nothing is written on any error."""
    require_region(actor, PolicyVersion, "add", region)
    data = policy_data_validate(kind, data)
    _check_period(valid_from, valid_to)
    _check_source(document, is_sample)
    region_lock(region)
    clash = _overlapping(kind, region, valid_from, valid_to)
    if clash is not None:
        message = (f"「{region.name}」的{KINDS[kind].label}第 {clash.number} 版"
                   f"（{_period_label(clash)}）与所填期间重叠；修改现行政策请用“修订”")
        _fail("valid_from", message, Conflict)
    _check_past_unchanged(kind, region, valid_from, valid_to)
    return _create_version(actor=actor, kind=kind, region=region, valid_from=valid_from,
                           valid_to=valid_to, data=data, document=document, section=section,
                           is_sample=is_sample, note=note)


@transaction.atomic
def policy_version_revise(
    *, actor, version: PolicyVersion, valid_from: dt.date, data: dict,
    document: PolicyDocument | None = None, section: str = "", is_sample: bool = False,
    note: str = "",
) -> PolicyVersion:
    """Edit a policy: a new version from `valid_from` (today or later); the old one keeps its
    figures and ends the day before, so every earlier date resolves as it did."""
    require_region(actor, PolicyVersion, "add", version.region)
    data = policy_data_validate(version.kind, data, keep_groups=_groups_of(version))
    _check_period(valid_from, None)
    _check_source(document, is_sample)
    region_lock(version.region)
    version = policy_version_lock(version)
    if PolicyVersion.objects.filter(supersedes=version).exists():
        _fail("version", f"第 {version.number} 版已被修订，请在最新版本上修订", Conflict)
    today = timezone.localdate()
    if valid_from < today:
        _fail("valid_from", f"修订不能追溯生效：生效日期不能早于今天（{today.isoformat()}），"
                            "已发生的日期须仍按原版本执行")
    if valid_from <= version.valid_from:
        _fail("valid_from", f"新版本的生效日期须晚于第 {version.number} 版的生效日期"
                            f" {version.valid_from.isoformat()}")
    if version.valid_to is not None and valid_from > version.valid_to:
        _fail("valid_from", f"第 {version.number} 版已于 {version.valid_to.isoformat()} 截止，"
                            "请直接发布新版本")
    old_end = version.valid_to
    version.valid_to = valid_from - dt.timedelta(days=1)
    version.save(update_fields=["valid_to"])
    audit_record(actor=actor, action=CatalogAction.CLOSE, obj=version,
                 changes={"valid_to": [old_end, version.valid_to]})
    return _create_version(
        actor=actor, kind=version.kind, region=version.region, valid_from=valid_from,
        valid_to=old_end, data=data, document=document, section=section, is_sample=is_sample,
        note=note, supersedes=version,
    )


# ---------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Resolution:
    """The figures in force for a kind, region and date, and where they came from."""

    kind: str
    region: Region  # the region asked about
    on_date: dt.date
    version: PolicyVersion

    @property
    def data(self) -> dict:
        return self.version.data

    @property
    def inherited(self) -> bool:
        """True when the figures come from a region above the one asked about."""
        return self.version.region_id != self.region.pk

    @property
    def source_label(self) -> str:
        return self.version.source_label


def ancestor_codes(region: Region) -> list[str]:
    """The region's code and those above it, from the province down."""
    return [c for c in region.path.strip("/").split("/") if c]


def resolve(kind: str, region: Region, on_date: dt.date) -> Resolution:
    """The version of `kind` in force on `on_date` for `region`: the most specific region
    (county over city over province) whose version's period covers the date."""
    if kind not in KINDS:
        _fail("kind", f"不认识的政策类型「{kind}」；可用类型：{'、'.join(KINDS)}")
    version = (
        PolicyVersion.objects.filter(kind=kind, region__code__in=ancestor_codes(region),
                                     valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .select_related("region", "document")
        .order_by("-region__level", "-valid_from")
        .first()
    )
    if version is None:
        raise NotFound(f"「{region.name}」在 {on_date.isoformat()} 没有生效的{KINDS[kind].label}")
    return Resolution(kind=kind, region=region, on_date=on_date, version=version)


policy_resolve = resolve


def training_subsidy_for(*, region: Region, on_date: dt.date, occupation_code: str,
                         level: str, work_type: str = "") -> tuple[CatalogueEntry, Resolution]:
    """The catalogue line for an occupation (or 工种) and level in force; NotFound if the
    catalogue in force does not list it."""
    resolution = resolve(PolicyKind.TRAINING_SUBSIDY, region, on_date)
    entries = resolution.version.entries.select_related("occupation", "level", "work_type")
    occupation = occupation_current(occupation_code)
    codes = {occupation_code} | ({occupation.code} if occupation else set())
    entries = entries.filter(occupation__code__in=codes, level__code=level)
    entry = (entries.filter(work_type__name=work_type).first() if work_type else None) or \
        entries.filter(work_type__isnull=True).first()
    if entry is None:
        raise NotFound(f"{resolution.version.region.name}现行目录未列入职业 {occupation_code}"
                       f" 等级 {level}")
    return entry, resolution


# ---------------------------------------------------------------- programmes

PROGRAMME_FIELDS = ("region", "code", "name", "kind", "period_start", "period_end", "goal",
                    "responsible", "departments", "target_groups", "occupations",
                    "fund_sources", "document", "section", "is_active")


def _programme_clean(data: dict, region: Region, exclude_pk=None, keep_groups=()) -> dict:
    errors = {}
    for key in ("code", "name", "goal", "responsible", "section"):
        if key in data:
            data[key] = clean_text(data[key]) if key == "code" else _text(data[key])
    if not data.get("code"):
        errors["code"] = "编号不能为空"
    if not data.get("name"):
        errors["name"] = "名称不能为空"
    if data.get("kind") not in ProgrammeKind.values:
        errors["kind"] = "类别不正确"
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, dt.date):
        errors["period_start"] = "请填写开始日期"
    elif end is not None and end < start:
        errors["period_end"] = "结束日期不能早于开始日期"
    groups = data.get("target_groups") or []
    if isinstance(groups, str) or any(not isinstance(g, str) for g in groups):
        errors["target_groups"] = "重点群体应为编码或名称的列表"
    else:
        data["target_groups"], unknown = TargetGroupVocabulary().parse(groups, keep=keep_groups)
        if unknown:
            errors["target_groups"] = unknown_message(unknown)
    others = Programme.objects.filter(region=region).exclude(pk=exclude_pk)
    if data.get("code") and others.filter(code=data["code"]).exists():
        errors["code"] = f"「{region.name}」已有编号为 {data['code']} 的计划"
    departments = data.get("departments") or []
    if any(d.region_id and not region.path.startswith(d.region.path) and
           not d.region.path.startswith(region.path) for d in departments):
        errors["departments"] = "责任单位须属于本地区或其上下级"
    if errors:
        raise ServiceError(next(iter(errors.values())), errors=errors)
    return data


def _programme_set_relations(programme, departments, occupations, fund_sources) -> None:
    if departments is not None:
        programme.departments.set(departments)
    if occupations is not None:
        bad = [o.code for o in occupations if o.level != OccupationLevel.OCCUPATION]
        if bad:
            _fail("occupations", f"只能选择职业（第 4 层）：{'、'.join(bad)}")
        programme.occupations.set(occupations)
    if fund_sources is not None:
        programme.fund_sources.set(fund_sources)


@transaction.atomic
def programme_create(
    *, actor, region: Region, code: str, name: str, kind: str, period_start: dt.date,
    period_end: dt.date | None = None, goal: str = "", responsible: str = "",
    departments: list[Department] | None = None, target_groups: list[str] | None = None,
    occupations: list[Occupation] | None = None, fund_sources: list[FundSource] | None = None,
    document: PolicyDocument | None = None, section: str = "",
) -> Programme:
    require_region(actor, Programme, "add", region)
    data = _programme_clean({
        "code": code, "name": name, "kind": kind, "period_start": period_start,
        "period_end": period_end, "goal": goal, "responsible": responsible,
        "target_groups": target_groups or [], "departments": departments or [],
        "section": section,
    }, region)
    data.pop("departments")
    programme = Programme.objects.create(region=region, document=document, **data)
    _programme_set_relations(programme, departments or [], occupations or [], fund_sources or [])
    return _created(actor, programme, PROGRAMME_FIELDS)


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    require_region(actor, Programme, "change", programme.region)
    allowed = set(PROGRAMME_FIELDS) - {"region", "code"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"字段 {'、'.join(sorted(unknown))} 不可修改")
    before = snapshot(programme, PROGRAMME_FIELDS)
    relations = {k: fields.pop(k, None) for k in ("departments", "occupations", "fund_sources")}
    merged = {f: getattr(programme, f) for f in ("code", "name", "kind", "period_start",
                                                 "period_end", "goal", "responsible",
                                                 "target_groups", "section")}
    merged.update({k: v for k, v in fields.items() if k in merged})
    merged["departments"] = relations["departments"] or []
    data = _programme_clean(merged, programme.region, exclude_pk=programme.pk,
                            keep_groups=programme.target_groups)
    data.pop("departments")
    for key, value in data.items():
        setattr(programme, key, value)
    for key in ("document", "is_active"):
        if key in fields:
            setattr(programme, key, fields[key])
    programme.save()
    _programme_set_relations(programme, **relations)
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        audit_record(actor=actor, action=CoreAction.UPDATE, obj=programme, changes=changes)
    return programme


# ---------------------------------------------------------------- fund budgets


@transaction.atomic
def fund_budget_set(
    *, actor, source: FundSource, region: Region, year: int, amount_fen: int,
    note: str = "", is_sample: bool = False,
) -> FundBudget:
    """Set (create or change) the budget of a fund source for a region and year."""
    require_region(actor, FundBudget, "add", region)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        _fail("amount_fen", "预算金额应为整数（分）")
    if amount_fen < 0:
        _fail("amount_fen", "预算金额不能为负数")
    if amount_fen > MAX_FEN:
        _fail("amount_fen", f"预算金额（分）不能大于 {MAX_FEN}（{MAX_FEN // 100} 元）")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        _fail("year", "年度应为 2000–2100 之间的年份")
    if not source.is_active:
        _fail("source", f"资金来源「{source.name}」已停用")
    budget = fund_budget_lock(source, region, year)
    fields = ("source", "region", "year", "amount_fen", "note", "is_sample")
    if budget is None:
        budget = FundBudget.objects.create(source=source, region=region, year=year,
                                           amount_fen=amount_fen, note=_text(note),
                                           is_sample=is_sample)
        return _created(actor, budget, fields)
    before = snapshot(budget, fields)
    budget.amount_fen, budget.note, budget.is_sample = amount_fen, _text(note), is_sample
    budget.save()
    changes = diff(before, snapshot(budget, fields))
    if changes:
        audit_record(actor=actor, action=CoreAction.UPDATE, obj=budget, changes=changes)
    return budget


# ---------------------------------------------------------------- catalogue from a file


def catalogue_publish(
    *, actor, region: Region, lines: list[dict], valid_from: dt.date,
    valid_to: dt.date | None = None, revise: bool = False,
    document: PolicyDocument | None = None, section: str = "", is_sample: bool = False,
    note: str = "",
) -> PolicyVersion:
    """Publish a subsidised-occupation catalogue (e.g. read from a spreadsheet); with
    `revise`, it replaces the region's own catalogue in force from `valid_from`."""
    data = {"entries": lines}
    if not revise:
        return policy_version_publish(
            actor=actor, kind=PolicyKind.TRAINING_SUBSIDY, region=region, valid_from=valid_from,
            valid_to=valid_to, data=data, document=document, section=section,
            is_sample=is_sample, note=note)
    current = (
        PolicyVersion.objects.filter(kind=PolicyKind.TRAINING_SUBSIDY, region=region,
                                     valid_from__lt=valid_from)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)).first()
    )
    if current is None:
        _fail("revise", f"「{region.name}」在 {valid_from.isoformat()} 没有本级的现行目录可修订，"
                        "请取消“修订”直接发布")
    return policy_version_revise(actor=actor, version=current, valid_from=valid_from, data=data,
                                 document=document, section=section, is_sample=is_sample,
                                 note=note)
