"""Records pages: search past awards, ratings and index results; import them from Excel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..operations.records import RECORD_KINDS, add_record, import_records
from ..queries.records import RecordQuery, search_awards, search_indexes, search_ratings
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate

bp = Blueprint("records", __name__, url_prefix="/records")


@bp.route("/")
@login_required
def index() -> str:
    year = request.args.get("year", "")
    q = RecordQuery(request.args.get("name") or None, request.args.get("unit") or None,
                    int(year) if year.isdigit() else None, request.args.get("award") or None)  # fmt: skip
    db = get_session()
    return render_template("records/index.html", q=q, awards=search_awards(db, q), ratings=search_ratings(db, q),
                           indexes=search_indexes(db, q), kinds=RECORD_KINDS)  # fmt: skip


@bp.route("/import", methods=["POST"])
@login_required
def upload() -> str | Response | tuple[str, int]:
    file = request.files.get("file")
    with transaction() as db:
        report = import_records(db, current_actor(), request.form.get("kind", ""), file.read() if file else b"",
                                get_engine().clock.now())  # fmt: skip
    if report.errors:
        return render_template("records/import_errors.html", errors=report.errors), 400
    flash(translate("Đã nhập") + f" {report.imported} " + translate("dòng."), "ok")
    return redirect(url_for("records.index"))


@bp.route("/add", methods=["POST"])
@login_required
def add() -> Response:
    kind = request.form.get("kind", "")
    fields = {h: request.form.get(h) or None for h in RECORD_KINDS.get(kind, ())}
    with transaction() as db:
        add_record(db, current_actor(), kind, fields, get_engine().clock.now())
    flash(translate("Đã thêm."), "ok")
    return redirect(url_for("records.index"))
