"""Background work of the people app (django-tasks: the database worker by default)."""

from django_tasks import task

IMPORT_QUEUE = "imports"  # its own queue and worker: a long import delays no other task


@task(queue_name=IMPORT_QUEUE)
def person_import_task(import_id: int) -> dict | None:
    """Run one queued roster import; the counts end up on the PersonImport row. Imports a
    dead worker left running are marked failed first."""
    from jineng.people.importing.service import mark_orphaned_imports, person_import_run

    mark_orphaned_imports()
    result = person_import_run(import_id)
    return result.counts() if result else None
