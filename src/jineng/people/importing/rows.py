"""One roster row to one clean record (or the Chinese reasons it cannot be one).

The hot path of the importer: everything here runs once per row, so it avoids the ORM and
keeps per-row work to dictionary look-ups, a few regular expressions and one HMAC.
"""

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections import defaultdict
from operator import mul

from django.conf import settings

from jineng.core import crypto
from jineng.core.identity import (
    CHECK_CHARS,
    EARLIEST_BIRTH,
    HMT_ADDRESS_CODES,
    WEIGHTS,
    IdentityError,
    IdentityNumber,
    parse_identity,
)
from jineng.core.reference import known_division_codes
from jineng.orgs.models import Region
from jineng.people.importing import cells
from jineng.people.importing.cells import CellError
from jineng.people.importing.columns import LABELS, HeaderMap
from jineng.people.models import TargetGroup

# A record is a list, indexed by these positions (a list is the cheapest object per row).
# COPY: the person's row encoded for PostgreSQL's COPY, when built ahead (db.add_copy_data).
(HASH, DOC_TYPE, NUMBER, NAME, SEX, BIRTH, PHONE, HOUSEHOLD, RESIDENCE, EDUCATION,
 EMPLOYMENT, GROUPS, CARD, ROW, RAW, DUP_OF, COPY) = range(17)

_CARD = re.compile(r"^[0-9A-Z]{6,32}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PLAIN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,20}$")
_SIX = re.compile(r"^\d{6}(\d{6})?$")
_PARENS = re.compile(r"[(（].*?[)）]")


def identity_key() -> bytes:
    return crypto._keys(settings.FIELD_ENCRYPTION_KEY)[1]


def identity_hash(doc_type: str, number: str, key: bytes | None = None) -> bytes:
    """Same value as people.services.identity_hash (blind_index of "doc_type:number",
    purpose "identity")."""
    return hmac.digest(key or identity_key(), f"identity:{doc_type}:{number}".encode(), "sha256")


class Hasher:
    """HMAC-SHA256 with the key's inner and outer states computed once: per value, two
    sha256 copies instead of a new HMAC object (about twice as fast, the same digest)."""

    def __init__(self, key: bytes):
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, message: bytes) -> bytes:
        i = self.inner.copy()
        i.update(message)
        o = self.outer.copy()
        o.update(i.digest())
        return o.digest()


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


class References:
    """Regions and target groups, loaded once per import."""

    def __init__(self, default_region: Region):
        self.default_region_id = default_region.pk
        default_path = default_region.path
        rows = list(Region.objects.values_list("id", "code", "name", "path"))
        self.by_code = {code: pk for pk, code, _, _ in rows}
        name_of = {code: name for _, code, name, _ in rows}
        self.labels = {pk: f"{name}（{code}）" for pk, code, name, _ in rows}
        self.paths = {pk: path for pk, _, _, path in rows}
        by_name = defaultdict(list)
        for pk, _, _, path in rows:
            codes = path.strip("/").split("/")
            names = [name_of.get(c, "") for c in codes]
            for i in range(len(names)):
                by_name[_key("".join(names[i:]))].append((pk, path))
        self.by_name = {}
        for name, found in by_name.items():
            if len(found) > 1:
                # Prefer the one nearest the import's region (same city, then same province).
                for depth in (2, 1):
                    prefix = "/".join(default_path.split("/")[: depth + 1]) + "/"
                    near = [f for f in found if f[1].startswith(prefix)]
                    if len(near) == 1:
                        found = near
                        break
            self.by_name[name] = found[0][0] if len(found) == 1 else None  # None: ambiguous
        self.groups: dict[str, str] = {}  # how a cell may name an active group -> its code
        self.group_names: dict[str, str] = {}  # every group's code -> its name
        for code, name, active in TargetGroup.objects.values_list("code", "name", "is_active"):
            self.group_names[code] = name
            if active:
                for k in (code, name, _PARENS.sub("", name)):
                    self.groups.setdefault(_key(k), code)

    def region(self, value) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        s = cells.text(value).replace(" ", "")
        if _SIX.match(s):
            code = s if len(s) == 6 or s[6:] != "000000" else s[:6]
            if code in self.by_code:
                return self.by_code[code]
            raise CellError(f"区划代码 {s} 不存在")
        found = self.by_name.get(_key(s), 0)
        if found:
            return found
        if found is None:
            raise CellError(f"“{s}”有多个同名地区，请填写 6 位区划代码")
        raise CellError(f"“{s}”不是已知的地区名称或区划代码")

    def group_codes(self, value) -> tuple[str, ...]:
        codes, unknown = set(), []
        for part in cells.split_groups(value):
            code = self.groups.get(_key(part)) or self.groups.get(_key(_PARENS.sub("", part)))
            if code is None:
                unknown.append(part)
            else:
                codes.add(code)
        if unknown:
            raise CellError("“" + "、".join(unknown) + "”不在重点群体目录中")
        return tuple(sorted(codes))


class RowValidator:
    def __init__(self, header: HeaderMap, refs: References):
        self.refs = refs
        self.hash = Hasher(identity_key())
        self.division_codes = known_division_codes() - set(HMT_ADDRESS_CODES)
        self.today = dt.date.today()
        self.weight_offset = 48 * sum(WEIGHTS)
        self.positions = header.positions
        # The field as the file names it, for messages ("公民身份号码：…").
        self.labels = {
            f: (header.labels[i].strip().replace("\n", "") or LABELS[f])
            for f, i in header.positions.items()
        }
        p = header.positions
        self._get = {f: p.get(f) for f in LABELS}
        width = max([len(header.labels), *p.values()]) + 1
        self.none = width  # the index of the padding None
        self.pad = [None] * (width + 1)
        self.ix = {f: p.get(f, width) for f in LABELS}
        self.prefix = {f: f"{self.labels.get(f, LABELS[f])}：" for f in LABELS}
        self.memo_doc_type = _memo(cells.doc_type, None)
        self.memo_sex = _memo(cells.sex, "")
        self.memo_date = _memo(cells.date, None)
        self.memo_region = _memo(refs.region, None)
        self.memo_education = _memo(
            lambda v: cells.choice(v, cells.EDUCATION, "文化程度"), "")
        self.memo_employment = _memo(
            lambda v: cells.choice(v, cells.EMPLOYMENT, "就业状态"), "")
        self.memo_groups = _memo(refs.group_codes, ())

    def fast_resident(self, raw: str) -> IdentityNumber | None:
        """The common case, a clean 18-character resident number, checked here without the
        general parser's normalisation; anything else (or anything wrong) returns None and
        goes through core.identity.parse_identity, which says why in Chinese."""
        if len(raw) != 18 or not raw.isascii():
            return None
        b = raw.encode()
        if not b[:17].isdigit():
            return None
        last = raw[17]
        if last == "x":
            last = "X"
        if CHECK_CHARS[(sum(map(mul, b[:17], WEIGHTS)) - self.weight_offset) % 11] != last:
            return None
        code = raw[:6]
        if code not in self.division_codes:  # also refuses 810000–830000 (HMT permits)
            return None
        try:
            born = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
        except ValueError:
            return None
        if not EARLIEST_BIRTH <= born <= self.today:
            return None
        number = raw if last == raw[17] else raw[:17] + last
        return IdentityNumber("resident", number, born, "M" if b[16] % 2 else "F")

    def cell(self, row: list, field: str):
        i = self._get[field]
        return row[i] if i is not None and i < len(row) else None

    def __call__(self, number: int, row: list) -> tuple[list | None, list[str]]:
        """(record, []) for a good row, (None, reasons) for a bad one."""
        r = row + self.pad  # missing columns read as None at index `self.none`
        ix = self.ix
        errors: list[str] = []
        doc_type = None
        if ix["doc_type"] != self.none:
            doc_type, message = self.memo_doc_type(r[ix["doc_type"]])
            if message:
                errors.append(self.prefix["doc_type"] + message)
        ident = None
        value = r[ix["id_number"]]
        if type(value) is str and doc_type in (None, "resident"):
            ident = self.fast_resident(value)
        if ident is None:
            try:
                ident = parse_identity(cells.identity_cell(value), doc_type)
            except (CellError, IdentityError) as exc:
                errors.append(self.prefix["id_number"] + exc.message)
        value = r[ix["name"]]
        if type(value) is str and _PLAIN_NAME.match(value):
            name = value
        else:
            try:
                name = cells.name(value)
            except CellError as exc:
                name = ""
                errors.append(self.prefix["name"] + exc.message)
        sex, message = self.memo_sex(r[ix["sex"]])
        if message:
            errors.append(self.prefix["sex"] + message)
        value = r[ix["birth_date"]]
        if ident is not None and ident.birth_date and type(value) is str and (
            value == ident.number[6:14] or value == _iso(ident.number)
        ):
            birth = ident.birth_date  # the common case: the same date, written plainly
        else:
            birth, message = self.memo_date(value)
            if message:
                errors.append(self.prefix["birth_date"] + message)
        if ident is not None:
            if ident.birth_date and birth and birth != ident.birth_date:
                errors.append(f"{self.prefix['birth_date']}{birth:%Y-%m-%d} 与证件号码中的出生日期 "
                              f"{ident.birth_date:%Y-%m-%d} 不一致")
            if ident.sex and sex and sex != ident.sex:
                errors.append(f"{self.prefix['sex']}“{'男' if sex == 'M' else '女'}”与证件号码中的"
                              f"性别“{'男' if ident.sex == 'M' else '女'}”不一致")
            birth = ident.birth_date or birth
            sex = ident.sex or sex
        phone = ""
        value = r[ix["phone"]]
        if value is not None and value != "":
            if type(value) is str and len(value) == 11 and _MOBILE.match(value):
                phone = value
            else:
                try:
                    phone = cells.phone(value)
                except CellError as exc:
                    errors.append(self.prefix["phone"] + exc.message)
        household, message = self.memo_region(r[ix["household_region"]])
        if message:
            errors.append(self.prefix["household_region"] + message)
        residence, message = self.memo_region(r[ix["residence_region"]])
        if message:
            errors.append(self.prefix["residence_region"] + message)
        education, message = self.memo_education(r[ix["education"]])
        if message:
            errors.append(self.prefix["education"] + message)
        employment, message = self.memo_employment(r[ix["employment_status"]])
        if message:
            errors.append(self.prefix["employment_status"] + message)
        groups, message = self.memo_groups(r[ix["target_groups"]])
        if message:
            errors.append(self.prefix["target_groups"] + message)
        card = ""
        value = r[ix["social_security_card"]]
        if value is not None and value != "":
            card = cells.text(value).replace(" ", "").upper()
            if isinstance(value, float) and value >= 1e15:
                errors.append(self.prefix["social_security_card"]
                              + "被 Excel 存成了数字，15 位以后已丢失，请设为文本后重填")
            elif not _CARD.match(card):
                errors.append(self.prefix["social_security_card"]
                              + f"“{card}”应为 6 到 32 位数字或字母")
        if errors:
            return None, errors
        h = self.hash(f"identity:{ident.doc_type}:{ident.number}".encode())
        return [h, ident.doc_type, ident.number, name, sex or "", birth, phone, household,
                residence, education, employment, groups, card, number, row, None, None], errors


def _iso(number: str) -> str:
    return f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


def _memo(func, empty, limit: int = 200_000):
    """Cache a cell parser by the raw cell value: rosters repeat the same few values of sex,
    education, region, target groups and dates on most rows. Returns (value, error)."""
    cache: dict = {}

    def call(value):
        if value is None or value == "":
            return empty, None
        try:
            return func(value), None
        except CellError as exc:
            return None, exc.message

    def parse(value):
        try:
            return cache[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: never from a reader, but be safe
            return call(value)
        result = call(value)
        if len(cache) < limit:
            cache[value] = result
        return result

    return parse


def is_blank(row: list) -> bool:
    for v in row:
        if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
            return False
    return True


def filled(row: list) -> int:
    return sum(1 for v in row if v is not None and v != "" and not
               (isinstance(v, str) and not v.strip()))
