"""Set-based writes for the importer: one query per batch to find existing people, COPY on
PostgreSQL and executemany on SQLite to insert and update; never a per-row ORM save."""

import datetime as dt
import json
import os
import struct

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jineng.core import crypto
from jineng.core.codes import mask_phone
from jineng.core.identity import mask
from jineng.people import roster
from jineng.people.importing.rows import (
    BIRTH,
    COPY,
    DOC_TYPE,
    GROUPS,
    HASH,
    HOUSEHOLD,
    NAME,
    NUMBER,
    PHONE,
    PLAIN,
    RESIDENCE,
    SEX,
)

PERSON = "people_person"
ID_HASH_UNIQUE = "people_person_id_hash_key"  # the unique index Django made for Person.id_hash
CHANGE = "people_personchange"
REGION = "orgs_region"

# The plain columns of the roster (roster.PLAIN) follow the fixed ones in each list.
_PLAIN_COLUMNS = tuple(c.db_column for c in roster.PLAIN)
INSERT_COLUMNS = (
    "doc_type", "id_hash", "id_cipher", "id_masked", "name", "sex", "birth_date",
    "phone_cipher", "phone_masked", "household_region_id", "residence_region_id",
    "target_groups", *_PLAIN_COLUMNS, "registered_by_id", "created_at", "updated_at",
)
UPDATE_COLUMNS = (
    "name", "sex", "birth_date", "phone_cipher", "phone_masked", "household_region_id",
    "residence_region_id", "target_groups", *_PLAIN_COLUMNS,
)
# What the batch look-up returns for an existing person (by position).
EXISTING_COLUMNS = (
    "p.id", "p.id_hash", "p.name", "p.sex", "p.birth_date", "p.phone_cipher", "p.phone_masked",
    "p.household_region_id", "p.residence_region_id", "p.registered_by_id", "h.path", "r.path",
    "p.user_id", "p.target_groups", *(f"p.{c}" for c in _PLAIN_COLUMNS),
)
(E_ID, E_HASH, E_NAME, E_SEX, E_BIRTH, E_PHONE_CIPHER, E_PHONE_MASKED, E_HOUSEHOLD,
 E_RESIDENCE, E_REGISTERED_BY, E_HOUSEHOLD_PATH, E_RESIDENCE_PATH, E_USER, E_GROUPS,
 E_PLAIN) = range(15)


def stored_groups(found: tuple) -> list[str]:
    """The target-group codes of a row of EXISTING_COLUMNS (JSON text, or already parsed)."""
    value = found[E_GROUPS]
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])


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

    # ------------------------------------------------------------ writes

    def person_rows(self, records: list[list]) -> list[tuple]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = self.crypt.many([r[NUMBER] for r in records])
        phones = self.crypt.many([r[PHONE] for r in records])
        inst, region = self.institution_id, self.default_region_id
        return [
            (r[DOC_TYPE], r[HASH], ids[i], mask(r[NUMBER]), r[NAME], r[SEX], r[BIRTH],
             phones[i], mask_phone(r[PHONE]), r[HOUSEHOLD] or region, r[RESIDENCE],
             json.dumps(r[GROUPS]), *r[PLAIN], inst, now, now)
            for i, r in enumerate(records)
        ]

    # Whether add_copy_data (encryption and the COPY encoding, no database) can run ahead,
    # in the workers that validate, while the server still works on earlier batches.
    builds_copy_data = False

    def add_copy_data(self, records: list[list], crypt: "Encryptor | None" = None) -> None:
        pass

    def insert(self, new: list[tuple]) -> None:
        """Insert new people: (part, index) pairs of pipeline.PartResult, whose
        `copy_data(index)` is the encoded row when it was built ahead."""
        raise NotImplementedError

    def insert_if_none_registered(self, new: list[tuple]) -> bool:
        """insert(new), unless the unique index on the hash refuses one of them as registered
        already: then nothing of it is written (a savepoint) and False comes back."""
        try:
            with transaction.atomic():
                self.insert(new)
        except (IntegrityError, connection.Database.IntegrityError) as exc:  # COPY: the driver's
            if self._registered_already(exc):
                return False
            raise
        return True

    @staticmethod
    def _registered_already(exc: Exception) -> bool:
        raise NotImplementedError

    def update(self, rows: list[tuple]) -> None:
        """rows: (id, *UPDATE_COLUMNS values), target groups as JSON text."""
        raise NotImplementedError

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


# PostgreSQL's binary COPY format: a signature, then per tuple a 16-bit field count and per
# field a 32-bit length (-1 for NULL) and the value in the type's binary send format.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + b"\0\0\0\0" + b"\0\0\0\0"
COPY_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_PG_EPOCH_ORDINAL = dt.date(2000, 1, 1).toordinal()
_LENGTH = struct.Struct(">i").pack
_INT8 = struct.Struct(">iq").pack  # length 8, int8
_DATE = struct.Struct(">ii").pack  # length 4, days since 2000-01-01
_PERSON_HEAD = struct.pack(">h", len(INSERT_COLUMNS))  # a tuple's field count


def _binary_text(value: str) -> bytes:
    data = value.encode()
    return _LENGTH(len(data)) + data


class _Memo(dict):
    """value -> its encoded field, for the columns whose values repeat."""

    def __init__(self, encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, value):
        piece = self[value] = self.encode(value)
        return piece


_CHOICE = _Memo(_binary_text)  # doc type, sex, education, employment: a few values each
# A field's length prefix for the short values of a person (names are at most 50
# characters, so 200 bytes; ciphertexts of the numbers under 100).
_LENGTHS = [_LENGTH(n) for n in range(256)]
_NO_PHONE = (_NULL, _LENGTHS[0])  # no ciphertext, an empty mask
# A tuple's start: its field count, the document type, the length of the hash that follows.
_HEAD = _Memo(lambda doc_type: _PERSON_HEAD + _binary_text(doc_type) + _LENGTH(32))
_REGION = _Memo(lambda pk: _NULL if pk is None else _INT8(8, pk))
_BIRTH = _Memo(lambda d: _NULL if d is None else _DATE(4, d.toordinal() - _PG_EPOCH_ORDINAL))
# jsonb's binary form: a version byte, then the JSON text.
_GROUPS = _Memo(lambda codes: _LENGTH(len(json.dumps(list(codes))) + 1) + b"\x01"
                + json.dumps(list(codes)).encode())
# A plain column's encoder by its roster.Column.encode: "choice" values repeat (memoised).
_ENCODERS = {"choice": _CHOICE.__getitem__, "text": _binary_text}
_PLAIN_ENCODERS = tuple(_ENCODERS[c.encode] for c in roster.PLAIN)
# A record's tuple of plain values -> their encoded fields: the tuples repeat (education,
# employment status, mostly no card).
_PLAIN_FIELDS = _Memo(lambda values: b"".join(
    [encode(v) for encode, v in zip(_PLAIN_ENCODERS, values, strict=True)]))


def _encode_people(records: list[list], crypt: "Encryptor", institution_id, default_region_id
                   ) -> None:
    """record[COPY] = the person's tuple of INSERT_COLUMNS in binary COPY format. The hot
    path of the PostgreSQL import: the number and phone are encrypted here (core.crypto's
    format: version, nonce, AES-GCM) with the batch's nonces drawn at once; values that
    repeat come encoded from the memos, lengths from a table."""
    micros = (timezone.now() - _PG_EPOCH) // dt.timedelta(microseconds=1)
    tail = (_NULL if institution_id is None else _INT8(8, institution_id)) + _INT8(8, micros) * 2
    head, region, birth, groups, choice = _HEAD, _REGION, _BIRTH, _GROUPS, _CHOICE
    encrypt, version, length = crypt.aes.encrypt, crypto.VERSION, _LENGTHS
    nonces = os.urandom(24 * len(records))
    plain = _PLAIN_FIELDS
    if len(plain) > 100_000:  # distinct cards: keep the memo small
        plain.clear()
    for k, r in enumerate(records):
        number, phone = r[NUMBER], r[PHONE]
        masked, name = mask(number).encode(), r[NAME].encode()
        nonce = nonces[24 * k: 24 * k + 12]
        id_cipher = encrypt(nonce, number.encode(), None)
        if phone:
            nonce_phone = nonces[24 * k + 12: 24 * k + 24]
            phone_cipher = encrypt(nonce_phone, phone.encode(), None)
            phone_masked = mask_phone(phone).encode()
            phone_fields = (length[len(phone_cipher) + 13], version, nonce_phone, phone_cipher,
                            length[len(phone_masked)], phone_masked)
        else:
            phone_fields = _NO_PHONE
        r[COPY] = b"".join((
            head[r[DOC_TYPE]], r[HASH], length[len(id_cipher) + 13], version, nonce, id_cipher,
            length[len(masked)], masked, length[len(name)], name, choice[r[SEX]],
            birth[r[BIRTH]], *phone_fields, region[r[HOUSEHOLD] or default_region_id],
            region[r[RESIDENCE]], groups[r[GROUPS]], plain[r[PLAIN]], tail,
        ))


def _copy_payload(statement: str, payload: bytes) -> None:
    view = memoryview(payload)
    with connection.cursor() as c, c.cursor.copy(statement) as copy:
        for i in range(0, len(view), 1 << 20):
            copy.write(view[i: i + (1 << 20)])


class PostgresWriter(Writer):
    @staticmethod
    def _registered_already(exc):
        diag = getattr(exc, "diag", None) or getattr(exc.__cause__, "diag", None)
        return diag is not None and diag.constraint_name == ID_HASH_UNIQUE

    def existing(self, hashes):
        # The hashes as one bytea, cut into 32-byte pieces by the server: adapting 10,000
        # bytes objects into a bytea[] costs more in the driver than the query in the server.
        with connection.cursor() as c:
            c.execute(
                _SELECT_EXISTING + "WHERE p.id_hash = ANY(ARRAY("
                "SELECT substring(%s::bytea FROM 32 * i + 1 FOR 32) "
                "FROM generate_series(0, %s - 1) AS i))",
                [b"".join(hashes), len(hashes)],
            )
            return {bytes(row[E_HASH]): row for row in c.fetchall()}

    def _copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        """COPY in text format, the lines built here (faster than a write_row per row)."""
        if rows:
            text = _copy_text
            lines = "\n".join(["\t".join([text(v) for v in row]) for row in rows])
            _copy_payload(f"COPY {table} ({', '.join(columns)}) FROM STDIN",
                          (lines + "\n").encode())

    _rows = _copy

    builds_copy_data = True

    def insert(self, new):
        rows = [part.copy_data(i) for part, i in new]
        missing = [part.record(i) for (part, i), row in zip(new, rows, strict=True)
                   if row is None]
        if missing:
            self.add_copy_data(missing)
            rows = [part.copy_data(i) for part, i in new]
        self._copy_binary(PERSON, INSERT_COLUMNS, rows)

    def _copy_binary(self, table: str, columns: tuple[str, ...], rows: list[bytes]) -> None:
        """COPY in PostgreSQL's binary format, `rows` each one tuple already encoded."""
        if not rows:
            return
        _copy_payload(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
                      b"".join([COPY_SIGNATURE, *rows, COPY_TRAILER]))

    def add_copy_data(self, records: list[list], crypt: "Encryptor | None" = None) -> None:
        """Set record[COPY]: the binary COPY fields of a new person after its id (the number
        and phone encrypted here). No database access: a worker process may call it."""
        if records:
            _encode_people(records, crypt or self.crypt, self.institution_id,
                           self.default_region_id)

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
    @staticmethod
    def _registered_already(exc):
        return f"{PERSON}.id_hash" in str(exc)  # "UNIQUE constraint failed: people_person.id_hash"

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

    def insert(self, new):
        self._rows(PERSON, INSERT_COLUMNS, self.person_rows([part.record(i) for part, i in new]))

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
