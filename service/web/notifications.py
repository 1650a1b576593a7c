"""In-app notifications: the list (a page at a time, newest first; all or the unread ones; consecutive notices of
one kind, step and unit of the same minute in one group), mark one or all read, and the unread count shown in the
page header. Marking read is the user's own bookkeeping: not an audited action (no audit event, one or all)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..db import utcnow
from ..domain.notices_en import translator
from ..models import Notification
from ..operations.notifications import mark_read, outcome_texts, unread_count
from ..queries.notifications import grouped, notice_page
from .context import get_session, transaction
from .i18n import current_locale

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE = 100


@bp.app_context_processor
def unread_notifications() -> dict[str, object]:
    """One count per page for the header badge, over the unread rows' own index (migration 0028)."""
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(get_session(), current_user.id)}


def _shown() -> str:
    """Which notices the page lists: "unread" (those the header's badge counts) or all of them."""
    return "unread" if request.values.get("show") == "unread" else "all"


@bp.route("/")
@login_required
def index() -> str:
    session = get_session()
    show = _shown()
    before = request.args.get("before", "")
    # A cursor too long for a notice id (SQLite refuses integers past 64 bits) starts at the newest page.
    before_id = int(before) if before.isdigit() and len(before) < 19 else None
    # A dossier's outcome notice names its nominees' fates, read for those notices' dossiers only; every sentence
    # in the reader's language. One row more than the page shows says whether an older page exists.
    tr = translator(current_locale())
    # A page ends with a whole group: one minute's notices of a step are not split across two pages.
    rows, more = notice_page(session, current_user.id, PAGE, tr, before_id=before_id, unread_only=show == "unread")
    rows = outcome_texts(session, rows, tr)
    return render_template("notifications/index.html", notifications=rows, groups=grouped(rows), show=show,
                           older=rows[-1].id if more else None, paged=before_id is not None)  # fmt: skip


def _back() -> Response:
    return redirect(url_for("notifications.index", show="unread") if _shown() == "unread"
                    else url_for("notifications.index"))  # fmt: skip


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int) -> Response:
    with transaction() as db:
        note = db.get(Notification, notification_id)
        if note is None or note.user_id != current_user.id:
            abort(404)
        mark_read(db, current_user.id, notification_id, utcnow())
    if request.form.get("open") and note.task_id:
        return redirect(url_for("inbox.task", task_id=note.task_id))
    if request.form.get("open") and note.dossier_id:  # an outcome notice: the dossier it tells of
        return redirect(url_for("dossiers.show", dossier_id=note.dossier_id))
    return _back()


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> Response:
    """Every unread notice of the signed-in user's own (never another's) marked read, as one notice's mark is."""
    with transaction() as db:
        mark_read(db, current_user.id, None, utcnow())
    return _back()
