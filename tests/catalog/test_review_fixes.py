"""Review fixes: publishing never changes what a past date resolves to; evaluation-subsidy
tables are complete and positive; the budget page saves; every public catalogue row says which
version and document (or sample label) it came from; money and counts are bounded."""

import contextlib
import datetime as dt
import io

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jineng.catalog import services
from jineng.catalog.models import (
    SAMPLE_LABEL,
    CatalogueEntry,
    FundBudget,
    FundSource,
    PolicyVersion,
)
from jineng.catalog.policies import MAX_FEN
from jineng.core.actors import system_actor
from jineng.core.errors import Conflict, NotFound, ServiceError
from jineng.core.models import AuditEvent
from tests.catalog.conftest import NEXT, eval_table
from tests.catalog.test_resolution import _tree

pytestmark = pytest.mark.django_db
D = dt.date
LINE = {"occupation_code": "4-10-01-05", "level": "5", "amount_fen": 120000, "min_hours": 80}


def _counts():
    return (PolicyVersion.objects.count(), CatalogueEntry.objects.count(),
            AuditEvent.objects.count())


def _publish(user, region, kind="evaluation_subsidy", data=None, **kw):
    kw.setdefault("is_sample", True)
    return services.policy_version_publish(actor=user, kind=kind, region=region,
                                           data=data or eval_table(1), **kw)


# ---------------------------------------------------------------- 1. the past stays as it was


def test_backdated_publish_that_would_change_a_past_date_is_refused(user_named, region):
    county = region("411402")
    before = services.resolve("evaluation_subsidy", county, D(2022, 5, 1)).version
    counts = _counts()
    with pytest.raises(Conflict) as exc:
        _publish(user_named("county_411402"), county, valid_from=D(2020, 1, 1))
    message = exc.value.errors["valid_from"]
    assert "生效日期 2020-01-01 早于今天" in message and "商丘市" in message
    assert "2022-04-15" in message and message == exc.value.message
    assert _counts() == counts
    after = services.resolve("evaluation_subsidy", county, D(2022, 5, 1))
    assert after.version == before and after.data["amounts_fen"]["5"] == 20000


def test_a_historical_document_for_days_without_a_figure_is_still_allowed(user_named, region):
    user, county = user_named("county_411402"), region("411402")
    with pytest.raises(NotFound):
        services.resolve("evaluation_subsidy", county, D(2022, 3, 1))
    # Shangqiu's table starts on 2022-04-15: the day before is the last free one.
    with pytest.raises(Conflict, match="2022-04-15"):
        _publish(user, county, valid_from=D(2022, 1, 1), valid_to=D(2022, 4, 15))
    version = _publish(user, county, valid_from=D(2022, 1, 1), valid_to=D(2022, 4, 14))
    assert services.resolve("evaluation_subsidy", county, D(2022, 3, 1)).version == version
    assert services.resolve("evaluation_subsidy", county, D(2022, 4, 15)).version.region.code \
        == "411400"


def test_a_version_below_counts_too(user_named, region):
    """A city may not backdate over days a county below it already has figures for."""
    limits = {"max_institutions_per_parttime_teacher_per_year": 2}
    _publish(user_named("county_411402"), region("411402"), kind="institution_limits",
             data=limits, valid_from=D(2021, 1, 1), valid_to=D(2021, 12, 31))
    city = user_named("city_411400")
    with pytest.raises(Conflict, match="梁园区"):
        _publish(city, region("411400"), kind="institution_limits", data=limits,
                 valid_from=D(2021, 6, 1), valid_to=D(2021, 12, 31))
    _publish(city, region("411400"), kind="institution_limits", data=limits,
             valid_from=D(2020, 1, 1), valid_to=D(2020, 12, 31))


def test_from_today_on_is_not_backdating(user_named, region):
    county, today = region("411402"), timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    before = services.resolve("evaluation_subsidy", county, yesterday).version
    version = _publish(user_named("county_411402"), county, valid_from=today)
    assert services.resolve("evaluation_subsidy", county, today).version == version
    assert services.resolve("evaluation_subsidy", county, yesterday).version == before


PAST = 5


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shape=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=2),
       attempts=st.lists(st.tuples(st.integers(min_value=0, max_value=6),
                                   st.integers(min_value=-PAST, max_value=3),
                                   st.one_of(st.none(), st.integers(min_value=0, max_value=6))),
                         min_size=1, max_size=8))
def test_publishing_never_changes_what_a_past_date_resolves_to(shape, attempts):
    with transaction.atomic():
        actor = system_actor("presets")
        regions = _tree(shape)
        today = timezone.localdate()
        past = [today - dt.timedelta(days=d) for d in range(1, PAST + 2)]

        def snapshot():
            out = {}
            for r in regions:
                for day in past:
                    try:
                        out[r.code, day] = services.resolve("evaluation_subsidy", r, day).version.pk
                    except NotFound:
                        out[r.code, day] = None
            return out

        for i, (region_i, start, length) in enumerate(attempts, start=1):
            region = regions[region_i % len(regions)]
            valid_from = today + dt.timedelta(days=start)
            valid_to = None if length is None else valid_from + dt.timedelta(days=length)
            before = snapshot()
            with contextlib.suppress(ServiceError):
                services.policy_version_publish(
                    actor=actor, kind="evaluation_subsidy", region=region, valid_from=valid_from,
                    valid_to=valid_to, data=eval_table(i), is_sample=True)
            after = snapshot()
            # A past day that had a figure keeps it; a day that had none may get one (a
            # historical document entered late).
            assert {k: after[k] for k, pk in before.items() if pk is not None} == \
                {k: pk for k, pk in before.items() if pk is not None}
        transaction.set_rollback(True)


def test_evaluation_subsidy_needs_all_six_levels_with_positive_figures(user_named, region):
    user, county = user_named("county_411402"), region("411402")
    counts = _counts()
    with pytest.raises(ServiceError) as exc:
        _publish(user, county, data={"amounts_fen": {"5": 100}}, valid_from=D(NEXT, 1, 1))
    assert exc.value.errors["amounts_fen"] == (
        "评价补贴标准须列出专项职业能力和五级至一级共 6 个等级的金额，"
        "缺少：专项职业能力（special）、四级/中级工（4）、三级/高级工（3）、二级/技师（2）、一级/高级技师（1）")
    with pytest.raises(ServiceError) as exc:
        _publish(user, county, data=eval_table(0), valid_from=D(NEXT, 1, 1))
    assert exc.value.errors["amounts_fen.5"] == "各等级补贴金额（分） 5：应为正整数"
    assert _counts() == counts
    # The eight-level additions are optional extras.
    table = eval_table(100)
    table["amounts_fen"]["chief"] = 50000
    assert _publish(user, county, data=table, valid_from=D(NEXT, 1, 1)).data == {
        **table, "once_per_person_occupation_level": True}


# ---------------------------------------------------------------- 2. the budget page saves


def test_budget_page_saves_a_budget(client_for):
    client = client_for("city_411400")
    source = FundSource.objects.get(code="employment_subsidy")
    form = {"source": source.pk, "region": "411400", "year": 2026, "note": "年初预算"}
    response = client.post("/catalog/budgets/set/", {**form, "amount_yuan": "1000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    budget = FundBudget.objects.get(source=source, region__code="411400", year=2026)
    assert (budget.amount_fen, budget.note) == (100000, "年初预算")
    response = client.post("/catalog/budgets/set/", {**form, "amount_yuan": "1000.50"})
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.amount_fen == 100050


def test_budget_page_names_the_amount_field_on_bad_input(client_for):
    client = client_for("city_411400")
    source = FundSource.objects.get(code="employment_subsidy")
    form = {"source": source.pk, "region": "411400", "year": 2026}
    for amount, words in [("-5", "不能为负数"), ("20000000000000", "不能大于")]:
        response = client.post("/catalog/budgets/set/", {**form, "amount_yuan": amount})
        assert response.status_code == 400
        assert words in " ".join(response.context["form"].errors["amount_yuan"])
    assert not FundBudget.objects.filter(region__code="411400", year=2026).exists()


# ---------------------------------------------------------------- 3. where figures come from


def test_public_api_rows_say_sample_version_and_period():
    items = Client().get("/api/v1/catalogue?region=411402&date=2024-01-01").json()["items"]
    assert items
    for item in items:
        assert item["is_sample"] is True and item["source"] == SAMPLE_LABEL
        assert item["document_title"] is None and item["document_number"] is None
        assert (item["version_region_code"], item["version_number"]) == ("411400", 1)
        assert (item["valid_from"], item["valid_to"]) == ("2022-01-01", None)
        assert item["version_id"] == PolicyVersion.objects.get(
            kind="training_subsidy", region__code="411400").pk


@pytest.fixture
def documented_catalogue(user_named, region, doc_shangqiu):
    return services.policy_version_publish(
        actor=user_named("county_411402"), kind="training_subsidy", region=region("411402"),
        valid_from=D(NEXT, 1, 1), valid_to=D(NEXT, 12, 31), data={"entries": [LINE]},
        document=doc_shangqiu, section="三(一)")


def test_public_api_rows_name_the_document(documented_catalogue, doc_shangqiu,
                                           django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        body = Client().get(f"/api/v1/catalogue?region=411402&date={NEXT}-06-01").json()
    [item] = body["items"]
    assert item["is_sample"] is False and item["version_id"] == documented_catalogue.pk
    assert (item["document_title"], item["document_number"]) == (doc_shangqiu.title,
                                                                 "商政办〔2022〕9号")
    assert (item["valid_from"], item["valid_to"], item["section"]) == (
        f"{NEXT}-01-01", f"{NEXT}-12-31", "三(一)")
    assert "商政办〔2022〕9号" in item["source"] and SAMPLE_LABEL not in item["source"]


def _sheet(url):
    response = Client().get(url)
    assert response.status_code == 200
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)) \
        .get_sheet_by_index(0).to_python()


def test_public_export_says_version_document_or_sample(documented_catalogue, doc_shangqiu):
    rows = _sheet("/catalogue/?region=411402&date=2024-01-01&export=xlsx")
    head = rows[0]
    assert head[-7:] == ["目录版本", "生效日期", "截止日期", "依据文件", "文号", "条款", "示例数据"]
    assert all(r[-7:] == ["商丘市第1版", "2022-01-01", "长期", "", "", "", SAMPLE_LABEL]
               for r in rows[1:]) and len(rows) > 1
    [_, row] = _sheet(f"/catalogue/?region=411402&date={NEXT}-06-01&export=xlsx")
    assert row[-7:] == ["梁园区第1版", f"{NEXT}-01-01", f"{NEXT}-12-31", doc_shangqiu.title,
                        "商政办〔2022〕9号", "三(一)", ""]


def test_public_page_labels_samples_and_names_documents(documented_catalogue, doc_shangqiu):
    html = Client().get("/catalogue/?region=411402&date=2024-01-01").content.decode()
    assert 'data-testid="sample"' in html and SAMPLE_LABEL in html
    html = Client().get(f"/catalogue/?region=411402&date={NEXT}-06-01").content.decode()
    assert 'data-testid="document"' in html and doc_shangqiu.title in html
    assert "商政办〔2022〕9号 三(一)" in html  # the row's source column
    assert SAMPLE_LABEL not in html


# ---------------------------------------------------------------- 4. bounded numbers


def test_budget_api_refuses_amounts_and_years_out_of_range(api_for):
    api = api_for("city_411400")
    payload = {"source_code": "employment_subsidy", "region_code": "411400", "year": 2026,
               "amount_fen": 10**20}
    response = api.post("/api/v1/fund-budgets", content_type="application/json", data=payload)
    assert response.status_code == 400
    assert f"不能大于 {MAX_FEN}" in response.json()["errors"]["amount_fen"]
    response = api.post("/api/v1/fund-budgets", content_type="application/json",
                        data={**payload, "amount_fen": 100, "year": 10**20})
    assert response.status_code == 400 and "年度" in response.json()["errors"]["year"]
    assert not FundBudget.objects.filter(region__code="411400", year=2026).exists()
    ok = api.post("/api/v1/fund-budgets", content_type="application/json",
                  data={**payload, "amount_fen": MAX_FEN})
    assert ok.status_code == 200 and ok.json()["amount_fen"] == MAX_FEN


def test_budget_service_bound(user_named, region):
    source = FundSource.objects.get(code="employment_subsidy")
    with pytest.raises(ServiceError) as exc:
        services.fund_budget_set(actor=user_named("city_411400"), source=source,
                                 region=region("411400"), year=2026, amount_fen=MAX_FEN + 1)
    assert "预算金额（分）不能大于" in exc.value.errors["amount_fen"]


@pytest.mark.parametrize("data, field", [
    ({"amount_fen_per_person": 10**20, "min_employment_months": 6}, "amount_fen_per_person"),
    ({"amount_fen_per_person": 100, "min_employment_months": 10**20}, "min_employment_months"),
])
def test_policy_figures_are_bounded(user_named, region, data, field):
    with pytest.raises(ServiceError) as exc:
        _publish(user_named("county_411402"), region("411402"), kind="placement_subsidy",
                 data=data, valid_from=D(NEXT, 1, 1))
    assert "不能大于" in exc.value.errors[field]


def test_ratio_terms_are_bounded(user_named, region):
    data = {"min_fulltime_teacher_share": {"numerator": 10**20, "denominator": 10**21}}
    with pytest.raises(ServiceError) as exc:
        _publish(user_named("county_411402"), region("411402"), kind="institution_limits",
                 data=data, valid_from=D(NEXT, 1, 1))
    assert "不能大于" in exc.value.errors["min_fulltime_teacher_share.numerator"]


def test_uploaded_infinite_or_huge_cells_are_named_not_a_crash(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = ("职业代码,等级,培训补贴标准（元）,最低培训课时\n"
               "4-10-01-06,初级,inf,64\n4-10-01-05,初级,1e999999,64\n"
               "4-10-01-03,初级,NaN,Infinity\n4-03-02-01,初级,1000,1e999999\n")
    response = client_for("county_411402").post("/catalog/catalogue/upload/", {
        "region": "411402", "valid_from": f"{NEXT}-01-01", "is_sample": "on",
        "file": SimpleUploadedFile("目录.csv", content.encode("utf-8"))})
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert "第 2 行「培训补贴标准（元）」：应为金额（元），如 1200 或 1200.50" in errors
    assert "第 3 行「培训补贴标准（元）」：金额不能大于 10000000000000 元" in errors
    assert "第 4 行「最低培训课时」：应为不小于 1 的整数课时" in errors
    assert "第 5 行「最低培训课时」：课时不能大于 5000" in errors


@pytest.mark.parametrize("url", [
    "/api/v1/catalogue?region=411402&offset={big}",
    "/api/v1/catalogue?region=411402&limit={big}",
    "/api/v1/policies?offset={big}",
    "/api/v1/occupations?offset={big}&limit={big}",
    "/api/v1/fund-budgets?year={big}",
])
def test_huge_paging_and_filter_numbers_are_not_a_server_error(api_for, url):
    response = api_for("city_411400").get(url.format(big=10**20))
    assert response.status_code == 200
    assert response.json()["count"] >= 0
