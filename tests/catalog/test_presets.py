"""The presets load with loaddemo and give the seed documents' figures."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from jineng.catalog.models import (
    CatalogueEntry,
    EvaluationType,
    Occupation,
    PolicyVersion,
    Programme,
    ProgrammeKind,
    SkillLevel,
)
from jineng.catalog.services import occupation_current, resolve

pytestmark = pytest.mark.django_db
D = dt.date


def test_occupations_2022_loaded_as_a_tree():
    assert Occupation.objects.filter(edition="2022").count() == 2047  # 2,051 rows, 4 duplicates
    assert Occupation.objects.filter(level=4).count() == 1632  # 1,634 rows, 2 duplicates
    assert not Occupation.objects.filter(level__gt=1, parent__isnull=True).exists()
    herbal = Occupation.objects.get(code="6-12-02-00")
    assert (herbal.level, herbal.parent.code) == (4, "6-12-00-00")
    e_commerce = occupation_current("4-01-06-01")
    assert e_commerce.is_digital and e_commerce.parent.code == "4-01-06-00"


def test_levels_and_evaluation_types_are_data():
    codes = list(SkillLevel.objects.values_list("code", flat=True))
    assert codes == ["special", "apprentice", "5", "4", "3", "2", "1", "principal", "chief"]
    assert SkillLevel.objects.get(code="special").digit is None
    assert SkillLevel.objects.get(code="2").name == "二级/技师"
    assert set(SkillLevel.objects.filter(is_eight_level_addition=True).values_list(
        "name", flat=True)) == {"学徒工", "特级技师", "首席技师"}
    assert list(EvaluationType.objects.values_list("name", flat=True)) == [
        "职业资格评价", "职业技能等级认定", "专项职业能力考核"]


def test_henan_2022_evaluation_subsidy(region):
    r = resolve("evaluation_subsidy", region("411402"), D(2022, 6, 1))
    assert r.data["amounts_fen"] == {"special": 10000, "5": 20000, "4": 24000, "3": 28000,
                                     "2": 35000, "1": 38000}
    assert r.data["once_per_person_occupation_level"] is True
    assert r.inherited and r.version.region.code == "411400"
    assert r.version.document.number == "商政办〔2022〕9号" and r.version.section == "四(二)1"
    assert "免费评价，按此标准" in r.version.note  # Chinese punctuation kept as written
    with pytest.raises(Exception, match="没有生效"):
        resolve("evaluation_subsidy", region("411402"), D(2022, 4, 14))


def test_shangqiu_hiring_and_placement(region):
    hiring = resolve("hiring_subsidy", region("411403"), D(2023, 1, 1)).data
    assert hiring["amount_fen_per_person"] == 100_000
    assert hiring["cap_fen_per_enterprise"] == 200_000_000
    assert hiring["min_employment_months"] == 12
    placement = resolve("placement_subsidy", region("411400"), D(2023, 1, 1)).data
    assert placement["amount_fen_per_person"] == 30_000
    assert placement["min_employment_months"] == 6 and placement["in_province_only"]


def test_yunnan_2021_prizes(region):
    r = resolve("competition_prize", region("532500"), D(2022, 1, 1))
    tiers = {t["tier"]: {a["award"]: a["amount_fen"] for a in t["awards"]}
             for t in r.data["tiers"]}
    wan = 1_000_000
    assert tiers["world"] == {"gold": 60 * wan, "silver": 40 * wan, "bronze": 20 * wan,
                              "excellence": 10 * wan}
    assert tiers["national"] == {"gold": 20 * wan, "silver": 15 * wan, "bronze": 8 * wan,
                                 "excellence": 2 * wan}
    assert tiers["national_class1"] == {"gold": 10 * wan, "silver": 5 * wan, "bronze": 2 * wan}
    assert tiers["national_class1_ranked"] == {"first": 3 * wan, "second": 2 * wan,
                                               "third": 1 * wan}
    assert tiers["provincial"] == {"gold": 3 * wan, "silver": 2 * wan, "bronze": 1 * wan}
    assert r.data["coach_team_same"] is True
    assert r.version.document.number == "云政发〔2021〕28号"
    with pytest.raises(Exception, match="没有生效"):
        resolve("competition_prize", region("411400"), D(2022, 1, 1))


def test_samples_are_labelled_and_never_attributed(region):
    samples = PolicyVersion.objects.filter(is_sample=True)
    assert samples.exists()
    assert not samples.filter(document__isnull=False).exists()
    catalogue = resolve("training_subsidy", region("411402"), D(2024, 1, 1))
    assert catalogue.version.is_sample and "示例" in catalogue.source_label
    assert CatalogueEntry.objects.filter(version=catalogue.version).count() == 14


def test_programmes_from_the_seeds():
    shangqiu = Programme.objects.filter(region__code="411400", kind=ProgrammeKind.PLAN)
    assert shangqiu.count() == 12
    plan2 = shangqiu.get(code="SQ-2022-02")
    assert plan2.name == "就业重点群体技能提升计划" and plan2.section == "三(二)"
    assert "市残联" in set(plan2.departments.values_list("name", flat=True))
    for code in ("530000", "532500"):
        assert Programme.objects.filter(region__code=code, kind=ProgrammeKind.BATCH).count() == 10
        assert Programme.objects.filter(region__code=code,
                                        kind=ProgrammeKind.SPECIAL).count() == 6
    brands = set(Programme.objects.filter(region__code="520000").values_list("name", flat=True))
    assert brands == {"“贵州技工”工程", "“黔菜师傅”工程", "“黔灵家政”工程", "“黔旅工匠”工程"}


def test_presets_command_is_idempotent():
    before = (PolicyVersion.objects.count(), Programme.objects.count(), Occupation.objects.count())
    out = io.StringIO()
    call_command("load_policy_presets", stdout=out)
    assert "政策版本 0 个" in out.getvalue()
    assert (PolicyVersion.objects.count(), Programme.objects.count(),
            Occupation.objects.count()) == before
