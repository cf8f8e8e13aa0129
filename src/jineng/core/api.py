"""Shared pieces of the /api/v1/ routers: authentication, errors, paging; and core's own
router (the review queue)."""

import datetime
from typing import Literal

from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.renderers import JSONRenderer

from jineng.core.errors import NotFound, ServiceError
from jineng.core.scope import get_restricted


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict = {}


class Paging(LimitOffsetPagination):
    """Every API list: `limit` (at most MAX_LIMIT a page; a larger one is cut) and `offset`,
    within bounds both databases take (PostgreSQL's LIMIT and OFFSET are bigints): an offset
    past that range is past the end, an empty page rather than a server error."""

    MAX_LIMIT = 1000
    MAX_OFFSET = 2**62

    def __init__(self, **kwargs):
        super().__init__(max_limit=self.MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        pagination.offset = min(pagination.offset, self.MAX_OFFSET)
        return super().paginate_queryset(queryset, pagination, request, **params)


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese as Chinese in the response body, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


# pydantic's error types, said in Chinese; {ctx keys} are filled from the error's context.
VALIDATION_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度不能超过 {max_length}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "不能超过 {max_length} 项",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "请求体不是有效的 JSON",
    "string_pattern_mismatch": "格式不正确",
}
_PARAMETER_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def validation_message(err: dict) -> str:
    template = VALIDATION_MESSAGES.get(err.get("type", ""))
    if template is None:
        return f"格式不正确（{err.get('msg', '')}）"
    try:
        return template.format(**err.get("ctx", {}))
    except (KeyError, IndexError):
        return template


def validation_field(loc) -> str:
    """('body', 'payload', 'name') -> 'name': the field as the client named it."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _PARAMETER_SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "filters", "data"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


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
        if any(tuple(err.get("loc", ()))[:1] == ("path",) for err in exc.errors):
            return not_found(request, exc)  # /people/abc names no record: as if missing
        errors = {}
        for err in exc.errors:
            errors.setdefault(validation_field(err.get("loc", ())), validation_message(err))
        summary = "；".join(f"{field}：{message}" for field, message in errors.items())
        return api.create_response(
            request, error_body("invalid", f"请求参数不正确：{summary}", errors), status=422
        )

    @api.exception_handler(RawPostDataException)
    def form_where_json_belongs(request, exc):
        # A multipart form sent to an operation that reads a JSON body: the edge middleware
        # has read it as a form (for control characters), so the body is gone; it was not
        # JSON either way.
        message = VALIDATION_MESSAGES["json_invalid"]
        return api.create_response(
            request, error_body("invalid", f"请求参数不正确：body：{message}", {"body": message}),
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc)
        if message.startswith("Cannot parse request body"):  # ninja's words for bad JSON
            message = "请求内容不是有效的 JSON，无法解析"
        return api.create_response(
            request, error_body("http_error", message), status=exc.status_code
        )


# The answers every operation may give besides its own, all in the ErrorOut shape.
ERROR_RESPONSES = {
    400: "请求被拒绝：规则不允许，或参数含有不可见的控制字符",
    401: "需要登录或有效的接口令牌",
    403: "没有执行此操作的权限，或所选地区不在数据范围内",
    404: "记录不存在或无权访问",
    422: "请求参数不正确（errors 按字段说明）",
}
_ERROR_REF = "#/components/schemas/ErrorOut"


class JinengAPI(NinjaAPI):
    """The OpenAPI document lists, on every operation, the error answers and their shape
    (`ErrorOut`), which the handlers installed by `install_error_handlers` give."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template=_ERROR_REF))
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    # ninja keys its own answers by int: one key per status in the JSON
                    if status in responses or str(status) in responses:
                        continue
                    if status == 401 and not operation.get("security"):
                        continue  # public: nobody is asked to sign in
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
                    }
        return schema


def not_found_json(request, *args, **kwargs):
    """Any /api/ address no operation answers (a word where a number belongs, a typo):
    the API's JSON 404, not a page."""
    exc = NotFound()
    return JsonResponse(error_body(exc.code, exc.message), status=404,
                        json_dumps_params={"ensure_ascii": False})


def restricted_or_404(request, model_or_qs, action: str = "view", **lookup):
    return get_restricted(model_or_qs, request.auth, action, **lookup)


# ---------------------------------------------------------------- the review queue (core/review.py)

router = Router(tags=["审核"])


class ReviewOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    region_code: str
    region_name: str
    state: str
    state_label: str
    step: int
    step_count: int
    step_label: str
    submitted_by: str | None
    submitted_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj):
        from jineng.core.review import kind_label

        return kind_label(obj.kind)

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_step(obj):
        return obj.step_index + 1

    @staticmethod
    def resolve_step_label(obj):
        from jineng.core.review import step_position

        return step_position(obj.step_index, obj.step_count)

    @staticmethod
    def resolve_submitted_by(obj):
        return obj.submitted_by.username if obj.submitted_by_id else None


class DecisionIn(Schema):
    decision: Literal["approve", "return", "reject"]
    reason: str = Field("", max_length=1000)


@router.get("/reviews", response=list[ReviewOut], summary="待我审核（本人可以审核当前步骤的事项）")
@paginate(Paging)
def list_my_reviews(request):
    from jineng.core.review import review_queue

    return review_queue(user=request.auth)


@router.post("/reviews/{review_id}/decision", response=ReviewOut,
             summary="审核当前步骤：approve 通过、return 退回修改、reject 驳回（后两者须填理由）")
def decide_review(request, review_id: int, payload: DecisionIn):
    from django.db import transaction

    from jineng.core.review import review_decide, review_reachable

    review, _may = review_reachable(user=request.auth, pk=review_id)
    with transaction.atomic(durable=True):
        return review_decide(actor=request.auth, review=review, decision=payload.decision,
                             reason=payload.reason)
