"""Catalogue lists (officers' pages, API lists and the public catalogue) cost a fixed number
of queries, however many rows they show (as tests/orgs/test_query_counts.py pins for the
organisations). Each list is measured with a search that finds one added row, then 31."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.catalog import selectors
from jineng.catalog.models import (
    CatalogueEntry,
    FundBudget,
    FundSource,
    Occupation,
    OccupationLevel,
    PolicyDocument,
    PolicyKind,
    PolicyVersion,
    Programme,
    ProgrammeKind,
    SkillLevel,
    WorkType,
)
from jineng.orgs.models import Region

pytestmark = pytest.mark.django_db

COUNTY = "county_411402"
MARK = "批量"


def _home():
    return Region.objects.get(code="411402")


def _start(model) -> int:
    return model.objects.count()


def add_occupations(n: int) -> list[Occupation]:
    parent = Occupation.objects.filter(is_current=True, level=OccupationLevel.MINOR).first()
    start = _start(Occupation)
    codes = [f"9-99-{k // 100:02d}-{k % 100:02d}" for k in range(start, start + n)]
    return Occupation.objects.bulk_create(
        Occupation(edition=parent.edition, code=codes[i],
                   level=OccupationLevel.OCCUPATION, name=f"{MARK}职业{start + i}",
                   parent=parent, is_digital=i % 2 == 0)
        for i in range(n))


def add_work_types(n: int) -> None:
    occupation = Occupation.objects.filter(is_current=True, level=OccupationLevel.OCCUPATION)
    start = _start(WorkType)
    WorkType.objects.bulk_create(
        WorkType(occupation=occupation[i % 3], name=f"{MARK}工种{start + i}") for i in range(n))


def add_documents(n: int) -> list[PolicyDocument]:
    start = _start(PolicyDocument)
    return PolicyDocument.objects.bulk_create(
        PolicyDocument(region=_home(), issuer="梁园区人社局", title=f"{MARK}文件{start + i}",
                       number=f"梁人社〔2024〕{start + i}号", issued_on=dt.date(2024, 1, 1))
        for i in range(n))


def add_versions(n: int) -> None:
    documents = add_documents(n)
    numbers = PolicyVersion.objects.filter(kind=PolicyKind.COMPETITION_PRIZE, region=_home())
    start = numbers.count() + 1
    PolicyVersion.objects.bulk_create(
        PolicyVersion(kind=PolicyKind.COMPETITION_PRIZE, region=_home(), number=start + i,
                      valid_from=dt.date(2000 + i, 1, 1), valid_to=dt.date(2000 + i, 12, 31),
                      data={}, document=doc, note=f"{MARK}版本{start + i}")
        for i, doc in enumerate(documents))


def add_programmes(n: int) -> None:
    documents = add_documents(n)
    start = _start(Programme)
    programmes = Programme.objects.bulk_create(
        Programme(region=_home(), code=f"QC-{start + i}", name=f"{MARK}计划{start + i}",
                  kind=ProgrammeKind.PLAN, period_start=dt.date(2024, 1, 1), document=doc)
        for i, doc in enumerate(documents))
    sources = list(FundSource.objects.all()[:2])
    occupations = list(Occupation.objects.filter(level=OccupationLevel.OCCUPATION)[:2])
    for programme in programmes:
        programme.fund_sources.set(sources)
        programme.occupations.set(occupations)


def add_budgets(n: int) -> None:
    source = FundSource.objects.create(code=f"qc_{_start(FundSource)}",
                                       name=f"{MARK}资金{_start(FundSource)}")
    taken = set(FundBudget.objects.filter(source=source).values_list("year", flat=True))
    years = [y for y in range(1990, 2100) if y not in taken][:n]
    FundBudget.objects.bulk_create(
        FundBudget(source=source, region=_home(), year=y, amount_fen=100_00) for y in years)


def add_levels(n: int) -> None:
    start = _start(SkillLevel)
    SkillLevel.objects.bulk_create(
        SkillLevel(code=f"qc{start + i}", name=f"{MARK}等级{start + i}", short_name="批",
                   rank=100 + start + i) for i in range(n))


def add_catalogue_entries(n: int) -> None:
    """n entries of new occupations in the catalogue in force for 梁园区 today."""
    version, _ = selectors.catalogue_in_force(region=_home(), on_date=selectors.today())
    level = SkillLevel.objects.get(code="5")
    work_type = WorkType.objects.first()
    CatalogueEntry.objects.bulk_create(
        CatalogueEntry(version=version, occupation=o, level=level, subsidy_fen=120000,
                       min_hours=80, work_type=work_type if i % 2 else None)
        for i, o in enumerate(add_occupations(n)))


def queries(request) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = request()
        assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def rows_shown(response) -> int:
    if response.context and "rows" in response.context:
        return len(response.context["rows"])
    body = response.json()
    return len(body["items"] if isinstance(body, dict) else body)


# (url with the search for the added rows, how to add rows, at most this many queries).
# A page: session, user, security policy, roles, their scope regions, the user's region,
# count, rows, the session save with its savepoint (programmes add their three many-to-many
# prefetches). An API list: token, roles, scope regions, count, rows (and the prefetches).
PAGES = [
    (f"/catalog/occupations/?q={MARK}", add_occupations, 11),
    (f"/catalog/work-types/?q={MARK}", add_work_types, 11),
    (f"/catalog/levels/?q={MARK}", add_levels, 11),
    (f"/catalog/policies/?q={MARK}", add_versions, 11),
    (f"/catalog/documents/?q={MARK}", add_documents, 11),
    (f"/catalog/programmes/?q={MARK}", add_programmes, 14),
    (f"/catalog/budgets/?q={MARK}", add_budgets, 11),
]
APIS = [
    (f"/api/v1/occupations?q={MARK}&limit=100", add_occupations, 5),
    (f"/api/v1/skill-levels?q={MARK}", add_levels, 4),
    (f"/api/v1/policies?q={MARK}&limit=100", add_versions, 5),
    (f"/api/v1/policy-documents?q={MARK}&limit=100", add_documents, 5),
    (f"/api/v1/programmes?q={MARK}&limit=100", add_programmes, 8),
    (f"/api/v1/fund-budgets?q={MARK}&limit=100", add_budgets, 5),
]
PUBLIC = [
    (f"/catalogue/?region=411402&q={MARK}", add_catalogue_entries, 6),
    (f"/api/v1/catalogue?region=411402&q={MARK}&limit=100", add_catalogue_entries, 4),
]


def _pinned(client, url, grow, most, assert_max):
    grow(1)
    client.get(url)  # warm the session / the token's first use
    one = client.get(url)
    assert rows_shown(one) >= 1
    few = queries(lambda: client.get(url))
    grow(30)
    assert rows_shown(client.get(url)) > rows_shown(one)
    many = queries(lambda: client.get(url))
    assert many == few
    with assert_max(most):
        client.get(url)


@pytest.mark.parametrize(("url", "grow", "most"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_query_count_is_fixed(url, grow, most, client_for,
                                        django_assert_max_num_queries):
    _pinned(client_for(COUNTY), url, grow, most, django_assert_max_num_queries)


@pytest.mark.parametrize(("url", "grow", "most"), APIS, ids=[a[0] for a in APIS])
def test_api_list_query_count_is_fixed(url, grow, most, api_for,
                                       django_assert_max_num_queries):
    _pinned(api_for(COUNTY), url, grow, most, django_assert_max_num_queries)


@pytest.mark.parametrize(("url", "grow", "most"), PUBLIC, ids=["page", "api"])
def test_public_catalogue_query_count_is_fixed(url, grow, most, client,
                                               django_assert_max_num_queries):
    _pinned(client, url, grow, most, django_assert_max_num_queries)
