"""Records pages: search past awards, ratings and index results; import them from Excel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..errors import DomainError, Forbidden
from ..operations.records import RECORD_KINDS, add_record, import_records
from ..queries.records import RecordQuery, search_awards, search_indexes, search_ratings
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate
from .messages_en import phrase, refusal

bp = Blueprint("records", __name__, url_prefix="/records")
def _page(error: str | None = None, typed_kind: str | None = None, typed: dict[str, str] | None = None) -> str:
    """The records page; after a refusal with why at the top and, for a record entered by hand, its form open
    with what was typed."""
    year = request.args.get("year", "")
    q = RecordQuery(request.args.get("name") or None, request.args.get("unit") or None,
                    int(year) if year.isdigit() else None, request.args.get("award") or None)  # fmt: skip
    db = get_session()
    return render_template("records/index.html", q=q, awards=search_awards(db, q), ratings=search_ratings(db, q),
                           indexes=search_indexes(db, q), kinds=RECORD_KINDS, error=error, typed_kind=typed_kind,
                           typed=typed or {})  # fmt: skip


@bp.route("/")
@login_required
def index() -> str:
    return _page()


@bp.route("/import", methods=["POST"])
@login_required
def upload() -> str | Response | tuple[str, int]:
    file = request.files.get("file")
    data, kind = file.read() if file else b"", request.form.get("kind", "")
    try:
        with transaction() as db:
            report = import_records(db, current_actor(), kind, data, get_engine().clock.now())
    except Forbidden:
        raise
    except DomainError as exc:  # not a spreadsheet, an unknown kind: the page again, nothing written
        return _page(refusal(exc)), exc.status
    if report.errors:
        return render_template("records/import_errors.html", errors=[phrase(e) for e in report.errors]), 400
    flash(translate("Đã nhập") + f" {report.imported} " + translate("dòng."), "ok")
    return redirect(url_for("records.index"))


@bp.route("/add", methods=["POST"])
@login_required
def add() -> Response | tuple[str, int]:
    kind = request.form.get("kind", "")
    fields = {h: request.form.get(h) or None for h in RECORD_KINDS.get(kind, ())}
    try:
        with transaction() as db:
            add_record(db, current_actor(), kind, fields, get_engine().clock.now())
    except Forbidden:
        raise  # not an editor: there is no form of theirs to go back to
    except DomainError as exc:  # nothing written: the page again with why and the form as it was typed
        typed = {h: request.form.get(h, "") for h in RECORD_KINDS.get(kind, ())}
        return _page(refusal(exc), kind, typed), exc.status
    flash(translate("Đã thêm."), "ok")
    return redirect(url_for("records.index"))
