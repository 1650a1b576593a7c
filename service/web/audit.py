"""Auditor pages: the filtered trail, page by page, its CSV export (UTF-8 with BOM for Excel), and the trail's
verification asked for here and run by the worker (operations.audit_verification)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import login_required

from ..domain.permissions import require_can_review_audit
from ..domain.spreadsheet_text import as_csv_text
from ..errors import Conflict, InvalidInput
from ..operations.audit import record_event
from ..operations.audit_verification import request_verification
from ..queries.audit import PAGE_SIZE, audit_page, audit_rows, known_actions, read_filter
from ..queries.audit_verification import recent_verifications
from .context import current_actor, get_engine, get_session, transaction
from .i18n import VN, translate
from .messages_en import built, refusal

bp = Blueprint("audit", __name__, url_prefix="/audit")
CSV_HEADER = ["Mã sự kiện", "Thời điểm (giờ Việt Nam)", "Người thực hiện", "Tài khoản", "Vai trò", "Đơn vị",
              "Hành động", "Đối tượng", "Mã đối tượng", "Hồ sơ", "Trước", "Sau", "Ghi chú", "Địa chỉ IP", "Mã băm"]  # fmt: skip


def csv_time(moment: datetime) -> str:
    """An event's time in the export: Vietnam's time zone (as the page shows it) to the second, year first, so that
    events a few seconds apart keep their order when an auditor sorts the column."""
    return moment.astimezone(VN).strftime("%Y-%m-%d %H:%M:%S")


def _require_auditor() -> None:
    require_can_review_audit(current_actor())


@bp.route("/")
@login_required
def index() -> str | tuple[str, int]:
    _require_auditor()
    return _page()


def _page() -> str | tuple[str, int]:
    """The trail's page the query asks for, with the latest verifications above it."""
    filters, problems = read_filter(get_session(), request.args)
    if problems:  # said, and nothing listed: a list without the condition would look like its result
        return render_template("audit/index.html", rows=[], filters=filters, next_before=None, problems=problems,
                               actions=known_actions(get_session()),
                               verifications=recent_verifications(get_session())), 400  # fmt: skip
    before = request.args.get("before", "")
    # A cursor too long for an event id (SQLite refuses integers past 64 bits) starts at the newest page.
    before_id = int(before) if before.isdigit() and len(before) < 19 else None
    rows = audit_page(get_session(), filters, before_id, size=PAGE_SIZE + 1)
    # One row more than the page shows says whether an older page exists: a full last page has no link.
    rows, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    next_before = rows[-1].event.id if more else None
    return render_template("audit/index.html", rows=rows, filters=filters, next_before=next_before,
                           actions=known_actions(get_session()),
                           verifications=recent_verifications(get_session()))  # fmt: skip


@bp.route("/verify", methods=["POST"])
@login_required
def verify() -> Response | tuple[str, int]:
    """Ask for a verification of the whole trail: queued for the worker (a million events take minutes)."""
    _require_auditor()
    try:
        with transaction() as db:
            request_verification(db, current_actor(), get_engine().clock.now())
    except Conflict as exc:  # one is pending: refused, nothing written
        flash(refusal(exc), "error")
        page = _page()
        return (page[0], exc.status) if isinstance(page, tuple) else (page, exc.status)
    flash(translate("Đã yêu cầu kiểm tra toàn vẹn nhật ký; khoảng một phút sau, tải lại trang để xem kết quả."), "ok")
    return redirect(url_for("audit.index"), code=303)


@bp.route("/export.csv")
@login_required
def export() -> Response:
    _require_auditor()
    filters, problems = read_filter(get_session(), request.args)
    if problems:
        problems = [built(p) for p in problems]  # said in the reader's language on the error page
        raise InvalidInput(" ".join(problems))
    with transaction() as db:
        record_event(db, action="audit.export", object_type="audit", object_id="csv", actor=current_actor().user_id,
                     after=filters.as_args(), ip=request.remote_addr)  # fmt: skip

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        # The BOM makes Excel read the Vietnamese text as UTF-8; the header goes out even when no event matches.
        yield "\ufeff" + buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        for row in audit_rows(get_session(), filters):
            e = row.event
            # Typed text a spreadsheet would run as a formula is written as text (domain.spreadsheet_text).
            writer.writerow([as_csv_text(cell) for cell in (
                e.id, csv_time(e.occurred_at), row.actor_name or "", row.actor_username or "", e.actor_role or "",
                row.unit_name or "", e.action, e.object_type, e.object_id, e.dossier_id or "", e.before_json or "",
                e.after_json or "", e.comment or "", e.ip or "", e.hash)])  # fmt: skip
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    headers = {"Content-Disposition": "attachment; filename=nhat-ky-kiem-toan.csv"}
    return Response(stream_with_context(generate()), content_type="text/csv; charset=utf-8", headers=headers)
