from django.utils.translation import gettext_lazy as _

# (section, label, url name, permission)
MENU = [
    (_("实名登记"), _("劳动者"), "people:person_list", "people.view_person"),
    (_("实名登记"), _("报名核验查找"), "people:person_lookup", "people.lookup_person"),
    (_("实名登记"), _("花名册导入"), "people:import_list", "people.import_person"),
    (_("实名登记"), _("重点群体"), "people:targetgroup_list", "people.view_targetgroup"),
]
