import time

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from jineng.orgs.models import SecurityPolicy
from jineng.orgs.services import logout_record

LAST_SEEN_KEY = "jineng_last_seen"


class UserLanguageMiddleware:
    """Pages in the language the user chose (Chinese by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = user.language if user is not None and user.is_authenticated else "zh-hans"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityPolicyMiddleware:
    """Idle timeout checked on the server, and a forced password change before anything else.

    The API through a signed-in session obeys both too: an idle session is ended (the API
    then answers 401), and a user who must change the password gets a JSON 403. Bearer
    tokens are not sessions and are checked by the API itself.
    """

    EXEMPT_PREFIXES = ("/static/", "/verify/", "/catalogue/")
    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.EXEMPT_PREFIXES):
            is_api = request.path.startswith(self.API_PREFIX)
            policy = SecurityPolicy.current()
            idle_seconds = policy.idle_timeout_minutes * 60
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > idle_seconds:
                logout_record(user=user, idle=True)
                logout(request)
                if is_api:
                    return self.get_response(request)
                return redirect(f"{reverse('login')}?timeout=1")
            request.session[LAST_SEEN_KEY] = now
            request.session.set_expiry(idle_seconds)
            allowed = {reverse("password_change"), reverse("logout")}
            if user.must_change_password and request.path not in allowed:
                if is_api:
                    return JsonResponse(
                        {"code": "password_change_required",
                         "message": "首次登录或密码被重置后，须先修改密码", "errors": {}},
                        status=403, json_dumps_params={"ensure_ascii": False},
                    )
                return redirect("password_change")
        return self.get_response(request)
