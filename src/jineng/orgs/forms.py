from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.core.scope import ScopeKind
from jineng.core.views import Filter
from jineng.orgs import selectors
from jineng.orgs.models import (
    Department,
    Institution,
    InstitutionKind,
    InstitutionStatus,
    Region,
    Role,
)


class RegionPicker(forms.TextInput):
    """A text box that takes a region's name or code and, as one types (htmx), lists the
    matching regions of its `scope` (see `selectors.PICKER_SCOPES`) to choose from or to
    walk down from province to city to county. With `multiple`, the box holds several
    regions separated by 、 and a choice is added to them."""

    template_name = "orgs/widgets/region_picker.html"

    def __init__(self, scope: str = "view", attrs=None, multiple: bool = False):
        super().__init__(attrs)
        self.scope, self.multiple = scope, multiple

    def format_value(self, value):
        if isinstance(value, Region):
            return selectors.region_label(value)
        if isinstance(value, list | tuple):
            return "、".join(filter(None, (self.format_value(v) for v in value)))
        if isinstance(value, str) and value.strip().isdigit():
            region = Region.objects.filter(code=value.strip()).first()
            return selectors.region_label(region) if region else value
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(scope=self.scope, multiple=self.multiple,
                                 options_url=reverse("orgs:region_options"))
        return context


class RegionField(forms.CharField):
    """A region typed as a name or a code (or chosen in the picker), among `regions` (every
    region in force when None). Cleans to the Region, or to its code with `as_code`."""

    def __init__(self, *args, regions=None, scope: str = "view", as_code: bool = False,
                 **kwargs):
        self.regions, self.as_code = regions, as_code
        kwargs.setdefault("widget", RegionPicker(scope=scope))
        super().__init__(*args, max_length=120, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return "" if self.as_code else None
        regions = Region.objects.filter(is_active=True) if self.regions is None else self.regions
        region, problem = selectors.region_find(value, regions)
        if region is None:
            raise forms.ValidationError(problem)
        return region.code if self.as_code else region


class RegionListField(forms.CharField):
    """Several regions, each a name, a code or a picker label, separated by 、 (or commas,
    semicolons, new lines), among `regions` (every region in force when None). Cleans to
    the list of Regions, each once, in the order typed; every part not found is named."""

    def __init__(self, *args, regions=None, scope: str = "all", **kwargs):
        self.regions = regions
        kwargs.setdefault("widget", RegionPicker(scope=scope, multiple=True))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        parts = selectors.region_list_parts(super().clean(value) or "")
        regions = Region.objects.filter(is_active=True) if self.regions is None else self.regions
        found, problems = [], []
        for part in parts:
            region, problem = selectors.region_find(part, regions)
            if region is None:
                problems.append(problem)
            elif region not in found:
                found.append(region)
        if problems:
            raise forms.ValidationError(problems)
        return found


REGION_LABEL = _("地区")


def region_filter(name: str = "region_code", label=REGION_LABEL) -> Filter:
    """The region filter of a list page: any region, by name or code, passed on as a code."""
    return Filter(name, label,
                  field=RegionField(required=False, scope="all", as_code=True))


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput,
        help_text=_("至少 10 位，包含大写字母、小写字母、数字、符号中的至少 3 类"),
    )
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class RegionForm(forms.Form):
    code = forms.CharField(label=_("区划代码"), max_length=12, help_text=_("6 位数字"))
    name = forms.CharField(label=_("名称"), max_length=100)
    parent = RegionField(label=_("上级地区"), scope="add")
    non_standard = forms.BooleanField(label=_("非标准区划（功能区）"), required=False, initial=True)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].regions = regions


class RegionEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class DepartmentForm(forms.Form):
    region = RegionField(label=_("所属地区"))
    code = forms.CharField(label=_("单位编码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, regions=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = regions
        if editing:
            del self.fields["region"]


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=InstitutionKind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    region = RegionField(label=_("所在地区"))
    status = forms.ChoiceField(label=_("状态"), choices=InstitutionStatus.choices,
                               initial=InstitutionStatus.ACTIVE)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = regions


class UserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    region = RegionField(label=_("所属地区"), required=False)
    institution = forms.ModelChoiceField(label=_("所属机构"), queryset=Institution.objects.none(),
                                         required=False)
    department = forms.ModelChoiceField(label=_("所属单位"), queryset=Department.objects.none(),
                                        required=False)
    roles = forms.ModelMultipleChoiceField(label=_("角色"), queryset=Role.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    language = forms.ChoiceField(
        label=_("界面语言"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, required=False,
                               help_text=_("新建时必填；修改时填写即为重置密码，用户下次登录须修改"))

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].regions = Region.objects.restrict(user, "view")
        self.fields["institution"].queryset = Institution.objects.restrict(user, "view")
        self.fields["department"].queryset = Department.objects.restrict(user, "view")
        self.fields["roles"].queryset = Role.objects.filter(is_active=True)
        self.fields["roles"].label_from_instance = lambda role: role.label
        if editing:
            self.fields["username"].disabled = True
            self.fields["username"].required = False
        else:
            self.fields["password"].required = True


class RoleForm(forms.Form):
    code = forms.CharField(label=_("角色编码"), max_length=50)
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    scope_kind = forms.ChoiceField(label=_("数据范围"), choices=ScopeKind.choices)
    scope_regions = RegionListField(
        label=_("指定地区"), required=False, regions=Region.objects.all(),  # kept if retired
        help_text=_("数据范围为“指定地区及下级”时填写：输入名称或代码选择，可选多个，用顿号分隔"))
    permissions = forms.CharField(label=_("功能权限"), widget=forms.Textarea(attrs={"rows": 6}),
                                  required=False,
                                  help_text=_("每行一个，如 orgs.view_institution；可用 * 通配"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_permissions(self):
        lines = self.cleaned_data["permissions"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=3650, initial=365)


class SecurityPolicyForm(forms.Form):
    """Bounds live in services.POLICY_BOUNDS; the service names the field that breaks them."""

    password_min_length = forms.IntegerField(label=_("密码最小长度"))
    password_min_classes = forms.IntegerField(label=_("密码至少包含的字符类别数"))
    lockout_threshold = forms.IntegerField(label=_("连续失败几次锁定"))
    lockout_minutes = forms.IntegerField(label=_("锁定分钟数"))
    idle_timeout_minutes = forms.IntegerField(label=_("空闲超时分钟数"))
    token_days = forms.IntegerField(label=_("接口令牌默认有效天数"))
