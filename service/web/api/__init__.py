"""The JSON API under /api/v1: bearer tokens, problem+json errors, one module per resource."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ...errors import DomainError
from ...operations.accounts import actor_for_user
from ...operations.tokens import user_for_token
from ..context import get_engine, get_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("thidua.api")
PUBLIC = {"api.token", "api.openapi"}


def problem(status: int, code: str, message: str, **details: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thidua"'
    return response


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    db = get_session()
    user = user_for_token(db, token, get_engine().clock.now())
    if user is None:
        db.rollback()
        return problem(401, "unauthorized", "Thiếu hoặc sai mã truy cập (Bearer token), hoặc mã đã hết hạn.")
    db.commit()  # keeps last_used_at; each handler then opens its own transaction
    g.api_user = user
    g.actor = actor_for_user(db, user)
    return None


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError) -> Response:
    details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool | list | dict | type(None))}
    return problem(exc.status, exc.code, exc.message, **details)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    messages = {400: "Yêu cầu không hợp lệ.", 404: "Không tìm thấy.", 405: "Phương thức không được hỗ trợ.",
                413: "Tệp hoặc yêu cầu quá lớn."}  # fmt: skip
    return problem(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), messages.get(exc.code or 0, exc.name))


@bp.errorhandler(Exception)
def unexpected(exc: Exception) -> Response:
    request_id = uuid.uuid4().hex[:12]
    log.exception("api error %s on %s %s", request_id, request.method, request.path)
    return problem(500, "internal_error", f"Lỗi ngoài dự kiến; không có thay đổi nào được ghi. Mã lỗi: {request_id}",
                   request_id=request_id)  # fmt: skip


def init_api(app: Flask) -> None:
    from . import auth, campaigns, dossiers, openapi, tasks  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)
