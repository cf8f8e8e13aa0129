"""Forms of classes: the class itself, its sessions as rows (date, start, end, hours,
teacher), a change after approval, and an enterprise's staff."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.catalog.models import FundSource, Programme, SkillLevel
from jineng.orgs.models import Institution, InstitutionStatus
from jineng.training.forms import InstitutionForm
from jineng.training.models import ClassKind

_DATE = {"type": "date"}
_TIME = {"type": "time"}
SESSION_ROWS = 6  # blank rows offered below the filled ones


class TeacherChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.qualification_number}）"


class TeacherOne(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.person.name


class VenueFields(forms.Form):
    venue = forms.CharField(label=_("培训地点"), max_length=200)
    venue_lat = forms.DecimalField(label=_("地点纬度"), max_digits=9, decimal_places=6,
                                   help_text=_("地图上所选地点的纬度，如 34.444210"))
    venue_lng = forms.DecimalField(label=_("地点经度"), max_digits=9, decimal_places=6,
                                   help_text=_("地图上所选地点的经度，如 115.630480"))
    venue_radius_m = forms.IntegerField(label=_("签到范围（米）"), initial=300,
                                        help_text=_("50–5000 米，学员须在此范围内签到"))


def _teacher_fields(form, teachers) -> None:
    form.fields["teachers"] = TeacherChoice(
        label=_("授课教师"), queryset=teachers, required=False,
        widget=forms.CheckboxSelectMultiple)
    form.fields["school_teachers"] = TeacherChoice(
        label=_("院校导师（企业新型学徒制）"), queryset=teachers, required=False,
        widget=forms.CheckboxSelectMultiple)


class ClassForm(InstitutionForm):
    name = forms.CharField(label=_("班级名称"), max_length=100)
    kind = forms.ChoiceField(label=_("班级类型"), choices=ClassKind.choices)
    enterprise = forms.ModelChoiceField(
        label=_("学徒所在企业"), required=False, queryset=Institution.objects.none(),
        help_text=_("仅企业新型学徒制填写"))
    programme = forms.ModelChoiceField(label=_("培训项目"), queryset=Programme.objects.none())
    occupation_code = forms.CharField(label=_("职业代码"), max_length=20,
                                      help_text=_("现行职业分类大典代码，如 4-10-01-06"))
    work_type = forms.CharField(label=_("工种"), max_length=100, required=False,
                                help_text=_("目录按工种列入时填写，如 家务服务员"))
    level = forms.ModelChoiceField(label=_("等级"), queryset=SkillLevel.objects.all())
    fund_source = forms.ModelChoiceField(label=_("资金来源"),
                                         queryset=FundSource.objects.filter(is_active=True))
    venue = VenueFields.base_fields["venue"]
    venue_lat = VenueFields.base_fields["venue_lat"]
    venue_lng = VenueFields.base_fields["venue_lng"]
    venue_radius_m = VenueFields.base_fields["venue_radius_m"]
    start_date = forms.DateField(label=_("开班日期"), widget=forms.DateInput(attrs=_DATE))
    end_date = forms.DateField(label=_("结业日期"), widget=forms.DateInput(attrs=_DATE))
    planned_hours = forms.IntegerField(label=_("计划课时"), min_value=1)
    capacity = forms.IntegerField(label=_("计划人数"), min_value=1)
    allows_online = forms.BooleanField(label=_("允许线上学习"), required=False)

    def __init__(self, *args, teachers=None, with_draft=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Institution.objects.filter(
            kind="enterprise", status=InstitutionStatus.ACTIVE).order_by("name")
        self.fields["programme"].queryset = Programme.objects.filter(
            is_active=True).select_related("region").order_by("region__code", "code")
        _teacher_fields(self, teachers)
        if with_draft:
            self.fields["draft"] = forms.BooleanField(
                label=_("只保存草稿，暂不提交审核"), required=False)


class ChangeForm(forms.Form):
    venue = VenueFields.base_fields["venue"]
    venue_lat = VenueFields.base_fields["venue_lat"]
    venue_lng = VenueFields.base_fields["venue_lng"]
    venue_radius_m = VenueFields.base_fields["venue_radius_m"]

    def __init__(self, *args, teachers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _teacher_fields(self, teachers)


class SessionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs=_DATE))
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs=_TIME))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs=_TIME))
    hours = forms.IntegerField(label=_("课时"), min_value=1, max_value=24)
    teacher = TeacherOne(label=_("授课教师"), queryset=None)
    topic = forms.CharField(label=_("内容"), max_length=200, required=False)

    def __init__(self, *args, teachers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers
        n = self.prefix.rsplit("-", 1)[-1] if self.prefix else "0"
        row = int(n) + 1 if n.isdigit() else 1
        for name, field in self.fields.items():
            if name != "id":  # each box says which row it is (screen readers, phones)
                field.widget.attrs["aria-label"] = f"第 {row} 课次 {field.label}"

    def row(self) -> dict:
        zone = timezone.get_current_timezone()
        data = self.cleaned_data
        return {"id": data.get("id"), "teacher": data["teacher"], "hours": data["hours"],
                "topic": data.get("topic", ""),
                "starts_at": dt.datetime.combine(data["date"], data["start"], tzinfo=zone),
                "ends_at": dt.datetime.combine(data["date"], data["end"], tzinfo=zone)}


SessionFormSet = forms.formset_factory(SessionForm, extra=SESSION_ROWS)


def session_initial(sessions) -> list[dict]:
    out = []
    for s in sessions:
        start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        out.append({"id": s.pk, "date": start.date(), "start": start.time(), "end": end.time(),
                    "hours": s.hours, "teacher": s.teacher_id, "topic": s.topic})
    return out


class StaffForm(InstitutionForm):
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False,
                           help_text=_("尚未实名登记的职工须填写姓名，将同时完成实名登记"))
    since = forms.DateField(label=_("入职日期"), widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].label = _("企业")


class StaffEndForm(forms.Form):
    until = forms.DateField(label=_("离职日期"), widget=forms.DateInput(attrs=_DATE))
