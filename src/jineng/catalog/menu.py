from django.utils.translation import gettext_lazy as _

from jineng.core.menu import BUREAU, Entry, ReferenceEntry

_SECTION = _("目录与政策")

MENU = [
    Entry(_SECTION, _("计划与工程"), "catalog:programme_list", "catalog.view_programme", BUREAU),
    Entry(_SECTION, _("资金预算"), "catalog:budget_list", "catalog.view_fundbudget", BUREAU),
]

# Reference data: on the 参考数据 page (core:reference), for those who maintain some of it.
REFERENCE = [
    ReferenceEntry(_("在用政策"), "catalog:policy_in_force", "catalog.view_policyversion",
                   "catalog.add_policyversion"),
    ReferenceEntry(_("政策版本"), "catalog:policy_list", "catalog.view_policyversion",
                   "catalog.add_policyversion"),
    ReferenceEntry(_("上传培训职业目录"), "catalog:catalogue_upload", "catalog.add_policyversion",
                   "catalog.add_policyversion"),
    ReferenceEntry(_("政策文件"), "catalog:document_list", "catalog.view_policydocument",
                   "catalog.add_policydocument"),
    ReferenceEntry(_("职业分类"), "catalog:occupation_list", "catalog.view_occupation",
                   "catalog.change_occupation"),
    ReferenceEntry(_("工种"), "catalog:work_type_list", "catalog.view_worktype",
                   "catalog.add_worktype"),
    ReferenceEntry(_("技能等级"), "catalog:level_list", "catalog.view_skilllevel",
                   "catalog.change_skilllevel"),
]
