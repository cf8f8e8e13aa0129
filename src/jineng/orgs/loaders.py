"""Set-based loading of the GB/T 2260 region tree and functional zones."""

from django.db import transaction

from jineng.core.audit import audit_record
from jineng.core.events import CoreAction
from jineng.core.reference import current_divisions, statistical_divisions
from jineng.orgs.events import OrgsAction
from jineng.orgs.models import Region, RegionLevel
from jineng.orgs.services import region_path

LEVELS = {"province": RegionLevel.PROVINCE, "prefecture": RegionLevel.PREFECTURE,
          "county": RegionLevel.COUNTY}


@transaction.atomic
def load_divisions(*, actor, province_codes: set[str] | None = None) -> int:
    """Add every division of the 2026 table (or of the given provinces) that is missing.

    Existing regions are left as they are. Returns the number of regions added.
    """
    rows = current_divisions()
    if province_codes:
        rows = {c: r for c, r in rows.items() if c[:2] + "0000" in province_codes}
    existing = dict(Region.objects.values_list("code", "id"))
    paths = dict(Region.objects.values_list("code", "path"))
    added = 0
    for level in ("province", "prefecture", "county"):
        batch = []
        for code, row in rows.items():
            if row["level"] != level or code in existing:
                continue
            parent_path = paths.get(row["parent_code"], "/") if row["parent_code"] else "/"
            path = f"{parent_path}{code}/"
            batch.append(Region(
                code=code, name=row["name"], level=LEVELS[level],
                parent_id=existing.get(row["parent_code"]), path=path,
            ))
            paths[code] = path
        Region.objects.bulk_create(batch, batch_size=1000)
        existing.update(
            Region.objects.filter(code__in=[r.code for r in batch]).values_list("code", "id")
        )
        added += len(batch)
    if added:
        audit_record(actor=actor, action=OrgsAction.LOAD_DIVISIONS, object_type="orgs.region",
                     changes={"added": added, "source": "divisions_2026.csv"})
    return added


@transaction.atomic
def add_functional_zone(*, actor, code: str) -> Region:
    """A statistics-only zone (e.g. 411471 商丘经济技术开发区), as a non-standard county-level
    region below its prefecture."""
    region = Region.objects.filter(code=code).first()
    if region:
        return region
    row = statistical_divisions()[code]
    parent = Region.objects.get(code=row["city_code"] + "00")
    region = Region.objects.create(
        code=code, name=row["name"], level=RegionLevel.COUNTY, parent=parent,
        path=region_path(code, parent), non_standard=True,
    )
    audit_record(actor=actor, action=CoreAction.CREATE, obj=region,
                 changes={"code": [None, code], "name": [None, row["name"]],
                          "non_standard": [None, True]})
    return region
