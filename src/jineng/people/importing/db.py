"""Set-based writes for the importer: one query per batch to find existing people, COPY on
PostgreSQL and executemany on SQLite to insert and update; never a per-row ORM save."""

import json
import os

from django.db import connection
from django.utils import timezone

from jineng.core import crypto
from jineng.core.codes import mask_phone
from jineng.core.identity import mask
from jineng.people.importing.rows import (
    BIRTH,
    CARD,
    DOC_TYPE,
    EDUCATION,
    EMPLOYMENT,
    HASH,
    HOUSEHOLD,
    NAME,
    NUMBER,
    PHONE,
    RESIDENCE,
    SEX,
)

PERSON = "people_person"
GROUP = "people_persontargetgroup"
CHANGE = "people_personchange"
REGION = "orgs_region"

INSERT_COLUMNS = (
    "doc_type", "id_hash", "id_cipher", "id_masked", "name", "sex", "birth_date",
    "phone_cipher", "phone_masked", "household_region_id", "residence_region_id", "education",
    "employment_status", "social_security_card", "registered_by_id", "created_at", "updated_at",
)
UPDATE_COLUMNS = (
    "name", "sex", "birth_date", "phone_cipher", "phone_masked", "household_region_id",
    "residence_region_id", "education", "employment_status", "social_security_card",
)
# What the batch look-up returns for an existing person (by position).
EXISTING_COLUMNS = (
    "p.id", "p.id_hash", "p.name", "p.sex", "p.birth_date", "p.phone_cipher", "p.phone_masked",
    "p.household_region_id", "p.residence_region_id", "p.education", "p.employment_status",
    "p.social_security_card", "p.registered_by_id", "h.path", "r.path", "p.user_id",
)
(E_ID, E_HASH, E_NAME, E_SEX, E_BIRTH, E_PHONE_CIPHER, E_PHONE_MASKED, E_HOUSEHOLD,
 E_RESIDENCE, E_EDUCATION, E_EMPLOYMENT, E_CARD, E_REGISTERED_BY, E_HOUSEHOLD_PATH,
 E_RESIDENCE_PATH, E_USER) = range(16)


class Encryptor:
    """AES-GCM like core.crypto.encrypt, with the nonces of a batch drawn in one call."""

    def __init__(self):
        self.aes = crypto._cipher()

    def many(self, values: list[str | None]) -> list[bytes | None]:
        nonces = os.urandom(12 * len(values))
        enc = self.aes.encrypt
        version = crypto.VERSION
        out = []
        for i, v in enumerate(values):
            if not v:
                out.append(None)
                continue
            nonce = nonces[12 * i: 12 * i + 12]
            out.append(version + nonce + enc(nonce, v.encode(), None))
        return out


class Writer:
    """The database side of an import; `for_connection` picks PostgreSQL or SQLite."""

    def __init__(self, *, institution_id: int | None, default_region_id: int | None):
        self.institution_id = institution_id
        self.default_region_id = default_region_id
        self.crypt = Encryptor()

    @staticmethod
    def for_connection(**kwargs) -> "Writer":
        if connection.vendor == "postgresql":
            return PostgresWriter(**kwargs)
        return SqliteWriter(**kwargs)

    # ------------------------------------------------------------ reads

    def existing(self, hashes: list[bytes]) -> dict[bytes, tuple]:
        raise NotImplementedError

    def existing_groups(self, person_ids: list[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        if not person_ids:
            return out
        with connection.cursor() as c:
            for chunk in _chunks(person_ids, 20000):
                c.execute(
                    f"SELECT person_id, target_group_id FROM {GROUP} WHERE person_id IN "
                    f"({','.join(['%s'] * len(chunk))})", chunk,
                )
                for pid, gid in c.fetchall():
                    out.setdefault(pid, set()).add(gid)
        return out

    # ------------------------------------------------------------ writes

    def person_rows(self, records: list[list]) -> list[tuple]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = self.crypt.many([r[NUMBER] for r in records])
        phones = self.crypt.many([r[PHONE] for r in records])
        inst, region = self.institution_id, self.default_region_id
        return [
            (r[DOC_TYPE], r[HASH], ids[i], mask(r[NUMBER]), r[NAME], r[SEX], r[BIRTH],
             phones[i], mask_phone(r[PHONE]), r[HOUSEHOLD] or region, r[RESIDENCE], r[EDUCATION],
             r[EMPLOYMENT], r[CARD], inst, now, now)
            for i, r in enumerate(records)
        ]

    # Whether person_lines (encryption and COPY text, no database) can be built ahead, in
    # the reading thread, while the server still works on the previous batch.
    prepares_lines = False

    def insert(self, records: list[list], lines: list[str] | None = None) -> dict[bytes, int]:
        """Insert new people (`lines`: their person_lines, built ahead); returns {hash: id}
        for those that have target groups."""
        raise NotImplementedError

    def update(self, rows: list[tuple]) -> None:
        """rows: (id, *UPDATE_COLUMNS values)."""
        raise NotImplementedError

    def add_groups(self, pairs: list[tuple[int, int]]) -> None:
        if pairs:
            self._rows(GROUP, ("person_id", "target_group_id"), pairs)

    def add_changes(self, rows: list[tuple]) -> None:
        """rows: (person_id, at, actor_id, actor_name, source, changes dict)."""
        if rows:
            self._rows(CHANGE, ("person_id", "at", "actor_id", "actor_name", "source", "changes"),
                       [(*r[:5], json.dumps(r[5], ensure_ascii=False)) for r in rows])

    def _rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        raise NotImplementedError


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i: i + size]


_SELECT_EXISTING = (
    f"SELECT {', '.join(EXISTING_COLUMNS)} FROM {PERSON} p "
    f"LEFT JOIN {REGION} h ON h.id = p.household_region_id "
    f"LEFT JOIN {REGION} r ON r.id = p.residence_region_id "
)


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (value.replace("\\", "\\\\").replace("\t", "\\t")
                    .replace("\n", "\\n").replace("\r", "\\r"))
        return value
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class PostgresWriter(Writer):
    def existing(self, hashes):
        # One text parameter (hex, comma-separated): adapting 10,000 bytes objects into a
        # bytea[] costs more in the driver than the query costs in the server.
        with connection.cursor() as c:
            c.execute(
                _SELECT_EXISTING + "WHERE p.id_hash = ANY(ARRAY(SELECT decode(h, 'hex') "
                "FROM unnest(string_to_array(%s, ',')) AS h))",
                [",".join(h.hex() for h in hashes)],
            )
            return {bytes(row[E_HASH]): row for row in c.fetchall()}

    def _copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        """COPY in text format, the lines built here (faster than a write_row per row)."""
        text = _copy_text
        self._copy_lines(table, columns, ["\t".join([text(v) for v in row]) for row in rows])

    def add_groups(self, pairs):
        if pairs:
            self._copy_lines(GROUP, ("person_id", "target_group_id"),
                             [f"{p}\t{g}" for p, g in pairs])

    def _copy_lines(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        if not lines:
            return
        payload = ("\n".join(lines) + "\n").encode()
        with connection.cursor() as c, c.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for i in range(0, len(payload), 1 << 20):
                copy.write(payload[i: i + (1 << 20)])

    _rows = _copy

    prepares_lines = True

    def insert(self, records, lines=None):
        # The ids come from the table's sequence, reserved for the batch in one query, so the
        # target groups' person ids are known without looking the new rows up by hash.
        if lines is None:
            lines = self.person_lines(records)
        with connection.cursor() as c:
            c.execute(
                f"SELECT nextval(pg_get_serial_sequence('{PERSON}', 'id')) "
                "FROM generate_series(1, %s)", [len(records)],
            )
            ids = [row[0] for row in c.fetchall()]
        self._copy_lines(PERSON, ("id", *INSERT_COLUMNS),
                         [f"{pk}\t{line}" for pk, line in zip(ids, lines, strict=True)])
        return {r[HASH]: pk for r, pk in zip(records, ids, strict=True) if r[11]}  # GROUPS

    def person_lines(self, records: list[list], crypt: "Encryptor | None" = None) -> list[str]:
        """COPY text lines for new people, built with one f-string a row (the values' types
        are known: only free text needs escaping). No database access: the reading thread
        may call it (with its own `crypt`)."""
        now = timezone.now().isoformat()
        crypt = crypt or self.crypt
        ids = crypt.many([r[NUMBER] for r in records])
        phones = crypt.many([r[PHONE] for r in records])
        inst = "\\N" if self.institution_id is None else str(self.institution_id)
        region = self.default_region_id
        null = "\\N"
        bx = "\\\\x"  # a bytea literal inside COPY text: \\x + hex
        lines = []
        for i, r in enumerate(records):
            number, phone, name, card = r[NUMBER], r[PHONE], r[NAME], r[CARD]
            if "\\" in name or "\t" in name:
                name = _copy_text(name)
            birth = r[BIRTH]
            household = r[HOUSEHOLD] or region
            residence = r[RESIDENCE]
            phone_cell = bx + phones[i].hex() if phone else null
            lines.append(
                f"{r[DOC_TYPE]}\t{bx}{r[HASH].hex()}\t{bx}{ids[i].hex()}\t{mask(number)}\t"
                f"{name}\t{r[SEX]}\t{birth.isoformat() if birth else null}\t{phone_cell}\t"
                f"{mask_phone(phone)}\t{household if household else null}\t"
                f"{residence if residence else null}\t{r[EDUCATION]}\t{r[EMPLOYMENT]}\t"
                f"{_copy_text(card) if card else ''}\t{inst}\t{now}\t{now}"
            )
        return lines

    def update(self, rows):
        if not rows:
            return
        with connection.cursor() as c:
            c.execute(
                "CREATE TEMP TABLE IF NOT EXISTS jineng_import_person ON COMMIT DROP AS "
                f"SELECT id, {', '.join(UPDATE_COLUMNS)} FROM {PERSON} WITH NO DATA"
            )
            c.execute("TRUNCATE jineng_import_person")
        self._copy("jineng_import_person", ("id", *UPDATE_COLUMNS), rows)
        sets = ", ".join(f"{col} = t.{col}" for col in UPDATE_COLUMNS)
        with connection.cursor() as c:
            c.execute(
                f"UPDATE {PERSON} p SET {sets}, updated_at = %s FROM jineng_import_person t "
                "WHERE p.id = t.id", [timezone.now()],
            )


class SqliteWriter(Writer):
    def existing(self, hashes):
        out = {}
        with connection.cursor() as c:
            for chunk in _chunks(hashes, 20000):
                c.execute(
                    _SELECT_EXISTING + f"WHERE p.id_hash IN ({','.join(['%s'] * len(chunk))})",
                    chunk,
                )
                for row in c.fetchall():
                    out[bytes(row[E_HASH])] = row
        return out

    def _rows(self, table, columns, rows):
        with connection.cursor() as c:
            c.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})", rows,
            )

    def insert(self, records, lines=None):
        self._rows(PERSON, INSERT_COLUMNS, self.person_rows(records))
        wanted = [r[HASH] for r in records if r[11]]  # GROUPS
        out = {}
        with connection.cursor() as c:
            for chunk in _chunks(wanted, 20000):
                c.execute(f"SELECT id, id_hash FROM {PERSON} WHERE id_hash IN "
                          f"({','.join(['%s'] * len(chunk))})", chunk)
                out.update((bytes(h), pk) for pk, h in c.fetchall())
        return out

    def update(self, rows):
        if not rows:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sets = ", ".join(f"{col} = %s" for col in UPDATE_COLUMNS)
        with connection.cursor() as c:
            c.executemany(
                f"UPDATE {PERSON} SET {sets}, updated_at = %s WHERE id = %s",
                [(*row[1:], now, row[0]) for row in rows],
            )


def mask_card(card: str) -> str | None:
    return mask(card) if card else None
