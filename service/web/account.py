"""The signed-in user's own account: changing their password (Đổi mật khẩu), also the page an admin's reset leads to."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..domain.passwords import CURRENT_FIELD, MIN_PASSWORD_LENGTH
from ..errors import DomainError
from ..operations.accounts import change_own_password, record_failed_password_check
from ..operations.audit import record_event
from ..operations.login_throttle import login_blocked, login_name
from .auth import remember_password
from .context import get_engine, get_session, transaction
from .i18n import translate
from .messages_en import refusal

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(error: str | None = None) -> str:
    """The form; never filled with anything typed (passwords are not sent back into a page)."""
    return render_template("account/password.html", error=error, forced=current_user.must_change_password,
                           minimum=MIN_PASSWORD_LENGTH)  # fmt: skip


@bp.route("/password")
@login_required
def password() -> str:
    return _page()


@bp.route("/password", methods=["POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    """A wrong current password counts as a failed sign-in of the user name (login_throttle): five within five
    minutes block both this form and sign-in for the rest of the window, so a session left open is no way to
    guess the password. A refusal changes nothing; the user stays signed in after the change, their other
    sessions end (auth.load_user)."""
    now, user_id, username = get_engine().clock.now(), int(current_user.id), current_user.username
    if login_blocked(get_session(), username, request.remote_addr, now):
        with transaction() as db:
            record_event(db, action="auth.login_throttled", object_type="user", object_id=login_name(username),
                         actor=user_id, after={"channel": "password_change"}, now=now)  # fmt: skip
        return _page(translate("Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.")), 429
    form = request.form
    try:
        with transaction() as db:
            user = change_own_password(db, user_id, now, current=form.get("current_password", ""),
                                       new=form.get("new_password", ""),
                                       repeated=form.get("repeated_password", ""))  # fmt: skip
    except DomainError as exc:
        if exc.details.get("field") == CURRENT_FIELD:
            with transaction() as db:
                record_failed_password_check(db, user_id, username, now)
        return _page(refusal(exc)), 400
    remember_password(user)  # committed: this session stays signed in with the new password, the others end
    flash(translate("Đã đổi mật khẩu."), "ok")
    return redirect(url_for("pages.home"))
