"""The only place that knows HTTP status codes: DomainError → flash and re-render, or an error page."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from .api.errors import domain_problem, http_problem, unexpected_problem
from .context import discard_changes
from .i18n import current_locale, translate
from .messages_en import built, refusal

log = logging.getLogger("thidua.web")


def init_errors(app: Flask) -> None:
    app.jinja_env.globals["refusal"] = refusal  # a refusal a page shows, in its reader's language
    app.jinja_env.globals["built"] = built  # a text the code put together (a quota line), in its reader's language

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return domain_problem(exc)
        return render_template("errors/error.html", message=refusal(exc), status=exc.status), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):  # unknown /api routes and wrong methods never answer with HTML
            return http_problem(exc)
        # A 400's description says why (the CSRF check's sentence, in the catalogue); werkzeug's own stay English.
        standard = (exc.description or "") if exc.code == 400 else _STANDARD.get(exc.code or 500, exc.name)
        message = translate(standard)
        return render_template("errors/error.html", message=message, status=exc.code), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        discard_changes()
        if request.path.startswith("/api/"):
            return unexpected_problem(exc)
        request_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", request_id, request.method, request.path)
        # In the locale the request carries (?lang=, the session), as every page: no signed-in user is needed.
        message = translate(UNEXPECTED).format(request_id=request_id)
        try:
            return render_template("errors/error.html", message=message, status=500), 500
        except Exception:  # the page around the message failed too (the database is gone): the message alone
            log.exception("error page %s not rendered", request_id)
            return _bare_page(message), 500


UNEXPECTED = "Đã có lỗi ngoài dự kiến; không có thay đổi nào được ghi. Mã lỗi: {request_id}"


def _bare_page(message: str) -> str:
    return (f'<!doctype html><html lang="{current_locale()}"><meta charset="utf-8"><title>500</title>'
            f"<h1>500</h1><p>{escape(message)}</p></html>")


_STANDARD = {
    401: "Hãy đăng nhập để tiếp tục.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc hồ sơ này.",
    405: "Thao tác không được hỗ trợ.",
    409: "Dữ liệu vừa được người khác thay đổi; hãy tải lại trang.",
}
