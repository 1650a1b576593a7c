"""In-app notifications: the list, mark one or all read, and the unread count shown in the page header."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..db import utcnow
from ..domain.notices_en import translator
from ..models import Notification
from ..operations.notifications import mark_read, outcome_texts, unread_count
from ..queries.notifications import recent_notices
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


@bp.route("/")
@login_required
def index() -> str:
    session = get_session()
    # A dossier's outcome notice names its nominees' fates, read for those notices' dossiers only; every sentence
    # in the reader's language.
    tr = translator(current_locale())
    rows = outcome_texts(session, recent_notices(session, current_user.id, PAGE, tr), tr)
    return render_template("notifications/index.html", notifications=rows)


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
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> Response:
    with transaction() as db:
        mark_read(db, current_user.id, None, utcnow())
    return redirect(url_for("notifications.index"))
