"""POST /api/v1/auth/token (a bearer token for a username and password) and GET /api/v1/me."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ...models import User
from ...operations.audit import record_event
from ...operations.login_throttle import login_blocked, login_name
from ...operations.tokens import login_for_token
from ...queries.account import role_units
from ..context import get_engine, get_session, transaction
from . import bp
from .errors import ApiError
from .schemas import credentials, iso


@bp.route("/auth/token", methods=["POST"])
def token() -> tuple[Response, int]:
    username, password = credentials()
    now, user_agent = get_engine().clock.now(), (request.user_agent.string or "")[:500]
    if login_blocked(get_session(), username, request.remote_addr, now):
        with transaction() as db:
            record_event(db, action="auth.login_throttled", object_type="user", object_id=login_name(username),
                         after={"channel": "api"}, ip=request.remote_addr, user_agent=user_agent, now=now)  # fmt: skip
        raise ApiError(429, "too_many_attempts", "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.")
    with transaction() as db:
        issued = login_for_token(db, username, password, now, ip=request.remote_addr, user_agent=user_agent)
    if issued is None:  # the same answer whether or not the user exists
        raise ApiError(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    return jsonify({"token": issued.token, "token_type": "Bearer", "expires_at": iso(issued.expires_at)}), 201


@bp.route("/me")
def me() -> Response:
    user = get_session().get(User, g.actor.user_id)
    assert user is not None  # check_token found this active user in the same read
    roles = [{"role": role, "unit_id": unit.id, "unit_code": unit.code, "unit_name": unit.name,
              "unit_level": unit.level}
             for role, unit in role_units(get_session(), user.id)]  # fmt: skip
    return jsonify({"id": user.id, "username": user.username, "full_name": user.full_name, "roles": roles})
