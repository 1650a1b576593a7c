"""Admin pages: users, the roles they hold at org units, and resetting a forgotten password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from ..domain.deadlines import local_date
from ..domain.roles import ROLE_LABELS, levels_with_work
from ..errors import DomainError, Forbidden
from ..models import OrgUnit, Role, RoleAssignment, User
from ..operations.users import (create_user, find_users, grant_role, open_units, reset_password, revoke_role,
                                set_active)  # fmt: skip
from ..queries.processes import lanes_in_use
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate
from .messages_en import refusal

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def only_admins() -> None:
    from flask_login import current_user

    if current_user.is_authenticated and not current_actor().is_admin:
        raise Forbidden("Chỉ quản trị viên mới vào trang quản trị.")


def _number(key: str) -> int:
    value = request.form.get(key, "")
    return int(value) if value.isdigit() else 0


@bp.route("/users")
@login_required
def users() -> str:
    return _users_page()


def _users_page(error: str | None = None, typed: dict[str, str] | None = None) -> str:
    """The users page (those matching the search box's `q`, when given); after a refused action with the refusal at
    the top and what the admin typed (never the password: it is not sent back into a page). Roles can be granted
    only at units open today: closed ones (merged away, their level abolished) are not offered."""
    db = get_session()
    query = request.args.get("q", "").strip()
    people = find_users(db, query)
    roles = {}
    for assignment, unit in db.execute(select(RoleAssignment, OrgUnit).join(OrgUnit, RoleAssignment.org_unit_id == OrgUnit.id)):
        roles.setdefault(assignment.user_id, []).append((assignment, unit))
    units = open_units(db, local_date(get_engine().clock.now()))
    # Roles held where they have no work (granted before the rule, or a process changed since): marked.
    lanes = lanes_in_use(db)
    idle = {a.id for held in roles.values() for a, unit in held if unit.level not in levels_with_work(a.role, lanes)}
    total = db.scalar(select(func.count()).select_from(User)) if query else len(people)
    return render_template("admin/users.html", people=people, roles=roles, units=units, role_names=[r.value for r in Role],
                           role_labels=ROLE_LABELS, idle=idle, error=error, typed=typed or {}, query=query,
                           total=total)  # fmt: skip


def _refused(exc: DomainError, *fields: str) -> tuple[str, int]:
    """A refused action (nothing written: its transaction is rolled back): the page again with why and the typed
    `fields`. Always 400, a duplicate user name (a Conflict) too: the admin's input was refused, nothing changed.
    Not for a Forbidden: someone who is no admin has no page here to go back to."""
    if isinstance(exc, Forbidden):
        raise exc
    return _users_page(refusal(exc), {k: request.form.get(k, "") for k in fields}), 400


@bp.route("/users", methods=["POST"])
@login_required
def add_user() -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            create_user(db, current_actor(), get_engine().clock.now(), username=request.form.get("username", ""),
                        full_name=request.form.get("full_name", ""), password=request.form.get("password", ""))  # fmt: skip
    except DomainError as exc:
        return _refused(exc, "username", "full_name")
    flash(translate("Đã tạo người dùng."), "ok")
    return redirect(url_for("admin.users"))


@bp.route("/roles", methods=["POST"])
@login_required
def add_role() -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            granted = grant_role(db, current_actor(), get_engine().clock.now(), user_id=_number("user_id"),
                                 role=request.form.get("role", ""), unit_id=_number("unit_id"))  # fmt: skip
            said = _held(db, granted)
    except DomainError as exc:
        return _refused(exc, "user_id", "role", "unit_id")
    flash(translate("Đã giao vai trò: {held}.").format(held=said), "ok")
    return redirect(url_for("admin.users", _anchor=f"user-{granted.user_id}"))


def _held(db, assignment: RoleAssignment) -> str:  # type: ignore[no-untyped-def]
    """'<username>: <role in words> tại <unit>' for a message."""
    user, unit = db.get(User, assignment.user_id), db.get(OrgUnit, assignment.org_unit_id)
    role = translate(ROLE_LABELS.get(assignment.role, assignment.role))
    return f"{user.username if user else assignment.user_id} — {role} — {unit.name if unit else assignment.org_unit_id}"


@bp.route("/roles/<int:assignment_id>/revoke", methods=["POST"])
@login_required
def remove_role(assignment_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            assignment = db.get(RoleAssignment, assignment_id)
            said, user_id = (_held(db, assignment), assignment.user_id) if assignment is not None else ("", None)
            revoke_role(db, current_actor(), get_engine().clock.now(), assignment_id)
    except DomainError as exc:
        return _refused(exc)
    flash(translate("Đã thu hồi vai trò: {held}.").format(held=said), "ok")
    return redirect(url_for("admin.users", _anchor=f"user-{user_id}"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@login_required
def toggle(user_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            user = set_active(db, current_actor(), get_engine().clock.now(), user_id, request.form.get("active") == "1")
            done = translate("Đã mở khóa tài khoản {user}.") if user.is_active else translate("Đã khóa tài khoản {user}.")
            said = done.format(user=user.username)
    except DomainError as exc:
        return _refused(exc)
    flash(said, "ok")
    return redirect(url_for("admin.users", _anchor=f"user-{user_id}"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def reset_user_password(user_id: int) -> Response | tuple[str, int]:
    """A temporary password for a user who forgot theirs; they choose a new one at their next sign-in."""
    try:
        with transaction() as db:
            user = reset_password(db, current_actor(), get_engine().clock.now(), user_id,
                                  password=request.form.get("password", ""),
                                  repeated=request.form.get("repeated_password", ""))  # fmt: skip
            said = translate("Đã đặt lại mật khẩu của {user}; người này phải đổi mật khẩu khi đăng nhập.").format(
                user=user.username)
    except DomainError as exc:
        return _refused(exc)
    flash(said, "ok")
    return redirect(url_for("admin.users", _anchor=f"user-{user_id}"))
