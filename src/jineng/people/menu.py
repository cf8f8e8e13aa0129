from django.utils.translation import gettext_lazy as _

from jineng.core.menu import WORKER, Entry, ReferenceEntry

MENU = [
    Entry(_("我的"), _("我的档案"), "people:my_archive", "people.view_person", WORKER),
    Entry(_("实名登记"), _("劳动者"), "people:person_list", "people.view_person"),
    Entry(_("实名登记"), _("报名核验查找"), "people:person_lookup", "people.lookup_person"),
    Entry(_("实名登记"), _("花名册导入"), "people:import_list", "people.import_person"),
]

REFERENCE = [
    ReferenceEntry(_("重点群体"), "people:targetgroup_list", "orgs.view_targetgroup",
                   "orgs.change_targetgroup"),
]
