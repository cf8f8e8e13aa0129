"""Reading and validating a roster on every core: the reader cuts the file into parts (lists
of rows, or raw sheet XML), `PartWork` turns each part into validated records — their COPY
encoding included on PostgreSQL — and `Workers` hands the results back in file order, from
worker processes or, for small files, from this process.

Workers are forked before the importer starts its writer thread, so they inherit the
validator (regions, target groups, keys) instead of unpickling it, and never touch the
database connection they inherit: all writes stay in the importing process, in its
transaction.
"""

import gc
import multiprocessing
import operator
import os
import pickle
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace

from jineng.core.spreadsheet_reader import SheetBlock, expand_part
from jineng.core.xlsx_stream import SheetXml
from jineng.people.importing.rows import (
    COPY,
    HASH,
    HOUSEHOLD,
    RESIDENCE,
    ROW,
    RowValidator,
    filled,
    is_blank,
)

_FOOTER = re.compile(r"^(合计|总计|小计|共计|制表|填表|审核|负责人|备注|注[:：]|说明|单位[:：])")
# Files with fewer rows than this are validated in the importing process: forking and
# shipping parts would cost more than they save.
POOL_FROM_ROWS = 20_000


_HASH, _ROW, _HOUSEHOLD, _RESIDENCE, _COPY = map(operator.itemgetter,
                                                 (HASH, ROW, HOUSEHOLD, RESIDENCE, COPY))


class PartResult:
    """A validated part, as it travels back from a worker: what the importer needs of every
    new person in flat columns, cheap to send. Whole records (rows.RowValidator's lists)
    travel only when the writer takes them (SQLite); otherwise `record` rebuilds one when a
    row needs it (a repeat, a registered person, a refusal) from the part, which the
    importing process still holds (`Workers.map` binds it)."""

    def __init__(self, rows: int, rejected: list, records: list[list], *, with_copy: bool,
                 send_records: bool):
        self.rows = rows  # rows that count: not blank, not a note or footer line
        self.rejected = rejected  # (row number, raw row, [reasons])
        self.hashes = b"".join(map(_HASH, records))  # 32 bytes a valid record
        self.numbers = list(map(_ROW, records))
        self.households = list(map(_HOUSEHOLD, records))
        self.residences = list(map(_RESIDENCE, records))
        self.copies = list(map(_COPY, records)) if with_copy else None
        self.send_records = send_records
        self._records = records
        self._blob = None
        self._reopen = None

    def record(self, i: int) -> list:
        """The whole record of the i-th valid row; the importing and the writing thread may
        both ask, and both then see the same list."""
        with _OPENING:
            if self._records is None:
                if self._blob is not None:
                    self._records = pickle.loads(self._blob)
                    self._blob = None
                else:
                    self._records = self._reopen(self)
        return self._records[i]

    def copy_data(self, i: int) -> bytes | None:
        if self.copies is not None:
            return self.copies[i]
        return self.record(i)[COPY]

    def __getstate__(self):  # leaving the worker process
        state = dict(self.__dict__)
        records = state["_records"]
        if self.send_records:
            state["_blob"] = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
        state["_records"] = None
        return state


_OPENING = threading.Lock()


class PartWork:
    """One part of the file to validated records: what a worker process runs.

    `encode` (PostgreSQL: the writer's add_copy_data) builds each record's COPY data ahead
    while `encoding.value` is true: the importer clears it while batches turn out to be
    mostly registered already (a re-run), when the encoding would be thrown away."""

    def __init__(self, *, validate: RowValidator, parser: SheetXml | None, id_col: int,
                 name_col: int, encode=None, crypt=None):
        self.validate = validate
        self.parser = parser
        self.id_col = id_col
        self.name_col = name_col
        self.encode = encode
        self.crypt = crypt
        self.encoding = SimpleNamespace(value=True)

    def __call__(self, part: list | SheetBlock) -> PartResult:
        validate, id_col, name_col = self.validate, self.id_col, self.name_col
        counted, rejected, records = 0, [], []
        for number, row in expand_part(part, self.parser):
            if _empty(row, id_col) and (is_blank(row) or filled(row) <= 1 and (
                _empty(row, name_col) or _FOOTER.match(str(row[name_col]).strip())
            )):
                continue  # blank, or a note or footer line (合计、制表人：…), not a person
            counted += 1
            record, errors = validate(number, row)
            if errors:
                rejected.append((number, row, errors))
            else:
                records.append(record)
        encode = self.encode is not None and bool(records) and bool(self.encoding.value)
        if encode:
            self.encode(records, self.crypt)
        return PartResult(counted, rejected, records, with_copy=encode,
                          send_records=self.encode is None)

    def reopen(self, part: list | SheetBlock, result: PartResult) -> list[list]:
        """The records of `result` rebuilt from its part, in the importing process (the same
        validator, so the same records; the COPY data is the worker's)."""
        wanted = set(result.numbers)
        validate, records = self.validate, {}
        for number, row in expand_part(part, self.parser):
            if number in wanted:
                records[number], _ = validate(number, row)
        out = [records[n] for n in result.numbers]
        for i, record in enumerate(out):
            record[COPY] = result.copies[i] if result.copies is not None else None
        return out


def _empty(row: list, i: int) -> bool:
    if i >= len(row):
        return True
    v = row[i]
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


# The worker process's PartWork, inherited through fork.
_work: PartWork | None = None


def _run(part) -> PartResult:
    return _work(part)


def _worker_started() -> None:
    """A worker lives for one import and makes no reference cycles (rows, records and
    bytes; a caught exception is dropped at the end of its handler), so the cycle collector
    only costs it time: about a fifth of its validation, measured. What it inherited is
    frozen too, so the collector never touches (and copies) those pages."""
    gc.freeze()
    gc.disable()


def pool_size(total_rows: int | None) -> int:
    """Worker processes for a file of `total_rows` rows: none for a small one, else one a
    core this process may use."""
    if total_rows is not None and total_rows < POOL_FROM_ROWS:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


class Workers:
    """PartWork over parts, results in order. With `processes`, in that many forked worker
    processes, at most `ahead` parts in flight (bounded memory whatever the file size);
    without, in this process. A worker that dies (killed for memory, say) fails the import
    with BrokenProcessPool rather than leaving it waiting."""

    def __init__(self, work: PartWork, processes: int, ahead: int = 0):
        self.work = work
        self.pool = None
        self.ahead = ahead or 2 * processes + 1
        if processes and "fork" in multiprocessing.get_all_start_methods():
            global _work
            context = multiprocessing.get_context("fork")
            work.encoding = context.Value("b", 1, lock=False)  # shared with the workers
            _work = work
            try:
                self.pool = ProcessPoolExecutor(processes, mp_context=context,
                                                initializer=_worker_started)
                self.pool.submit(int).result()  # fork them all now, before any thread starts
            except (AssertionError, OSError, BrokenProcessPool):  # e.g. a daemonic process
                self.close()
            finally:
                _work = None

    def map(self, parts: Iterable) -> Iterator[PartResult]:
        if self.pool is None:
            yield from map(self.work, parts)
            return
        pending: deque = deque()
        for part in parts:
            pending.append((part, self.pool.submit(_run, part)))
            if len(pending) >= self.ahead:
                yield self._bind(*pending.popleft())
        while pending:
            yield self._bind(*pending.popleft())

    def _bind(self, part, future) -> PartResult:
        result = future.result()
        result._reopen = lambda r: self.work.reopen(part, r)
        return result

    def close(self, *, abort: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=abort)
            self.pool = None
