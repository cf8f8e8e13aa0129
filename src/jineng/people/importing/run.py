"""The importer: read → validate → de-duplicate → write in batches → report.

    result = import_file(path, options)

Rows stream from the reader; valid rows gather in a batch of `batch_size`; each batch costs
one query to find who is already registered, then set-based writes (db.py). Strict mode runs
everything in one transaction and rolls it back if any row was rejected; partial mode commits
batch by batch. Rejected rows go to the report as they were in the file, with the reason.
"""

import contextlib
import datetime as dt
import gc
import itertools
import json
import operator
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import xlsxwriter
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from jineng.core.codes import mask_phone
from jineng.core.crypto import decrypt
from jineng.core.spreadsheet_reader import ReadError, open_rows
from jineng.orgs.models import Region
from jineng.people import roster
from jineng.people.importing import db, pipeline, scope
from jineng.people.importing.columns import HEADER_SCAN_ROWS, LABELS, detect_header
from jineng.people.importing.rows import (
    BIRTH,
    DUP_OF,
    GROUPS,
    HOUSEHOLD,
    NAME,
    PHONE,
    PLAIN,
    RAW,
    RESIDENCE,
    ROW,
    SEX,
    References,
    RowValidator,
)
from jineng.people.models import ImportMode, OnDuplicate
from jineng.people.services import name_mask

ERROR_COLUMN = "错误原因"
ROW_COLUMN = "原行号"
SEX_LABELS = {"M": "男", "F": "女", "": None}
# What a record holds to compare with another of the same person.
_COMPARED = (NAME, SEX, BIRTH, PHONE, HOUSEHOLD, RESIDENCE, GROUPS, PLAIN)


class ImportCannotRun(ReadError):
    """The file cannot be imported at all (unreadable, no header): nothing was written."""


class _Rollback(Exception):
    pass


@dataclass
class ImportOptions:
    region: Region
    mode: str = ImportMode.PARTIAL
    on_duplicate: str = OnDuplicate.SKIP
    actor: object = None
    institution_id: int | None = None
    source: str = "import"
    batch_size: int = 10_000
    # Worker processes that read and validate; None: pipeline.pool_size (one a core for a
    # large file, none for a small one); 0: everything in this process.
    workers: int | None = None
    report_path: str | None = None
    file_name: str = ""
    # (rows done, total rows or None, in_long_transaction) after every batch
    progress: Callable[[int, int | None, bool], None] | None = None
    # May the actor update this existing person? (a row of db.EXISTING_COLUMNS) -> bool;
    # None: yes (command line, system). importing.scope.person_predicate makes one.
    may_update: Callable[[tuple], bool] | None = None
    # Called inside the transaction that commits what a batch wrote (partial mode: every
    # batch that created or updated someone; strict mode: once, just before the single
    # commit), so the import's audit event commits or rolls back with the people.
    on_commit_batch: Callable[["BatchWritten"], None] | None = None


@dataclass(frozen=True)
class BatchWritten:
    number: int  # 1, 2, ... of the batches that wrote something
    first_row: int  # the file's row numbers of the batch's first and last rows
    last_row: int
    rows_read: int  # rows of the file read so far
    created: int
    updated: int


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    rolled_back: bool = False
    seconds: float = 0.0
    db_seconds: float = 0.0  # the writer thread's time in database batches
    wait_seconds: float = 0.0  # the reading thread's time waiting for the writer
    # Number matches with people outside the importer's view scope: rejected without any
    # personal data; counted (never listed) in the import's audit event.
    out_of_scope_matches: int = 0
    # Of those, the ones an institution's roster found (importing.scope.may_find_registered):
    # counted as skipped and listed in the report by row number only.
    found: int = 0
    header_row: int = 0
    columns: dict = field(default_factory=dict)
    report_path: str | None = None

    def counts(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "skipped": self.skipped, "rejected": self.rejected,
                "rolled_back": self.rolled_back,
                "out_of_scope_matches": self.out_of_scope_matches, "found": self.found}


FOUND_TEXT = "已登记（由其他地区或机构登记，未改动）"


class Report:
    """The .xlsx of rejected rows (as they were, plus 错误原因) and a summary sheet."""

    def __init__(self, path: str | None, labels: list[str]):
        self.path = path
        self.count = 0
        if not path:
            return
        self.book = xlsxwriter.Workbook(path, {"constant_memory": True,
                                               "strings_to_numbers": False,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False})
        self.sheet = self.book.add_worksheet("错误行")
        self.summary = self.book.add_worksheet("汇总")
        self.found_sheet = self.book.add_worksheet("已登记")
        self.found_count = 0
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        bold = self.book.add_format({"bold": True, "bg_color": "#FDE9E7"})
        self.width = len(labels)
        self.sheet.write_row(0, 0, [*labels, ERROR_COLUMN, ROW_COLUMN], bold)
        self.sheet.set_column(self.width, self.width, 60)

    def reject(self, row_number: int, raw: list, reasons: list[str]) -> None:
        self.count += 1
        if not self.path:
            return
        r, ws = self.count, self.sheet
        for c, value in enumerate(raw[: self.width]):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, dt.datetime | dt.date):
                ws.write_datetime(r, c, value, self.date)
            else:
                ws.write_string(r, c, str(value))
        ws.write_string(r, self.width, f"第 {row_number} 行 " + "；".join(reasons))
        ws.write_number(r, self.width + 1, row_number)

    def found(self, row_number: int) -> None:
        """A row whose person is registered by another region or institution: its number
        only, none of what is stored of that person."""
        if not self.path:
            return
        if not self.found_count:
            self.found_sheet.write_row(0, 0, [ROW_COLUMN, "结果"])
            self.found_sheet.set_column(1, 1, 50)
        self.found_count += 1
        self.found_sheet.write_number(self.found_count, 0, row_number)
        self.found_sheet.write_string(self.found_count, 1, FOUND_TEXT)

    def close(self, result: ImportResult, options: ImportOptions) -> None:
        if not self.path:
            return
        rows = [
            ("文件", options.file_name), ("模式", ImportMode(options.mode).label),
            ("重复时", OnDuplicate(options.on_duplicate).label), ("总行数", result.rows),
            ("新增", result.created), ("更新", result.updated), ("跳过", result.skipped),
            ("拒绝", result.rejected), ("其中已登记（跳过）", result.found),
            ("结果", "存在错误行，全部未导入（已回滚）" if result.rolled_back else "已导入"),
        ]
        for i, (k, v) in enumerate(rows):
            self.summary.write_string(i, 0, k)
            self.summary.write(i, 1, v)
        self.book.close()


def _in_hash_order(new: list[tuple]) -> list[tuple]:
    """(hash, part, index) triples as (part, index) pairs in the order of the unique index on
    the hash: each new entry then lands beside the one before it, on pages still in the
    CPU's cache (about a tenth of the server's work on a million rows, bench/RESULTS.md)."""
    new.sort(key=_first)
    return [(part, i) for _, part, i in new]


_first = operator.itemgetter(0)


def _region_label(refs: References, pk):
    return refs.labels.get(pk) if pk else None


class Importer:
    def __init__(self, path, options: ImportOptions):
        self.path = path
        self.o = options
        self.result = ImportResult(report_path=options.report_path)
        self.refs = References(options.region)
        self.writer = db.Writer.for_connection(institution_id=options.institution_id,
                                               default_region_id=options.region.pk)
        self.seen: dict[bytes, int] = {}
        self.pending: dict[bytes, tuple] = {}  # hash -> (pipeline.PartResult, index)
        self.lock = threading.Lock()
        self.writer_skipped = 0
        self.none_registered_so_far = True  # no batch has met a registered person yet
        self.batches_written = 0
        self.written_so_far = (0, 0)  # created, updated up to the last BatchWritten
        # The actor's scope, once per import (None: no limit — the command line, a
        # province-wide grant; institution operators may register anywhere, as in
        # person_create): a set look-up per row afterwards.
        actor = options.actor
        self.add_regions = scope.region_ids(actor, "add", self.refs.paths)
        self.change_regions = scope.region_ids(actor, "change", self.refs.paths)
        self.may_view = scope.person_predicate(actor, "people.view_person")
        self.find_registered = scope.may_find_registered(actor)
        self.region_names = (
            {pk: label.rsplit("（", 1)[0] for pk, label in self.refs.labels.items()}
            if self.add_regions is not None or self.change_regions is not None else {}
        )

    # ------------------------------------------------------------ driving

    def run(self) -> ImportResult:
        started = time.monotonic()
        source = open_rows(self.path, self.o.file_name)
        try:
            head, parts = self._header(source)
            self.report = Report(self.o.report_path, self.header.labels)
            workers = self._workers(source)  # forked before the writer thread starts
            self.writer_thread = _BatchWriter(self, strict=self.o.mode == ImportMode.STRICT)
            self.writer_thread.start()
            try:
                self._loop(workers.map(itertools.chain([head], parts)))
            except BaseException:
                workers.close(abort=True)
                self.writer_thread.finish(abort=True)
                raise
            finally:
                workers.close()
                self.writer_thread.finish()
                self.result.skipped += self.writer_skipped
                self.result.seconds = time.monotonic() - started
                self.result.db_seconds = self.writer_thread.db_seconds
                self.result.wait_seconds = self.writer_thread.wait_seconds
                if self.writer_thread.rolled_back:
                    r = self.result
                    r.created = r.updated = r.skipped = r.found = 0
                    r.rolled_back = True
                self.report.close(self.result, self.o)
        finally:
            source.close()
        return self.result

    def _workers(self, source) -> pipeline.Workers:
        writer = self.writer
        work = pipeline.PartWork(
            validate=self.validate, parser=source.parser,
            id_col=self.header.positions["id_number"], name_col=self.header.positions["name"],
            encode=writer.add_copy_data if writer.builds_copy_data else None,
            crypt=db.Encryptor(),
        )
        processes = self.o.workers
        if processes is None:
            processes = pipeline.pool_size(self.total)
        workers = pipeline.Workers(work, processes)
        self.encoding = work.encoding  # shared with the workers when there are any
        return workers

    def _header(self, source):
        """Find the header in the first rows; returns the rows after it (a part) and the
        rest of the parts."""
        head = []
        parts = source.parts()
        for part in parts:
            head.extend(source.expand(part))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = detect_header(head[:HEADER_SCAN_ROWS], source.merged)
        if header is None or header.missing():
            wanted = "、".join(header.missing()) if header else "身份证号、姓名"
            raise ImportCannotRun(
                f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头（缺少“{wanted}”列）。"
                "请使用导入模板，或确认表头含有“姓名”“身份证号”等列名"
            )
        self.header = header
        self.validate = RowValidator(header, self.refs)
        self.result.header_row = header.row_number
        self.result.columns = {LABELS[f]: header.labels[i].strip() for f, i in
                               header.positions.items()}
        self.total = max(source.total_rows - header.row_number, 0) if source.total_rows else None
        return [(n, r) for n, r in head if n > header.row_number], parts

    def _loop(self, results):
        """Take the validated parts in file order: report rejected rows, de-duplicate by
        number (the first row wins) and hand full batches to the writer thread."""
        result = self.result
        batch = self.o.batch_size
        if self.total and connection.vendor == "postgresql":
            # A small file still gets a few batches, so the server's work on one overlaps
            # reading the next (SQLite works in this process: fewer, larger batches win).
            batch = max(min(batch, self.total // 8), min(batch, 1000))
        reject = self._reject
        for part in results:
            result.rows += part.rows
            for number, row, errors in part.rejected:
                reject(number, row, errors)
            hashes = part.hashes
            keys = [hashes[k: k + 32] for k in range(0, len(hashes), 32)]
            start = 0
            while start < len(keys):  # as much of the part as the batch has room for
                end = min(len(keys), start + batch - len(self.pending))
                self._take(part, keys, start, end)
                if len(self.pending) >= batch:
                    self._flush()
                start = end
        self._flush()

    def _take(self, part, keys: list[bytes], start: int, end: int) -> None:
        """The part's valid rows start..end (their hashes `keys`) into the pending batch; of
        rows with the same number the first wins."""
        seen, pending, numbers = self.seen, self.pending, part.numbers
        fresh = dict(zip(keys[start:end], numbers[start:end], strict=True))
        if len(fresh) == end - start and seen.keys().isdisjoint(fresh):
            # The usual case, in C loops: no number met before, none twice.
            seen.update(fresh)
            pending.update(zip(fresh, [(part, i) for i in range(start, end)], strict=True))
            return
        for i in range(start, end):
            h = keys[i]
            first = seen.get(h)
            if first is None:
                seen[h] = numbers[i]
            elif not self._repeat(first, h, part, i):
                continue
            pending[h] = (part, i)

    def _repeat(self, first: int, h: bytes, part, i: int) -> bool:
        """A number seen before in the file, at row `first`: whether this row still goes to
        the writer (update mode: it may change what the earlier row registered)."""
        on_dup = self.o.on_duplicate
        if on_dup == OnDuplicate.SKIP:
            self.result.skipped += 1
            return False
        record = part.record(i)
        if on_dup == OnDuplicate.ERROR:
            self._reject(record[ROW], record[RAW],
                         [f"{self._id_label()}：与第 {first} 行的证件号码重复"])
            return False
        earlier = self.pending.get(h)
        if earlier is not None:
            if self._differs_from_record(earlier[0].record(earlier[1]), record):
                self._reject(record[ROW], record[RAW], [self._inconsistent(first)])
            else:
                self.result.skipped += 1
            return False
        record[DUP_OF] = first
        return True

    def _id_label(self) -> str:
        return self.validate.labels.get("id_number", "身份证号")

    def _inconsistent(self, first: int) -> str:
        return (f"{self._id_label()}：与第 {first} 行是同一人，但其他信息不一致，"
                "无法确定以哪一行为准，请合并后重新导入")

    def _region_refused(self, allowed: set[int] | None, household, residence) -> str | None:
        """services._check_regions over a precomputed set: at least one of the person's
        regions must be one the actor may use; the reason (naming 户籍地) otherwise."""
        if allowed is None:
            return None
        if household in allowed or residence in allowed:
            return None
        first = household or residence
        label = self.validate.labels.get("household_region", "户籍地")
        return f"{label}：无权在「{self.region_names.get(first, first)}」登记人员"

    def _found(self, number: int) -> None:
        """An institution's roster met someone registered elsewhere: skipped, reported as
        found (enrolment needs no more), never refused."""
        with self.lock:
            self.result.found += 1
            self.writer_skipped += 1
            self.report.found(number)

    def _reject(self, number, row, reasons):
        with self.lock:
            self.result.rejected += 1
            self.report.reject(number, row, reasons)

    # ------------------------------------------------------------ one batch

    def _flush(self):
        """Hand the batch to the writer thread, which writes it while this thread takes the
        next parts (the database works on another core meanwhile)."""
        if self.pending:
            self.writer_thread.put((self.pending, self.result.rows))
            self.pending = {}

    def _write_batch(self, pending: dict):
        if self.none_registered_so_far and self._insert_if_none_registered(pending):
            return
        result, writer = self.result, self.writer
        existing = writer.existing(list(pending))
        # Encoding ahead is wasted on people who turn out to be registered (a re-run).
        self.encoding.value = 2 * len(existing) < len(pending)
        new, updates, changes = [], [], []
        on_dup = self.o.on_duplicate
        now = timezone.now()
        actor = self.o.actor
        actor_id = getattr(actor, "pk", None)
        actor_name = (getattr(actor, "username", "") or "")[:150]
        source = self.o.source[:40]
        change_regions, may_view = self.change_regions, self.may_view
        for h, (part, i) in pending.items():
            found = existing.get(h)
            if found is None:
                refused = self._refused_as_new(part, i)
                if refused:
                    self._reject(part.numbers[i], part.record(i)[RAW], [refused])
                    continue
                new.append((h, part, i))
                continue
            record = part.record(i)
            if may_view is not None and not may_view(found):
                # Someone else's person: say only that the number is registered.
                result.out_of_scope_matches += 1
                if self.find_registered and on_dup != OnDuplicate.ERROR:
                    self._found(record[ROW])
                    continue
                self._reject(record[ROW], record[RAW], [
                    f"{self._id_label()}：该证件号码已在实名库中登记"
                    "（不在您的管辖范围内，请联系其所在地经办机构）"])
                continue
            if on_dup == OnDuplicate.SKIP:
                self.writer_skipped += 1
                continue
            if on_dup == OnDuplicate.ERROR:
                masked = name_mask(found[db.E_NAME])
                self._reject(record[ROW], record[RAW],
                             [f"{self._id_label()}：该证件号码已在实名库中登记（{masked}）"])
                continue
            pid = found[db.E_ID]
            diff, values = self._diff(found, record)
            if not diff:
                self.writer_skipped += 1
                continue
            if record[DUP_OF]:
                self._reject(record[ROW], record[RAW], [self._inconsistent(record[DUP_OF])])
                continue
            if self.o.may_update and not self.o.may_update(found):
                self._reject(record[ROW], record[RAW], [
                    f"{self._id_label()}：该人员已由其他地区或机构登记，不在您的管理范围内，未更新"
                ])
                continue
            if change_regions is not None and values is not None and (
                "household_region" in diff or "residence_region" in diff
            ):
                refused = self._region_refused(change_regions, values[5], values[6])
                if refused:
                    self._reject(record[ROW], record[RAW], [refused])
                    continue
            result.updated += 1
            updates.append((pid, *values))
            changes.append((pid, connection.ops.adapt_datetimefield_value(now), actor_id,
                            actor_name, source, diff))
        if new:
            writer.insert(_in_hash_order(new))
            result.created += len(new)
        writer.update(updates)
        writer.add_changes(changes)

    def _batch_written(self, first_row: int, last_row: int, rows_read: int) -> None:
        """Tell options.on_commit_batch what the rows first_row..last_row wrote, inside the
        transaction that is about to commit it; nothing when they wrote nothing."""
        created, updated = self.result.created, self.result.updated
        before_created, before_updated = self.written_so_far
        if self.o.on_commit_batch is None or (created, updated) == self.written_so_far:
            return
        self.batches_written += 1
        self.written_so_far = (created, updated)
        self.o.on_commit_batch(BatchWritten(
            number=self.batches_written, first_row=first_row, last_row=last_row,
            rows_read=rows_read, created=created - before_created,
            updated=updated - before_updated))

    def _insert_if_none_registered(self, pending: dict) -> bool:
        """The batch as new people in one COPY, which the unique index on the hash refuses
        when any of them is registered already: then nothing is written, False comes back and
        this batch and every later one take the usual way, look-up first. A first import of
        a file (a registry holding none of it) so saves every batch its look-up, about a
        tenth of the server's CPU (bench/RESULTS.md). A batch with a row the actor may not
        register as new takes the usual way at once: whether that row is someone registered
        decides what the report says of it."""
        if self.add_regions is not None and any(
                self._refused_as_new(part, i) for part, i in pending.values()):
            return False
        new = [(h, part, i) for h, (part, i) in pending.items()]
        if not self.writer.insert_if_none_registered(_in_hash_order(new)):
            self.none_registered_so_far = False  # a re-run or an update
            return False
        self.result.created += len(new)
        return True

    def _refused_as_new(self, part, i: int) -> str | None:
        """Why the actor may not register the i-th row of `part` as a new person (None: it
        may)."""
        if self.add_regions is None:
            return None
        return self._region_refused(self.add_regions, part.households[i] or self.o.region.pk,
                                    part.residences[i])

    # ------------------------------------------------------------ comparing

    def _differs_from_record(self, a: list, b: list) -> bool:
        return any(a[i] != b[i] for i in _COMPARED)

    def _diff(self, found: tuple, record: list):
        """What the row changes: ({field: [old, new]} in display form, the new values of
        db.UPDATE_COLUMNS). Blank cells keep what is registered; target groups are added,
        never removed."""
        diff = {}
        name, sex, birth = found[db.E_NAME], found[db.E_SEX], found[db.E_BIRTH]
        phone_cipher, phone_masked = found[db.E_PHONE_CIPHER], found[db.E_PHONE_MASKED]
        household, residence = found[db.E_HOUSEHOLD], found[db.E_RESIDENCE]
        groups = db.stored_groups(found)
        if isinstance(birth, str):
            birth = dt.date.fromisoformat(birth)
        if record[NAME] != name:
            diff["name"] = [name, record[NAME]]
            name = record[NAME]
        if record[SEX] and record[SEX] != sex:
            diff["sex"] = [SEX_LABELS.get(sex), SEX_LABELS[record[SEX]]]
            sex = record[SEX]
        if record[BIRTH] and record[BIRTH] != birth:
            diff["birth_date"] = [birth.isoformat() if birth else None, record[BIRTH].isoformat()]
            birth = record[BIRTH]
        if record[PHONE]:
            old = decrypt(phone_cipher) if phone_cipher else ""
            if old != record[PHONE]:
                phone_cipher = self.writer.crypt.many([record[PHONE]])[0]
                new_masked = mask_phone(record[PHONE])
                diff["phone"] = [phone_masked or None, new_masked]
                phone_masked = new_masked
        refs = self.refs
        if record[HOUSEHOLD] and record[HOUSEHOLD] != household:
            diff["household_region"] = [_region_label(refs, household),
                                        _region_label(refs, record[HOUSEHOLD])]
            household = record[HOUSEHOLD]
        if record[RESIDENCE] and record[RESIDENCE] != residence:
            diff["residence_region"] = [_region_label(refs, residence),
                                        _region_label(refs, record[RESIDENCE])]
            residence = record[RESIDENCE]
        merged = sorted({*groups, *record[GROUPS]})
        if merged != sorted(groups):
            diff["target_groups"] = [self._group_names(groups), self._group_names(merged)]
        plain = []
        for k, column in enumerate(roster.PLAIN):
            old, new = found[db.E_PLAIN + k], record[PLAIN][k]
            if new and new != old:
                diff[column.field] = [column.show(old), column.show(new)]
                old = new
            plain.append(old)
        values = (name, sex, birth, phone_cipher, phone_masked, household, residence,
                  json.dumps(merged), *plain)
        return diff, values

    def _group_names(self, codes) -> list[str]:
        names = self.refs.group_names
        return sorted(names.get(c, c) for c in codes)


class _BatchWriter(threading.Thread):
    """Writes batches in order on the importer's own database connection (shared with this
    thread while the importing thread keeps off the database), so the import stays in the
    caller's transaction. Strict mode wraps all batches in one transaction and rolls it
    back at the end if any row was rejected; partial mode commits batch by batch."""

    def __init__(self, importer: "Importer", *, strict: bool):
        super().__init__(name="person-import-writer", daemon=True)
        self.importer = importer
        self.strict = strict
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.conn = connections[DEFAULT_DB_ALIAS]
        self.error: BaseException | None = None
        self.rolled_back = False
        self.abort = False
        self.finished = False
        self.db_seconds = 0.0
        self.wait_seconds = 0.0
        self.first_row: int | None = None  # of the rows handed to the writer so far
        self.last_row = 0
        self.rows_read = 0

    def put(self, item) -> None:
        started = time.monotonic()
        try:
            while True:
                if self.error is not None:
                    raise self.error
                try:
                    self.queue.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue
        finally:
            self.wait_seconds += time.monotonic() - started

    def finish(self, *, abort: bool = False) -> None:
        """Wait for the last batch. `abort`: the reading failed, so a strict import must not
        commit what it has."""
        if self.finished:
            return
        self.finished = True
        self.abort = abort
        if self.is_alive():
            with contextlib.suppress(Exception):  # the writer's own error is raised below
                self.put(None)
            self.join()
        self.conn.dec_thread_sharing()
        if self.error is not None:
            raise self.error

    def start(self) -> None:
        self.conn.inc_thread_sharing()
        super().start()

    def run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.conn
        try:
            if self.strict:
                try:
                    with transaction.atomic():
                        self._drain()
                        with self.importer.lock:
                            rejected = self.importer.result.rejected
                        if rejected or self.abort:
                            raise _Rollback
                        # Once, not per batch: the audit event locks the chain's head until
                        # the commit, and every other audited write waits for it meanwhile.
                        if self.first_row is not None:
                            self.importer._batch_written(self.first_row, self.last_row,
                                                         self.rows_read)
                except _Rollback:
                    self.rolled_back = True
            else:
                self._drain()
        except BaseException as exc:
            self.error = exc
            while True:  # unblock the reading thread
                try:
                    if self.queue.get(timeout=0.5) is None:
                        break
                except queue.Empty:
                    break
        finally:
            del connections[DEFAULT_DB_ALIAS]

    def _drain(self) -> None:
        importer, progress = self.importer, self.importer.o.progress
        while (item := self.queue.get()) is not None:
            batch, rows_done = item
            started = time.monotonic()
            first_row, last_row = _row_number(batch, iter), _row_number(batch, reversed)
            if self.first_row is None:
                self.first_row = first_row
            self.last_row, self.rows_read = last_row, rows_done
            if self.strict:
                importer._write_batch(batch)
            else:
                with transaction.atomic():
                    importer._write_batch(batch)
                    importer._batch_written(first_row, last_row, rows_done)
            self.db_seconds += time.monotonic() - started
            if progress:
                progress(rows_done, importer.total, self.strict)


def _row_number(batch: dict, which) -> int:
    """The file's row number of the batch's first (`iter`) or last (`reversed`) row: a
    batch keeps the file's order."""
    part, i = next(which(batch.values()))
    return part.numbers[i]


def import_file(path, options: ImportOptions) -> ImportResult:
    # An import allocates millions of short-lived rows and makes no reference cycles, so the
    # cycle collector is off while it runs (about 2 % of a million-row import's CPU, in the
    # importing process; the workers run without it too) and what existed before is frozen
    # out of its passes. Both undone after, unless someone else froze or disabled first.
    freeze, enabled = gc.get_freeze_count() == 0, gc.isenabled()
    if freeze:
        gc.freeze()
    gc.disable()
    try:
        return Importer(path, options).run()
    finally:
        if enabled:
            gc.enable()
        if freeze:
            gc.unfreeze()
