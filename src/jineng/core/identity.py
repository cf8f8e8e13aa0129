"""Identity documents: normalise, validate, and derive birth date and sex.

Resident identity numbers follow GB 11643-1999: 6-digit address code, YYYYMMDD, 3-digit
sequence (odd male, even female), ISO 7064 MOD 11-2 check character. 15-digit legacy numbers
get "19" before the year and a computed check character. HK/Macao/Taiwan residence permits use
the same 18-character form with address codes 810000/820000/830000. Foreigners' permanent
residence IDs (2023) are 18 characters starting with 9 (9, province, ISO 3166 numeric
nationality, birth date, sequence, check); the older form is 3 letters and 12 digits.

Only ASCII digits count, after NFKC has turned full-width ones into ASCII: Python's `\\d` and
`int()` also accept Arabic-Indic or Devanagari digits, which would store one person under a
second number (and a second hash).
"""

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import models

from jineng.core import crypto
from jineng.core.reference import (
    country_codes,
    known_division_codes,
    province_codes,
    urban_district_codes,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
HMT_ADDRESS_CODES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
EARLIEST_BIRTH = dt.date(1900, 1, 1)

_STRIP = re.compile(r"[\s\-_'\"‘’“”·.]+")
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$")
_RESIDENT_18 = re.compile(r"^[0-9]{17}[0-9X]$")
_RESIDENT_15 = re.compile(r"^[0-9]{15}$")
_FOREIGN_OLD = re.compile(r"^[A-Z]{3}[0-9]{12}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


class DocType(models.TextChoices):
    RESIDENT = "resident", "居民身份证"
    HMT_PERMIT = "hmt_permit", "港澳台居民居住证"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"
    PASSPORT = "passport", "护照"


class IdentityError(ValueError):
    """The number cannot be accepted; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IdentityNumber:
    doc_type: str
    number: str
    birth_date: dt.date | None = None
    sex: str = ""  # "M", "F" or "" when the document does not say


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(raw) -> str:
    """Full-width to half-width, spaces, hyphens and line breaks removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return _STRIP.sub("", text).upper()


@cache
def resident_address_codes() -> frozenset[str]:
    """The address codes a resident number may carry: every division that existed, and the
    市辖区 code (xxxx01) of every city that had one, which numbers issued before the city
    was divided into districts still carry (140201, 370201)."""
    return (known_division_codes() | urban_district_codes()) - set(HMT_ADDRESS_CODES)


def _birth(yyyymmdd: str) -> dt.date:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise IdentityError(f"出生日期 {yyyymmdd} 不是有效日期") from None
    if not EARLIEST_BIRTH <= born <= dt.date.today():
        raise IdentityError(f"出生日期 {yyyymmdd} 不在合理范围内")
    return born


def _check_shape(number: str) -> None:
    if not _RESIDENT_18.match(number):
        raise IdentityError("证件号码应为 17 位数字加 1 位数字或 X")


def _check_digit(number: str) -> None:
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdentityError(f"证件号码校验位应为 {expected}，实际为 {number[17]}，请核对号码")


def _sex(sequence_digit: str) -> str:
    return "M" if int(sequence_digit) % 2 else "F"


def _resident(number: str) -> IdentityNumber:
    if _RESIDENT_15.match(number):
        number = number[:6] + "19" + number[6:]
        number += check_char(number)
    elif len(number) != 18:
        raise IdentityError(f"居民身份证号码应为 18 位（或 15 位旧号码），实际为 {len(number)} 位")
    _check_shape(number)
    if number[:6] in HMT_ADDRESS_CODES:
        raise IdentityError("该号码是港澳台居民居住证号码，请选择证件类型“港澳台居民居住证”")
    if number[:6] not in resident_address_codes():
        raise IdentityError(f"地址码 {number[:6]} 不是有效的行政区划代码")
    born = _birth(number[6:14])
    _check_digit(number)
    return IdentityNumber(DocType.RESIDENT, number, born, _sex(number[16]))


def _hmt_permit(number: str) -> IdentityNumber:
    if len(number) != 18:
        raise IdentityError(f"港澳台居民居住证号码应为 18 位，实际为 {len(number)} 位")
    _check_shape(number)
    if number[:6] not in HMT_ADDRESS_CODES:
        raise IdentityError("港澳台居民居住证号码应以 810000、820000 或 830000 开头")
    born = _birth(number[6:14])
    _check_digit(number)
    return IdentityNumber(DocType.HMT_PERMIT, number, born, _sex(number[16]))


def _foreign_pr(number: str) -> IdentityNumber:
    if _FOREIGN_OLD.match(number):
        return IdentityNumber(DocType.FOREIGN_PR, number)
    if len(number) != 18 or not number.startswith("9"):
        raise IdentityError(
            "外国人永久居留身份证号码应为 18 位且以 9 开头，或为 3 个字母加 12 位数字的旧版号码"
        )
    _check_shape(number)
    if number[1:3] not in province_codes():
        raise IdentityError(f"外国人永久居留身份证号码第 2–3 位 {number[1:3]} "
                            "不是受理地省级行政区划代码")
    if number[3:6] not in country_codes():
        raise IdentityError(f"外国人永久居留身份证号码第 4–6 位 {number[3:6]} 不是外国国籍代码"
                            "（GB/T 2659 数字代码，不含中国）")
    born = _birth(number[6:14])
    _check_digit(number)
    return IdentityNumber(DocType.FOREIGN_PR, number, born, _sex(number[16]))


def _passport(number: str) -> IdentityNumber:
    if not _PASSPORT.match(number):
        raise IdentityError("护照号码应为 5 到 20 位字母或数字")
    return IdentityNumber(DocType.PASSPORT, number)


PARSERS = {
    DocType.RESIDENT: _resident,
    DocType.HMT_PERMIT: _hmt_permit,
    DocType.FOREIGN_PR: _foreign_pr,
    DocType.PASSPORT: _passport,
}


def guess_doc_type(number: str) -> str:
    """The document type a normalised number looks like (used when the input names none)."""
    if len(number) == 18 and number[:6] in HMT_ADDRESS_CODES:
        return DocType.HMT_PERMIT
    if (len(number) == 18 and number.startswith("9")) or _FOREIGN_OLD.match(number):
        return DocType.FOREIGN_PR
    return DocType.RESIDENT


def parse_identity(raw, doc_type: str | None = None) -> IdentityNumber:
    """Normalise and validate; raises IdentityError with a Chinese reason."""
    number = normalise(raw)
    if not number:
        raise IdentityError("证件号码不能为空")
    if _SCIENTIFIC.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw))).upper()):
        raise IdentityError(
            "证件号码被 Excel 存成了数字（科学计数法），末几位已丢失、无法还原，"
            "请把该列设为“文本”后重新填写"
        )
    doc_type = doc_type or guess_doc_type(number)
    if doc_type not in PARSERS:
        raise IdentityError(f"不支持的证件类型：{doc_type}")
    return PARSERS[doc_type](number)


def make_resident_number(address_code: str, birth: dt.date, sequence: int) -> str:
    """A valid 18-digit number (for demo data, tests and the benchmark generator)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def mask(number: str) -> str:
    """4114**********1234: the first and last four characters, stars between."""
    if len(number) <= 8:
        return number[:1] + "*" * max(len(number) - 2, 0) + number[-1:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


class Hasher:
    """HMAC-SHA256 with the key's inner and outer states computed once: per value, two
    sha256 copies instead of a new HMAC object (about twice as fast, the same digest)."""

    def __init__(self, key: bytes, prefix: bytes = b""):
        """`prefix`: the start every message shares, hashed into the inner state once."""
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + prefix)
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, message: bytes) -> bytes:
        i = self.inner.copy()
        i.update(message)
        o = self.outer.copy()
        o.update(i.digest())
        return o.digest()


class IdentityHasher:
    """The keyed hash that keys a person: HMAC-SHA256 over "identity:doc_type:number" with
    the blind-index key (core.crypto.blind_index of "doc_type:number", purpose "identity").
    The one implementation: the service calls `identity_hash`, the importer's hot path an
    instance (`resident` hashes a resident number with the shared prefix hashed once)."""

    def __init__(self, key: bytes):
        self.any = Hasher(key, prefix=b"identity:")
        self.resident_hasher = Hasher(key, prefix=b"identity:resident:")

    def __call__(self, doc_type: str, number: str) -> bytes:
        if doc_type == "resident":
            return self.resident_hasher(number.encode())
        return self.any(f"{doc_type}:{number}".encode())

    def resident(self, number: str) -> bytes:
        return self.resident_hasher(number.encode())

    @staticmethod
    def current() -> "IdentityHasher":
        return _hasher_for(crypto._keys(settings.FIELD_ENCRYPTION_KEY)[1])


@cache
def _hasher_for(key: bytes) -> IdentityHasher:
    return IdentityHasher(key)


def identity_hash(doc_type: str, number: str) -> bytes:
    """The 32-byte look-up and de-duplication key of a (normalised) number."""
    return IdentityHasher.current()(str(doc_type), number)
