"""The JSON API under /api/v1: bearer tokens, JSON errors, one module per resource."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, request

from ...errors import NotFound
from ...operations.tokens import check_token, record_token_use
from ..context import begin_action, end_action_unused, get_engine, get_session, transaction
from .errors import ApiError, init_error_handlers, problem

__all__ = ["bp", "init_api", "problem"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
init_error_handlers(bp)
PUBLIC = {"api.token", "api.openapi"}
# Routes that are one writing transaction from their first line: the token is checked inside it (begun
# before the check), not in a read transaction of its own committed just before the action begins, so a
# completion is one BEGIN … COMMIT. On SQLite that takes the write lock before the token is checked; a
# refused token ends the transaction at once (end_action_unused), before the error response is built.
ACTION_FROM_THE_START = {"api.task_complete", "api.task_claim", "api.task_unclaim"}
MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns; a larger one in a path names nothing
_TOKEN_PROBLEMS = {
    "unknown": "Mã truy cập không hợp lệ; hãy lấy mã mới tại /api/v1/auth/token.",
    "expired": "Mã truy cập đã hết hạn; hãy đăng nhập lại để lấy mã mới.",
    "inactive": "Tài khoản đã bị khóa.",
}


def bearer_token() -> str:
    """The token of an `Authorization: Bearer <token>` header, or a 401 saying what is wrong."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã>.")
    return token.strip()


@bp.url_value_preprocessor
def refuse_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        raise NotFound("Không tìm thấy.")


@bp.before_request
def authenticate() -> None:
    """Every route but the token and the document needs a valid token; the Actor (with roles) is read fresh each request."""
    if request.endpoint in PUBLIC:
        return
    token = bearer_token()
    db = begin_action() if request.endpoint in ACTION_FROM_THE_START else get_session()
    now = get_engine().clock.now()
    check = check_token(db, token, now)  # a read; the use is written at most once a minute per token
    if check.problem == "password_change":  # an admin reset the password: a new one first, on the web page
        end_action_unused()
        raise ApiError(403, "password_change_required", "Quản trị viên vừa đặt lại mật khẩu của bạn; hãy đăng nhập "
                       "trang web và đặt mật khẩu mới (/account/password) trước khi dùng API.")  # fmt: skip
    if check.actor is None:
        end_action_unused()
        raise ApiError(401, "invalid_token", _TOKEN_PROBLEMS[check.problem or "unknown"],
                       {"WWW-Authenticate": 'Bearer realm="thidua", error="invalid_token"'})  # fmt: skip
    if check.stale_last_used:
        end_action_unused()  # the use is kept even when the action then fails: committed on its own
        with transaction() as writing:
            record_token_use(writing, check, now)
    g.actor = check.actor


def init_api(app: Flask) -> None:
    from . import auth, campaigns, dossiers, openapi, tasks  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)
