import re

from jineng.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives every request an id (or keeps a well-formed X-Request-ID) for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id
        token = context.set_current(
            context.RequestContext(request_id=request_id, ip=request.META.get("REMOTE_ADDR", ""))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefusalMiddleware:
    """Pages answer a service's refusal as the API does: Forbidden (and OutOfScope) with 403
    and its Chinese message, NotFound with 404 (core/refusals.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404
        from django.urls import get_resolver

        from jineng.core.errors import Forbidden, NotFound

        if isinstance(exception, Forbidden):
            handler = get_resolver().resolve_error_handler(403)
            return handler(request, PermissionDenied(exception.message))
        if isinstance(exception, NotFound):
            return get_resolver().resolve_error_handler(404)(request, Http404(exception.message))
        return None
