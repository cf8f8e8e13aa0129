"""The scope case matrix (tests/scope_cases.py) for the catalogue's models. Regional records
belong to 睢阳区 (411403); a county also reads what the regions above it publish, which a
sibling county is not. Reference data of no region is read whole by every officer role.

The public catalogue (/catalogue/, /api/v1/catalogue) shows catalogue entries to anyone by
design: it is not a scoped read, and tests/orgs/test_worker_permissions.py keeps it open."""

import datetime as dt

from jineng.catalog import selectors
from jineng.catalog.models import (
    CatalogueEntry,
    EvaluationType,
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
from tests.scope_cases import ScopeCases

# Every role that reads the catalogue's reference data, each under a different kind of scope.
REFERENCE_READERS = ("county_411402", "reviewer_411400", "dept_411400", "inst_411402",
                     "sysadmin")


def _county():
    return Region.objects.get(code="411403")


def _version(kind=PolicyKind.PLACEMENT_SUBSIDY, note="范围测试版本") -> PolicyVersion:
    county = _county()
    data = ({"entries": []} if kind == PolicyKind.TRAINING_SUBSIDY
            else {"amount_fen_per_person": 40000, "min_employment_months": 6})
    number = PolicyVersion.objects.filter(kind=kind, region=county).count() + 1
    return PolicyVersion.objects.create(kind=kind, region=county, number=number,
                                        valid_from=dt.date(1999, 1, 1),
                                        valid_to=dt.date(1999, 12, 31),
                                        data=data, is_sample=True, note=note)


class TestPolicyDocumentScope(ScopeCases):
    model = PolicyDocument
    page_list = "/catalog/documents/?q={obj.title}"
    page_export = "/catalog/documents/?q={obj.title}&export=xlsx"
    api_list = "/api/v1/policy-documents?q={obj.title}&limit=100"

    def make(self, user_named):
        return PolicyDocument.objects.create(region=_county(), issuer="睢阳区人社局",
                                             title="范围测试文件", number="睢人社〔1999〕1号")

    def select(self, user, obj):
        return selectors.document_list(user=user, q=obj.title)

    def marker(self, obj):
        return obj.title


class TestPolicyVersionScope(ScopeCases):
    model = PolicyVersion
    page_list = "/catalog/policies/?q={obj.note}"
    page_detail = "/catalog/policies/{obj.pk}/"
    api_list = "/api/v1/policies?q={obj.note}&limit=100"
    api_detail = "/api/v1/policies/{obj.pk}"

    def make(self, user_named):
        return _version()

    def select(self, user, obj):
        return selectors.policy_version_list(user=user, q=obj.note)


class TestCatalogueEntryScope(ScopeCases):
    """Entries are read with their version (its detail page lists them)."""

    model = CatalogueEntry
    page_detail = "/catalog/policies/{obj.version_id}/"

    def make(self, user_named):
        version = _version(PolicyKind.TRAINING_SUBSIDY, note="范围测试目录")
        return CatalogueEntry.objects.create(
            version=version, level=SkillLevel.objects.get(code="5"), subsidy_fen=100000,
            min_hours=60,
            occupation=Occupation.objects.filter(level=OccupationLevel.OCCUPATION).first())

    def select(self, user, obj):
        return CatalogueEntry.objects.restrict(user, "view").filter(version=obj.version)


class TestFundBudgetScope(ScopeCases):
    model = FundBudget
    page_list = "/catalog/budgets/?year={obj.year}&region_code=411403"
    page_export = "/catalog/budgets/?year={obj.year}&region_code=411403&export=xlsx"
    api_list = "/api/v1/fund-budgets?year={obj.year}&limit=100"

    def make(self, user_named):
        return FundBudget.objects.create(source=FundSource.objects.first(), region=_county(),
                                         year=2099, amount_fen=100_000_00)

    def select(self, user, obj):
        return selectors.fund_budget_list(user=user, year=obj.year)

    def marker(self, obj):
        return f"{obj.region.name}\t{obj.year}"


class TestProgrammeScope(ScopeCases):
    model = Programme
    page_list = "/catalog/programmes/?q={obj.name}"
    page_export = "/catalog/programmes/?q={obj.name}&export=xlsx"
    page_detail = "/catalog/programmes/{obj.pk}/"
    api_list = "/api/v1/programmes?q={obj.name}&limit=100"
    api_detail = "/api/v1/programmes/{obj.pk}"

    def make(self, user_named):
        return Programme.objects.create(region=_county(), code="SCOPE-1", name="范围测试计划",
                                        kind=ProgrammeKind.PLAN, period_start=dt.date(2024, 1, 1))

    def select(self, user, obj):
        return selectors.programme_list(user=user, q=obj.name)


# ---------------------------------------------------------------- reference data


class TestOccupationScope(ScopeCases):
    model = Occupation
    readers = REFERENCE_READERS
    outsiders = ()
    page_list = "/catalog/occupations/?q={obj.name}"
    page_export = "/catalog/occupations/?q={obj.name}&export=xlsx"
    api_list = "/api/v1/occupations?q={obj.name}&limit=100"
    api_detail = "/api/v1/occupations/{obj.code}"

    def make(self, user_named):
        parent = Occupation.objects.filter(is_current=True, level=OccupationLevel.MINOR).first()
        return Occupation.objects.create(edition=parent.edition, code="9-99-99-99",
                                         level=OccupationLevel.OCCUPATION, name="范围测试职业",
                                         parent=parent)

    def select(self, user, obj):
        return selectors.occupation_list(user=user, q=obj.name)

    def marker(self, obj):
        return obj.name

    def api_key(self, obj):
        return obj.code

    def api_item_key(self, item):
        return item["code"]


class TestWorkTypeScope(ScopeCases):
    model = WorkType
    readers = REFERENCE_READERS
    outsiders = ()
    page_list = "/catalog/work-types/?q={obj.name}"
    page_export = "/catalog/work-types/?q={obj.name}&export=xlsx"

    def make(self, user_named):
        occupation = Occupation.objects.filter(is_current=True,
                                               level=OccupationLevel.OCCUPATION).first()
        return WorkType.objects.create(occupation=occupation, name="范围测试工种")

    def select(self, user, obj):
        return selectors.work_type_list(user=user, q=obj.name)

    def marker(self, obj):
        return obj.name


class TestSkillLevelScope(ScopeCases):
    model = SkillLevel
    readers = REFERENCE_READERS
    outsiders = ()
    page_list = "/catalog/levels/?q={obj.name}"
    api_list = "/api/v1/skill-levels"

    def make(self, user_named):
        return SkillLevel.objects.create(code="scope_case", name="范围测试等级", short_name="测",
                                         rank=99)

    def select(self, user, obj):
        return selectors.level_list(user=user, q=obj.name)

    def api_key(self, obj):
        return obj.code

    def api_item_key(self, item):
        return item["code"]


class _NamedReference(ScopeCases):
    """Evaluation types and fund sources: read whole through the API lists."""

    readers = REFERENCE_READERS
    outsiders = ()

    def api_key(self, obj):
        return obj.code

    def api_item_key(self, item):
        return item["code"]


class TestEvaluationTypeScope(_NamedReference):
    model = EvaluationType
    api_list = "/api/v1/evaluation-types"

    def make(self, user_named):
        return EvaluationType.objects.create(code="scope_case", name="范围测试评价")


class TestFundSourceScope(_NamedReference):
    model = FundSource
    api_list = "/api/v1/fund-sources"

    def make(self, user_named):
        return FundSource.objects.create(code="scope_case", name="范围测试资金")
