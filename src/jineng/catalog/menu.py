from django.utils.translation import gettext_lazy as _

_SECTION = _("目录与政策")

MENU = [
    (_SECTION, _("在用政策"), "catalog:policy_in_force", "catalog.view_policyversion"),
    (_SECTION, _("政策版本"), "catalog:policy_list", "catalog.view_policyversion"),
    (_SECTION, _("上传培训职业目录"), "catalog:catalogue_upload", "catalog.add_policyversion"),
    (_SECTION, _("政策文件"), "catalog:document_list", "catalog.view_policydocument"),
    (_SECTION, _("计划与工程"), "catalog:programme_list", "catalog.view_programme"),
    (_SECTION, _("资金预算"), "catalog:budget_list", "catalog.view_fundbudget"),
    (_SECTION, _("职业分类"), "catalog:occupation_list", "catalog.view_occupation"),
    (_SECTION, _("工种"), "catalog:work_type_list", "catalog.view_worktype"),
    (_SECTION, _("技能等级"), "catalog:level_list", "catalog.view_skilllevel"),
]
