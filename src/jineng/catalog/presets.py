"""The figures and programmes of the seed documents, as presets (`jineng load_policy_presets`,
and `jineng loaddemo`). Every version names its document and section; where the seeds give no
figure, the version is a labelled sample with no document. Loading twice changes nothing."""

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from jineng.catalog import services
from jineng.catalog.models import (
    FundSource,
    Occupation,
    PolicyDocument,
    PolicyKind,
    PolicyVersion,
    Programme,
    ProgrammeKind,
)
from jineng.core.actors import system_actor
from jineng.orgs.models import Department, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
OCCUPATIONS_FILE = DATA_DIR / "occupations_2022.csv"
YUAN = 100  # fen per yuan
WAN = 10_000 * YUAN  # fen per 万元

# key: (region, issuer, title, number, issued_on, source)
DOCUMENTS = {
    "002": ("411400", "商丘市人民政府办公室",
            "商丘市人民政府办公室关于印发《商丘市高质量推进“人人持证、技能河南”建设商丘新高地"
            "实施方案》的通知", "商政办〔2022〕9号", dt.date(2022, 4, 15),
            "种子文件 002（生效日期 2022-04-15）"),
    "004": ("530000", "云南省人民政府", "云南省人民政府关于实施“技能云南”行动的意见",
            "云政发〔2021〕28号", dt.date(2021, 11, 23), "种子文件 004"),
    "000": ("532500", "红河州人民政府办公室",
            "红河州人民政府办公室关于印发红河州落实“技能云南”行动工作方案的通知", "",
            dt.date(2022, 4, 1), "种子文件 000（红河州人民政府公报 2022 年第五期）"),
    "001": ("520000", "贵州省人民政府", "贵州省人民政府关于打造“技能贵州”推动职业技能培训的意见",
            "", None,
            "种子文件 001（所存文本缺标题、文号与日期：标题为概括，年份 2023 据文件索引）"),
}

SHANGQIU_FROM = dt.date(2022, 4, 15)

# (kind, region, document key, section, valid_from, valid_to, data, note)
VERSIONS = [
    (PolicyKind.EVALUATION_SUBSIDY, "411400", "002", "四(二)1", SHANGQIU_FROM, None, {
        "amounts_fen": {"special": 100 * YUAN, "5": 200 * YUAN, "4": 240 * YUAN,
                        "3": 280 * YUAN, "2": 350 * YUAN, "1": 380 * YUAN},
        "once_per_person_occupation_level": True,
    }, "在全省职业技能评价目录清单内的机构免费评价，按此标准补贴评价机构"),
    (PolicyKind.HIRING_SUBSIDY, "411400", "002", "四(三)1", SHANGQIU_FROM, None, {
        "amount_fen_per_person": 1000 * YUAN, "cap_fen_per_enterprise": 200 * WAN,
        "min_employment_months": 12, "requires_certificate": True,
        "requires_social_insurance": True, "enterprise_sizes": ["medium", "small", "micro"],
    }, "中小微企业年度内新吸纳持证人员稳定就业 1 年以上并缴纳职工社会保险费，按企业隶属关系补助"),
    (PolicyKind.PLACEMENT_SUBSIDY, "411400", "002", "四(三)1", SHANGQIU_FROM, None, {
        "amount_fen_per_person": 300 * YUAN, "min_employment_months": 6,
        "in_province_only": True, "requires_certificate": True,
        "requires_social_insurance": True,
    }, "经营性人力资源服务机构等介绍持证人员省内稳定就业半年以上并依法缴纳职工社会保险费"),
    (PolicyKind.PERSON_LIMITS, "411400", "002", "四(二)1", SHANGQIU_FROM, None, {
        "subsidised_trainings_per_year": None,
        "evaluation_subsidy_once_per_occupation_level": True,
    }, "同一人员同一职业同一等级不得重复申领评价补贴；文件未规定每年培训次数"),
    (PolicyKind.COMPETITION_PRIZE, "530000", "004", "二(五)28", dt.date(2021, 11, 23), None, {
        "tiers": [
            {"tier": "world", "name": "世界技能大赛", "awards": [
                {"award": "gold", "amount_fen": 60 * WAN},
                {"award": "silver", "amount_fen": 40 * WAN},
                {"award": "bronze", "amount_fen": 20 * WAN},
                {"award": "excellence", "amount_fen": 10 * WAN}]},
            {"tier": "national", "name": "全国职业技能大赛", "awards": [
                {"award": "gold", "amount_fen": 20 * WAN},
                {"award": "silver", "amount_fen": 15 * WAN},
                {"award": "bronze", "amount_fen": 8 * WAN},
                {"award": "excellence", "amount_fen": 2 * WAN}]},
            {"tier": "national_class1", "name": "其他全国一类职业技能竞赛（设金银铜牌）",
             "awards": [
                {"award": "gold", "amount_fen": 10 * WAN},
                {"award": "silver", "amount_fen": 5 * WAN},
                {"award": "bronze", "amount_fen": 2 * WAN}]},
            {"tier": "national_class1_ranked", "name": "其他全国一类职业技能竞赛（不设金银铜牌）",
             "awards": [
                {"award": "first", "amount_fen": 3 * WAN},
                {"award": "second", "amount_fen": 2 * WAN},
                {"award": "third", "amount_fen": 1 * WAN}]},
            {"tier": "provincial", "name": "全省综合性职业技能大赛和其他省级一类职业技能竞赛",
             "awards": [
                {"award": "gold", "amount_fen": 3 * WAN},
                {"award": "silver", "amount_fen": 2 * WAN},
                {"award": "bronze", "amount_fen": 1 * WAN}]},
        ],
        "coach_team_same": True,
    }, "我省选派的获奖选手每人一次性奖励，技术（教练）团队同等标准；省级竞赛为“可给予”"),
    (PolicyKind.INSTITUTION_LIMITS, "520000", "001", "二(四)、三(九)", dt.date(2023, 1, 1), None, {
        "min_fulltime_teacher_share": {"numerator": 1, "denominator": 3},
        "max_institutions_per_parttime_teacher_per_year": 3,
        "min_yearly_trainings_share_of_enrolled": {"numerator": 1, "denominator": 2},
    }, "民办培训机构专职教师不少于 1/3，兼职教师 1 年内任职不超过 3 家；职业院校每年培训人次"
       "不少于在校生人数的 50%。生效日期按 2023-01-01 计（所存文本未载日期）"),
]

# Sample figures (no document gives them): labelled samples, never attributed to a document.
# The seeds name occupations (家政服务员, 养老护理员, 电子商务 …), not their 工种: the 工种 below
# are those of the national occupational skill standards for 电工, 焊工 and 家政服务员; the other
# occupations have none there, so their lines name none.
SAMPLE_CATALOGUE = [
    # occupation code, work type, level, yuan, hours, 证书直补, target group codes
    ("4-10-01-05", "", "5", 1200, 80, True, ["rural_migrant", "poverty_alleviated"]),
    ("4-10-01-05", "", "4", 1500, 120, True, ["rural_migrant", "poverty_alleviated"]),
    ("4-10-01-06", "家务服务员", "5", 1000, 64, True,
     ["rural_migrant", "poverty_alleviated", "unemployed"]),
    ("4-10-01-06", "母婴护理员", "4", 1300, 96, True, ["rural_migrant", "unemployed"]),
    ("4-03-02-01", "", "5", 1100, 80, False, ["rural_migrant", "veteran"]),
    ("4-03-02-01", "", "4", 1400, 120, False, ["rural_migrant", "veteran"]),
    ("4-03-02-02", "", "5", 1000, 80, False, ["rural_migrant"]),
    ("6-31-01-03", "维修电工", "5", 1300, 120, False, ["graduate", "enterprise_employee"]),
    ("6-31-01-03", "维修电工", "4", 1600, 160, False, ["enterprise_employee"]),
    ("6-18-02-04", "电焊工", "5", 1300, 120, False, ["rural_migrant", "enterprise_employee"]),
    ("4-01-06-01", "", "4", 1500, 120, True, ["graduate"]),
    ("4-14-01-03", "", "5", 1200, 80, True, ["rural_migrant", "unemployed"]),
    ("4-10-01-03", "", "4", 1400, 120, True, ["graduate", "unemployed"]),
    ("4-09-08-01", "", "special", 500, 40, True, ["employment_difficulty", "disabled"]),
]
SAMPLE_CATALOGUE_REGIONS = ("411400", "532500")
SAMPLE_FROM = dt.date(2022, 1, 1)
SAMPLE_PERSON_LIMITS = ("530000", {"subsidised_trainings_per_year": 3,
                                   "evaluation_subsidy_once_per_occupation_level": True})
# Process supervision (结业出勤率、线上学时占比、签到时段 ...): the seeds give none of these.
SAMPLE_TRAINING_PROCESS = {
    "min_attendance_share": {"numerator": 4, "denominator": 5},
    "max_online_share": {"numerator": 1, "denominator": 2},
    "checkin_opens_minutes_before": 30, "checkin_closes_minutes_after": 15,
    "max_travel_kmh": 120, "results_deadline_days": 7, "min_rating_tenths": 30,
    "trainee_confirm_days": 7,
}
SAMPLE_TRAINING_PROCESS_REGIONS = ("410000", "520000", "530000", "370000")
# region, year, fund source code, yuan
SAMPLE_BUDGETS = [
    ("411400", 2022, "employment_subsidy", 30_000_000),
    ("411400", 2022, "skills_upgrade_account", 50_000_000),
    ("411402", 2022, "employment_subsidy", 4_000_000),
    ("411403", 2022, "employment_subsidy", 4_000_000),
    ("532500", 2022, "skills_upgrade_account", 20_000_000),
    ("532500", 2022, "rural_revitalisation", 6_000_000),
]

SQ_END = dt.date(2025, 12, 31)
_SQ_ALL = "各县〔市、区〕人民政府、城乡一体化示范区管委会、市直各部门"
_SQ_FUNDS = ["employment_subsidy", "unemployment_insurance"]
# code, name, goal, responsible, target group codes, occupation codes
SHANGQIU_PLANS = [
    ("SQ-2022-01", "先进制造业和战略性新兴产业技能提升计划",
     "年培训6.5万人次以上（企业新型学徒制0.15万人次以上），取证不低于5.8万人（高级1.7万人）",
     _SQ_ALL, ["enterprise_employee"], ["6-31-01-03", "6-18-02-04", "6-29-03-05"]),
    ("SQ-2022-02", "就业重点群体技能提升计划",
     "年培训5.0万人次以上，取证不低于4.47万人次（高级1.31万人）",
     "市人力资源社会保障局、市教育体育局、市退役军人局、市乡村振兴局、市残联",
     ["rural_migrant", "non_continuing_student", "graduate", "unemployed", "veteran",
      "disabled"], []),
    ("SQ-2022-03", "职业教育技能提升计划", "年培养4万人以上，取证不低于3.57万人（高级1.05万人）",
     "市教育体育局、市人力资源社会保障局", ["student"], []),
    ("SQ-2022-04", "已脱贫劳动力技能提升计划", "年培训0.5万人次，取证0.45万人",
     "市人力资源社会保障局、市教育体育局、市乡村振兴局", ["poverty_alleviated"], []),
    ("SQ-2022-05", "现代服务业技能提升计划",
     "年培训2.0万人次以上，取证不低于1.79万人（高级0.47万人）",
     "市民政局、市商务局、市邮政局、市教育体育局、市卫生健康委、市人力资源社会保障局", [],
     ["4-10-01-05", "4-10-01-06", "4-14-01-03", "4-01-06-01", "4-02-07-08"]),
    ("SQ-2022-06", "建设行业技能提升计划",
     "年培训1.5万人次以上，取证不低于1.34万人（高级0.35万人）",
     "市住房城乡建设局、市总工会、团市委", [], ["6-29-01-01", "6-29-01-04"]),
    ("SQ-2022-07", "“文化商丘”技能提升计划",
     "年培训0.2万人次以上，取证不低于0.17万人（高级0.047万人）",
     "市文化广电和旅游局、市人力资源社会保障局、市教育体育局、市商务局", [], []),
    ("SQ-2022-08", "高危行业安全技能提升计划", "年培训1.5万人次以上，取证不低于1.34万人",
     "市应急局、市市场监管局、市工业和信息化局", ["enterprise_employee"], []),
    ("SQ-2022-09", "高素质农民技能提升计划", "年培训0.5万人以上，取证不低于0.45万人",
     "市农业农村局", ["high_quality_farmer"], ["5-05-01-02", "5-05-02-01"]),
    ("SQ-2022-10", "大众创业培训计划", "年培训1万人次以上，取证率百分之百",
     "市人力资源社会保障局、市教育体育局", ["aspiring_entrepreneur"], []),
    ("SQ-2022-11", "城市管理和交通运输从业人员技能提升计划",
     "年培训2.0万人次以上，取证不低于1.79万人（高级0.47万人）",
     "市城市管理局、市交通运输局、市自然资源和规划局、市应急局", [], []),
    ("SQ-2022-12", "服刑人员、强制隔离戒毒人员技能提升计划",
     "年培训0.2万人次以上，取证不低于0.169万人",
     "市司法局、市人力资源社会保障局",
     ["inmate_rehab", "community_corrections"], []),
]
# Names in the plans that the demo's department list spells differently (annex 2).
DEPARTMENT_ALIASES = {"市住房城乡建设局": "市房城乡建设局", "市邮政局": "市邮政管理局",
                      "团市委": "团委"}

# Yunnan (seed 004 §二(一)–(二)) and Honghe (seed 000 §二(一)–(二)): name, Yunnan 2025 goal,
# Yunnan responsible, Honghe 2025 goal, Honghe responsible, target group codes, occupations.
YUNNAN_BATCHES = [
    ("“职业技能提升行动”培养一批", "到2025年累计培训231万人次以上",
     "省人力资源社会保障厅、省教育厅、省财政厅、省总工会", "到2025年累计培训20万人次以上",
     "州人力资源和社会保障局、州教体局、州财政局、州总工会", [], []),
    ("“乡村振兴技能人才计划”培训一批", "到2025年累计培训100万人次以上",
     "省人力资源社会保障厅、省农业农村厅、省教育厅、省乡村振兴局、省妇联",
     "到2025年累计培训10万人次以上",
     "州乡村振兴局、州农业农村局、州人力资源和社会保障局、州教体局、州妇联",
     ["rural_labourer", "rural_low_income"], []),
    ("“康养云师傅计划”培训一批", "到2025年累计培训35万人次以上",
     "省民政厅、省人力资源社会保障厅、省体育局", "到2025年累计培训3万人次以上",
     "州民政局、州人力资源和社会保障局、州教体局", [],
     ["4-10-01-05", "4-14-05-01", "4-14-01-03"]),
    ("“生态卫士计划”培训一批", "到2025年累计培训20万人次以上",
     "省林草局、省人力资源社会保障厅", "到2025年累计培训2万人次以上",
     "州林草局、州人力资源和社会保障局", ["forest_ranger"], ["5-02-03-01", "3-02-03-06"]),
    ("“云品工匠计划”培训一批", "到2025年累计培训30万人次以上",
     "省农业农村厅、省乡村振兴局、省市场监管局、省人力资源社会保障厅",
     "到2025年累计培训3万人次以上",
     "州农业农村局、州乡村振兴局、州市场监管局、州人力资源和社会保障局", [], ["6-02-06-10"]),
    ("“马兰花计划”培训一批", "到2025年累计培训25万人以上", "省人力资源社会保障厅、省财政厅",
     "到2025年累计培训2万人以上", "州人力资源和社会保障局、州财政局", ["aspiring_entrepreneur"],
     []),
    ("“高校毕业生职业技能提升计划”培训一批", "到2025年累计培训10万人次以上",
     "省人力资源社会保障厅、省教育厅", "到2025年累计培训1万人次以上",
     "州人力资源和社会保障局、州教体局", ["graduate"], []),
    ("“企业新型学徒制计划”培养一批", "到2025年累计培养10万企业新型学徒制职工",
     "省人力资源社会保障厅、省财政厅", "到2025年累计培养0.6万名以上企业新型学徒制职工",
     "州人力资源和社会保障局、州财政局", ["enterprise_employee"], []),
    ("“高技能人才队伍壮大计划”培养一批", "到2025年新增高技能人才39万人以上，总量达155万人以上",
     "省人力资源社会保障厅", "到2025年新增高技能人才3万人以上，总量达6.3万人以上",
     "州人力资源和社会保障局", [], []),
    ("“高技能领军人才计划”培养一批", "到2025年新培养选拔350名首席技师",
     "省委组织部、省人力资源社会保障厅、省财政厅", "到2025年争取向省级推荐30名以上云南首席技师人选",
     "州委组织部、州人力资源和社会保障局、州财政局", [], []),
]
YUNNAN_SPECIALS = [
    ("乡村振兴紧缺人才", "1万名以上",
     "省农业农村厅、省人力资源社会保障厅、省教育厅、省卫生健康委、省科技厅、省乡村振兴局",
     "1000名以上",
     "州农业农村局、州科技局、州人力资源和社会保障局、州教体局、州卫生健康委、州乡村振兴局",
     ["5-05-01-02"]),
    ("文化旅游人才", "1万名以上", "省文化和旅游厅、省教育厅、省人力资源社会保障厅", "1000名以上",
     "州文化和旅游局、州教体局、州人力资源和社会保障局", ["4-07-04-01", "4-13-01-03",
                                                         "4-03-01-02"]),
    ("经营管理人才", "1万名以上",
     "省工业和信息化厅、省文化和旅游厅、省人力资源社会保障厅、省国资委、省工商联", "500名以上",
     "州工业和信息化局、州工商联、州文化和旅游局、州人力资源和社会保障局、州国资委", []),
    ("数字化人才", "1万名以上", "省工业和信息化厅、省教育厅、省人力资源社会保障厅", "1000名以上",
     "州工业和信息化局、州教体局、州人力资源和社会保障局", ["4-04-05-01"]),
    ("电子商务人才", "1万名以上", "省人力资源社会保障厅、省商务厅、省教育厅", "1000名以上",
     "州商务局、州人力资源和社会保障局、州教体局", ["4-01-06-01", "4-01-06-02"]),
    ("对外合作交流人才", "1万名以上",
     "省教育厅、省人力资源社会保障厅、省科技厅、省商务厅、省外办、省投资促进局", "1000名以上",
     "州教体局、州科技局、州商务局、州外办、州投资促进局、州人力资源和社会保障局", []),
]
GUIZHOU_BRANDS = [
    ("GZ-BRAND-1", "“贵州技工”工程", "十三", "打造“贵州技工”技能人才队伍，建立工业、制造业、"
     "农产品深加工及战略性新兴产业技能人才培养体系",
     "省人力资源社会保障厅、省国资委、省工业和信息化厅、省农业农村厅、省委军民融合办，各市〔州〕人民政府",
     [], ["6-31-01-03", "6-18-02-04"]),
    ("GZ-BRAND-2", "“黔菜师傅”工程", "十四", "打造“黔菜师傅”培训标准，建立专项职业能力考核、"
     "职业技能星级认定和培育机构质量评定等多层次评价体系",
     "省人力资源社会保障厅、省文化和旅游厅、省商务厅，各市〔州〕人民政府", [],
     ["4-03-02-01", "4-03-02-02"]),
    ("GZ-BRAND-3", "“黔灵家政”工程", "十五", "打造“黔灵家政”明星企业，开展家政服务员、养老护理员、"
     "育婴员、保洁员等技能培训",
     "省商务厅、省民政厅、省人力资源社会保障厅、省乡村振兴局、省妇联，各市〔州〕人民政府",
     ["poverty_alleviated", "relocated", "rural_woman"],
     ["4-10-01-06", "4-10-01-05", "4-09-08-01"]),
    ("GZ-BRAND-4", "“黔旅工匠”工程", "十六", "打造优秀、专业的旅游从业人员队伍",
     "省文化和旅游厅、省人力资源社会保障厅，各市〔州〕人民政府", [],
     ["4-07-04-01", "4-13-01-03"]),
]
GUIZHOU_FUNDS = ["employment_subsidy", "skills_upgrade_account", "east_west",
                 "rural_revitalisation", "culture_tourism", "staff_education", "talent_funds"]


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def load_occupations(*, actor) -> int:
    """The 2022 edition from the package's CSV, unless an edition is already loaded."""
    if Occupation.objects.exists():
        return 0
    with open(OCCUPATIONS_FILE, encoding="utf-8", newline="") as f:
        result = services.occupation_edition_import(
            actor=actor, edition="2022", rows=csv.DictReader(f))
    return result.created


def _documents(actor) -> dict[str, PolicyDocument]:
    out = {}
    for key, (region_code, issuer, title, number, issued_on, source) in DOCUMENTS.items():
        region = _region(region_code)
        doc = PolicyDocument.objects.filter(region=region, title=title).first()
        out[key] = doc or services.policy_document_create(
            actor=actor, region=region, issuer=issuer, title=title, number=number,
            issued_on=issued_on, source=source)
    return out


def _publish_once(actor, *, kind, region, valid_from, **kwargs) -> bool:
    if PolicyVersion.objects.filter(kind=kind, region=region, valid_from=valid_from).exists():
        return False
    services.policy_version_publish(actor=actor, kind=kind, region=region,
                                    valid_from=valid_from, **kwargs)
    return True


def _versions(actor, documents) -> int:
    count = 0
    for kind, region_code, doc_key, section, valid_from, valid_to, data, note in VERSIONS:
        count += _publish_once(actor, kind=kind, region=_region(region_code),
                               valid_from=valid_from, valid_to=valid_to, data=data,
                               document=documents[doc_key], section=section, note=note)
    return count


def _samples(actor) -> int:
    entries = [
        {"occupation_code": code, "work_type": work_type, "level": level,
         "amount_fen": yuan * YUAN, "min_hours": hours, "direct_subsidy": direct,
         "target_groups": groups}
        for code, work_type, level, yuan, hours, direct, groups in SAMPLE_CATALOGUE
    ]
    count = 0
    for region_code in SAMPLE_CATALOGUE_REGIONS:
        count += _publish_once(
            actor, kind=PolicyKind.TRAINING_SUBSIDY, region=_region(region_code),
            valid_from=SAMPLE_FROM, data={"entries": entries}, is_sample=True,
            note="示例数据：种子文件未给出各职业培训补贴标准，仅供演示")
    region_code, data = SAMPLE_PERSON_LIMITS
    count += _publish_once(actor, kind=PolicyKind.PERSON_LIMITS, region=_region(region_code),
                           valid_from=SAMPLE_FROM, data=data, is_sample=True,
                           note="示例数据：种子文件未规定每年补贴性培训次数，仅供演示")
    for region_code in SAMPLE_TRAINING_PROCESS_REGIONS:
        count += _publish_once(
            actor, kind=PolicyKind.TRAINING_PROCESS, region=_region(region_code),
            valid_from=SAMPLE_FROM, data=SAMPLE_TRAINING_PROCESS, is_sample=True,
            note="示例数据：种子文件未规定结业出勤率、线上学时占比、签到时段等过程管理指标，仅供演示")
    for region_code, year, source_code, yuan in SAMPLE_BUDGETS:
        source = FundSource.objects.get(code=source_code)
        region = _region(region_code)
        if not source.budgets.filter(region=region, year=year).exists():
            services.fund_budget_set(actor=actor, source=source, region=region, year=year,
                                     amount_fen=yuan * YUAN, is_sample=True,
                                     note="示例数据，仅供演示")
    return count


def _departments(region: Region, responsible: str) -> list[Department]:
    names = [n.strip() for n in responsible.replace("，", "、").split("、")]
    names = [DEPARTMENT_ALIASES.get(n, n) for n in names if n]
    return list(Department.objects.filter(region=region, name__in=names))


def _programme(actor, *, region, code, name, kind, start, end, goal, responsible, groups,
               occupations, funds, document, section) -> bool:
    if Programme.objects.filter(region=region, code=code).exists():
        return False
    services.programme_create(
        actor=actor, region=region, code=code, name=name, kind=kind, period_start=start,
        period_end=end, goal=goal, responsible=responsible,
        departments=_departments(region, responsible), target_groups=groups,
        occupations=list(Occupation.objects.filter(code__in=occupations, is_current=True)),
        fund_sources=list(FundSource.objects.filter(code__in=funds)), document=document,
        section=section,
    )
    return True


def _programmes(actor, documents) -> int:
    count = 0
    shangqiu = _region("411400")
    for i, (code, name, goal, responsible, groups, occs) in enumerate(SHANGQIU_PLANS, start=1):
        count += _programme(
            actor, region=shangqiu, code=code, name=name, kind=ProgrammeKind.PLAN,
            start=SHANGQIU_FROM, end=SQ_END, goal=goal, responsible=responsible, groups=groups,
            occupations=occs, funds=_SQ_FUNDS, document=documents["002"],
            section=f"三({_CN[i]})")
    count += _yunnan_programmes(actor, documents)
    guizhou = _region("520000")
    for code, name, section, goal, responsible, groups, occs in GUIZHOU_BRANDS:
        count += _programme(
            actor, region=guizhou, code=code, name=name, kind=ProgrammeKind.BRAND,
            start=dt.date(2023, 1, 1), end=SQ_END, goal=goal, responsible=responsible,
            groups=groups, occupations=occs, funds=GUIZHOU_FUNDS, document=documents["001"],
            section=f"四({section})")
    return count


_CN = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def _yunnan_programmes(actor, documents) -> int:
    count = 0
    plans = [(_region("530000"), "YN", documents["004"], dt.date(2021, 1, 1), 1, 2),
             (_region("532500"), "HH", documents["000"], dt.date(2022, 4, 1), 3, 4)]
    for region, prefix, document, start, goal_i, resp_i in plans:
        for i, row in enumerate(YUNNAN_BATCHES, start=1):
            count += _programme(
                actor, region=region, code=f"{prefix}-BATCH-{i:02d}", name=row[0],
                kind=ProgrammeKind.BATCH, start=start, end=SQ_END, goal=row[goal_i],
                responsible=row[resp_i], groups=row[5], occupations=row[6], funds=[],
                document=document, section=f"二(一){i}")
        for i, row in enumerate(YUNNAN_SPECIALS, start=11):
            name = f"培养{row[goal_i]}{row[0]}"
            count += _programme(
                actor, region=region, code=f"{prefix}-SPECIAL-{i:02d}", name=name,
                kind=ProgrammeKind.SPECIAL, start=start, end=SQ_END, goal=f"{name}（到2025年）",
                responsible=row[resp_i], groups=[], occupations=row[5], funds=[],
                document=document, section=f"二(二){i}")
    return count


@transaction.atomic(durable=True)
def load(*, samples: bool = True) -> dict[str, int]:
    """Load everything (idempotent), as the system. Returns how many rows of each kind were
    added."""
    actor = system_actor("presets")
    occupations = load_occupations(actor=actor)
    documents = _documents(actor)
    versions = _versions(actor, documents)
    programmes = _programmes(actor, documents)
    sample_count = _samples(actor) if samples else 0
    return {"occupations": occupations, "versions": versions, "programmes": programmes,
            "samples": sample_count}
