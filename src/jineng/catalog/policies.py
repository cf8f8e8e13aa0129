"""The typed content of each policy kind (pydantic), with Chinese messages for bad input.

A kind is registered once in `KINDS` with its schema; services validate every version's data
through it before anything is written. Money is integer fen, never a float."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jineng.catalog.models import PolicyKind

MAX_FEN = 10**15  # ten trillion yuan: any money input above it is a typing error (and fits bigint)
MAX_COUNT = 10**9  # counts and ratio terms stored in JSON
MAX_HOURS = 5000  # minimum training hours of one catalogue line
OCCUPATION_CODE_PATTERN = r"^[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}$"

Fen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN)]
Months = Annotated[int, Field(strict=True, ge=0, le=600)]
PositiveFen = Annotated[int, Field(strict=True, ge=1, le=MAX_FEN)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvaluationSubsidy(_Table):
    """Evaluation subsidy per level (seed 002 §四(二)1)."""

    amounts_fen: dict[str, PositiveFen] = Field(min_length=1)
    once_per_person_occupation_level: bool = True


class CatalogueLine(_Table):
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN)
    work_type: str = Field(default="", max_length=100)
    level: str
    amount_fen: Fen
    min_hours: int = Field(strict=True, ge=1, le=MAX_HOURS)
    direct_subsidy: bool = False
    target_groups: list[Annotated[str, Field(min_length=1, max_length=60)]] = []


class TrainingSubsidy(_Table):
    """The subsidised-occupation catalogue: one line per occupation (or 工种) and level."""

    entries: list[CatalogueLine] = Field(min_length=1, max_length=20000)

    @model_validator(mode="after")
    def _unique_lines(self):
        seen = set()
        for i, line in enumerate(self.entries, start=1):
            key = (line.occupation_code, line.work_type, line.level)
            if key in seen:
                raise ValueError(
                    f"第 {i} 行与前面的行重复（职业 {line.occupation_code}"
                    f"{'·' + line.work_type if line.work_type else ''}，等级 {line.level}）"
                )
            seen.add(key)
        return self


class HiringSubsidy(_Table):
    """One-off subsidy to an enterprise per certified hire (seed 002 §四(三)1)."""

    amount_fen_per_person: Fen
    cap_fen_per_enterprise: Fen | None = None
    min_employment_months: Months
    requires_certificate: bool = True
    requires_social_insurance: bool = True
    enterprise_sizes: list[Literal["large", "medium", "small", "micro"]] = []


ENTERPRISE_SIZE_LABELS = {"large": "大型企业", "medium": "中型企业", "small": "小型企业",
                          "micro": "微型企业"}


class PlacementSubsidy(_Table):
    """Subsidy to an HR agency per certified person placed in stable work (seed 002 §四(三)1)."""

    amount_fen_per_person: Fen
    min_employment_months: Months
    in_province_only: bool = False
    requires_certificate: bool = True
    requires_social_insurance: bool = True


AwardCode = Literal["gold", "silver", "bronze", "excellence", "first", "second", "third"]
AWARD_LABELS = {
    "gold": "金牌", "silver": "银牌", "bronze": "铜牌", "excellence": "优胜奖",
    "first": "一等奖", "second": "二等奖", "third": "三等奖",
}


class Award(_Table):
    award: AwardCode
    amount_fen: Fen


class PrizeTier(_Table):
    tier: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=100)
    awards: list[Award] = Field(min_length=1)

    @field_validator("awards")
    @classmethod
    def _unique_awards(cls, awards):
        codes = [a.award for a in awards]
        if len(codes) != len(set(codes)):
            raise ValueError("同一竞赛级别的奖项重复")
        return awards


class CompetitionPrize(_Table):
    """One-off prizes per competition tier and award (seed 004 §28)."""

    tiers: list[PrizeTier] = Field(min_length=1)
    coach_team_same: bool = False

    @field_validator("tiers")
    @classmethod
    def _unique_tiers(cls, tiers):
        codes = [t.tier for t in tiers]
        if len(codes) != len(set(codes)):
            raise ValueError("竞赛级别重复")
        return tiers


class PersonLimits(_Table):
    subsidised_trainings_per_year: int | None = Field(default=None, strict=True, ge=1, le=50)
    evaluation_subsidy_once_per_occupation_level: bool = True


class Ratio(_Table):
    numerator: int = Field(strict=True, ge=0, le=MAX_COUNT)
    denominator: int = Field(strict=True, ge=1, le=MAX_COUNT)

    @model_validator(mode="after")
    def _at_most_one(self):
        if self.numerator > self.denominator:
            raise ValueError("比例不能大于 1")
        return self


class InstitutionLimits(_Table):
    min_fulltime_teacher_share: Ratio | None = None
    max_institutions_per_parttime_teacher_per_year: int | None = Field(
        default=None, strict=True, ge=1, le=100
    )
    min_yearly_trainings_share_of_enrolled: Ratio | None = None


class TrainingProcess(_Table):
    """Figures of process supervision that no seed gives: published as labelled samples."""

    min_attendance_share: Ratio
    max_online_share: Ratio
    checkin_opens_minutes_before: int = Field(strict=True, ge=0, le=240)
    checkin_closes_minutes_after: int = Field(strict=True, ge=0, le=240)
    max_travel_kmh: int = Field(strict=True, ge=1, le=1000)
    results_deadline_days: int = Field(strict=True, ge=1, le=365)
    min_rating_tenths: int = Field(strict=True, ge=10, le=50)
    trainee_confirm_days: int = Field(strict=True, ge=1, le=365)


@dataclass(frozen=True)
class KindSpec:
    code: str
    label: str
    schema: type[BaseModel]


KINDS: dict[str, KindSpec] = {
    spec.code: spec
    for spec in (
        KindSpec(PolicyKind.EVALUATION_SUBSIDY, PolicyKind.EVALUATION_SUBSIDY.label,
                 EvaluationSubsidy),
        KindSpec(PolicyKind.TRAINING_SUBSIDY, PolicyKind.TRAINING_SUBSIDY.label, TrainingSubsidy),
        KindSpec(PolicyKind.HIRING_SUBSIDY, PolicyKind.HIRING_SUBSIDY.label, HiringSubsidy),
        KindSpec(PolicyKind.PLACEMENT_SUBSIDY, PolicyKind.PLACEMENT_SUBSIDY.label,
                 PlacementSubsidy),
        KindSpec(PolicyKind.COMPETITION_PRIZE, PolicyKind.COMPETITION_PRIZE.label,
                 CompetitionPrize),
        KindSpec(PolicyKind.PERSON_LIMITS, PolicyKind.PERSON_LIMITS.label, PersonLimits),
        KindSpec(PolicyKind.INSTITUTION_LIMITS, PolicyKind.INSTITUTION_LIMITS.label,
                 InstitutionLimits),
        KindSpec(PolicyKind.TRAINING_PROCESS, PolicyKind.TRAINING_PROCESS.label,
                 TrainingProcess),
    )
}

FIELD_LABELS = {
    "amounts_fen": "各等级补贴金额（分）", "entries": "目录", "occupation_code": "职业代码",
    "work_type": "工种", "level": "等级", "amount_fen": "金额（分）", "min_hours": "最低培训课时",
    "direct_subsidy": "证书直补", "target_groups": "适用群体",
    "amount_fen_per_person": "每人补贴金额（分）", "cap_fen_per_enterprise": "每家企业上限（分）",
    "min_employment_months": "最短就业月数", "requires_certificate": "须持证",
    "requires_social_insurance": "须缴纳社会保险", "enterprise_sizes": "企业规模",
    "in_province_only": "限省内就业", "tiers": "竞赛级别", "tier": "级别编码", "name": "名称",
    "awards": "奖项", "award": "奖项", "coach_team_same": "教练团队同等奖励",
    "subsidised_trainings_per_year": "每年补贴性培训次数上限",
    "evaluation_subsidy_once_per_occupation_level": "同一职业同一等级评价补贴只享受一次",
    "once_per_person_occupation_level": "同一人同一职业同一等级只补贴一次",
    "min_fulltime_teacher_share": "专职教师最低占比",
    "max_institutions_per_parttime_teacher_per_year": "兼职教师每年最多任职机构数",
    "min_yearly_trainings_share_of_enrolled": "每年培训人次占在校生最低比例",
    "numerator": "分子", "denominator": "分母",
    "min_attendance_share": "结业最低出勤率", "max_online_share": "线上学时最高占比",
    "checkin_opens_minutes_before": "开课前多少分钟可签到",
    "checkin_closes_minutes_after": "开课后多少分钟内签到有效",
    "max_travel_kmh": "两地签到可信的最高移动速度（公里/小时）",
    "results_deadline_days": "结班后提交考勤与结业结果的期限（天）",
    "min_rating_tenths": "机构评价最低平均分（十分位，如 30 即 3.0 分）",
    "trainee_confirm_days": "学员确认培训真实性的期限（天）",
}

_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的字段",
    "int_type": "应为整数（金额以分为单位，不用小数）",
    "int_parsing": "应为整数（金额以分为单位，不用小数）",
    "int_from_float": "应为整数（金额以分为单位，不用小数）",
    "bool_type": "应为是或否（true/false）",
    "bool_parsing": "应为是或否（true/false）",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "取值不在允许范围内",
}


def _location(loc: tuple) -> str:
    parts = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"第 {p + 1} 行")
        else:
            parts.append(FIELD_LABELS.get(p, p))
    return " ".join(parts) or "内容"


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return "不能为负数"
        return "应为正整数" if ctx.get("ge") == 1 else f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind == "too_short":
        return "不能为空"
    if kind == "too_long":
        return "条目过多或过长"
    if kind == "value_error":
        return str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    return _MESSAGES.get(kind, "格式不正确")


def validation_errors(exc: ValidationError) -> dict[str, str]:
    """{dotted path: Chinese message naming the field and row}."""
    out = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "data"
        out[key] = f"{_location(loc)}：{_message(err)}" if loc else _message(err)
    return out


def kind_spec(kind: str) -> KindSpec | None:
    return KINDS.get(kind)
