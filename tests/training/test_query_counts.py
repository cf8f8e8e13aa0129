"""Training's lists (officers' page and API, the public directory, teachers) cost a fixed
number of queries however many rows they show: one added row, then 31."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.catalog.models import Occupation, SkillLevel
from jineng.orgs.models import Institution, Region
from jineng.training.models import Designation, DesignationStatus, Ownership

pytestmark = pytest.mark.django_db
MARK = "批量测试"


def add_designations(n: int) -> None:
    region = Region.objects.get(code="411402")
    start = Institution.objects.count()
    schools = Institution.objects.bulk_create(
        Institution(name=f"{MARK}培训学校{start + i}", kind="training", region=region,
                    credit_code=f"52{start + i:016d}") for i in range(n))
    designations = Designation.objects.bulk_create(
        Designation(institution=s, ownership=Ownership.PRIVATE,
                    status=DesignationStatus.DESIGNATED, valid_from=dt.date(2026, 1, 1),
                    valid_to=dt.date(2027, 12, 31)) for s in schools)
    occupations = list(Occupation.objects.filter(code__in=["6-31-01-03", "4-10-01-06"]))
    levels = list(SkillLevel.objects.filter(code__in=["5", "4"]))
    Designation.occupations.through.objects.bulk_create(
        Designation.occupations.through(designation=d, occupation=o)
        for d in designations for o in occupations)
    Designation.levels.through.objects.bulk_create(
        Designation.levels.through(designation=d, skilllevel=lv)
        for d in designations for lv in levels)


def _count(get) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [
    "/training/designations/?q=" + MARK,
    "/api/v1/designations?q=" + MARK,
    "/training/directory/?region=梁园区&occupation=电工",
    "/api/v1/designations/directory?q=" + MARK,
])
def test_designation_lists_cost_the_same_for_1_and_31_rows(url, client_for, api_for):
    client = api_for("county_411402") if url.startswith("/api/") else client_for(
        "county_411402")
    client.get(url)  # the first use of a token records it once
    add_designations(1)
    one = _count(lambda: client.get(url))
    add_designations(30)
    many = _count(lambda: client.get(url))
    assert one == many, (one, many)
