"""Built-in roles. They are data (an administrator may add roles of their own); this module
only makes sure the built-in ones exist with these permissions, after every migrate."""

from jineng.core.scope import ScopeKind

ORG_READ = [
    "orgs.view_region", "orgs.export_region",
    "orgs.view_department", "orgs.export_department",
    "orgs.view_institution", "orgs.export_institution",
    "orgs.view_user", "orgs.export_user",
]
ORG_OFFICER_WRITE = [
    "orgs.add_region", "orgs.change_region",
    "orgs.add_department", "orgs.change_department",
    "orgs.add_institution", "orgs.change_institution",
]
OFFICER = ORG_READ + ORG_OFFICER_WRITE + [
    "orgs.view_targetgroup", "orgs.add_targetgroup", "orgs.change_targetgroup",
    "people.*",
    "catalog.*",
    "training.*",
    "evaluation.*",
    "core.view_review", "core.view_reviewchain", "core.change_reviewchain",
    "!training.add_onlinehours", "!training.add_classrating",  # platforms post; trainees rate
]
# Reference data that belongs to no region (target groups, work types, the occupation tree,
# skill levels, evaluation types, fund sources) is the province's to change, not a county's.
SHARED_REFERENCE_WRITES = [
    f"!{app}.{action}_{model}"
    for app, model in [
        ("orgs", "targetgroup"), ("catalog", "occupation"), ("catalog", "worktype"),
        ("catalog", "skilllevel"), ("catalog", "evaluationtype"), ("catalog", "fundsource"),
    ]
    for action in ("add", "change", "delete")
]
# Review chains are set by the province for its cities and counties.
LOCAL_OFFICER = OFFICER + SHARED_REFERENCE_WRITES + ["!core.change_reviewchain"]
# A training institution or school: applies for designation (never reviews it), keeps its
# teachers, engagements and yearly school report.
INSTITUTION_TRAINING = [
    "training.view_designation", "training.add_designation",
    "training.view_teacher", "training.add_teacher", "training.change_teacher",
    "training.view_engagement", "training.add_engagement",
    "training.view_schoolreport", "training.add_schoolreport",
    # classes it files, their sessions, teachers and changes; its enrolments
    "training.view_trainingclass", "training.add_trainingclass", "training.change_trainingclass",
    "training.view_session", "training.view_classteacher",
    "training.view_classchange", "training.add_classchange",
    "training.view_enrolment", "training.add_enrolment", "training.change_enrolment",
    "training.view_onlinehours", "training.view_classrating",  # results, completion, ratings
    "training.summary_trainingwish",  # counts of training wishes in its region, never names
    "training.view_attendance", "training.change_attendance",  # the QR screen; results
]
# An evaluation body (an evaluation organisation, a school, an enterprise evaluating its own
# staff): files what it evaluates, drafts plans, enters results; publishing needs a second
# person (maker-checker), revoking and reviewing are the bureau's.
INSTITUTION_EVALUATION = [
    "evaluation.view_bodyfiling", "evaluation.add_bodyfiling",
    "evaluation.view_evaluationplan", "evaluation.add_evaluationplan",
    "evaluation.change_evaluationplan", "evaluation.publish_evaluationplan",
    "evaluation.view_examiner", "evaluation.view_candidate",
    "evaluation.view_result", "evaluation.add_result", "evaluation.view_certificate",
]

# 三员分立: the three administrator roles are never held by one account, and the security
# and audit administrators are out of the system administrator's reach (no password reset,
# no token, no role change): otherwise the system administrator could become them.
SYSTEM_ADMIN = "sysadmin"
GUARDED_ADMIN_ROLES = frozenset({"secadmin", "auditadmin"})
THREE_ADMIN_ROLES = GUARDED_ADMIN_ROLES | {SYSTEM_ADMIN}

BUILTIN_ROLES = {
    "sysadmin": {
        "name": "系统管理员",
        "description": "管理用户、角色、机构与区划；不能查看审计日志",
        "scope_kind": ScopeKind.ALL,
        "permissions": ORG_READ + ORG_OFFICER_WRITE + [
            "orgs.add_user", "orgs.change_user",
            "orgs.view_role", "orgs.add_role", "orgs.change_role",
            "orgs.view_apitoken", "orgs.add_apitoken", "orgs.change_apitoken",
            "catalog.view_*",
        ],
    },
    "secadmin": {
        "name": "安全管理员",
        "description": "设置安全策略、解锁账号、吊销接口令牌",
        "scope_kind": ScopeKind.ALL,
        "permissions": [
            "orgs.view_securitypolicy", "orgs.change_securitypolicy",
            "orgs.view_user", "orgs.unlock_user",
            "orgs.view_apitoken", "orgs.change_apitoken",
        ],
    },
    "auditadmin": {
        "name": "审计管理员",
        "description": "查询审计日志；不能修改任何数据或用户",
        "scope_kind": ScopeKind.ALL,
        "permissions": ["core.view_auditevent", "core.export_auditevent"],
    },
    "province_officer": {
        "name": "省级经办人员",
        "description": "本省及下级地区的业务经办",
        "scope_kind": ScopeKind.OWN_REGION_AND_BELOW,
        "permissions": OFFICER,
    },
    "city_officer": {
        "name": "市级经办人员",
        "description": "本市及所辖县区的业务经办",
        "scope_kind": ScopeKind.OWN_REGION_AND_BELOW,
        "permissions": LOCAL_OFFICER,
    },
    "county_officer": {
        "name": "县级经办人员",
        "description": "本县区的业务经办",
        "scope_kind": ScopeKind.OWN_REGION_AND_BELOW,
        "permissions": LOCAL_OFFICER,
    },
    "reviewer": {
        "name": "审核人员",
        "description": "审核本地区的备案与申领，只读业务数据",
        "scope_kind": ScopeKind.OWN_REGION_AND_BELOW,
        "permissions": [
            "orgs.view_region", "orgs.view_department", "orgs.view_institution",
            "people.view_person", "people.view_personchange", "orgs.view_targetgroup",
            "catalog.view_*", "training.view_*", "training.review_designation",
            "training.review_trainingclass",
            "evaluation.view_*", "evaluation.review_bodyfiling", "evaluation.review_evaluationplan",
            "core.view_review", "core.view_reviewchain",
        ],
    },
    "department_officer": {
        "name": "责任单位人员",
        "description": "本单位的目标任务与工作成效",
        "scope_kind": ScopeKind.OWN_REGION,
        "permissions": [
            "orgs.view_region", "orgs.view_department", "orgs.view_institution",
            "catalog.view_*",
        ],
    },
    "institution_operator": {
        "name": "机构经办人",
        "description": "培训、评价机构或技工院校的经办人员，只见本机构数据",
        "scope_kind": ScopeKind.OWN_INSTITUTION,
        "permissions": [
            "orgs.view_institution", "orgs.view_user",
            "people.view_person", "people.view_personchange", "people.add_person",
            "people.import_person", "people.view_personimport", "people.lookup_person",
            "orgs.view_targetgroup", "catalog.view_*", *INSTITUTION_TRAINING,
            *INSTITUTION_EVALUATION,
        ],
    },
    "enterprise_operator": {
        "name": "企业经办人",
        "description": "企业的经办人员，只见本企业数据",
        "scope_kind": ScopeKind.OWN_INSTITUTION,
        "permissions": [
            "orgs.view_institution", "orgs.view_user",
            "people.view_person", "people.view_personchange", "people.add_person",
            "people.import_person", "people.view_personimport", "people.lookup_person",
            "orgs.view_targetgroup", "catalog.view_*",
            # its declared staff, and the apprenticeship classes it takes part in
            "training.view_enterprisestaff", "training.add_enterprisestaff",
            "training.change_enterprisestaff",
            "training.view_trainingclass", "training.view_session", "training.view_classteacher",
            *INSTITUTION_EVALUATION,  # self-evaluation of its own employees
        ],
    },
    "learning_platform": {  # its token posts online hours for classes of its region, nothing else
        "name": "学习平台", "description": "线上学习平台的接口账号：只能报送本地区学员的线上学时",
        "scope_kind": ScopeKind.OWN_REGION_AND_BELOW, "permissions": ["training.add_onlinehours"],
    },
    "worker": {
        "name": "劳动者",
        "description": "查看本人的终身职业技能培训电子档案",
        "scope_kind": ScopeKind.SELF,
        # Their own record and its history only. The catalogue they read is the public one
        # (portal), which needs no permission; staff lists (users, catalogue administration)
        # are not theirs to open, whatever URL they type.
        "permissions": [
            "people.view_person", "people.view_personchange",
            # their own enrolments, check-ins, hours and ratings; enrolling and rating
            "training.view_enrolment", "training.add_enrolment",
            "training.view_attendance", "training.add_attendance",
            "training.view_onlinehours", "training.view_classrating", "training.add_classrating",
            # their own wishes, and the notices of classes that opened (marked read)
            "training.view_trainingwish", "training.view_wishnotice",
            "training.add_trainingwish", "training.change_trainingwish",
            "training.change_wishnotice",
            "training.view_enterprisestaff",
            # their own candidacies, results and certificates
            "evaluation.view_candidate", "evaluation.view_result", "evaluation.view_certificate",
        ],
    },
}


def sync_builtin_roles(**kwargs) -> None:
    """Create or update the built-in roles (a post_migrate handler; idempotent)."""
    from jineng.orgs.models import Role

    for code, spec in BUILTIN_ROLES.items():
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "scope_kind": spec["scope_kind"],
                "permissions": spec["permissions"],
                "builtin": True,
            },
        )
