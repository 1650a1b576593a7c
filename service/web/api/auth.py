"""POST /api/v1/auth/token and GET /api/v1/me."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ...models import OrgUnit
from ...operations.accounts import authenticate as check_credentials
from ...operations.audit import record_event
from ...operations.tokens import issue_token
from ..context import get_engine, get_session, transaction
from . import bp, problem
from .schemas import body, iso, text


@bp.route("/auth/token", methods=["POST"])
def token() -> Response | tuple[Response, int]:
    data = body()
    username, password = text(data, "username") or "", text(data, "password") or ""
    now = get_engine().clock.now()
    with transaction() as db:
        user = check_credentials(db, username, password)
        record_event(db, action="auth.login" if user else "auth.login_failed", object_type="user",
                     object_id=str(user.id) if user else username[:64], actor=user.id if user else None,
                     ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:500], comment="api",
                     now=now)  # fmt: skip
        issued = issue_token(db, user, now) if user else None
    if issued is None:
        return problem(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    return jsonify({"token": issued[0], "token_type": "Bearer", "expires_at": iso(issued[1])}), 201


@bp.route("/me")
def me() -> Response:
    db, user = get_session(), g.api_user
    roles = []
    for role, unit_id in sorted(g.actor.roles):
        unit = db.get(OrgUnit, unit_id)
        roles.append({"role": role, "unit_id": unit_id, "unit_code": unit.code if unit else None,
                      "unit_name": unit.name if unit else None})  # fmt: skip
    return jsonify({"id": user.id, "username": user.username, "full_name": user.full_name, "roles": roles})
