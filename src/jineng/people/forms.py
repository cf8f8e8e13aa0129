"""Forms only collect input; the services validate identity, phone and regions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.core.identity import DocType
from jineng.orgs.forms import RegionField
from jineng.people import roster
from jineng.people.models import Sex
from jineng.people.selectors import active_target_groups


def _plain_field(column: roster.Column) -> forms.Field:
    """The form field of a plain roster column (roster.PLAIN): its choices or a text box."""
    label = _(column.change_label)
    if column.choices:
        return forms.ChoiceField(label=label, choices=[("", "—"), *column.choices],
                                 required=False)
    return forms.CharField(label=label, max_length=column.max_length or 100, required=False)


class PersonForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocType.choices,
                                 initial=DocType.RESIDENT)
    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    name = forms.CharField(label=_("姓名"), max_length=60)
    sex = forms.ChoiceField(label=_("性别"), choices=[("", _("（按证件号码）"))] + Sex.choices,
                            required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False,
                                 help_text=_("居民身份证等由号码自动得出；填写时须与号码一致"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("手机号"), max_length=30, required=False)
    household_region = RegionField(label=_("户籍地"), required=False, as_code=True,
                                   help_text=_("输入地区名称或区划代码，如 梁园区 或 411402"))
    residence_region = RegionField(label=_("常住地"), required=False, as_code=True, scope="all")
    target_groups = forms.MultipleChoiceField(label=_("重点群体"), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    # The plain columns come from the column table (added in __init__), in its order.
    field_order = list(roster.BY_FIELD)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        for column in roster.PLAIN:
            self.fields[column.field] = _plain_field(column)
        self.order_fields(self.field_order)
        self.fields["target_groups"].choices = [
            (g.code, g.name) for g in active_target_groups()
        ]
        if editing:
            number = self.fields["id_number"]
            number.required = False
            number.help_text = _("出于保护，原号码不显示；留空表示不修改，填写即更正号码")
            self.fields["phone"].help_text = _("留空表示不修改；填写新号码即更正")
            self.fields["social_security_card"].help_text = _("留空表示不修改")
            self.fields["user"] = forms.CharField(
                label=_("登录账号（用户名）"), max_length=150, required=False,
                help_text=_("劳动者本人登录系统查看档案所用的账号；留空表示不关联"),
            )


class TargetGroupForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=40,
                           help_text=_("小写字母、数字或下划线，如 home_care_worker"))
    name = forms.CharField(label=_("名称"), max_length=60)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=100)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class LookupForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocType.choices,
                                 initial=DocType.RESIDENT)
    id_number = forms.CharField(label=_("证件号码"), max_length=40,
                                help_text=_("输入完整号码，仅用于报名核验；查询将被记录"))
