"""Demo training wishes (`jineng loaddemo`), through the wish services; loaded before the
demo classes are approved, so approving them tells the matching workers."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from jineng.catalog.models import Occupation
from jineng.orgs.models import Region, User
from jineng.people.models import Person
from jineng.training.models import TrainingWish, WishSource
from jineng.training.wishes import wish_record

DEMO_OCCUPATIONS = ["6-31-01-03", "4-10-01-06"]  # 电工, 家政服务员


def load_wishes(*, stdout=None) -> int:
    """Demo wishes (idempotent, through the services): the demo people of 梁园区 and 睢阳区
    want to learn 电工 or 家政服务员, recorded by their county's officer; 张三 (worker_411402)
    wants 电工 6-31-01-03, 四级, in 梁园区 on weekends. Returns how many were recorded."""
    officers = {u.region.code: u for u in User.objects.filter(
        username__in=["county_411402", "county_411403"]).select_related("region")}
    if len(officers) < 2:
        return 0
    occupations = list(Occupation.objects.filter(code__in=DEMO_OCCUPATIONS, is_current=True)
                       .order_by("code"))
    if not occupations:
        return 0
    year = timezone.localdate().year
    recorded = 0
    people = Person.objects.filter(
        Q(household_region__code__in=officers) | Q(residence_region__code__in=officers)
    ).select_related("residence_region", "household_region").order_by("pk")
    for n, person in enumerate(people[:40]):
        place = person.residence_region or person.household_region
        officer = officers.get(place.code) if place else None
        if officer is None:
            continue
        wanted = occupations[n % len(occupations)]
        if TrainingWish.objects.filter(person=person, occupation=wanted).exists():
            continue
        wish_record(actor=officer, person=person, occupation=wanted, region=place,
                    level="4" if n % 3 else None,
                    available_from=dt.date(year, 1, 1) if n % 2 else None,
                    available_to=dt.date(year + 1, 6, 30),
                    time_note=["周末", "晚上", "工作日白天", ""][n % 4])
        recorded += 1
    worker = User.objects.filter(username="worker_411402").first()
    zhang = Person.objects.filter(user=worker).first() if worker else None
    electrician = next((o for o in occupations if o.code == "6-31-01-03"), None)
    if zhang is not None and electrician is not None and not TrainingWish.objects.filter(
            person=zhang, occupation=electrician, is_active=True, source=WishSource.SELF).exists():
        wish_record(actor=worker, person=zhang, occupation=electrician, level="4",
                    region=Region.objects.get(code="411402"), time_note="周末",
                    available_to=dt.date(year + 1, 12, 31), source=WishSource.SELF)
        recorded += 1
    if stdout is not None:
        stdout.write(f"培训意愿：新增 {recorded} 条，"
                     f"共 {TrainingWish.objects.filter(is_active=True).count()} 条")
    return recorded

