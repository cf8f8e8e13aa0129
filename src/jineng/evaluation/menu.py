from django.utils.translation import gettext_lazy as _

from jineng.core.menu import ANYONE, STAFF, WORKER, Entry

_SECTION = _("评价与证书")

MENU = [
    Entry(_SECTION, _("评价机构备案"), "evaluation:filing_list", "evaluation.view_bodyfiling",
          STAFF),
    Entry(_SECTION, _("申请评价机构备案"), "evaluation:filing_submit",
          "evaluation.add_bodyfiling", STAFF),
    Entry(_SECTION, _("考核计划"), "evaluation:plan_list", "evaluation.view_evaluationplan",
          STAFF),
    Entry(_SECTION, _("职业技能等级证书"), "evaluation:certificate_list",
          "evaluation.view_certificate", STAFF),
    Entry(_("我的"), _("我的证书"), "evaluation:my_certificates", "evaluation.view_certificate",
          WORKER),
    # Public, beside the portal's catalogue.
    Entry(_("公开查询"), _("证书查询"), "evaluation:verify", None, ANYONE),
    Entry(_("公开查询"), _("评价机构名录"), "evaluation:directory", None, ANYONE),
]
