"""Background work of the people app (django-tasks: the database worker by default)."""

from django_tasks import task


@task()
def person_import_task(import_id: int) -> dict | None:
    """Run one queued roster import; the counts end up on the PersonImport row."""
    from jineng.people.importing.service import person_import_run

    result = person_import_run(import_id)
    return result.counts() if result else None
