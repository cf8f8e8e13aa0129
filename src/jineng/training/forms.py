from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.catalog.models import Occupation, SkillLevel
from jineng.training.models import EngagementKind, Ownership

_DATE = {"type": "date"}


class InstitutionForm(forms.Form):
    """A form about one of the institutions the user may act for (only their own, for an
    institution's operator)."""

    institution = forms.ModelChoiceField(label=_("机构"), queryset=None)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions is not None and len(institutions) == 1:
            self.fields["institution"].initial = institutions[0].pk


class DesignationForm(InstitutionForm):
    ownership = forms.ChoiceField(label=_("举办性质"), choices=Ownership.choices)
    occupation_codes = forms.CharField(
        label=_("培训职业代码"), help_text=_("现行职业分类大典代码，如 6-31-01-03，多个用逗号分隔"))
    levels = forms.ModelMultipleChoiceField(label=_("培训等级"), queryset=SkillLevel.objects.all(),
                                            widget=forms.CheckboxSelectMultiple)
    valid_from = forms.DateField(label=_("定点期起"), widget=forms.DateInput(attrs=_DATE))
    valid_to = forms.DateField(label=_("定点期止"), widget=forms.DateInput(attrs=_DATE))

    def clean_occupation_codes(self):
        text = self.cleaned_data["occupation_codes"]
        codes = [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")
                 if p.strip()]
        found = {o.code: o for o in Occupation.objects.filter(code__in=codes, is_current=True)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("职业代码 %(codes)s 不在现行职业分类大典中") % {"codes": "、".join(missing)})
        return [found[c] for c in codes]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(
        attrs={"rows": 2}))


class TeacherForm(InstitutionForm):
    id_number = forms.CharField(label=_("证件号码"), max_length=30,
                                help_text=_("教师须已实名登记"))
    qualification_number = forms.CharField(label=_("上岗资格证号"), max_length=40)
    qualification_expires = forms.DateField(label=_("上岗资格有效期至"),
                                            widget=forms.DateInput(attrs=_DATE))
    dual_qualified = forms.BooleanField(label=_("双师型"), required=False)
    certificates = forms.CharField(label=_("职业技能等级证书"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class EngagementForm(InstitutionForm):
    id_number = forms.CharField(label=_("教师证件号码"), max_length=30)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("聘用方式"), choices=EngagementKind.choices)


class SchoolReportForm(InstitutionForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    enrolled_students = forms.IntegerField(label=_("在校生人数"), min_value=0)
    training_person_times = forms.IntegerField(
        label=_("培训人次"), min_value=0, required=False,
        help_text=_("培训班上线前由院校或经办人员填报；上线后按系统内培训记录计算"))
