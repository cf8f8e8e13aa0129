"""Resolution precedence and period boundaries, over random region trees and periods."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jineng.catalog import services
from jineng.core.actors import system_actor
from jineng.core.errors import NotFound
from jineng.orgs.models import Region, RegionLevel, User
from tests.catalog.conftest import NEXT, eval_table

pytestmark = pytest.mark.django_db
BASE = dt.date(NEXT, 1, 1)
DAYS = 12


def _tree(shape: list[int]) -> list[Region]:
    """A province 990000 with len(shape) cities, city i having shape[i] counties."""
    province = Region.objects.create(code="990000", name="测试省", level=RegionLevel.PROVINCE,
                                     path="/990000/")
    regions = [province]
    for i, n_counties in enumerate(shape, start=1):
        code = f"99{i:02d}00"
        city = Region.objects.create(code=code, name=f"测试市{i}", level=RegionLevel.PREFECTURE,
                                     parent=province, path=f"{province.path}{code}/")
        regions.append(city)
        for j in range(1, n_counties + 1):
            ccode = f"99{i:02d}{j:02d}"
            regions.append(Region.objects.create(
                code=ccode, name=f"测试县{i}{j}", level=RegionLevel.COUNTY, parent=city,
                path=f"{city.path}{ccode}/"))
    return regions


def _periods(draw_cuts: list[int], open_end: bool) -> list[tuple[int, int | None]]:
    """Non-overlapping periods from sorted distinct cut days: [a, b-1] pairs, maybe open."""
    cuts = sorted(set(draw_cuts))
    periods = [(cuts[i], cuts[i + 1] - 1) for i in range(0, len(cuts) - 1, 2)]
    if open_end and len(cuts) % 2 == 1:
        periods.append((cuts[-1], None))
    return periods


def _covers(period, day) -> bool:
    start, end = period
    return start <= day and (end is None or day <= end)


def _expected(tables: dict, region: Region, day: int):
    """Oracle: the deepest region on the path from `region` up whose table covers `day`."""
    for code in reversed(region.path.strip("/").split("/")):
        for marker, period in tables.get(code, []):
            if _covers(period, day):
                return code, marker
    return None


tree_shapes = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=3)
cut_lists = st.lists(st.integers(min_value=0, max_value=DAYS), max_size=5)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shape=tree_shapes, data=st.data())
def test_most_specific_region_whose_period_covers_the_date_wins(shape, data):
    with transaction.atomic():
        actor = system_actor("presets")
        regions = _tree(shape)
        tables, marker = {}, 0
        for region in regions:
            cuts = data.draw(cut_lists, label=f"cuts {region.code}")
            for start, end in _periods(cuts, data.draw(st.booleans())):
                marker += 1
                services.policy_version_publish(
                    actor=actor, kind="evaluation_subsidy", region=region,
                    valid_from=BASE + dt.timedelta(days=start),
                    valid_to=None if end is None else BASE + dt.timedelta(days=end),
                    data=eval_table(marker), is_sample=True)
                tables.setdefault(region.code, []).append((marker, (start, end)))
        for region in regions:
            for day in range(-1, DAYS + 2):
                expected = _expected(tables, region, day)
                on = BASE + dt.timedelta(days=day)
                if expected is None:
                    with pytest.raises(NotFound):
                        services.resolve("evaluation_subsidy", region, on)
                    continue
                got = services.resolve("evaluation_subsidy", region, on)
                assert (got.version.region.code, got.data["amounts_fen"]["5"]) == expected
                assert got.inherited == (expected[0] != region.code)
        transaction.set_rollback(True)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=5),
       first_end=st.one_of(st.none(), st.integers(min_value=60, max_value=90)))
@example(steps=[11, 12, 10, 13, 15], first_end=60)  # revisions that run past the end
def test_revisions_never_change_what_an_earlier_date_resolves_to(steps, first_end):
    with transaction.atomic():
        actor = User.objects.get(username="county_411402")
        county = Region.objects.get(code="411402")
        end = None if first_end is None else BASE + dt.timedelta(days=first_end)
        version = services.policy_version_publish(
            actor=actor, kind="evaluation_subsidy", region=county, valid_from=BASE,
            valid_to=end, data=eval_table(1000), is_sample=True)
        # Every boundary and its neighbours: before the start, each revision day, the end.
        offsets = {-1, 0, 1, 200}
        for k in range(1, len(steps) + 1):
            cut = sum(steps[:k])
            offsets |= {cut - 1, cut, cut + 1}
        if first_end is not None:
            offsets |= {first_end - 1, first_end, first_end + 1}
        days = [BASE + dt.timedelta(days=d) for d in sorted(offsets)]
        day = 0
        for i, step in enumerate(steps, start=1):
            before = {d: services.resolve("evaluation_subsidy", county, d).version.pk
                      for d in days}
            day += step
            start = BASE + dt.timedelta(days=day)
            if end is not None and start > end:
                break  # past the end nothing is revised: a new version is published instead
            version = services.policy_version_revise(
                actor=actor, version=version, valid_from=start,
                data=eval_table(i), is_sample=True)
            after = {d: services.resolve("evaluation_subsidy", county, d).version.pk
                     for d in days}
            for d in days:
                if d < start:
                    assert after[d] == before[d], d
                elif end is None or d <= end:
                    assert after[d] == version.pk
                else:
                    assert after[d] == before[d]  # past the original end: city's figures
        transaction.set_rollback(True)


def test_boundaries_are_inclusive(region):
    actor = User.objects.get(username="county_411402")
    county = region("411402")
    services.policy_version_publish(
        actor=actor, kind="evaluation_subsidy", region=county, valid_from=dt.date(2030, 3, 1),
        valid_to=dt.date(2030, 3, 31), data=eval_table(1), is_sample=True)
    for day, own in [(dt.date(2030, 2, 28), False), (dt.date(2030, 3, 1), True),
                     (dt.date(2030, 3, 31), True), (dt.date(2030, 4, 1), False)]:
        got = services.resolve("evaluation_subsidy", county, day)
        assert (got.version.region.code == "411402") is own
        assert got.inherited is not own  # otherwise Shangqiu's figures, from above


def test_a_sibling_county_is_never_used(region):
    actor = User.objects.get(username="county_411403")
    services.policy_version_publish(
        actor=actor, kind="evaluation_subsidy", region=region("411403"),
        valid_from=dt.date(2030, 1, 1), data=eval_table(1), is_sample=True)
    got = services.resolve("evaluation_subsidy", region("411402"), dt.date(2030, 6, 1))
    assert got.version.region.code == "411400"
