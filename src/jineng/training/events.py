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
    CLASS_DRAFT = "class_draft", _("保存培训班草稿")
    CLASS_UPDATE = "class_update", _("修改培训班")
    CLASS_FILE = "class_file", _("备案培训班")
    CLASS_APPROVE = "class_approve", _("培训班备案审核通过")
    CLASS_RETURN = "class_return", _("退回培训班备案")
    CLASS_REJECT = "class_reject", _("培训班不予备案")
    CLASS_START = "class_start", _("培训班开班")
    CLASS_COMPLETE = "class_complete", _("培训班结业")
    CLASS_CLOSE = "class_close", _("关闭培训班")
    CLASS_CHANGE_FILE = "class_change_file", _("申请培训班变更")
    CLASS_CHANGE_APPROVE = "class_change_approve", _("培训班变更审核通过")
    CLASS_CHANGE_APPLY = "class_change_apply", _("培训班变更生效")
    CLASS_CHANGE_RETURN = "class_change_return", _("退回培训班变更")
    CLASS_CHANGE_REJECT = "class_change_reject", _("培训班变更不予通过")
    STAFF_DECLARE = "staff_declare", _("申报企业职工")
    STAFF_END = "staff_end", _("企业职工离职")
    ENROLMENT_ENROL = "enrolment_enrol", _("报名")
    ENROLMENT_ROSTER = "enrolment_roster", _("花名册报名")
    ENROLMENT_WITHDRAW = "enrolment_withdraw", _("退学")
    WISH_RECORD = "wish_record", _("登记培训意愿")
    WISH_UPDATE = "wish_update", _("更新培训意愿")
    WISH_WITHDRAW = "wish_withdraw", _("撤销培训意愿")
    WISH_IMPORT = "wish_import", _("导入培训意愿摸排花名册")
    WISH_NOTIFY = "wish_notify", _("发送开班通知")
    WISH_NOTICE_READ = "wish_notice_read", _("开班通知已读")
    ONLINE_HOURS_RECORD = "online_hours_record", _("接收线上学时")
    EXAM_RESULT_RECORD = "exam_result_record", _("录入结业考核结果")
    ENROLMENT_COMPLETE = "enrolment_complete", _("学员结业")
    ENROLMENT_FAIL = "enrolment_fail", _("学员未通过结业")
    COMPLETION_SUBMIT = "completion_submit", _("提交培训班结业")
    CLASS_RATING_SUBMIT = "class_rating_submit", _("评价培训班")
