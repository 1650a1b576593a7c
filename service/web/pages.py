"""Front page and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from .context import get_session

bp = Blueprint("pages", __name__)


@bp.route("/")
def home() -> Response:
    return redirect(url_for("inbox.index" if current_user.is_authenticated else "auth.login"))


@bp.route("/healthz")
def healthz() -> dict[str, str]:
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
