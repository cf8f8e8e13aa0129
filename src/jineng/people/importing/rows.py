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
(HASH, DOC_TYPE, NUMBER, NAME, SEX, BIRTH, PHONE, HOUSEHOLD, RESIDENCE, EDUCATION,
 EMPLOYMENT, GROUPS, CARD, ROW, RAW, DUP_OF) = range(16)

_CARD = re.compile(r"^[0-9A-Z]{6,32}$")
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
        self.groups: dict[str, int] = {}
        self.group_names: dict[int, str] = {}
        for pk, code, name in TargetGroup.objects.filter(is_active=True).values_list(
            "id", "code", "name"
        ):
            self.group_names[pk] = name
            for k in (code, name, _PARENS.sub("", name)):
                self.groups.setdefault(_key(k), pk)

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

    def group_ids(self, value) -> tuple[int, ...]:
        ids, unknown = [], []
        for part in cells.split_groups(value):
            pk = self.groups.get(_key(part)) or self.groups.get(_key(_PARENS.sub("", part)))
            if pk is None:
                unknown.append(part)
            elif pk not in ids:
                ids.append(pk)
        if unknown:
            raise CellError("“" + "、".join(unknown) + "”不在重点群体目录中")
        return tuple(sorted(ids))


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
        errors: list[str] = []
        cell = self.cell
        label = self.labels

        def fail(field: str, message: str):
            errors.append(f"{label.get(field, LABELS[field])}：{message}")

        doc_type = None
        if self._get["doc_type"] is not None:
            try:
                doc_type = cells.doc_type(cell(row, "doc_type"))
            except CellError as exc:
                fail("doc_type", exc.message)
        ident = None
        try:
            raw = cells.identity_cell(cell(row, "id_number"))
            ident = self.fast_resident(raw) if doc_type in (None, "resident") else None
            if ident is None:
                ident = parse_identity(raw, doc_type)
        except CellError as exc:
            fail("id_number", exc.message)
        except IdentityError as exc:
            fail("id_number", exc.message)
        try:
            name = cells.name(cell(row, "name"))
        except CellError as exc:
            name = ""
            fail("name", exc.message)
        sex = birth = None
        try:
            sex = cells.sex(cell(row, "sex"))
        except CellError as exc:
            fail("sex", exc.message)
        try:
            birth = cells.date(cell(row, "birth_date"))
        except CellError as exc:
            fail("birth_date", exc.message)
        if ident is not None:
            if ident.birth_date and birth and birth != ident.birth_date:
                fail("birth_date", f"{birth:%Y-%m-%d} 与证件号码中的出生日期 "
                                   f"{ident.birth_date:%Y-%m-%d} 不一致")
            if ident.sex and sex and sex != ident.sex:
                fail("sex", f"“{'男' if sex == 'M' else '女'}”与证件号码中的性别"
                            f"“{'男' if ident.sex == 'M' else '女'}”不一致")
            birth = ident.birth_date or birth
            sex = ident.sex or sex
        phone = ""
        if self._get["phone"] is not None:
            try:
                phone = cells.phone(cell(row, "phone"))
            except CellError as exc:
                fail("phone", exc.message)
        household = residence = None
        for field in ("household_region", "residence_region"):
            value = cell(row, field)
            if value is None or value == "":
                continue
            try:
                if field == "household_region":
                    household = self.refs.region(value)
                else:
                    residence = self.refs.region(value)
            except CellError as exc:
                fail(field, exc.message)
        education = employment = ""
        try:
            education = cells.choice(cell(row, "education"), cells.EDUCATION, "文化程度")
        except CellError as exc:
            fail("education", exc.message)
        try:
            employment = cells.choice(cell(row, "employment_status"), cells.EMPLOYMENT, "就业状态")
        except CellError as exc:
            fail("employment_status", exc.message)
        groups: tuple[int, ...] = ()
        value = cell(row, "target_groups")
        if value not in (None, ""):
            try:
                groups = self.refs.group_ids(value)
            except CellError as exc:
                fail("target_groups", exc.message)
        card = ""
        value = cell(row, "social_security_card")
        if value not in (None, ""):
            card = cells.text(value).replace(" ", "").upper()
            if isinstance(value, float) and value >= 1e15:
                fail("social_security_card",
                     "被 Excel 存成了数字，15 位以后已丢失，请设为文本后重填")
            elif not _CARD.match(card):
                fail("social_security_card", f"“{card}”应为 6 到 32 位数字或字母")
        if errors:
            return None, errors
        h = self.hash(f"identity:{ident.doc_type}:{ident.number}".encode())
        return [h, ident.doc_type, ident.number, name, sex or "", birth, phone, household,
                residence, education, employment, groups, card, number, row, None], errors


def is_blank(row: list) -> bool:
    for v in row:
        if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
            return False
    return True


def filled(row: list) -> int:
    return sum(1 for v in row if v is not None and v != "" and not
               (isinstance(v, str) and not v.strip()))
