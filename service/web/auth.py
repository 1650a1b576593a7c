"""Sign in and out with flask-login; the user loader reads the request's session, which ends when the user's password
changes; a user whose password an admin reset is led to the password page."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from workflows import TASK_ROLES

from ..models import User
from ..operations.accounts import authenticate, session_marker
from ..operations.audit import record_event
from ..operations.login_throttle import login_blocked, login_name
from ..operations.preferences import save_locale, stored_locale
from .context import current_actor, get_engine, get_session, transaction
from .i18n import LOCALES, translate

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Hãy đăng nhập để tiếp tục."
login_manager.localize_callback = translate  # the sign-in page's message in the reader's language


class SessionUser(UserMixin):
    """What flask-login keeps: the user's id and name; roles are read fresh each request."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.username = user.username
        self.full_name = user.full_name
        self.must_change_password = user.must_change_password


SESSION_MARKER = "_pw"  # the session's session_marker of its user's password hash


def remember_password(user: User) -> None:
    """Keep the user's password marker in the session: at sign-in, and after their own change (they stay in)."""
    session[SESSION_MARKER] = session_marker(user.password_hash, current_app.config["SECRET_KEY"])


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    """The session's user while active and while their password is the one the session signed in with (another
    session's change, or an admin's reset, signs this one out)."""
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active:
        return None
    marker = session_marker(user.password_hash, current_app.config["SECRET_KEY"])
    return SessionUser(user) if hmac.compare_digest(str(session.get(SESSION_MARKER, "")), marker) else None


# What a user whose password an admin reset may still open: the password page, signing out, the static files.
OPEN_BEFORE_PASSWORD_CHANGE = {"account.password", "account.change_password", "auth.logout", "static", "pages.healthz"}


def require_password_change() -> Response | None:
    """Before each page: while an admin's reset is pending, every page but those above leads to the password page
    (the JSON API refuses on its own: web.api.authenticate)."""
    if request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE or request.blueprint == "api":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("account.password"))
    return None


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(require_password_change)


def _client() -> dict[str, str | None]:
    return {"ip": request.remote_addr, "user_agent": (request.user_agent.string or "")[:500]}


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    now = get_engine().clock.now()  # the audit events' time, which the throttle counts by
    if login_blocked(get_session(), username, request.remote_addr, now):
        with transaction() as db:
            record_event(db, action="auth.login_throttled", object_type="user", object_id=login_name(username),
                         now=now, **_client())  # fmt: skip
        flash(translate("Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút."), "error")
        return render_template("auth/login.html", username=username), 429
    with transaction() as db:
        user = authenticate(db, username, request.form.get("password", ""))
        lang = _sign_in_locale(db, user.id, session.get("lang")) if user else None
        record_event(
            db, action="auth.login" if user else "auth.login_failed", object_type="user",
            object_id=str(user.id) if user else login_name(username), actor=user.id if user else None, now=now,
            **_client(),
        )  # fmt: skip
    if user is None:
        flash(translate("Sai tên đăng nhập hoặc mật khẩu."), "error")
        return render_template("auth/login.html", username=username), 401
    session.clear()  # a fresh session on login
    if lang:
        session["lang"] = lang
    login_user(SessionUser(user))
    remember_password(user)
    if user.must_change_password:
        return redirect(url_for("account.password"))
    return redirect(_landing_page())


def _sign_in_locale(db: Session, user_id: int, chosen: str | None) -> str | None:
    """The language of the session a sign-in opens: one chosen on the sign-in page (the user's newest choice, kept
    with the account as a choice made when signed in is), else the one kept with the account; else none (Vietnamese).
    Read once here: a page reads the session only (i18n.current_locale)."""
    if chosen in LOCALES:
        save_locale(db, user_id, chosen)
        return chosen
    stored = stored_locale(db, user_id)
    return stored if stored in LOCALES else None


def _landing_page() -> str:
    """Where an official starts: the inbox, for whoever holds a role with tasks; an auditor (or an admin) who holds
    none lands on the page of their work instead of an empty inbox."""
    actor = current_actor()
    if any(role in TASK_ROLES for role, _ in actor.roles):
        return url_for("inbox.index")
    if actor.has_role("auditor"):
        return url_for("audit.index")
    if actor.is_admin:
        return url_for("admin.users")
    return url_for("inbox.index")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    with transaction() as db:
        record_event(db, action="auth.logout", object_type="user", object_id=str(current_user.id),
                     actor=current_user.id, **_client())  # fmt: skip
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
