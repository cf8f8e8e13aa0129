import json
import re

from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

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


# C0 control characters but tab, newline and carriage return. PostgreSQL refuses NUL in text
# (a server error), and none of them belongs in a name, a query or a form field.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # the API docs' stylesheet draws its icons as data: images
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}


class TooDeep(Exception):
    """A JSON body nested deeper than Python's parser goes (it would be a server error)."""


def _json_strings(value):
    """(field path, text) for every key and string in a parsed JSON body (iterative: a
    deep body does not exhaust the stack)."""
    stack = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path or "body", item
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                field = f"{path}.{key}" if path else str(key)
                stack.append((field, child))
                stack.append((field, str(key)))
        elif isinstance(item, list):
            for index in reversed(range(len(item))):
                stack.append((f"{path}.{index}" if path else str(index), item[index]))


def _submitted_texts(request):
    """(field name, text) for every query parameter, form field and JSON string value. A
    body that is not a form is read as JSON, whatever its Content-Type says, as ninja does."""
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for data in sources:
        for key, values in data.lists():
            yield key, key
            for value in values:
                yield key, value
    if request.content_type not in FORM_TYPES and request.body:
        try:
            body = json.loads(request.body)
        except RecursionError:
            raise TooDeep from None
        except ValueError:
            return  # not JSON: the API says so itself (422)
        yield from _json_strings(body)


def control_character_field(request) -> str | None:
    """The first field whose name or value holds a control character, or None."""
    for field, text in _submitted_texts(request):
        if CONTROL_CHARACTERS.search(text):
            return CONTROL_CHARACTERS.sub("", field) or "?"
    return None


class EdgeMiddleware:
    """What every request and response goes through at the edge of the site:
    - a request with a control character in any query parameter, form field or JSON string
      is refused here, once, with 400 naming the field (JSON under /api/, a page elsewhere),
      before any of it reaches a form, a service or the database;
    - every response carries the Content-Security-Policy: only this site's own scripts,
      styles and images, nothing inline;
    - every file sent as a download (exports, import reports, which may carry full numbers
      and phones) is `Cache-Control: no-store`, as are the views marked `never_cache` (the
      unmasked number)."""

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.refusal(request)
        if response is None:
            response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if response.get("Content-Disposition", "").startswith("attachment"):
            add_never_cache_headers(response)
        return response

    def refusal(self, request):
        """The 400 for a request the edge does not let in, or None."""
        try:
            field = control_character_field(request)
        except TooDeep:
            return self.refuse(request, "too_deep", "body", gettext("请求体嵌套层次过深"))
        if field is None:
            return None
        return self.refuse(request, "control_characters", field,
                           gettext("字段「%(field)s」含有不可见的控制字符") % {"field": field})

    def refuse(self, request, code: str, field: str, message: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        from jineng.core.api import error_body

        if request.path.startswith(self.API_PREFIX):
            return JsonResponse(error_body(code, message, {field: message}),
                                status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "core/refused_input.html", {"message": message}, status=400)
