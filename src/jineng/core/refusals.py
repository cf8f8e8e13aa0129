"""One refusal vocabulary for every app, on the API and on pages alike.

- `Forbidden` (403, code `forbidden`): no role of the actor grants the action (a page, an
  endpoint, a service).
- `OutOfScope` (403, code `out_of_scope`, the field named): the action is granted, but not in
  the region named for a record being created or moved.
- `NotFound` (404, code `not_found`): an existing record outside the actor's scope (reads, and
  writes that address it), said as if it did not exist.

Services call `require`, `require_region` and `require_visible`; `core/api.py` and
`RefusalMiddleware` (pages) turn the errors into the same status and Chinese message.
"""

from django.db import models

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.scope import permission_code, region_allowed, user_reach


class OutOfScope(Forbidden):
    code = "out_of_scope"


def require(actor, permission: str, *, message: str = "") -> None:
    """Forbidden unless one of the actor's roles grants `permission` (e.g. "orgs.add_user")."""
    if actor is None or not actor.has_permission(permission):
        raise Forbidden(message) if message else Forbidden()


def require_region(actor, model: type[models.Model], action: str, region, *,
                   field: str = "region", message: str = "") -> None:
    """The record about to be created or moved into `region` must be in the actor's scope for
    `action`: Forbidden when no role grants the action at all, a missing region is bad input,
    a region outside the grants' scope is `OutOfScope` naming the field."""
    require(actor, permission_code(model, action))
    if region is None:
        raise ServiceError("请选择地区", errors={field: "请选择地区"})
    if not region_allowed(actor, model, action, region):
        message = message or f"无权在「{region.name}」{_verb(action)}{model._meta.verbose_name}"
        raise OutOfScope(message, errors={field: message})


def require_institution(actor, model: type[models.Model], action: str, institution) -> None:
    """The actor may do `action` on a `model` record of this institution: their own
    institution, or one in their region (Forbidden without the permission at all)."""
    code = permission_code(model, action)
    require(actor, code)
    reach = user_reach(actor, code)
    region = institution.region
    if (reach.covers_all(model.scope) or institution.pk in reach.institution_ids
            or reach.admits_region(region.pk, region.path)):
        return
    message = f"无权为「{institution.name}」{model._meta.verbose_name}办理此业务"
    raise OutOfScope(message, errors={"institution": message})


def require_visible(actor, obj: models.Model, action: str = "change") -> None:
    """NotFound unless `obj` is in the actor's scope for `action` ("not yours" = "missing")."""
    if not type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists():
        raise NotFound()


_VERBS = {"add": "新增", "change": "修改", "import": "导入", "view": "查看", "export": "导出"}


def _verb(action: str) -> str:
    return _VERBS.get(action, "操作")
