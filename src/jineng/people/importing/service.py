"""Starting, running and reading roster imports (pages, API, task and command share these)."""

import datetime as dt
import functools
import logging
import shutil
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from jineng.core.actors import system_actor
from jineng.core.audit import audit_record
from jineng.core.errors import NotFound, ServiceError
from jineng.core.refusals import OutOfScope, require
from jineng.core.scope import region_allowed
from jineng.core.spreadsheet_reader import XLSX_MAGIC, ReadError, check_xlsx_inflation
from jineng.orgs.models import Region
from jineng.people.events import PeopleAction
from jineng.people.importing import scope
from jineng.people.importing.run import BatchWritten, ImportOptions, ImportResult, import_file
from jineng.people.models import ImportMode, ImportStatus, OnDuplicate, Person, PersonImport

log = logging.getLogger(__name__)
IMPORT_PERMISSION = "people.import_person"
IMPORT_DIR = "imports"
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv")


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


# ---------------------------------------------------------------- reads


def person_import_list(*, user):
    """Imports the user may see (PersonImport.scope: their default region, the importing
    institution, or their own)."""
    return PersonImport.objects.restrict(user, "view").select_related("region", "created_by")


def person_import_get(*, user, pk) -> PersonImport:
    try:
        return person_import_list(user=user).get(pk=pk)
    except (PersonImport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def person_import_progress(imp: PersonImport) -> dict:
    """Rows done, rows per second and seconds left, from the counters and the start time."""
    rate = eta = None
    percent = 100 if imp.status == ImportStatus.DONE else 0
    if imp.started_at and imp.rows_done:
        end = imp.finished_at or timezone.now()
        elapsed = max((end - imp.started_at).total_seconds(), 0.001)
        rate = round(imp.rows_done / elapsed, 1)
        if imp.total_rows and imp.status == ImportStatus.RUNNING:
            left = max(imp.total_rows - imp.rows_done, 0)
            eta = round(left / rate, 1) if rate else None
            percent = min(99, int(100 * imp.rows_done / imp.total_rows))
    return {
        "id": imp.pk, "status": imp.status, "status_label": imp.get_status_display(),
        "rows_done": imp.rows_done, "total_rows": imp.total_rows, "rows_per_second": rate,
        "eta_seconds": eta, "percent": percent, "created": imp.created, "updated": imp.updated,
        "skipped": imp.skipped, "rejected": imp.rejected, "error_message": imp.error_message,
        "has_report": bool(imp.report_path), "file_name": imp.file_name,
        "mode": imp.mode, "on_duplicate": imp.on_duplicate, "region_code": imp.region.code,
        "created_at": imp.created_at, "started_at": imp.started_at,
        "finished_at": imp.finished_at,
    }


# ---------------------------------------------------------------- writes


def _check_choices(mode: str, on_duplicate: str) -> None:
    errors = {}
    if mode not in ImportMode.values:
        errors["mode"] = "导入模式应为 strict（全部成功才导入）或 partial（导入正确的行）"
    if on_duplicate not in OnDuplicate.values:
        errors["on_duplicate"] = "重复时的处理应为 update、skip 或 error"
    if errors:
        raise ServiceError("；".join(errors.values()), errors=errors)


def person_import_start(*, actor, upload, file_name: str, region: Region,
                        mode: str = ImportMode.PARTIAL,
                        on_duplicate: str = OnDuplicate.SKIP, enqueue: bool = True
                        ) -> PersonImport:
    """Save the uploaded file, record the import and queue it; returns at once.

    `upload` is a Django UploadedFile (or any object with chunks()/read()), or a path."""
    require(actor, IMPORT_PERMISSION)
    _check_choices(mode, on_duplicate)
    if region is None:
        raise ServiceError("请选择默认地区", errors={"region": "请选择默认地区"})
    if not (region_allowed(actor, Person, "import", region) or actor.institution_id):
        raise OutOfScope("默认地区不在您的管理范围内",
                         errors={"region": "默认地区不在您的管理范围内"})
    file_name = Path(file_name or "roster.xlsx").name
    suffix = Path(file_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ServiceError("只能导入 .xlsx、.xls 或 .csv 文件",
                           errors={"file": "只能导入 .xlsx、.xls 或 .csv 文件"})
    _check_upload(upload)
    imp = _store(upload, file_name=file_name, region=region, mode=mode,
                 on_duplicate=on_duplicate, actor=actor)
    if enqueue:
        # After the commit: a worker must find the import's row, and a rolled-back one must
        # not run.
        transaction.on_commit(functools.partial(_enqueue, imp.pk))
    return imp


def _enqueue(pk: int) -> None:
    from jineng.people.tasks import person_import_task

    try:
        person_import_task.enqueue(pk)
    except Exception:  # the queue (Redis) is down: say so rather than stay queued for ever
        log.exception("import %s could not be queued", pk)
        PersonImport.objects.filter(pk=pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error_message="后台任务队列暂时不可用，导入未能开始，请稍后重新提交")


def _check_upload(upload) -> None:
    """Refuse, before anything is stored, a file over the size limit or an .xlsx that would
    inflate implausibly (a zip bomb would keep the task worker busy for many minutes)."""
    limit = settings.JINENG_IMPORT_MAX_UPLOAD_BYTES
    size = Path(upload).stat().st_size if isinstance(upload, str | Path) else upload.size
    if size > limit:
        message = (f"文件大小 {size / (1 << 20):.1f} MB，超过导入上限 "
                   f"{limit / (1 << 20):.0f} MB，请拆分后再导入")
        raise ServiceError(message, errors={"file": message})
    if isinstance(upload, str | Path):
        handle = open(upload, "rb")  # noqa: SIM115
    else:
        handle = upload.open("rb") if hasattr(upload, "open") else upload
    try:
        handle.seek(0)
        if handle.read(4) == XLSX_MAGIC:
            handle.seek(0)
            check_xlsx_inflation(handle)
    except ReadError as exc:
        raise ServiceError(exc.message, errors={"file": exc.message}) from None
    finally:
        handle.seek(0)
        if isinstance(upload, str | Path):
            handle.close()


def _store(upload, *, file_name, region, mode, on_duplicate, actor) -> PersonImport:
    suffix = Path(file_name).suffix.lower()
    folder = f"{IMPORT_DIR}/{timezone.now():%Y%m}/{uuid.uuid4().hex}"
    media_path(folder).mkdir(parents=True, exist_ok=True)
    relative = f"{folder}/source{suffix}"
    target = media_path(relative)
    if isinstance(upload, str | Path):
        shutil.copyfile(upload, target)
    else:
        with open(target, "wb") as out:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                out.write(chunk)
    return PersonImport.objects.create(
        region=region, institution_id=getattr(actor, "institution_id", None), created_by=actor,
        file_name=file_name[:255], file_path=relative, mode=mode, on_duplicate=on_duplicate,
    )


def person_import_from_path(*, path, region: Region, mode: str, on_duplicate: str
                            ) -> PersonImport:
    """An import run by the system (the command line): no actor, no scope limits."""
    _check_choices(mode, on_duplicate)
    return _store(str(path), file_name=Path(path).name, region=region, mode=mode,
                  on_duplicate=on_duplicate, actor=None)


class ImportGivenUp(Exception):
    """The import was marked failed as orphaned while it still ran (it had made no progress
    for longer than JINENG_IMPORT_STALE_MINUTES): it stops."""


class _Progress:
    """Writes rows done and the heartbeat to the import row after each batch (at most twice a
    second). Inside the strict mode's long transaction the main connection's writes are
    invisible to others, so on PostgreSQL a second connection writes them; SQLite allows one
    writer, so there the page shows progress only between batches of partial imports and at
    the end of strict ones (and mark_orphaned_imports cannot write meanwhile either)."""

    def __init__(self, pk: int, on_tick=None):
        self.pk = pk
        self.side = None
        self.on_tick = on_tick
        self.last = 0.0

    def __call__(self, done: int, total: int | None, long_tx: bool) -> None:
        if self.on_tick:
            self.on_tick(done, total)
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        # The heartbeat too; no row updated: mark_orphaned_imports gave this import up.
        if not long_tx:
            written = PersonImport.objects.filter(pk=self.pk, status=ImportStatus.RUNNING).update(
                rows_done=done, total_rows=total, heartbeat_at=timezone.now())
        elif connection.vendor != "postgresql":
            return
        else:
            if self.side is None:
                self.side = connections.create_connection("default")
            with self.side.cursor() as c:
                c.execute("UPDATE people_personimport SET rows_done = %s, total_rows = %s, "
                          "heartbeat_at = %s WHERE id = %s AND status = %s",
                          [done, total, timezone.now(), self.pk, ImportStatus.RUNNING])
                written = c.rowcount
                if not written:  # given up, or not visible here (a caller's transaction)
                    c.execute("SELECT status FROM people_personimport WHERE id = %s", [self.pk])
                    written = c.fetchone() is None
        if not written:
            raise ImportGivenUp(self.pk)

    def close(self):
        if self.side is not None:
            self.side.inc_thread_sharing()  # opened by the import's writer thread
            self.side.close()


def person_import_run(pk: int, *, on_tick=None, report_path: str | None = None
                      ) -> ImportResult | None:
    """Run a queued import (the task, or the command in the foreground)."""
    imp = PersonImport.objects.select_related("created_by", "region").get(pk=pk)
    if not _claim(imp):
        return None
    relative_report = str(Path(imp.file_path).parent / "report.xlsx")
    progress = _Progress(imp.pk, on_tick)
    options = ImportOptions(
        region=imp.region, mode=imp.mode, on_duplicate=imp.on_duplicate, actor=imp.created_by,
        institution_id=imp.institution_id, source=f"import:{imp.pk}",
        report_path=str(media_path(relative_report)), file_name=imp.file_name,
        progress=progress, may_update=scope.person_predicate(imp.created_by, IMPORT_PERMISSION),
        batch_size=settings.JINENG_IMPORT_BATCH_ROWS,
        on_commit_batch=functools.partial(_audit_batch, imp),
    )
    try:
        result = import_file(media_path(imp.file_path), options)
    except ImportGivenUp:
        log.warning("import %s was marked orphaned while running; it stopped", imp.pk)
        return None
    except ReadError as exc:
        _finish(imp, status=ImportStatus.FAILED, error=exc.message)
        return None
    except BrokenProcessPool:
        log.exception("import %s: a worker process died", imp.pk)
        _finish(imp, status=ImportStatus.FAILED, error=_WORKER_DIED[imp.mode])
        return None
    except Exception:
        log.exception("import %s failed", imp.pk)
        _finish(imp, status=ImportStatus.FAILED, error="导入时发生内部错误，请联系系统管理员")
        raise
    finally:
        progress.close()
    if report_path:
        shutil.copyfile(media_path(relative_report), report_path)
    _finish(imp, status=ImportStatus.DONE, result=result, report=relative_report)
    return result


def _claim(imp: PersonImport) -> bool:
    """Queued → running, with the first heartbeat and the audit event of the start, in one
    transaction; False if another worker took it (or it is no longer queued)."""
    now = timezone.now()
    with transaction.atomic():
        if not PersonImport.objects.filter(pk=imp.pk, status=ImportStatus.QUEUED).update(
                status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now):
            return False
        imp.status, imp.started_at, imp.heartbeat_at = ImportStatus.RUNNING, now, now
        audit_record(actor=_import_actor(imp), action=PeopleAction.IMPORT_START, obj=imp, changes={
            "file": imp.file_name, "mode": imp.mode, "on_duplicate": imp.on_duplicate,
            "region": imp.region.code})
    return True


def _audit_batch(imp: PersonImport, batch: BatchWritten) -> None:
    """The audit event of one committed batch, in the batch's transaction (run.py)."""
    audit_record(actor=_import_actor(imp), action=PeopleAction.IMPORT_BATCH, obj=imp, changes={
        "batch": batch.number, "rows": [batch.first_row, batch.last_row],
        "rows_read": batch.rows_read, "created": batch.created, "updated": batch.updated})


def orphan_reason(imp: PersonImport, minutes: int) -> str:
    reason = f"导入进程已中断（超过 {minutes} 分钟无进展），请重新提交"
    if imp.mode == ImportMode.PARTIAL:
        reason += "；中断前已提交的批次已保留，重新导入同一文件时已登记的人员按“重复时”的选择处理"
    return reason


def mark_orphaned_imports() -> list[int]:
    """Mark failed every running import whose heartbeat is older than
    JINENG_IMPORT_STALE_MINUTES (its worker died), with the reason in Chinese and an audit
    event; returns their ids. Run when an import task starts and by the import lists."""
    minutes = settings.JINENG_IMPORT_STALE_MINUTES
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    # No heartbeat at all: started before heartbeats were written.
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    stale = list(PersonImport.objects.filter(silent, status=ImportStatus.RUNNING)
                 .select_related("created_by"))
    marked = []
    for imp in stale:
        reason = orphan_reason(imp, minutes)
        try:
            with transaction.atomic():
                # Only if it is still stale: its worker may have beaten since the read.
                if not PersonImport.objects.filter(
                        silent, pk=imp.pk, status=ImportStatus.RUNNING,
                ).update(status=ImportStatus.FAILED, finished_at=timezone.now(),
                         error_message=reason):
                    continue
                _audit_end(imp, status=ImportStatus.FAILED, error=reason)
        except DatabaseError:  # SQLite: a strict import holds the write lock; next time
            log.warning("import %s: could not mark it orphaned now", imp.pk, exc_info=True)
            continue
        marked.append(imp.pk)
    return marked


def person_import_now(imp: PersonImport) -> PersonImport:
    """The import as it stands: one shown as running whose worker died is failed first (the
    progress page polls this, so it does not say "running" for ever)."""
    if imp.status == ImportStatus.RUNNING and imp.pk in mark_orphaned_imports():
        imp.refresh_from_db()
    return imp


_WORKER_DIED = {
    ImportMode.STRICT: ("读取和校验文件的工作进程意外退出（可能是服务器内存不足），"
                        "本次导入已全部撤销，请稍后重新导入"),
    ImportMode.PARTIAL: ("读取和校验文件的工作进程意外退出（可能是服务器内存不足）。"
                         "出错前已写入的人员已保留，可重新导入同一文件："
                         "已登记的人员会按“重复时”的选择跳过或更新"),
}


def _finish(imp: PersonImport, *, status, error: str = "", result: ImportResult | None = None,
            report: str = "") -> None:
    imp.status, imp.finished_at, imp.error_message = status, timezone.now(), error
    fields = ["status", "finished_at", "error_message"]
    if result is not None:
        imp.rows_done = result.rows
        imp.total_rows = result.rows
        imp.created, imp.updated = result.created, result.updated
        imp.skipped, imp.rejected = result.skipped, result.rejected
        imp.report_path = report
        fields += ["rows_done", "total_rows", "created", "updated", "skipped", "rejected",
                   "report_path"]
    with transaction.atomic():
        imp.save(update_fields=fields)
        _audit_end(imp, status=status, error=error, result=result)


def _import_actor(imp: PersonImport):
    """Who an import's events name: its creator, or the system for the command line's."""
    return imp.created_by or system_actor("import_people")


def _audit_end(imp: PersonImport, *, status, error: str = "",
               result: ImportResult | None = None) -> None:
    changes = {"file": imp.file_name, "mode": imp.mode, "on_duplicate": imp.on_duplicate,
               "status": status}
    if result is not None:
        changes.update(result.counts())
        changes["seconds"] = round(result.seconds, 1)
    if error:
        changes["error"] = error
    audit_record(actor=_import_actor(imp), action=PeopleAction.IMPORT, obj=imp, changes=changes)
