"""Writes: versioning, bad input (clear Chinese messages, nothing written), audit."""

import datetime as dt

import pytest

from jineng.catalog import services
from jineng.catalog.models import (
    CatalogueEntry,
    FundBudget,
    FundSource,
    Occupation,
    PolicyVersion,
    WorkType,
)
from jineng.core.actors import system_actor
from jineng.core.errors import Conflict, Forbidden, ServiceError
from jineng.core.models import AuditEvent
from tests.catalog.conftest import NEXT, eval_table

SYSTEM = system_actor("import_occupations")

pytestmark = pytest.mark.django_db
D = dt.date
Y = NEXT


def _counts():
    return (PolicyVersion.objects.count(), CatalogueEntry.objects.count(),
            AuditEvent.objects.count())


def _publish(user, region, data, **kw):
    kw.setdefault("valid_from", D(Y, 1, 1))
    kw.setdefault("is_sample", True)
    return services.policy_version_publish(actor=user, kind=kw.pop("kind", "evaluation_subsidy"),
                                           region=region, data=data, **kw)


@pytest.mark.parametrize("data, field, words", [
    ({"amounts_fen": {"6": 100}}, "level", "等级「6」不存在"),
    (eval_table(-100), "amounts_fen.5", "应为正整数"),
    (eval_table(0), "amounts_fen.5", "应为正整数"),
    (eval_table(10**15 + 1), "amounts_fen.5", "不能大于"),
    ({"amounts_fen": {"5": 100}}, "amounts_fen",
     "缺少：专项职业能力（special）、四级/中级工（4）、三级/高级工（3）"),
    (eval_table(100.5), "amounts_fen.5", "整数"),
    ({"amounts_fen": {}}, "amounts_fen", "不能为空"),
    ({"amounts_fen": {"5": 100}, "bonus": 1}, "bonus", "不认识的字段"),
])
def test_bad_tables_are_refused_with_the_field_named(user_named, region, data, field, words):
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        _publish(user_named("county_411402"), region("411402"), data)
    assert words in exc.value.errors[field]
    assert words in exc.value.message
    assert _counts() == before


def test_unknown_occupation_code_refuses_the_whole_catalogue(user_named, region):
    lines = [{"occupation_code": "4-10-01-05", "level": "5", "amount_fen": 100000,
              "min_hours": 80},
             {"occupation_code": "9-99-99-99", "level": "5", "amount_fen": 100000,
              "min_hours": 80}]
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        _publish(user_named("county_411402"), region("411402"), {"entries": lines},
                 kind="training_subsidy")
    assert "第 2 行：职业代码 9-99-99-99 不是现行职业分类大典中的职业" in exc.value.message
    assert _counts() == before


def test_duplicate_catalogue_lines_are_named(user_named, region):
    line = {"occupation_code": "4-10-01-05", "level": "5", "amount_fen": 1, "min_hours": 8}
    with pytest.raises(ServiceError, match="第 2 行与前面的行重复"):
        _publish(user_named("county_411402"), region("411402"), {"entries": [line, line]},
                 kind="training_subsidy")


def test_overlapping_periods_for_one_region_and_kind_are_refused(user_named, region):
    user, county = user_named("county_411402"), region("411402")
    _publish(user, county, eval_table(1), valid_from=D(Y, 1, 1),
             valid_to=D(Y, 12, 31))
    before = _counts()
    with pytest.raises(Conflict) as exc:
        _publish(user, county, eval_table(2), valid_from=D(Y, 12, 31))
    assert "与所填期间重叠" in exc.value.errors["valid_from"]
    assert _counts() == before
    _publish(user, county, eval_table(2), valid_from=D(Y + 1, 1, 1))  # adjacent: ok
    # Another kind, or another region, for the same period is fine.
    _publish(user, county, {"subsidised_trainings_per_year": 2}, kind="person_limits")


def test_source_is_required_unless_labelled_sample(user_named, region, doc_shangqiu):
    user = user_named("city_411400")
    with pytest.raises(ServiceError, match="须标为示例数据"):
        _publish(user, region("411400"), eval_table(1), is_sample=False,
                 valid_from=D(Y + 5, 1, 1))
    with pytest.raises(ServiceError, match="示例数据不能关联政策文件"):
        _publish(user, region("411400"), eval_table(1), document=doc_shangqiu,
                 valid_from=D(Y + 5, 1, 1))


def test_unknown_kind_and_reversed_period(user_named, region):
    user = user_named("county_411402")
    with pytest.raises(ServiceError, match="不认识的政策类型"):
        _publish(user, region("411402"), {}, kind="lottery")
    with pytest.raises(ServiceError, match="截止日期不能早于生效日期"):
        _publish(user, region("411402"), eval_table(1), valid_to=D(Y - 1, 1, 1))


def test_revision_is_a_new_audited_version_and_keeps_the_old_figures(user_named, region,
                                                                    doc_shangqiu):
    user = user_named("city_411400")
    old = services.resolve("evaluation_subsidy", region("411400"), D(2024, 1, 1)).version
    old_data = dict(old.data)
    new = services.policy_version_revise(
        actor=user, version=old, valid_from=D(Y, 1, 1),
        data={"amounts_fen": {**old_data["amounts_fen"], "5": 25000}}, document=doc_shangqiu,
        section="四(二)1")
    old.refresh_from_db()
    assert old.data == old_data and old.valid_to == D(Y - 1, 12, 31)
    assert (new.number, new.supersedes_id, new.valid_to) == (old.number + 1, old.pk, None)
    assert services.resolve("evaluation_subsidy", region("411402"),
                            D(Y - 1, 12, 31)).data["amounts_fen"]["5"] == 20000
    assert services.resolve("evaluation_subsidy", region("411402"),
                            D(Y, 1, 1)).data["amounts_fen"]["5"] == 25000
    events = list(AuditEvent.objects.filter(object_type="catalog.policyversion")
                  .order_by("-id")[:2])
    assert [(e.action, e.object_id) for e in events] == [("publish", str(new.pk)),
                                                          ("close", str(old.pk))]
    assert events[0].actor_name == "city_411400"
    assert events[1].changes == {"valid_to": [None, f"{Y - 1}-12-31"]}
    with pytest.raises(Conflict, match="已被修订"):
        services.policy_version_revise(actor=user, version=old, valid_from=D(Y + 1, 1, 1),
                                       data=old_data, is_sample=True)
    with pytest.raises(ServiceError, match="须晚于"):
        services.policy_version_revise(actor=user, version=new, valid_from=D(Y, 1, 1),
                                       data=old_data, is_sample=True)


def test_a_county_cannot_publish_or_revise_for_a_sibling_or_above(user_named, region):
    user = user_named("county_411402")
    before = _counts()
    with pytest.raises(Forbidden):
        _publish(user, region("411403"), eval_table(1))
    city_version = services.resolve("evaluation_subsidy", region("411400"), D(2024, 1, 1)).version
    with pytest.raises(Forbidden):
        services.policy_version_revise(actor=user, version=city_version,
                                       valid_from=D(Y, 1, 1), data=city_version.data,
                                       is_sample=True)
    with pytest.raises(Forbidden):
        _publish(user_named("reviewer_411400"), region("411400"), eval_table(1),
                 valid_from=D(Y + 10, 1, 1))
    assert _counts() == before


def test_publish_is_audited(user_named, region):
    version = _publish(user_named("county_411402"), region("411402"), eval_table(7))
    event = AuditEvent.objects.filter(object_type="catalog.policyversion",
                                      object_id=str(version.pk)).get()
    assert event.action == "publish" and event.changes["data"][1] == {
        **eval_table(7), "once_per_person_occupation_level": True}


def test_catalogue_lines_resolve_with_work_types(user_named, region):
    user = user_named("county_411402")
    lines = [{"occupation_code": "6-31-01-03", "work_type": "维修电工", "level": "4",
              "amount_fen": 160000, "min_hours": 160, "direct_subsidy": True,
              "target_groups": ["企业职工"]},
             {"occupation_code": "6-31-01-03", "level": "4", "amount_fen": 150000,
              "min_hours": 150}]
    version = _publish(user, region("411402"), {"entries": lines}, kind="training_subsidy")
    assert version.entries.count() == 2
    assert WorkType.objects.filter(name="维修电工", occupation__code="6-31-01-03").exists()
    entry, res = services.training_subsidy_for(region=region("411402"), on_date=D(Y, 5, 1),
                                               occupation_code="6-31-01-03", level="4",
                                               work_type="维修电工")
    assert entry.subsidy_fen == 160000 and not res.inherited
    entry, _ = services.training_subsidy_for(region=region("411402"), on_date=D(Y, 5, 1),
                                             occupation_code="6-31-01-03", level="4")
    assert entry.subsidy_fen == 150000


def test_new_edition_keeps_references_to_old_codes(user_named, region):
    old_cat = services.resolve("training_subsidy", region("411400"), D(2024, 1, 1)).version
    old_nurse = Occupation.objects.get(code="4-10-01-05", is_current=True)
    WorkType.objects.create(occupation=old_nurse, name="失能老人护理")
    rows = [
        {"code": "4-00-00-00", "level": "1", "name": "社会生产服务和生活服务人员", "mark": ""},
        {"code": "4-10-00-00", "level": "2", "name": "居民服务人员", "mark": ""},
        {"code": "4-10-01-00", "level": "3", "name": "生活照料服务人员", "mark": ""},
        {"code": "4-10-01-07", "level": "4", "name": "养老护理员", "mark": "L"},
    ]
    result = services.occupation_edition_import(
        actor=SYSTEM, edition="2030", rows=rows,
        successor_map={"4-10-01-05": "4-10-01-07"})
    assert result.created == 4
    old_nurse.refresh_from_db()
    assert not old_nurse.is_current and old_nurse.successor.code == "4-10-01-07"
    assert services.occupation_current("4-10-01-05").code == "4-10-01-07"
    assert old_nurse.successor.work_types.filter(name="失能老人护理").exists()
    assert old_nurse.successor.parent.code == "4-10-01-00"
    # The published catalogue still points at the 2022 rows.
    assert old_cat.entries.filter(occupation=old_nurse).exists()
    with pytest.raises(Conflict):
        services.occupation_edition_import(actor=SYSTEM, edition="2030", rows=rows)


def test_bad_occupation_rows_are_all_reported():
    rows = [{"code": "4-10-01", "level": "4", "name": "x"},
            {"code": "4-10-01-99", "level": "7", "name": "y"}]
    with pytest.raises(ServiceError) as exc:
        services.occupation_edition_import(actor=SYSTEM, edition="2031", rows=rows)
    assert len(exc.value.errors) == 2 and "第 2 行" in exc.value.errors["row2.code"]
    assert not Occupation.objects.filter(edition="2031").exists()


def test_budgets_in_fen_and_audited(user_named, region):
    user = user_named("county_411402")
    source = FundSource.objects.get(code="employment_subsidy")
    budget = services.fund_budget_set(actor=user, source=source, region=region("411402"),
                                      year=2030, amount_fen=123_456_789)
    budget = services.fund_budget_set(actor=user, source=source, region=region("411402"),
                                      year=2030, amount_fen=100)
    assert FundBudget.objects.get(pk=budget.pk).amount_fen == 100
    assert AuditEvent.objects.filter(object_type="catalog.fundbudget",
                                     object_id=str(budget.pk)).count() == 2
    with pytest.raises(ServiceError, match="不能为负数"):
        services.fund_budget_set(actor=user, source=source, region=region("411402"),
                                 year=2030, amount_fen=-1)
    with pytest.raises(ServiceError, match="整数"):
        services.fund_budget_set(actor=user, source=source, region=region("411402"),
                                 year=2030, amount_fen=1.5)
    with pytest.raises(Forbidden):
        services.fund_budget_set(actor=user, source=source, region=region("411403"),
                                 year=2030, amount_fen=1)


def test_successor_map_with_unknown_codes_is_refused():
    rows = [{"code": "4-00-00-00", "level": "1", "name": "社会生产服务和生活服务人员"}]
    with pytest.raises(ServiceError) as exc:
        services.occupation_edition_import(actor=SYSTEM, edition="2032", rows=rows,
                                           successor_map={"0-00-00-01": "4-00-00-00",
                                                          "4-10-01-05": "4-10-01-99"})
    assert "新代码不存在：4-10-01-99" in exc.value.message
    assert "旧代码不在现行版本中：0-00-00-01" in exc.value.message
    assert not Occupation.objects.filter(edition="2032").exists()
    assert Occupation.objects.filter(edition="2022", is_current=True).count() == 2047
