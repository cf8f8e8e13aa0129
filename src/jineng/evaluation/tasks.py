"""Background work of evaluation (django-tasks)."""

from django_tasks import task


@task()
def certificates_sign_task(plan_id: int) -> int:
    """Sign a published plan's certificates (the publication only numbers and writes them)."""
    from jineng.evaluation.certificates import certificates_sign

    return certificates_sign(plan_id)
