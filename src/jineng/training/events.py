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
    ONLINE_HOURS_RECORD = "online_hours_record", _("接收线上学时")
    EXAM_RESULT_RECORD = "exam_result_record", _("录入结业考核结果")
    ENROLMENT_COMPLETE = "enrolment_complete", _("学员结业")
    ENROLMENT_FAIL = "enrolment_fail", _("学员未通过结业")
    COMPLETION_SUBMIT = "completion_submit", _("提交培训班结业")
    CLASS_RATING_SUBMIT = "class_rating_submit", _("评价培训班")
