import json

from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.catalog.models import FundSource, PolicyKind, ProgrammeKind
from jineng.orgs.forms import RegionField
from jineng.orgs.target_groups import TargetGroupVocabulary

DATA_HELP = _(
    "JSON；金额一律以“分”为单位的整数（1 元 = 100 分）。修订时已填入现行内容，改数字即可。"
)


class JSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "mono"})

    def clean(self, value):
        value = super().clean(value)
        try:
            data = json.loads(value)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("不是有效的 JSON：%(error)s") % {"error": exc}) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("内容应为 JSON 对象（以 { 开头）"))
        return data


class _SourceFields(forms.Form):
    document = forms.ModelChoiceField(label=_("依据文件"), queryset=None, required=False)
    section = forms.CharField(label=_("条款"), max_length=60, required=False,
                              help_text=_("如 四(二)1"))
    is_sample = forms.BooleanField(label=_("示例数据（无文件依据）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    data = JSONField(label=_("政策内容"), help_text=DATA_HELP)

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class PolicyPublishForm(_SourceFields):
    kind = forms.ChoiceField(label=_("政策类型"), choices=PolicyKind.choices)
    region = RegionField(label=_("地区"))
    valid_from = forms.DateField(label=_("生效日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("截止日期（可空）"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["kind", "region", "valid_from", "valid_to", "document", "section",
                   "is_sample", "note", "data"]

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = regions


class PolicyReviseForm(_SourceFields):
    valid_from = forms.DateField(label=_("新版本生效日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("旧版本自动截止于前一日，之前的日期仍按旧版本执行"))
    field_order = ["valid_from", "document", "section", "is_sample", "note", "data"]


class DocumentForm(forms.Form):
    region = RegionField(label=_("发文地区"))
    issuer = forms.CharField(label=_("发文机关"), max_length=100)
    title = forms.CharField(label=_("标题"), max_length=300)
    number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("成文日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=_("来源"), max_length=200, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = regions


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]


class ProgrammeForm(forms.Form):
    region = RegionField(label=_("地区"))
    code = forms.CharField(label=_("编号"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=ProgrammeKind.choices)
    period_start = forms.DateField(label=_("开始日期"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("结束日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    goal = forms.CharField(label=_("目标"), max_length=300, required=False)
    responsible = forms.CharField(label=_("责任单位"), max_length=300, required=False,
                                  help_text=_("与文件一致，用顿号分隔"))
    target_groups = forms.MultipleChoiceField(label=_("重点群体"), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    occupation_codes = forms.CharField(label=_("涉及职业代码"), required=False,
                                       help_text=_("如 4-10-01-05，多个用逗号分隔"))
    fund_sources = forms.ModelMultipleChoiceField(
        label=_("资金来源"), queryset=FundSource.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple)
    document = forms.ModelChoiceField(label=_("依据文件"), queryset=None, required=False)
    section = forms.CharField(label=_("条款"), max_length=60, required=False)

    def __init__(self, *args, regions=None, documents=None, editing=False, kept_groups=(),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        # The active groups, and those the programme has that were switched off since.
        self.fields["target_groups"].choices = [
            (g.code, g.name) for g in TargetGroupVocabulary().groups
            if g.is_active or g.code in kept_groups]
        if editing:  # region and code identify the programme and do not change
            del self.fields["region"], self.fields["code"]
        else:
            self.fields["region"].regions = regions

    def clean_occupation_codes(self):
        return _split(self.cleaned_data["occupation_codes"])


class BudgetForm(forms.Form):
    source = forms.ModelChoiceField(label=_("资金来源"),
                                    queryset=FundSource.objects.filter(is_active=True))
    region = RegionField(label=_("地区"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount_yuan = forms.DecimalField(label=_("预算（元）"), max_digits=16, decimal_places=2)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = regions


class WorkTypeForm(forms.Form):
    occupation_code = forms.CharField(label=_("职业"), max_length=100,
                                      help_text=_("职业名称或代码，如 电工 或 6-31-01-03"))
    name = forms.CharField(label=_("工种名称"), max_length=100)


class WorkTypeEditForm(forms.Form):
    name = forms.CharField(label=_("工种名称"), max_length=100)
    is_active = forms.BooleanField(label=_("启用"), required=False,
                                   help_text=_("取消勾选即停用：新目录不能再列入该工种，已发布的目录不变"))


UPLOAD_HELP = _("列同公开目录导出的 Excel：职业代码、工种、等级、培训补贴标准（元）等")


class CatalogueUploadForm(_SourceFields):
    region = RegionField(label=_("地区"))
    valid_from = forms.DateField(label=_("生效日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("截止日期（可空）"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    revise = forms.BooleanField(
        label=_("修订本地区现行目录"), required=False,
        help_text=_("勾选后，现行目录截止于生效日期前一日；不勾选则作为新期间发布"))
    file = forms.FileField(
        label=_("目录文件（.xlsx、.xls 或 .csv）"),
        help_text=UPLOAD_HELP)
    field_order = ["region", "valid_from", "valid_to", "revise", "document", "section",
                   "is_sample", "note", "file"]

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["data"]
        self.fields["region"].regions = regions
