import time

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from jineng.orgs.models import SecurityPolicy

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
    """Idle timeout checked on the server, and a forced password change before anything else."""

    EXEMPT_PREFIXES = ("/static/", "/api/", "/verify/", "/catalogue/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.EXEMPT_PREFIXES):
            policy = SecurityPolicy.current()
            idle_seconds = policy.idle_timeout_minutes * 60
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > idle_seconds:
                logout(request)
                return redirect(f"{reverse('login')}?timeout=1")
            request.session[LAST_SEEN_KEY] = now
            request.session.set_expiry(idle_seconds)
            allowed = {reverse("password_change"), reverse("logout")}
            if user.must_change_password and request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
