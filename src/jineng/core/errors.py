"""Errors that services raise; pages and the API turn them into Chinese messages."""


class ServiceError(Exception):
    """A rule refused the change. Nothing was written.

    `errors` maps a field name to its message, for forms and the API.
    """

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}


class NotFound(ServiceError):
    code = "not_found"
    status = 404

    def __init__(self, message: str = "记录不存在或无权访问", **kwargs):
        super().__init__(message, **kwargs)


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403

    def __init__(self, message: str = "没有执行此操作的权限", **kwargs):
        super().__init__(message, **kwargs)


class Conflict(ServiceError):
    code = "duplicate"
    status = 409


def field_error(field: str, message: str, code: str | None = None) -> ServiceError:
    """A refusal that names the field it is about (forms show it there, the API lists it)."""
    return ServiceError(message, code=code, errors={field: message})
