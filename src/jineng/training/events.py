"""The audit action types of training (see core/events.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.events import register


@register
class TrainingAction(models.TextChoices):
    DESIGNATION_SUBMIT = "designation_submit", _("申请定点培训机构")
    DESIGNATION_RESUBMIT = "designation_resubmit", _("重新提交定点申请")
    DESIGNATION_APPROVE = "designation_approve", _("认定定点培训机构")
    DESIGNATION_RETURN = "designation_return", _("退回定点申请")
    DESIGNATION_REJECT = "designation_reject", _("不予认定定点培训机构")
    DESIGNATION_SUSPEND = "designation_suspend", _("暂停定点培训机构")
    DESIGNATION_EXIT = "designation_exit", _("定点培训机构退出")
    TEACHER_REGISTER = "teacher_register", _("登记培训教师")
    TEACHER_UPDATE = "teacher_update", _("修改培训教师资格")
    ENGAGEMENT_ADD = "engagement_add", _("登记教师聘用")
    SCHOOL_REPORT_SET = "school_report_set", _("填报院校培训年报")
    ATTENDANCE_CHECK_IN = "attendance_check_in", _("学员扫码签到")
    ATTENDANCE_CHECK_OUT = "attendance_check_out", _("学员扫码签退")
    ATTENDANCE_MANUAL = "attendance_manual", _("人工补录考勤")
    ATTENDANCE_CONFIRM = "attendance_confirm", _("确认考勤记录")
    ATTENDANCE_REJECT = "attendance_reject", _("不予认可考勤记录")
    ATTENDANCE_VOID = "attendance_void", _("作废考勤记录")
    ATTENDANCE_RESULTS_SUBMIT = "attendance_results_submit", _("提交考勤与结业结果")
    ATTENDANCE_LATE_APPROVE = "attendance_late_approve", _("审批逾期提交的考勤结果")
