"""One roster row to one clean record (or the Chinese reasons it cannot be one).

The hot path of the importer: everything here runs once per row, so it avoids the ORM and
keeps per-row work to dictionary look-ups, a few regular expressions and one HMAC.
"""

import datetime as dt
import operator
import re
from collections import defaultdict

from jineng.core.identity import (
    CHECK_CHARS,
    EARLIEST_BIRTH,
    HMT_ADDRESS_CODES,
    WEIGHTS,
    IdentityError,
    IdentityHasher,
    IdentityNumber,
    identity_hash,  # noqa: F401 (the one implementation, for callers of this module)
    normalise,
)
from jineng.core.reference import known_division_codes
from jineng.orgs.models import Region, TargetGroup
from jineng.people import roster
from jineng.people.importing.columns import LABELS, HeaderMap
from jineng.people.roster import CONTROL, FieldError, lookup_key

# A record is a list, indexed by these positions (a list is the cheapest object per row).
# PLAIN: the tuple of the plain columns' values (roster.PLAIN, in the table's order), which
# repeat from row to row (db encodes each distinct tuple once).
# COPY: the person's row encoded for PostgreSQL's COPY, when built ahead (db.add_copy_data).
(HASH, DOC_TYPE, NUMBER, NAME, SEX, BIRTH, PHONE, HOUSEHOLD, RESIDENCE, GROUPS, PLAIN, ROW,
 RAW, DUP_OF, COPY) = range(15)

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_PLAIN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,20}$")
_PARENS = re.compile(r"[(（].*?[)）]")


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
                by_name[lookup_key("".join(names[i:]))].append((pk, path))
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
                    self.groups.setdefault(lookup_key(k), code)

    # roster.References: what the shared parsers ask.
    def region_by_code(self, code: str) -> int | None:
        return self.by_code.get(code)

    def region_by_name(self, key: str) -> int | None:
        return self.by_name.get(key, 0)

    def group_code(self, key: str) -> str | None:
        return self.groups.get(key)

    def region(self, value) -> int:
        return roster.region(value, self)

    def group_codes(self, value) -> tuple[str, ...]:
        return roster.target_groups(value, self)


class ResidentNumbers:
    """The common case, a clean 18-character resident number, checked with three table
    look-ups (address code, birth date, sequence), each giving its part of the GB 11643
    weighted sum; anything else (or anything wrong) gives None and goes through
    core.identity.parse_identity, which says why in Chinese. Returns what parse_identity
    would, (doc_type, number, birth date, sex), and the birth date as YYYY-MM-DD."""

    def __init__(self, division_codes, today: dt.date):
        self.today = today
        self.address = {code: _weighted(code, 0) for code in division_codes
                        if len(code) == 6 and code.isascii() and code.isdigit()}
        self.sequence = {f"{n:03d}": (_weighted(f"{n:03d}", 14), "M" if n % 2 else "F")
                         for n in range(1000)}
        self.dates: dict[str, tuple | None] = {}  # YYYYMMDD -> (weighted part, date, ISO)

    def __call__(self, raw: str) -> tuple | None:
        if len(raw) != 18:
            return None
        address = self.address.get(raw[:6])  # a real division; HMT permits' 81–83 are not
        if address is None:
            return None
        text = raw[6:14]
        born = self.dates.get(text, _UNSEEN)
        if born is _UNSEEN:
            born = self._date(text)
        if born is None:
            return None
        sequence = self.sequence.get(raw[14:17])
        if sequence is None:
            return None
        check = CHECK_CHARS[(address + born[0] + sequence[0]) % 11]
        last = raw[17]
        if last != check:
            if last != "x" or check != "X":
                return None
            raw = raw[:17] + "X"
        return ("resident", raw, born[1], sequence[1], born[2])

    def _date(self, text: str) -> tuple | None:
        found = None
        if text.isascii() and text.isdigit():
            try:
                born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                born = None
            if born is not None and EARLIEST_BIRTH <= born <= self.today:
                found = (_weighted(text, 6), born, born.isoformat())
        if len(self.dates) < 100_000:
            self.dates[text] = found
        return found


_UNSEEN = object()


def _weighted(digits: str, start: int) -> int:
    return sum(int(c) * w for c, w in zip(digits, WEIGHTS[start:], strict=False))


# Cells read explicitly by RowValidator (cross-field rules, fast paths), in its order; the
# plain columns follow.
_SPECIAL = ("doc_type", "id_number", "name", "sex", "birth_date", "phone", "household_region",
            "residence_region", "target_groups")


class RowValidator:
    """A row of cells to a record (or the reasons it cannot be one), by roster's parsers.

    The hot path of the importer: the memos' dictionaries are read directly (a miss calls the
    parser), and the commonest cells (a plain resident number, a name of Chinese characters,
    an 11-digit mobile, the number's own birth date) skip the parser; test_roster checks
    that the result is always the parser's."""

    def __init__(self, header: HeaderMap, refs: References):
        self.refs = refs
        self.hasher = IdentityHasher.current()
        self.hash_resident = self.hasher.resident_hasher  # bytes -> hash, one call less
        self.resident = ResidentNumbers(known_division_codes() - set(HMT_ADDRESS_CODES),
                                        dt.date.today())
        # The field as the file names it, for messages ("公民身份号码：…").
        self.labels = {
            f: (header.labels[i].strip().replace("\n", "") or LABELS[f])
            for f, i in header.positions.items()
        }
        p = header.positions
        width = max([len(header.labels), *p.values()]) + 1
        self.width = width  # cells past the header's columns are not read
        self.pad = [None] * (width + 1)  # a missing column reads index `width`: None
        self.ix = {f: p.get(f, width) for f in LABELS}
        # A row's cells in the order __call__ reads them, in one call (a missing column
        # reads the padding None).
        self.cells = operator.itemgetter(*(self.ix[f] for f in _SPECIAL))
        # The plain columns' cells, as a tuple (the key of `plain_memo`).
        plain_ix = [self.ix[c.field] for c in roster.PLAIN]
        self.plain_cells = (operator.itemgetter(*plain_ix) if len(plain_ix) > 1
                            else lambda r: tuple(r[i] for i in plain_ix))
        self.prefix = {f: f"{self.labels.get(f, LABELS[f])}：" for f in LABELS}
        self.column_doc_type = header.implied_doc_type()
        self.memo_doc_type = _memo(roster.doc_type, None)
        self.memo_sex = _memo(roster.sex, "")
        self.memo_date = _memo(roster.date, None)
        self.memo_region = _memo(refs.region, None)
        self.memo_groups = _memo(refs.group_codes, ())
        # Per plain column: its message prefix, its memo's dictionary and the memo (which
        # keeps only the blank cell for a column whose values do not repeat).
        self.plain = []
        for c in roster.PLAIN:
            parse = _memo(c.parse, "", limit=200_000 if c.memo else 0)
            self.plain.append((self.prefix[c.field], parse.cache, parse))
        # The plain cells of a row -> (their values, their messages): rows repeat the same
        # few combinations (education, employment status, no card), one look-up a row.
        self.plain_memo: dict[tuple, tuple] = {}

    def __call__(self, number: int, row: list) -> tuple[list | None, list[str]]:
        """(record, []) for a good row, (None, reasons) for a bad one."""
        (doc_cell, value, name_cell, sex_cell, birth_cell, phone_cell, household_cell,
         residence_cell, groups_cell) = self.cells(padded := row[:self.width] + self.pad)
        prefix = self.prefix
        errors: list[str] = []
        doc_type = self.column_doc_type
        if doc_cell is not None:
            named, message = self.memo_doc_type(doc_cell)
            doc_type = named or doc_type
            if message:
                errors.append(prefix["doc_type"] + message)
        ident = None
        if type(value) is str and doc_type in (None, "resident"):
            # as written, else as core.identity normalises it (full-width, spaces, x)
            ident = self.resident(value) or (
                None if CONTROL.search(value) else self.resident(normalise(value)))
        if ident is None:
            try:
                i = roster.identity(value, doc_type)
                ident = (i.doc_type, i.number, i.birth_date, i.sex, None)
            except (FieldError, IdentityError) as exc:
                errors.append(prefix["id_number"] + exc.message)
        value = name_cell
        if type(value) is str and _PLAIN_NAME.match(value):
            name = value
        else:
            try:
                name = roster.name(value)
            except FieldError as exc:
                name = ""
                errors.append(prefix["name"] + exc.message)
        value = sex_cell
        sex, message = self.memo_sex.cache.get(value) or self.memo_sex(value)
        if message:
            errors.append(prefix["sex"] + message)
        value = birth_cell
        if ident is not None and ident[2] is not None and type(value) is str and (
                value == ident[1][6:14] or value == ident[4]):
            birth = ident[2]  # the common case: the number's own date, written plainly
        else:
            birth, message = self.memo_date.cache.get(value) or self.memo_date(value)
            if message:
                errors.append(prefix["birth_date"] + message)
        if ident is not None:
            born, derived_sex = ident[2], ident[3]
            if birth and birth != born or sex and derived_sex and sex != derived_sex:
                found = roster.identity_disagreements(
                    IdentityNumber(ident[0], ident[1], born, derived_sex), birth, sex)
                errors.extend(prefix[f] + m for f, m in found.items())
            birth = born or birth
            sex = derived_sex or sex
        phone = ""
        value = phone_cell
        if value is not None and value != "":
            if type(value) is str and len(value) == 11 and _MOBILE.match(value):
                phone = value
            else:
                try:
                    phone = roster.phone(value)
                except FieldError as exc:
                    errors.append(prefix["phone"] + exc.message)
        regions = self.memo_region.cache
        value = household_cell
        household, message = regions.get(value) or self.memo_region(value)
        if message:
            errors.append(prefix["household_region"] + message)
        value = residence_cell
        residence, message = regions.get(value) or self.memo_region(value)
        if message:
            errors.append(prefix["residence_region"] + message)
        value = groups_cell
        groups, message = self.memo_groups.cache.get(value) or self.memo_groups(value)
        if message:
            errors.append(prefix["target_groups"] + message)
        value = self.plain_cells(padded)
        plain, messages = self.plain_memo.get(value) or self._plain(value)
        if messages:
            errors.extend(messages)
        if errors:
            return None, errors
        doc, id_number = ident[0], ident[1]
        h = (self.hash_resident(id_number.encode()) if doc == "resident"
             else self.hasher(doc, id_number))
        return [h, doc, id_number, name, sex or "", birth, phone, household, residence,
                groups, plain, number, row, None, None], errors

    def _plain(self, cells: tuple) -> tuple[tuple, tuple]:
        """The plain columns' values and messages (after the file's labels) of `cells`."""
        values, messages = [], []
        for (label, cache, parse), value in zip(self.plain, cells, strict=True):
            clean, message = cache.get(value) or parse(value)
            if message:
                messages.append(label + message)
            values.append(clean)
        found = tuple(values), tuple(messages)
        if len(self.plain_memo) < 50_000:
            self.plain_memo[cells] = found
        return found


def _memo(func, empty, limit: int = 200_000):
    """Cache a cell parser by the raw cell value: rosters repeat the same few values of sex,
    education, region, target groups and dates on most rows. Returns (value, error); the
    validator reads `.cache` (raw value -> that pair) directly and calls on a miss."""
    cache: dict = {None: (empty, None), "": (empty, None)}

    def call(value):
        if value is None or value == "":
            return empty, None
        try:
            return func(value), None
        except FieldError as exc:
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

    parse.cache = cache
    return parse


def is_blank(row: list) -> bool:
    for v in row:
        if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
            return False
    return True


def filled(row: list) -> int:
    return sum(1 for v in row if v is not None and v != "" and not
               (isinstance(v, str) and not v.strip()))
