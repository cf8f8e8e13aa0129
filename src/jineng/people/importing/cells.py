"""Turning the cells real spreadsheets contain into clean values, with Chinese reasons.

Every function takes a raw cell (str, int, float, bool, date, datetime or None) and returns a
clean value, or raises CellError naming what is wrong.
"""

import datetime as dt
import re
import unicodedata

from jineng.people.models import Education, EmploymentStatus
from jineng.people.services import NAME_FORBIDDEN

EXCEL_EPOCH = dt.date(1899, 12, 30)
_WS = re.compile(r"\s+")
_DATE_TEXT = re.compile(
    r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:\s*0{1,2}:0{1,2}(?::0{1,2})?)?$"
)
_DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_CJK_ONLY_SPACES = re.compile(r"(?<=[\u3400-\u9fff·])\s+(?=[\u3400-\u9fff·])")
_PHONE_STRIP = re.compile(r"[\s\-()（）]+")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SPLIT_GROUPS = re.compile(r"[、,，;；/|\n]+")


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """NFKC (full-width to half-width), line breaks and runs of spaces to one space, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = value if isinstance(value, str) else str(value)
    if s.isascii():
        return " ".join(s.split()) if " " in s or "\n" in s or "\t" in s else s.strip()
    return _WS.sub(" ", unicodedata.normalize("NFKC", s)).strip()


def name(value) -> str:
    s = text(value)
    if not s:
        raise CellError("不能为空")
    s = _CJK_ONLY_SPACES.sub("", s)
    if len(s) > 50:
        raise CellError("超过 50 个字符")
    if NAME_FORBIDDEN.search(s):
        raise CellError(f"“{s}”含有数字或符号")
    return s


def identity_cell(value) -> str:
    """The identity number as text. A number cell has lost precision beyond 15 digits (Excel
    keeps 15 significant digits): say so, never guess the lost digits."""
    if isinstance(value, bool):
        raise CellError("不是证件号码")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise CellError("被 Excel 存成了带小数的数字，无法还原，请把该列设为“文本”后重新填写")
        if abs(value) >= 10**15:
            raise CellError(
                f"被 Excel 存成了数字（{value:.15g}），15 位以后的数字已丢失、无法还原，"
                "请把该列设为“文本”后重新填写"
            )
        return str(int(value))
    if isinstance(value, dt.date):
        raise CellError("被 Excel 识别成了日期，请把该列设为“文本”后重新填写")
    return "" if value is None else str(value)


def date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise CellError(f"{value} 不是日期")
        n = int(value)
        if 19000101 <= n <= 21001231:
            return _ymd(str(n))
        if 1 <= n <= 80000:  # an Excel serial day number (1900 date system)
            return EXCEL_EPOCH + dt.timedelta(days=n if n > 60 else n + 1)
        raise CellError(f"{value} 不是日期")
    s = text(value)
    if not s:
        return None
    if m := _DATE_TEXT.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    if _DATE_COMPACT.match(s):
        return _ymd(s)
    if s.isascii() and s.isdigit() and 1 <= int(s) <= 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(s))
    raise CellError(f"“{s}”不是可识别的日期，请写成 2022-04-15 这样的格式")


def _ymd(s: str) -> dt.date:
    return _make(int(s[:4]), int(s[4:6]), int(s[6:8]), s)


def _make(y: int, m: int, d: int, original: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CellError(f"“{original}”不是有效的日期") from None


SEX = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F", "1": "M", "2": "F",
       "MALE": "M", "FEMALE": "F"}


def sex(value) -> str:
    s = text(value).upper()
    if not s:
        return ""
    if s not in SEX:
        raise CellError(f"“{s}”应为“男”或“女”")
    return SEX[s]


def phone(value) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), as the registry accepts it."""
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
    raise CellError(f"“{text(value)}”不是有效的中国大陆手机号码（11 位，以 13–19 开头）")


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


def choice(value, mapping: dict[str, str], what: str) -> str:
    s = text(value)
    if not s:
        return ""
    found = mapping.get(s.lower())
    if found is None:
        raise CellError(f"“{s}”不是可识别的{what}")
    return found


def split_groups(value) -> list[str]:
    return [p.strip() for p in _SPLIT_GROUPS.split(text(value)) if p.strip()]


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
        raise CellError(f"“{s}”不是支持的证件类型"
                        "（居民身份证、港澳台居民居住证、外国人永久居留身份证、护照）")
    return DOC_TYPES[s]
