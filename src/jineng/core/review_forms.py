"""Forms of the review pages: a decision on one step, and the steps of a chain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.core.models import ReviewDecisionKind, ReviewLevel


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核意见"), choices=ReviewDecisionKind.choices,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("退回修改或驳回时必填，提交人会看到"))


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("顺序"), min_value=1, max_value=20)
    permission = forms.ChoiceField(label=_("审核权限"))
    level = forms.TypedChoiceField(label=_("审核层级"), coerce=int,
                                   choices=[("", "—"), *ReviewLevel.choices])

    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A blank first choice: the empty row for a new step stays unchanged until filled.
        self.fields["permission"].choices = [("", "—"), *permissions]
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)


class BaseStepFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("删除")
        form.fields["DELETE"].widget.attrs["aria-label"] = str(_("删除"))


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=1,
                                    can_delete=True, max_num=20)


def steps_of(formset) -> list[tuple[str, int]]:
    """The kept rows of a valid formset, by their order numbers (ties keep the page order);
    the blank row for a new step is skipped."""
    rows = [(f.cleaned_data["order"], n, f.cleaned_data["permission"], f.cleaned_data["level"])
            for n, f in enumerate(formset.forms)
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return [(permission, level) for _order, _n, permission, level in sorted(rows)]
