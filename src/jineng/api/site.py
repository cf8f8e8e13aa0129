"""Assembles each app's ninja router under /api/v1/."""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from ninja.security import django_auth

from jineng.core.api import JinengAPI, UnicodeJSONRenderer, install_error_handlers
from jineng.orgs.backends import BearerToken

api = JinengAPI(
    title="技能 Jineng 开放接口",
    version="1",
    description=(
        "面向培训机构、评价机构及就业、社保系统的开放接口。认证：`Authorization: Bearer 令牌`"
        "（由系统管理员创建）。列表用 `limit` 与 `offset` 分页。错误以 JSON 返回："
        "`{\"code\": 稳定的英文代码, \"message\": 中文说明, \"errors\": {字段: 说明}}`。"
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
    renderer=UnicodeJSONRenderer(),
)
install_error_handlers(api)
# No deep links: Swagger UI puts them as links inside each operation's button, which screen
# readers and keyboards cannot use (axe: nested-interactive).
api.docs.settings["deepLinking"] = False

for config in apps.get_app_configs():
    if config.name.startswith("jineng.") and module_has_submodule(config.module, "api"):
        module = import_module(f"{config.name}.api")
        if hasattr(module, "router"):
            api.add_router("/", module.router)
