"""Row locks of the catalogue (see core/lock_objects.py)."""

from jineng.catalog.models import FundBudget, FundSource, PolicyVersion, WorkType
from jineng.core.lock_objects import locked
from jineng.orgs.models import Region


def policy_version_lock(version: PolicyVersion) -> PolicyVersion:
    return locked(PolicyVersion.objects.filter(pk=version.pk)).get()


def fund_budget_lock(source: FundSource, region: Region, year: int) -> FundBudget | None:
    """The budget of a source for a region and year, locked; None when there is none yet."""
    return locked(FundBudget.objects.filter(source=source, region=region, year=year)).first()


def work_type_lock(work_type: WorkType) -> WorkType:
    return locked(WorkType.objects.filter(pk=work_type.pk).select_related("occupation")).get()
