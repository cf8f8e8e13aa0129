"""Forms of evaluation: a body's filing (occupations chosen by name from the catalogue), a
plan, examiners and candidates by identity number, a results file, a correction, a reason,
and the public verification."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.catalog.models import EvaluationType, SkillLevel
from jineng.evaluation import bodies, selectors
from jineng.evaluation.models import BodyKind
from jineng.orgs.forms import RegionField

_DATE = {"type": "date"}


def _date_box() -> forms.DateInput:
    """A date box: the browser's date picker takes and gives ISO dates."""
    return forms.DateInput(attrs=_DATE, format="%Y-%m-%d")

ID_HELP = _("18 位居民身份证号码（或港澳台居民居住证、外国人永久居留身份证号码）；须已实名登记")


def occupation_label(o) -> str:
    return f"{o.name}（{o.code}）"


class OccupationPicker(forms.TextInput):
    """A box of occupation names separated by 、: as one types (htmx), the current
    occupations whose name contains the word are listed to choose from. It shares the
    region picker's script (region-picker.js) and styles."""

    template_name = "evaluation/widgets/occupation_picker.html"

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(occupation_label(o) if hasattr(o, "code") else str(o)
                            for o in value) + ("、" if value else "")
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_url"] = reverse("evaluation:occupation_options")
        return context


class OccupationListField(forms.CharField):
    """Several current occupations, each typed as its name (a unique part of it will do), its
    code, or chosen in the picker, separated by 、 or commas. Cleans to the list of
    Occupations, each once; every part not found, or found more than once, is named."""

    widget = OccupationPicker

    def clean(self, value):
        text = super().clean(value) or ""
        for sep in "，,;；\n":
            text = text.replace(sep, "、")
        found, problems = [], []
        for part in (p.strip() for p in text.split("、")):
            if not part:
                continue
            occupation, problem = selectors.occupation_find(part)
            if occupation is None:
                problems.append(problem)
            elif occupation not in found:
                found.append(occupation)
        if problems:
            raise forms.ValidationError(problems)
        if not found and self.required:
            raise forms.ValidationError(_("请至少选择一个评价职业"))
        return found


class FilingForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("评价机构"), queryset=None)
    kind = forms.ChoiceField(label=_("机构类别"), choices=BodyKind.choices)
    evaluation_types = forms.ModelMultipleChoiceField(
        label=_("评价类型"), queryset=EvaluationType.objects.all(),
        widget=forms.CheckboxSelectMultiple)
    occupations = OccupationListField(
        label=_("评价职业"),
        help_text=_("输入职业名称后从列表中选择，如 电工、家政服务员；可选多个"),
        error_messages={"required": _("请至少选择一个评价职业")})
    levels = forms.ModelMultipleChoiceField(
        label=_("评价等级"), queryset=SkillLevel.objects.all(),
        widget=forms.CheckboxSelectMultiple)
    valid_from = forms.DateField(label=_("备案期起"), widget=_date_box())
    valid_to = forms.DateField(label=_("备案期止"), widget=_date_box())

    def __init__(self, *args, institutions=None, resubmit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions is not None and len(institutions) == 1:
            only = institutions[0]
            self.fields["institution"].initial = only.pk
            # only the kinds of body this institution may file as
            kinds = [(k, label) for k, label in BodyKind.choices
                     if only.kind in bodies.KIND_INSTITUTIONS[k]]
            if kinds:
                self.fields["kind"].choices = kinds
                self.fields["kind"].initial = kinds[0][0]
        for name, message in (("evaluation_types", _("请至少选择一种评价类型")),
                              ("levels", _("请至少选择一个评价等级")),
                              ("institution", _("请选择评价机构")),
                              ("kind", _("请选择机构类别")),
                              ("valid_from", _("请填写备案期起")),
                              ("valid_to", _("请填写备案期止"))):
            self.fields[name].error_messages["required"] = message
        for name in ("valid_from", "valid_to"):
            self.fields[name].error_messages["invalid"] = _("请按 年-月-日 填写日期")
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "所选机构类别不适用于该机构，请重新选择")
        for name in ("institution", "evaluation_types", "levels"):
            self.fields[name].error_messages.update(
                invalid_choice=_("所选项不存在，请重新选择"),
                invalid_pk_value=_("所选项不存在，请重新选择"))
        if resubmit is not None:  # the body and its kind stay as filed
            for name, value in (("institution", resubmit.institution_id),
                                ("kind", resubmit.kind)):
                self.fields[name].disabled = True
                self.fields[name].initial = value


class ChoiceOf(forms.ModelChoiceField):
    def __init__(self, *args, label_of=str, **kwargs):
        self.label_of = label_of
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.label_of(obj)


def _filing_label(f) -> str:
    return f"{f.institution.name}（{f.get_kind_display()}，{f.valid_from:%Y-%m-%d} 至 " \
           f"{f.valid_to:%Y-%m-%d}）"


class PlanForm(forms.Form):
    """A plan under one of the user's filed filings: what it evaluates is chosen among what
    the filings cover (the service says which filing does not cover what)."""

    filing = ChoiceOf(label=_("评价机构备案"), queryset=None, label_of=_filing_label,
                      empty_label=None)
    name = forms.CharField(label=_("计划名称"), max_length=120,
                           help_text=_("如 2026年第3期电工四级考核"))
    evaluation_type = forms.ModelChoiceField(label=_("评价类型"), queryset=None,
                                             empty_label=None)
    occupation = ChoiceOf(label=_("职业"), queryset=None, label_of=occupation_label,
                          empty_label=_("请选择职业"))
    work_type = ChoiceOf(label=_("工种"), queryset=None, required=False,
                         label_of=lambda w: f"{w.occupation.name} · {w.name}",
                         empty_label=_("（不分工种）"),
                         help_text=_("职业下设工种的，选择所考工种"))
    level = forms.ModelChoiceField(label=_("等级"), queryset=None, empty_label=_("请选择等级"))
    region = RegionField(label=_("考核地区"), scope="all",
                         help_text=_("考核所在的县区，如 梁园区；由该地区的审核流程审核"))
    venue = forms.CharField(label=_("考核地点"), max_length=200)
    exam_date = forms.DateField(label=_("考核日期"), widget=_date_box())
    site = forms.IntegerField(label=_("考核站点编号"), min_value=1, max_value=999, initial=1,
                              help_text=_("本机构的考核站点（1–999），编入证书编号"))

    def __init__(self, *args, filings=None, **kwargs):
        super().__init__(*args, **kwargs)
        filings = list(filings or [])
        ids = [f.pk for f in filings]
        f = self.fields
        f["filing"].queryset = selectors.filings_qs(ids)
        f["evaluation_type"].queryset = EvaluationType.objects.filter(
            pk__in=selectors.filed("evaluation_types", ids)).order_by("pk")
        occupations = selectors.occupations_current().filter(
            pk__in=selectors.filed("occupations", ids)).order_by("code")
        f["occupation"].queryset = occupations
        f["work_type"].queryset = selectors.work_types_of(occupations)
        f["level"].queryset = SkillLevel.objects.filter(
            pk__in=selectors.filed("levels", ids)).order_by("rank")
        if len(occupations) == 1:  # one filed occupation: nothing to choose
            f["occupation"].initial = occupations[0].pk
        for name, message in (("filing", _("请选择评价机构备案")), ("name", _("请填写计划名称")),
                              ("evaluation_type", _("请选择评价类型")),
                              ("occupation", _("请选择职业")), ("level", _("请选择等级")),
                              ("region", _("请选择考核地区")), ("venue", _("请填写考核地点")),
                              ("exam_date", _("请填写考核日期")),
                              ("site", _("请填写考核站点编号"))):
            f[name].error_messages["required"] = message
        f["exam_date"].error_messages["invalid"] = _("请按 年-月-日 填写日期")
        for name in ("filing", "evaluation_type", "occupation", "work_type", "level"):
            f[name].error_messages["invalid_choice"] = _("所选项不在您已备案的范围内，请重新选择")
        f["site"].error_messages.update(
            invalid=_("考核站点编号应为 1 至 999 的整数"),
            min_value=_("考核站点编号应为 1 至 999"), max_value=_("考核站点编号应为 1 至 999"))


class PersonByIdForm(forms.Form):
    """An examiner or a candidate, by identity number."""

    id_number = forms.CharField(label=_("证件号码"), max_length=30,
                                error_messages={"required": _("请填写证件号码")})

    def __init__(self, *args, with_number=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].label = _("考评员证件号码") if with_number else _("考生证件号码")
        if with_number:
            self.fields["number"] = forms.CharField(
                label=_("考评员证号"), max_length=40, required=False)


RESULTS_FILE_HELP = _("Excel（.xlsx）或 CSV，第 1 行为表头：身份证号、姓名、理论成绩、实操成绩；任何一行有错，全部不保存。")  # noqa: E501


class ResultsFileForm(forms.Form):
    file = forms.FileField(label=_("成绩文件"), help_text=RESULTS_FILE_HELP,
                           error_messages={"required": _("请选择成绩文件")})


class CorrectionForm(forms.Form):
    theory_score = forms.CharField(label=_("理论成绩"), max_length=8, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   help_text=_("0–100 分，最多一位小数；专项职业能力考核可不填"))
    practical_score = forms.CharField(label=_("实操成绩"), max_length=8,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                      error_messages={"required": _("请填写实操成绩")})
    reason = forms.CharField(label=_("更正原因"), max_length=bodies.REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写更正原因")})


class NoEcho(forms.TextInput):
    """A box whose value is never written back into the page (an identity number)."""

    def format_value(self, value):
        return None


class VerifyHolderForm(forms.Form):
    name = forms.CharField(label=_("持证人姓名"), max_length=50,
                           error_messages={"required": _("请填写持证人姓名")})
    id_number = forms.CharField(label=_("证件号码"), max_length=30, widget=NoEcho(attrs={
        "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("请填写证件号码")})
