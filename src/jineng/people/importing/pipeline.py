"""Reading and validating a roster on every core: the reader cuts the file into parts (lists
of rows, or raw sheet XML), `PartWork` turns each part into validated records — their COPY
encoding included on PostgreSQL — and `Workers` hands the results back in file order, from
worker processes or, for small files, from this process.

Workers are forked before the importer starts its writer thread, so they inherit the
validator (regions, target groups, keys) instead of unpickling it, and never touch the
database connection they inherit: all writes stay in the importing process, in its
transaction.
"""

import multiprocessing
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from jineng.core.spreadsheet_reader import SheetBlock, expand_part
from jineng.core.xlsx_stream import SheetXml
from jineng.people.importing.rows import RowValidator, filled, is_blank

_FOOTER = re.compile(r"^(合计|总计|小计|共计|制表|填表|审核|负责人|备注|注[:：]|说明|单位[:：])")
# Files with fewer rows than this are validated in the importing process: forking and
# shipping parts would cost more than they save.
POOL_FROM_ROWS = 20_000


@dataclass
class PartResult:
    rows: int = 0  # rows that count: not blank, not a note or footer line
    rejected: list = field(default_factory=list)  # (row number, raw row, [reasons])
    records: list = field(default_factory=list)  # valid records, in file order


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
        out = PartResult()
        validate, id_col, name_col = self.validate, self.id_col, self.name_col
        rejected, records = out.rejected, out.records
        for number, row in expand_part(part, self.parser):
            if is_blank(row):
                continue
            if _empty(row, id_col) and filled(row) <= 1 and (
                _empty(row, name_col) or _FOOTER.match(str(row[name_col]).strip())
            ):
                continue  # a note or footer line (合计、制表人：…), not a person
            out.rows += 1
            record, errors = validate(number, row)
            if errors:
                rejected.append((number, row, errors))
            else:
                records.append(record)
        if self.encode is not None and records and self.encoding.value:
            self.encode(records, self.crypt)
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
    without, in this process."""

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
                self.pool = context.Pool(processes)
            except (AssertionError, OSError):  # a daemonic process cannot fork children
                self.pool = None
            finally:
                _work = None

    def map(self, parts: Iterable) -> Iterator[PartResult]:
        if self.pool is None:
            yield from map(self.work, parts)
            return
        pending: deque = deque()
        for part in parts:
            pending.append(self.pool.apply_async(_run, (part,)))
            if len(pending) >= self.ahead:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self, *, abort: bool = False) -> None:
        if self.pool is not None:
            if abort:
                self.pool.terminate()
            else:
                self.pool.close()
            self.pool.join()
            self.pool = None
