"""Validation of the national codes the system stores (other than identity numbers)."""

import re
import unicodedata

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_DIVISION_CODE_RE = re.compile(r"^[0-9]{6}$")


def clean_text(value) -> str:
    """Full-width to half-width, stray spaces and line breaks removed at the ends."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def credit_code_check_char(first17: str) -> str:
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=False)
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in pairs)
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value) -> str:
    return re.sub(r"[\s-]", "", clean_text(value)).upper()


def credit_code_error(code: str) -> str | None:
    """Why a unified social credit code (GB 32100-2015) is invalid, or None if it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位"
    if not _CREDIT_CODE_RE.match(code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）或第 3–8 位不是数字"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None


def make_credit_code(first17: str) -> str:
    """A valid code from its first 17 characters (demo data and tests)."""
    return first17 + credit_code_check_char(first17)


def division_code_error(code: str) -> str | None:
    if not _DIVISION_CODE_RE.match(code):
        return "行政区划代码应为 6 位数字"
    return None


def mask_phone(phone: str) -> str:
    """138****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if phone else ""
