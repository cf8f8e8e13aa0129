"""The fixed vocabularies that code refers to by code: skill levels, evaluation types and the
named fund sources. They are rows in the database (a data migration writes them); this module
is what the migration writes and what tests compare with."""

# code, digit, name, short name, rank, eight-level addition
SKILL_LEVELS = [
    ("special", None, "专项职业能力", "专项", 0, False),
    ("apprentice", None, "学徒工", "学徒工", 1, True),
    ("5", 5, "五级/初级工", "初级", 5, False),
    ("4", 4, "四级/中级工", "中级", 6, False),
    ("3", 3, "三级/高级工", "高级", 7, False),
    ("2", 2, "二级/技师", "技师", 8, False),
    ("1", 1, "一级/高级技师", "高级技师", 9, False),
    ("principal", None, "特级技师", "特级技师", 10, True),
    ("chief", None, "首席技师", "首席技师", 11, True),
]

EVALUATION_TYPES = [
    ("qualification", "职业资格评价", "仅限国家职业资格目录内的项目"),
    ("skill_level", "职业技能等级认定",
     "用人单位对本单位职工、社会培训评价组织面向社会、技工院校面向本校学生开展"),
    ("special_ability", "专项职业能力考核", "专项职业能力证书，不分等级"),
]

# Seed 001 §二十 (贵州) and seed 002 §五(五) (商丘) name these sources.
FUND_SOURCES = [
    ("employment_subsidy", "就业补助资金", "种子文件 001 §二十、002 §五(五)"),
    ("skills_upgrade_account", "职业技能提升行动专账资金", "种子文件 001 §二十"),
    ("east_west", "东西部协作资金", "种子文件 001 §二十"),
    ("rural_revitalisation", "财政衔接推进乡村振兴补助资金", "种子文件 001 §二十"),
    ("culture_tourism", "文化和旅游发展专项资金", "种子文件 001 §二十"),
    ("staff_education", "企业职工教育经费", "种子文件 001 §二十、004 三(三)"),
    ("talent_funds", "人才队伍建设经费", "种子文件 001 §二十"),
    ("unemployment_insurance", "失业保险基金", "种子文件 002 §五(五)"),
]
