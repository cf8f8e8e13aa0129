from django.utils.translation import gettext_lazy as _

from jineng.core.menu import ANYONE, BUREAU, STAFF, WORKER, Entry

_SECTION = _("培训机构与师资")
_CLASSES = _("培训班")

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
    Entry(_CLASSES, _("培训班"), "training:class_list", "training.view_trainingclass", STAFF),
    Entry(_CLASSES, _("企业职工"), "training:staff_list", "training.view_enterprisestaff", STAFF),
    Entry(_("培训报名"), _("报名学员"), "training:enrolment_list", "training.view_enrolment", STAFF),  # noqa: E501
    Entry(_("培训报名"), _("可报名的培训班"), "training:open_classes", "training.add_enrolment", WORKER),  # noqa: E501
    Entry(_("培训意愿"), _("培训意愿"), "training:wish_list", "training.view_trainingwish", STAFF),
    Entry(_("培训意愿"), _("意愿汇总"), "training:wish_summary", "training.summary_trainingwish",
          STAFF),
    Entry(_("培训意愿"), _("我的培训意愿"), "training:my_wishes", "training.view_trainingwish",
          WORKER),
    Entry(_("培训意愿"), _("开班通知"), "training:my_notices", "training.view_wishnotice", WORKER),
    Entry(_("结业与评价"), _("线上学时"), "training:online_hours_list",
          "training.view_onlinehours", STAFF),
    Entry(_("结业与评价"), _("培训评价"), "training:rating_list", "training.view_classrating",
          STAFF),
    Entry(_("结业与评价"), _("评价偏低的培训机构"), "training:rating_flagged",
          "training.view_classrating", BUREAU),
    Entry(_("我的培训"), _("评价培训"), "training:rating_mine", "training.add_classrating", WORKER),
    Entry(_("培训过程监管"), _("考勤监管"), "training:attendance_list",
          "training.supervise_attendance", BUREAU),
    Entry(_("我的"), _("我的考勤"), "training:attendance_mine", "training.view_attendance", WORKER),
    # Public, beside the portal's catalogue.
    Entry(_("公开查询"), _("定点培训机构名录"), "training:directory", None, ANYONE),
]
