"""CSRF protection for every form: a per-session token checked on each unsafe request."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    token = session.get("_csrf")
    if not token:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return str(token)


def init_csrf(app: Flask) -> None:
    @app.before_request
    def check_csrf() -> None:
        if request.method not in _UNSAFE or request.path.startswith("/api/"):
            return
        sent = request.form.get("_csrf") or request.headers.get("X-CSRF-Token") or ""
        expected = session.get("_csrf") or ""
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            abort(400, description="Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang.")

    app.jinja_env.globals["csrf_token"] = csrf_token
