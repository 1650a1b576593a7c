"""API errors as JSON: {"error": {code, message, details}} with the status each failure deserves, never HTML."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ...errors import DomainError

log = logging.getLogger("thidua.api")
MEDIA_TYPE = "application/problem+json"

_HTTP = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Thiếu mã truy cập (Authorization: Bearer …)."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy đường dẫn này trong API."),
    405: ("method_not_allowed", "Phương thức HTTP này không được hỗ trợ ở đường dẫn này."),
    406: ("not_acceptable", "API chỉ trả về JSON (hoặc nội dung tệp khi tải tài liệu)."),
    409: ("conflict", "Dữ liệu vừa được người khác thay đổi; hãy tải lại."),
    413: ("payload_too_large", "Dữ liệu gửi lên vượt quá giới hạn cho phép."),
    415: ("unsupported_media_type", "Kiểu nội dung gửi lên không được hỗ trợ."),
}


class ApiError(DomainError):
    """A request the API refuses before any operation runs (bad token, malformed body): status and code per case."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **details: object) -> None:  # fmt: skip
        super().__init__(message, **details)
        self.status, self.code, self.headers = status, code, headers or {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def problem(status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any) -> Response:
    """The one error shape of the API."""
    response = jsonify({"error": {"code": code, "message": message, "details": _jsonable(details)}})
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thidua"'
    response.headers.update(headers or {})
    return response


def domain_problem(exc: DomainError) -> Response:
    """A rule said no (or the request was refused): its status, code, Vietnamese message and details."""
    return problem(exc.status, exc.code, exc.message, getattr(exc, "headers", None), **exc.details)


def http_problem(exc: HTTPException) -> Response:
    """Werkzeug's errors (unknown route, wrong method, body too large…) in the API's shape."""
    status = exc.code or 500
    code, message = _HTTP.get(status, ("http_error", f"Yêu cầu không được chấp nhận (HTTP {status})."))
    details: dict[str, Any] = {}
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    if status == 405 and headers:
        details["allowed_methods"] = headers["Allow"].split(", ")
    if status == 413 and request.max_content_length:
        details["max_bytes"] = request.max_content_length
    return problem(status, code, message, headers, **details)


def unexpected_problem(exc: Exception) -> Response:
    """A bug: logged with a request id the caller can quote; no trace leaves the server."""
    request_id = uuid.uuid4().hex[:12]
    log.exception("api error %s on %s %s", request_id, request.method, request.path)
    return problem(500, "internal_error", f"Đã có lỗi ngoài dự kiến. Mã lỗi: {request_id}; hãy báo cho quản trị viên.",
                   {"X-Request-Id": request_id}, request_id=request_id)  # fmt: skip


def init_error_handlers(bp: Blueprint) -> None:
    """Errors raised inside API views; unknown /api routes are answered by web.errors with http_problem."""
    bp.register_error_handler(DomainError, domain_problem)
    bp.register_error_handler(HTTPException, http_problem)
    bp.register_error_handler(Exception, unexpected_problem)
