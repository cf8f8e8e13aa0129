"""Reading a subsidised-occupation catalogue from a spreadsheet (.xlsx, .xls or .csv) with the
same columns as the public page's export, so a bureau can export, edit and publish again.

Every bad cell is reported with its row number as the user sees it and its column name; the
file is refused as a whole (a catalogue is published complete or not at all)."""

import re
from decimal import Decimal, InvalidOperation

from jineng.catalog.models import Occupation, OccupationLevel, SkillLevel
from jineng.catalog.policies import MAX_FEN, MAX_HOURS
from jineng.core.codes import clean_text
from jineng.core.errors import ServiceError
from jineng.core.spreadsheet_reader import ReadError, open_rows
from jineng.orgs.target_groups import TargetGroupVocabulary, unknown_message

COLUMNS = {
    "occupation_code": ("职业代码", "职业编码"),
    "work_type": ("工种",),
    "level": ("等级", "技能等级"),
    "amount": ("培训补贴标准（元）", "培训补贴标准", "补贴标准（元）", "补贴标准"),
    "min_hours": ("最低培训课时", "最低课时", "课时"),
    "direct_subsidy": ("证书直补",),
    "target_groups": ("适用群体", "重点群体"),
}
REQUIRED = ("occupation_code", "level", "amount", "min_hours")
HEADER_SEARCH_ROWS = 10
MAX_LINES = 20000
YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"否", "n", "no", "false", "0", ""}


def _norm(value) -> str:
    return re.sub(r"\s+", "", clean_text(value)).replace("(", "（").replace(")", "）")


def _header_map(cells: list) -> dict[str, int]:
    names = [_norm(c) for c in cells]
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    return found


def level_lookup() -> dict[str, str]:
    """Every way a level is written (code, name, short name, either half of 四级/中级工)."""
    out = {}
    for lv in SkillLevel.objects.all():
        for text in (lv.code, lv.name, lv.short_name, *lv.name.split("/")):
            out[_norm(text)] = lv.code
    return out


def _fen(value) -> int:
    text = clean_text(value).replace(",", "").replace("元", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为金额（元），如 1200 或 1200.50") from None
    if not amount.is_finite():
        raise ValueError("应为金额（元），如 1200 或 1200.50")
    if amount < 0:
        raise ValueError("不能为负数")
    if amount > MAX_FEN // 100:
        raise ValueError(f"金额不能大于 {MAX_FEN // 100} 元")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError("金额最多两位小数")
    return int(fen)


def _hours(value) -> int:
    text = clean_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为整数课时") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        raise ValueError("应为不小于 1 的整数课时")
    if number > MAX_HOURS:
        raise ValueError(f"课时不能大于 {MAX_HOURS}")
    return int(number)


def _yes_no(value) -> bool:
    text = _norm(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError("应填“是”或“否”")


def _line(cells: list, columns: dict[str, int], levels: dict[str, str]) -> tuple[dict, dict]:
    def cell(key):
        i = columns.get(key)
        return cells[i] if i is not None and i < len(cells) else ""

    line, errors = {}, {}
    line["occupation_code"] = _norm(cell("occupation_code"))
    line["work_type"] = str(cell("work_type") or "").strip()
    level = levels.get(_norm(cell("level")))
    if level is None:
        errors["level"] = f"等级「{clean_text(cell('level'))}」不存在"
    line["level"] = level
    for key, parse in (("amount", _fen), ("min_hours", _hours), ("direct_subsidy", _yes_no)):
        try:
            line["amount_fen" if key == "amount" else key] = parse(cell(key))
        except ValueError as exc:
            errors[key] = str(exc)
    groups = re.split(r"[、,，;；]", str(cell("target_groups") or ""))
    line["target_groups"] = [g.strip() for g in groups if g.strip()]
    return line, errors


def catalogue_lines_from_file(path, name: str = "") -> list[dict]:
    """The catalogue lines of a spreadsheet; ServiceError naming every bad row and column."""
    try:
        source = open_rows(path, name)
    except ReadError as exc:
        raise ServiceError(exc.message, errors={"file": exc.message}) from None
    try:
        return _read(source)
    except ReadError as exc:
        raise ServiceError(exc.message, errors={"file": exc.message}) from None
    finally:
        source.close()


def _read(source) -> list[dict]:
    columns, header_labels = None, {}
    levels = level_lookup()
    lines, numbers, errors = [], [], {}
    for number, cells in source.rows:
        if columns is None:
            found = _header_map(cells)
            if all(k in found for k in REQUIRED):
                columns = found
                header_labels = {k: str(cells[i]).strip() for k, i in found.items()}
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(clean_text(c) for c in cells):
            continue
        line, problems = _line(cells, columns, levels)
        for key, message in problems.items():
            label = header_labels.get(key, key)
            errors[f"row{number}.{key}"] = f"第 {number} 行「{label}」：{message}"
        lines.append(line)
        numbers.append(number)
        if len(lines) > MAX_LINES:
            raise ServiceError(f"目录超过 {MAX_LINES} 行", errors={"file": "行数过多"})
    if columns is None:
        needed = "、".join(COLUMNS[k][0] for k in REQUIRED)
        raise ServiceError(f"没有找到表头：前 {HEADER_SEARCH_ROWS} 行中须有列 {needed}",
                           errors={"file": "没有找到表头"})
    errors.update(_occupation_errors(lines, numbers, header_labels.get("occupation_code", "")))
    errors.update(_duplicate_errors(lines, numbers))
    errors.update(_target_group_errors(lines, numbers, header_labels.get("target_groups", "")))
    errors = dict(sorted(errors.items(), key=lambda kv: int(re.search(r"[0-9]+", kv[0]).group())))
    if not lines:
        raise ServiceError("文件中没有目录行", errors={"file": "文件中没有目录行"})
    if errors:
        first = "；".join(list(errors.values())[:5])
        raise ServiceError(f"文件有 {len(errors)} 处错误，未发布：{first}", errors=errors)
    return lines


def _occupation_errors(lines, numbers, label) -> dict[str, str]:
    codes = {line["occupation_code"] for line in lines}
    known = set(Occupation.objects.filter(code__in=codes, is_current=True,
                                          level=OccupationLevel.OCCUPATION)
                .values_list("code", flat=True))
    out = {}
    for line, number in zip(lines, numbers, strict=True):
        if line["occupation_code"] not in known:
            code = line["occupation_code"] or "（空）"
            out[f"row{number}.occupation_code"] = (
                f"第 {number} 行「{label}」：{code} 不是现行职业分类大典中的职业")
    return out


def _target_group_errors(lines, numbers, label) -> dict[str, str]:
    """Each line's target groups as codes; every name that is no active group, by row."""
    vocabulary = TargetGroupVocabulary()
    out = {}
    for line, number in zip(lines, numbers, strict=True):
        line["target_groups"], unknown = vocabulary.parse(line["target_groups"])
        if unknown:
            out[f"row{number}.target_groups"] = (
                f"第 {number} 行「{label}」：{unknown_message(unknown)}")
    return out


def _duplicate_errors(lines, numbers) -> dict[str, str]:
    seen: dict[tuple, int] = {}
    out = {}
    for line, number in zip(lines, numbers, strict=True):
        key = (line["occupation_code"], line["work_type"], line["level"])
        if key in seen:
            out[f"row{number}.duplicate"] = (
                f"第 {number} 行与第 {seen[key]} 行的职业、工种、等级相同")
        else:
            seen[key] = number
    return out
