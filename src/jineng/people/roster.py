"""A person's fields, declared once: the roster's column table and the parsers behind it.

The single-person service (people/services.py: `_clean`, the history labels and snapshots)
and the importer (importing/columns.py headers and template, rows.py validation, db.py
writes, run.py updates) both read `COLUMNS`, so one rule gives one Chinese message on both
paths: a parser raises `FieldError` with the message, each path puts the field's name in
front ("姓名：…" on a page, "第 3 行 学员姓名：…" in an import report).

Adding a roster column (a text or choice field without cross-field rules) touches three
places:
1. people/models.py: the `Person` field (and the migration `makemigrations` writes for it);
2. `COLUMNS` below: one `Column` (label, synonyms, parser, database column, encoder,
   change label; a parser here if none of the existing ones fits);
3. people/api_registry.py: the field in the API's PersonIn, PersonPatch and PersonOut.
Everything else follows from the table: the import template and header synonyms, row
validation (memoised), the COPY and executemany writes, updates and their history, the
service's validation and history, the person form and the archive page. (As every new
string does, the change label also needs its English msgstr in people/locale.)

Every parser takes a raw value (str, int, float, bool, date, datetime or None, as a
spreadsheet cell or a form gives it) and returns the clean value or raises FieldError. The
importer's fast path (rows.RowValidator) short-cuts the common cells and must agree with
these parsers (tests/people/test_roster.py checks it on generated cells).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from jineng.core.identity import IdentityNumber, mask, parse_identity
from jineng.people.models import Education, EmploymentStatus

EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
NAME_MAX = 50
# What no name holds (digits, markup, formula signs): one rule for the page, the API and the
# importer.
NAME_FORBIDDEN = re.compile(r"[0-9<>{}\[\]@#$%^&*=+|\\/]")
# C0 and C1 control characters other than tab and line breaks (which become spaces): NUL
# cannot be stored by PostgreSQL at all, the others are never part of a person's data.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "含有不可见的控制字符（如 NUL），请删除后重新填写"

_WS = re.compile(r"\s+")
_DATE_TEXT = re.compile(
    r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:\s*0{1,2}:0{1,2}(?::0{1,2})?)?$"
)
_DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_CJK_ONLY_SPACES = re.compile(r"(?<=[\u3400-\u9fff·])\s+(?=[\u3400-\u9fff·])")
_PHONE_STRIP = re.compile(r"[\s\-()（）]+")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SPLIT_GROUPS = re.compile(r"[、,，;；/|\n]+")
_CARD = re.compile(r"^[0-9A-Z]{6,32}$")
_SIX = re.compile(r"^[0-9]{6}([0-9]{6})?$")
_PARENS = re.compile(r"[(（].*?[)）]")


class FieldError(ValueError):
    """A value that cannot be accepted; `message` says why, in Chinese, without the field's
    name (each path adds its own)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- text


def text(value) -> str:
    """NFKC (full-width to half-width), line breaks and runs of spaces to one space, trimmed.
    Control characters are refused."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = value if isinstance(value, str) else str(value)
    if CONTROL.search(s):
        raise FieldError(CONTROL_MESSAGE)
    if s.isascii():
        return " ".join(s.split()) if " " in s or "\n" in s or "\t" in s else s.strip()
    return _WS.sub(" ", unicodedata.normalize("NFKC", s)).strip()


def lookup_key(value: str) -> str:
    """How names are compared (regions, target groups): NFKC, no spaces, lower case."""
    return unicodedata.normalize("NFKC", value).replace(" ", "").lower()


def name(value) -> str:
    s = _CJK_ONLY_SPACES.sub("", text(value)).replace("．", "·").replace("•", "·")
    if not s:
        raise FieldError("不能为空")
    if len(s) > NAME_MAX:
        raise FieldError(f"过长（{len(s)} 个字符，最多 {NAME_MAX} 个）")
    if NAME_FORBIDDEN.search(s):
        raise FieldError(f"“{s}”含有数字或符号")
    return s


# ---------------------------------------------------------------- identity


DOC_TYPES = {
    "居民身份证": "resident", "身份证": "resident", "二代身份证": "resident",
    "中华人民共和国居民身份证": "resident", "resident": "resident",
    "港澳台居民居住证": "hmt_permit", "港澳居民居住证": "hmt_permit",
    "台湾居民居住证": "hmt_permit",
    "居住证": "hmt_permit", "hmt_permit": "hmt_permit",
    "外国人永久居留身份证": "foreign_pr", "外国人永久居留证": "foreign_pr",
    "永久居留身份证": "foreign_pr", "foreign_pr": "foreign_pr",
    "护照": "passport", "passport": "passport",
}


def doc_type(value) -> str | None:
    s = text(value).replace(" ", "")
    if not s:
        return None
    if s not in DOC_TYPES:
        raise FieldError(f"“{s}”不是支持的证件类型"
                         "（居民身份证、港澳台居民居住证、外国人永久居留身份证、护照）")
    return DOC_TYPES[s]


def identity_cell(value) -> str:
    """The identity number as text. A number cell has lost precision beyond 15 digits (Excel
    keeps 15 significant digits): say so, never guess the lost digits."""
    if isinstance(value, bool):
        raise FieldError("不是证件号码")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise FieldError("被 Excel 存成了带小数的数字，无法还原，请把该列设为“文本”后重新填写")
        if abs(value) >= 10**15:
            raise FieldError(
                f"被 Excel 存成了数字（{value:.15g}），15 位以后的数字已丢失、无法还原，"
                "请把该列设为“文本”后重新填写"
            )
        return str(int(value))
    if isinstance(value, dt.date):
        raise FieldError("被 Excel 识别成了日期，请把该列设为“文本”后重新填写")
    s = "" if value is None else str(value)
    if CONTROL.search(s):
        raise FieldError(CONTROL_MESSAGE)
    return s


def identity(value, kind: str | None = None) -> IdentityNumber:
    """Parse and validate a number of document type `kind` (None: guessed from the number).
    Raises FieldError or core.identity.IdentityError (both carry `message`)."""
    return parse_identity(identity_cell(value), kind)


SEX_LABELS = {"M": "男", "F": "女"}


def identity_disagreements(ident: IdentityNumber, birth: dt.date | None, sex: str
                           ) -> dict[str, str]:
    """{field: message} where a given birth date or sex contradicts what the number encodes,
    or a birth date the number does not encode is out of range."""
    errors = {}
    if birth and ident.birth_date and birth != ident.birth_date:
        errors["birth_date"] = (f"{birth:%Y-%m-%d} 与证件号码中的出生日期 "
                                f"{ident.birth_date:%Y-%m-%d} 不一致")
    elif birth and not ident.birth_date and not EARLIEST_BIRTH <= birth <= dt.date.today():
        errors["birth_date"] = f"{birth:%Y-%m-%d} 不在合理范围内"
    if sex and ident.sex and sex != ident.sex:
        errors["sex"] = (f"“{SEX_LABELS[sex]}”与证件号码中的性别“{SEX_LABELS[ident.sex]}”"
                         "不一致")
    return errors


# ---------------------------------------------------------------- dates, sex, phone


def date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise FieldError("不是日期")
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise FieldError(f"{value} 不是日期")
        n = int(value)
        if 19000101 <= n <= 21001231:
            return _ymd(str(n))
        if 1 <= n <= 80000:  # an Excel serial day number (1900 date system)
            return EXCEL_EPOCH + dt.timedelta(days=n if n > 60 else n + 1)
        raise FieldError(f"{n} 不是日期")  # a whole float reads as Excel shows it
    s = text(value)
    if not s:
        return None
    if m := _DATE_TEXT.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    if _DATE_COMPACT.match(s):
        return _ymd(s)
    if s.isascii() and s.isdigit() and 1 <= int(s) <= 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(s))
    raise FieldError(f"“{s}”不是可识别的日期，请写成 2022-04-15 这样的格式")


def _ymd(s: str) -> dt.date:
    return _make(int(s[:4]), int(s[4:6]), int(s[6:8]), s)


def _make(y: int, m: int, d: int, original: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise FieldError(f"“{original}”不是有效的日期") from None


SEX = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F", "1": "M", "2": "F",
       "MALE": "M", "FEMALE": "F"}


def sex(value) -> str:
    s = text(value).upper()
    if not s:
        return ""
    if s not in SEX:
        raise FieldError(f"“{s}”应为“男”或“女”")
    return SEX[s]


def phone(value) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…) from full-width, spaced, hyphenated or
    +86 / 0086 prefixed input; "" when blank."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    s = _PHONE_STRIP.sub("", text(value))
    if not s:
        return ""
    for prefix in ("+86", "0086", "86"):
        if s.startswith(prefix) and len(s) == len(prefix) + 11:
            s = s[len(prefix):]
            break
    if _MOBILE.match(s):
        return s
    raise FieldError(f"“{text(value)}”不是有效的中国大陆手机号码（11 位，以 13–19 开头）")


# ---------------------------------------------------------------- choices and cards


def _choices_map(choices, extra: dict[str, str]) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[str(label)] = value
        out[value] = value
    out.update(extra)
    return {unicodedata.normalize("NFKC", k).lower(): v for k, v in out.items()}


EDUCATION = _choices_map(Education.choices, {
    "小学": "primary", "文盲": "primary", "半文盲": "primary", "文盲或半文盲": "primary",
    "初中及以下": "junior", "初中": "junior", "普通高中": "senior", "高中": "senior",
    "中专": "vocational", "中职": "vocational", "技校": "vocational", "技工学校": "vocational",
    "职高": "vocational", "职业高中": "vocational", "中等专科": "vocational",
    "大专": "college", "专科": "college", "高职": "college", "大学专科": "college",
    "本科": "bachelor", "大学本科": "bachelor", "大学": "bachelor", "学士": "bachelor",
    "研究生": "postgraduate", "硕士": "postgraduate", "博士": "postgraduate",
    "硕士研究生": "postgraduate", "博士研究生": "postgraduate",
})
EMPLOYMENT = _choices_map(EmploymentStatus.choices, {
    "已就业": "employed", "在岗": "employed", "在职": "employed", "单位就业": "employed",
    "创业": "self_employed", "个体": "self_employed", "个体经营": "self_employed",
    "失业": "unemployed", "登记失业": "unemployed", "失业人员": "unemployed",
    "学生": "student", "在校生": "student", "在校": "student",
    "未就业": "not_in_labour_force",
})


def choice(mapping: dict[str, str], what: str) -> Callable:
    """A parser for one of a TextChoices' values, labels or the synonyms in `mapping`."""

    def parse(value) -> str:
        s = text(value)
        if not s:
            return ""
        found = mapping.get(s.lower())
        if found is None:
            raise FieldError(f"“{s}”不是可识别的{what}")
        return found

    return parse


def social_card(value) -> str:
    if isinstance(value, float) and value >= 1e15:
        raise FieldError("被 Excel 存成了数字，15 位以后已丢失，请设为文本后重填")
    card = text(value).replace(" ", "").upper()
    if card and not _CARD.match(card):
        raise FieldError(f"“{card}”应为 6 到 32 位数字或字母")
    return card


def masked(value: str) -> str | None:
    """4114**********1234 for history: a sensitive value never appears in plain text."""
    return mask(value) if value else None


# ---------------------------------------------------------------- references


class References(Protocol):
    """How a path resolves regions and target groups: the importer from tables loaded once
    (rows.References), the service from the database (services)."""

    def region_by_code(self, code: str) -> int | None: ...

    def region_by_name(self, key: str) -> int | None:
        """The region's id; None when several share the name; 0 when none has it."""

    def group_code(self, key: str) -> str | None: ...


def region(value, refs: References) -> int:
    """A region's id from its 6-digit (or 12-digit) code or its name."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = text(value).replace(" ", "")
    if _SIX.match(s):
        code = s if len(s) == 6 or s[6:] != "000000" else s[:6]
        found = refs.region_by_code(code)
        if found is None:
            raise FieldError(f"区划代码 {s} 不存在")
        return found
    found = refs.region_by_name(lookup_key(s))
    if found:
        return found
    if found is None:
        raise FieldError(f"“{s}”有多个同名地区，请填写 6 位区划代码")
    raise FieldError(f"“{s}”不是已知的地区名称或区划代码")


def split_groups(value) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [text(v) for v in value if text(v)]
    return [p.strip() for p in _SPLIT_GROUPS.split(text(value)) if p.strip()]


def target_groups(value, refs: References) -> tuple[str, ...]:
    """Sorted codes of active target groups named by code or name ("、" or "," between)."""
    codes, unknown = set(), []
    for part in split_groups(value):
        code = refs.group_code(lookup_key(part)) or refs.group_code(
            lookup_key(_PARENS.sub("", part)))
        if code is None:
            unknown.append(part)
        else:
            codes.add(code)
    if unknown:
        raise FieldError("“" + "、".join(unknown) + "”不在重点群体目录中")
    return tuple(sorted(codes))


# ---------------------------------------------------------------- the table


def _label_of(choices) -> Callable:
    labels = dict(choices)
    return lambda value: labels.get(value) if value else None


@dataclass(frozen=True)
class Column:
    """One roster column.

    field: the input key and Person attribute; label: the import template's header and the
    name an import report gives it when the file's header is unknown; synonyms: headers that
    name it (compared after columns.header_key); change_label: what the service's messages
    and the person's history call it; parse: raw value -> clean value (FieldError).

    A *plain* column (`db_column` set) is one value in one database column with no rule
    across fields: the importer and the service handle every plain column the same way, by
    the table. `encode` names its PostgreSQL binary COPY encoding ("text", "choice": a few
    values, memoised), `show` gives its history form (sensitive values masked), `memo`
    whether rosters repeat its values (the importer then parses each distinct cell once),
    `choices` the form's options, `max_length` its text box's (without `choices`).
    """

    field: str
    label: str
    synonyms: tuple[str, ...]
    change_label: str
    parse: Callable | None = None
    db_column: str | None = None
    encode: str | None = None
    show: Callable = lambda value: value or None
    memo: bool = True
    choices: tuple = ()
    max_length: int = 0
    sensitive: bool = False  # shown masked; a blank edit keeps it

    def shown(self, person) -> str | None:
        """The plain column's value as a page shows it (None: blank or sensitive)."""
        return None if self.sensitive else self.show(getattr(person, self.field))

    @property
    def plain(self) -> bool:
        return self.db_column is not None


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名", "名字", "人员姓名", "劳动者姓名", "学员姓名", "name"),
           "姓名", parse=name),
    Column("doc_type", "证件类型", ("证件类型", "证件类别", "证件名称", "证件种类"),
           "证件类型", parse=doc_type),
    Column("id_number", "身份证号", (
        "身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "证件号",
        "身份证", "身份证件号码", "居民身份证号码", "居民身份证号", "身份证件号", "证件编号",
        "idnumber", "idcard",
    ), "证件号码", parse=identity),
    Column("sex", "性别", ("性别", "sex", "gender"), "性别", parse=sex),
    Column("birth_date", "出生日期", ("出生日期", "出生年月", "出生年月日", "生日", "出生时间"),
           "出生日期", parse=date),
    Column("phone", "手机号", (
        "手机号", "手机号码", "联系电话", "电话", "联系方式", "手机", "电话号码", "移动电话",
        "phone", "mobile",
    ), "手机号", parse=phone),
    Column("household_region", "户籍地", (
        "户籍地", "户籍所在地", "户籍地区划", "户籍地代码", "户籍区划代码", "户籍地区",
        "户口所在地", "户籍", "户籍地行政区划", "户籍所在地区划代码",
    ), "户籍地", parse=region),
    Column("residence_region", "常住地", (
        "常住地", "常住地区划", "常住地代码", "居住地", "现居住地", "常住地区", "现住址区划",
    ), "常住地", parse=region),
    Column("education", "文化程度", ("文化程度", "学历", "最高学历", "受教育程度"), "文化程度",
           parse=choice(EDUCATION, "文化程度"), db_column="education", encode="choice",
           show=_label_of(Education.choices), choices=tuple(Education.choices)),
    Column("employment_status", "就业状态", ("就业状态", "就业情况", "就业状况"), "就业状态",
           parse=choice(EMPLOYMENT, "就业状态"), db_column="employment_status",
           encode="choice", show=_label_of(EmploymentStatus.choices),
           choices=tuple(EmploymentStatus.choices)),
    Column("target_groups", "重点群体", (
        "重点群体", "人员类别", "人员类型", "重点群体类别", "人员身份", "群体类别", "培训对象类别",
    ), "重点群体", parse=target_groups),
    Column("social_security_card", "社保卡号", (
        "社保卡号", "社会保障卡号", "社保卡号码", "社会保障卡号码", "社保卡",
    ), "社会保障卡号", parse=social_card, db_column="social_security_card", encode="text",
           show=masked, memo=False, max_length=40, sensitive=True),
)
BY_FIELD = {c.field: c for c in COLUMNS}
PLAIN = tuple(c for c in COLUMNS if c.plain)
# Plain columns that carry no personal identifier: pages show them as they are.
SHOWN = tuple(c for c in PLAIN if not c.sensitive)
# Fields whose parser needs a References (regions, target groups).
NEEDS_REFERENCES = frozenset({"household_region", "residence_region", "target_groups"})
