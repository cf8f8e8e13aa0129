from django.contrib.auth.backends import ModelBackend
from ninja.security import HttpBearer


class RoleBackend(ModelBackend):
    """Function permissions come from the user's roles (see orgs.roles), not Django's tables."""

    def has_perm(self, user_obj, perm, obj=None):
        return bool(user_obj.is_authenticated and user_obj.has_permission(perm))

    def has_module_perms(self, user_obj, app_label):
        return bool(
            user_obj.is_authenticated
            and any(p.startswith(f"{app_label}.") for r in user_obj.active_roles()
                    for p in r.permissions)
        )

    def get_all_permissions(self, user_obj, obj=None):
        return set()


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN` for /api/v1/; a revoked or expired token says so with
    its own code."""

    def authenticate(self, request, token):
        from jineng.orgs.services import token_authenticate

        user = token_authenticate(token)
        request.user = user
        return user
