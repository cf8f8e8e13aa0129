from django.utils.translation import gettext_lazy as _

from jineng.core.menu import ANYONE, BUREAU, STAFF, WORKER, Entry

_SECTION = _("培训机构与师资")

MENU = [
    Entry(_SECTION, _("定点培训机构"), "training:designation_list", "training.view_designation",
          STAFF),
    Entry(_SECTION, _("申请定点"), "training:designation_apply", "training.add_designation",
          STAFF),
    Entry(_SECTION, _("培训教师"), "training:teacher_list", "training.view_teacher", STAFF),
    Entry(_SECTION, _("教师聘用"), "training:engagement_list", "training.view_engagement",
          STAFF),
    Entry(_SECTION, _("院校培训年报"), "training:school_report_list",
          "training.view_schoolreport", STAFF),
    Entry(_("培训过程监管"), _("考勤监管"), "training:attendance_list",
          "training.supervise_attendance", BUREAU),
    Entry(_("我的"), _("我的考勤"), "training:attendance_mine", "training.view_attendance", WORKER),
    # Public, beside the portal's catalogue.
    Entry(_("公开查询"), _("定点培训机构名录"), "training:directory", None, ANYONE),
]
