from django.apps import apps
from django.urls import include, path, re_path
from django.utils.module_loading import module_has_submodule

from jineng.api.site import api
from jineng.core.api import not_found_json
from jineng.orgs import views as orgs_views

urlpatterns = [
    path("", orgs_views.home_view, name="home"),
    path("login/", orgs_views.login_view, name="login"),
    path("logout/", orgs_views.logout_view, name="logout"),
    path("password/", orgs_views.password_change_view, name="password_change"),
    path("language/", orgs_views.language_view, name="set_language"),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found_json),  # after every operation: the rest is a JSON 404
]

# Each app with a urls module is mounted at /<app label>/ (portal, the public pages, at /).
for config in apps.get_app_configs():
    if config.name.startswith("jineng.") and module_has_submodule(config.module, "urls"):
        prefix = "" if config.label == "portal" else f"{config.label}/"
        urlpatterns.append(path(prefix, include(f"{config.name}.urls")))
