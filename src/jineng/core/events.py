"""Audit action types. Each app declares its own in `<app>/events.py`, a TextChoices with
Chinese labels decorated with `@register`; `audit_record` refuses an action no app
registered, and the audit page shows the labels and offers them as its filter's choices.
The values are what the trail stores, so a value never changes once used."""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

_ACTIONS: dict[str, type[models.TextChoices]] = {}


class UnknownAuditAction(ValueError):
    pass


def register(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    for value in choices.values:
        owner = _ACTIONS.get(value, choices)
        if _name(owner) != _name(choices):  # the same class imported again is no clash
            raise ImproperlyConfigured(f"审计操作「{value}」已由 {_name(owner)} 登记")
    _ACTIONS.update({v: choices for v in choices.values})
    return choices


def _name(choices) -> str:
    return f"{choices.__module__}.{choices.__qualname__}"


def checked_action(action) -> str:
    """The action as stored; UnknownAuditAction unless an app registered it."""
    value = str(action)
    if value not in _ACTIONS:
        raise UnknownAuditAction(f"未登记的审计操作类型「{value}」，请在应用的 events.py 中登记")
    return value


def action_label(value: str) -> str:
    choices = _ACTIONS.get(value)
    return str(choices(value).label) if choices else value


def action_choices() -> list[tuple[str, str]]:
    """Every registered action with its label, in label order (the audit page's filter)."""
    return sorted(((v, action_label(v)) for v in _ACTIONS), key=lambda pair: pair[1])


def object_type_label(object_type: str) -> str:
    """"orgs.user" → the model's name, 用户 (the value itself if no model has it)."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_type_choices() -> list[tuple[str, str]]:
    """The project's models an event may be about, by name."""
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models()
         if m.__module__.startswith("jineng.")),
        key=lambda pair: pair[1])


@register
class CoreAction(models.TextChoices):
    """Actions every app records."""

    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    EXPORT = "export", _("导出")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("导出审计检查点")


@register
class ReviewAction(models.TextChoices):
    """The review chain's actions (core/review.py)."""

    SUBMIT = "review_submit", _("提交审核")
    APPROVE = "review_approve", _("审核通过")
    RETURN = "review_return", _("审核退回")
    REJECT = "review_reject", _("审核驳回")
    CHAIN_CHANGE = "review_chain_change", _("修改审核流程")
    CHAIN_DEFAULT = "review_chain_default", _("载入默认审核流程")


_CHANGE_LABELS: dict[str, str] = {}


def register_change_labels(labels: dict[str, str]) -> None:
    """Chinese names for keys of an event's changes that are not fields of its object (counts,
    ranges), shown on the audit page instead of the key."""
    _CHANGE_LABELS.update(labels)


def change_label(name: str) -> str | None:
    return _CHANGE_LABELS.get(name)
