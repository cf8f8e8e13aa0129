"""Demo organisations and one account per built-in role (`jineng loaddemo`)."""

import hashlib

from django.db import transaction

from jineng.core.codes import CREDIT_CODE_CHARS, make_credit_code
from jineng.orgs import services
from jineng.orgs.loaders import add_functional_zone, load_divisions
from jineng.orgs.models import Department, Institution, InstitutionKind, Region, Role, User
from jineng.orgs.roles import GUARDED_ADMIN_ROLES

DEMO_PASSWORD = "Jineng@2026"

# 商丘市城乡一体化示范区 has no official code, not even a statistical one; it gets a local code
# in the unused 90-99 county range and is flagged non-standard.
SHANGQIU_DEMO_ZONE = ("411490", "商丘市城乡一体化示范区")

# Seed 002, annex 2: the 28 municipal departments (责任单位) of 商丘市.
SHANGQIU_DEPARTMENTS = [
    "市教育体育局", "市科技局", "市工业和信息化局", "市公安局", "市民政局", "市司法局",
    "市人力资源社会保障局", "市自然资源和规划局", "市房城乡建设局", "市交通运输局",
    "市农业农村局", "市商务局", "市文化广电和旅游局", "市卫生健康委", "市退役军人局",
    "市应急局", "市财政局", "市市场监管局", "市粮食和储备局", "市乡村振兴局",
    "市政务服务和大数据局", "市通信发展管理办公室", "市邮政管理局", "市供销社", "市总工会",
    "团委", "市妇联", "市残联",
]
COUNTY_DEPARTMENTS = {
    "411402": ["区人力资源社会保障局", "区教育局"],
    "411403": ["区人力资源社会保障局", "区农业农村局"],
    "532500": ["州人力资源社会保障局", "州教育体育局"],
}

# (region code, kind, name); credit codes are derived from the name so reloads agree.
INSTITUTIONS = [
    ("411402", InstitutionKind.TRAINING, "商丘市梁园区金蓝领职业培训学校"),
    ("411402", InstitutionKind.EVALUATION, "商丘市梁园区豫东职业技能评价中心"),
    ("411402", InstitutionKind.ENTERPRISE, "商丘梁园冷链食品有限公司"),
    ("411403", InstitutionKind.TRAINING, "商丘市睢阳区古城家政职业培训学校"),
    ("411403", InstitutionKind.TECHNICAL_SCHOOL, "商丘市睢阳区技工学校"),
    ("411403", InstitutionKind.ENTERPRISE, "商丘睢阳纺织服装有限公司"),
    ("411400", InstitutionKind.TECHNICAL_SCHOOL, "商丘技师学院"),
    ("411400", InstitutionKind.HR_AGENCY, "商丘市人力资源开发有限公司"),
    ("411481", InstitutionKind.TRAINING, "永城市煤化工职业培训学校"),
    ("532503", InstitutionKind.TRAINING, "蒙自市红河职业技能培训学校"),
    ("532500", InstitutionKind.EVALUATION, "红河州职业技能鉴定中心"),
    ("520100", InstitutionKind.TECHNICAL_SCHOOL, "贵阳技师学院"),
    ("370211", InstitutionKind.ENTERPRISE, "青岛黄岛船舶装备有限公司"),
]
CREDIT_PREFIX = {
    InstitutionKind.TRAINING: "52", InstitutionKind.EVALUATION: "12",
    InstitutionKind.TECHNICAL_SCHOOL: "12", InstitutionKind.ENTERPRISE: "91",
    InstitutionKind.HR_AGENCY: "91",
}

# username, role, region code, full name, institution name or department name
ACCOUNTS = [
    ("sysadmin", "sysadmin", None, "系统管理员", None),
    ("secadmin", "secadmin", None, "安全管理员", None),
    ("auditadmin", "auditadmin", None, "审计管理员", None),
    ("province_410000", "province_officer", "410000", "河南省人社厅经办人", None),
    ("province_530000", "province_officer", "530000", "云南省人社厅经办人", None),
    ("city_411400", "city_officer", "411400", "商丘市人社局经办人", None),
    ("city_532500", "city_officer", "532500", "红河州人社局经办人", None),
    ("county_411402", "county_officer", "411402", "梁园区人社局经办人", None),
    ("county_411403", "county_officer", "411403", "睢阳区人社局经办人", None),
    ("reviewer_411400", "reviewer", "411400", "商丘市人社局审核员", None),
    ("dept_411400", "department_officer", "411400", "市教育体育局联络员", "市教育体育局"),
    ("inst_411402", "institution_operator", "411402", "金蓝领培训学校经办人",
     "商丘市梁园区金蓝领职业培训学校"),
    ("ent_411402", "enterprise_operator", "411402", "梁园冷链企业经办人",
     "商丘梁园冷链食品有限公司"),
    ("eval_411402", "institution_operator", "411402", "豫东评价中心经办人",
     "商丘市梁园区豫东职业技能评价中心"),
    ("worker_411402", "worker", "411402", "张三（劳动者）", None),
    ("platform_410000", "learning_platform", "410000", "河南省职业技能线上学习平台", None),
]


def demo_credit_code(kind: str, region_code: str, name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    body = "".join(CREDIT_CODE_CHARS[b % 31] for b in digest[:9])
    return make_credit_code(CREDIT_PREFIX[kind] + region_code + body)


def bootstrap_sysadmin(actor, password: str) -> tuple[User, bool]:
    """The first system administrator, created by the system (there is no user yet)."""
    return services.user_bootstrap(actor=actor, username="sysadmin", role_code="sysadmin",
                                   password=password, full_name="系统管理员")


@transaction.atomic(durable=True)
def load(*, actor, stdout=None) -> User:
    """Load the demo organisations as `actor` (the system); returns the system
    administrator."""
    admin, _ = bootstrap_sysadmin(actor, DEMO_PASSWORD)
    if admin.must_change_password:
        User.objects.filter(pk=admin.pk).update(must_change_password=False)
        admin.must_change_password = False
    load_divisions(actor=actor)
    for code in ("411471", "411472"):
        add_functional_zone(actor=actor, code=code)
    zone_code, zone_name = SHANGQIU_DEMO_ZONE
    if not Region.objects.filter(code=zone_code).exists():
        services.region_create(actor=actor, code=zone_code, name=zone_name,
                               parent=Region.objects.get(code="411400"), non_standard=True)
    _load_departments(actor)
    _load_institutions(actor)
    _load_accounts(actor)
    return admin


def _load_departments(actor) -> None:
    plan = [("411400", SHANGQIU_DEPARTMENTS)] + list(COUNTY_DEPARTMENTS.items())
    for region_code, names in plan:
        region = Region.objects.get(code=region_code)
        for i, name in enumerate(names, start=1):
            if not Department.objects.filter(region=region, name=name).exists():
                services.department_create(actor=actor, region=region, code=f"D{i:02d}", name=name)


def _load_institutions(actor) -> None:
    for region_code, kind, name in INSTITUTIONS:
        if Institution.objects.filter(name=name).exists():
            continue
        services.institution_create(
            actor=actor, name=name, kind=kind, region=Region.objects.get(code=region_code),
            credit_code=demo_credit_code(kind, region_code, name),
            contact_name="王老师", contact_phone="0370-3210000",
        )


def _load_accounts(actor) -> None:
    for username, role_code, region_code, full_name, place in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        if role_code in GUARDED_ADMIN_ROLES:  # 三员分立: only from the command line
            services.user_bootstrap(actor=actor, username=username, role_code=role_code,
                                    password=DEMO_PASSWORD, full_name=full_name,
                                    must_change_password=False)
            continue
        region = Region.objects.get(code=region_code) if region_code else None
        institution = Institution.objects.filter(name=place).first() if place else None
        department = (
            Department.objects.filter(name=place, region=region).first() if place else None
        )
        services.user_create(
            actor=actor, username=username, password=DEMO_PASSWORD, full_name=full_name,
            region=region, institution=institution, department=department,
            roles=[Role.objects.get(code=role_code)], must_change_password=False,
        )
