"""The audit action types of evaluation (see core/events.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.events import register, register_change_labels


@register
class EvaluationAction(models.TextChoices):
    FILING_SUBMIT = "eval_filing_submit", _("申请评价机构备案")
    FILING_RESUBMIT = "eval_filing_resubmit", _("重新提交评价机构备案")
    FILING_APPROVE = "eval_filing_approve", _("评价机构备案通过")
    FILING_RETURN = "eval_filing_return", _("退回评价机构备案")
    FILING_REJECT = "eval_filing_reject", _("评价机构不予备案")
    FILING_SUSPEND = "eval_filing_suspend", _("暂停评价机构")
    FILING_WITHDRAW = "eval_filing_withdraw", _("撤销评价机构备案")
    PLAN_DRAFT = "eval_plan_draft", _("保存考核计划草稿")
    PLAN_FILE = "eval_plan_file", _("报备考核计划")
    PLAN_APPROVE = "eval_plan_approve", _("考核计划审核通过")
    PLAN_RETURN = "eval_plan_return", _("退回考核计划")
    PLAN_REJECT = "eval_plan_reject", _("考核计划不予通过")
    EXAMINER_ADD = "eval_examiner_add", _("登记考评员")
    CANDIDATE_ADD = "eval_candidate_add", _("登记考生")
    RESULTS_ENTER = "eval_results_enter", _("录入考核成绩")
    RESULTS_PUBLISH = "eval_results_publish", _("确认发布考核成绩")
    RESULT_CORRECT = "eval_result_correct", _("申请更正考核成绩")
    RESULT_CORRECTION_APPROVE = "eval_correction_approve", _("成绩更正审核通过")
    RESULT_CORRECTION_REJECT = "eval_correction_reject", _("成绩更正不予通过")
    CERTIFICATES_ISSUE = "eval_certificates_issue", _("颁发职业技能等级证书")
    CERTIFICATE_REVOKE = "eval_certificate_revoke", _("撤销证书")


register_change_labels({
    "certificates": "证书（本）", "results": "成绩（条）", "passed": "合格（人）",
    "first": "起始证书编号", "last": "截止证书编号", "examiner": "考评员", "candidate": "考生",
    "corrects": "更正的成绩",
})
