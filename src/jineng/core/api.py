"""Shared pieces of the /api/v1/ routers: authentication, errors, paging."""

from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from jineng.core.errors import NotFound, ServiceError
from jineng.core.scope import get_restricted


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict = {}


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`; a revoked or expired token says so with its own code."""

    def authenticate(self, request, token):
        from jineng.orgs.services import token_authenticate

        user = token_authenticate(token)
        request.user = user
        return user


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or {}}


def install_error_handlers(api) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.errors), status=exc.status
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        exc = NotFound()
        return api.create_response(request, error_body(exc.code, exc.message), status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            error_body("unauthorized", "需要登录或有效的接口令牌（Authorization: Bearer …）"),
            status=401,
        )

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        errors = {}
        for err in exc.errors:
            field = ".".join(str(p) for p in err.get("loc", [])[1:]) or "body"
            errors[field] = err.get("msg", "")
        return api.create_response(
            request, error_body("invalid", "请求参数不正确：" + "；".join(errors), errors),
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(
            request, error_body("http_error", str(exc)), status=exc.status_code
        )


def restricted_or_404(request, model_or_qs, action: str = "view", **lookup):
    return get_restricted(model_or_qs, request.auth, action, **lookup)
