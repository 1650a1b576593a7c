"""Admin pages for the org unit tree over time: the tree as of a date, unit detail, create, rename, move, merge,
abolish a level (merge and abolish show a preview of what they touch before they are applied)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..domain.roles import LEVEL_LABELS, ROLE_LABELS
from ..errors import DomainError, Forbidden, InvalidInput, NotFound
from ..models import Level, OrgUnit, RoleAssignment, User
from ..operations.org_admin import (
    abolish_level,
    abolish_preview,
    create_unit,
    former_names,
    merge_plan,
    merge_targets,
    merge_units,
    move_unit,
    rename_unit,
)
from ..queries.org import name_at
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate
from .messages_en import refusal

bp = Blueprint("org_admin", __name__, url_prefix="/admin")


@bp.before_request
def only_admins() -> None:
    from flask_login import current_user

    if current_user.is_authenticated and not current_actor().is_admin:
        raise Forbidden("Chỉ quản trị viên mới vào trang quản trị.")


def _day(value: str | None, default: date | None = None) -> date:
    if not value and default is not None:
        return default
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise InvalidInput("Ngày '{value}' không hợp lệ (dạng YYYY-MM-DD).", {"value": value}) from None


def _today() -> date:
    return get_engine().clock.now().date()


def _number(key: str) -> int | None:
    value = request.form.get(key, "")
    return int(value) if value.isdigit() else None


def _open_at(unit: OrgUnit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to)


@bp.route("/units")
@login_required
def units() -> str:
    return _units_page(_day(request.args.get("on"), _today()))


def _units_page(day: date | None = None, error: str | None = None, typed: dict[str, str] | None = None) -> str:
    """The tree as of `day` (default today); after a refused create or abolish, with the refusal at the top and the
    form the admin used (`typed["form"]`) filled as typed."""
    db = get_session()
    day = day or _today()
    every = list(db.scalars(select(OrgUnit).order_by(OrgUnit.code)))
    shown = {u.id for u in every if _open_at(u, day)}
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in every:
        if unit.id in shown:
            children.setdefault(unit.parent_id if unit.parent_id in shown else None, []).append(unit)
    rows: list[tuple[int, OrgUnit, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            rows.append((depth, unit, name_at(db, unit.id, day)))
            walk(unit.id, depth + 1)

    walk(None, 0)
    closed = [u for u in every if u.valid_to is not None and u.valid_to <= day]
    return render_template("org/units.html", day=day, rows=rows, closed=closed, levels=[lv.value for lv in Level],
                           level_labels=LEVEL_LABELS, open_units=[u for u in every if u.valid_to is None],
                           error=error, typed=typed or {})  # fmt: skip


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int) -> str:
    return _unit_page(unit_id)


def _unit_page(unit_id: int, error: str | None = None, typed: dict[str, str] | None = None) -> str:
    """One unit; after a refused rename, move or merge, with the refusal at the top and that form filled as typed."""
    db = get_session()
    found = db.get(OrgUnit, unit_id)
    if found is None:
        raise NotFound("Không tìm thấy đơn vị.")
    holders = db.execute(select(RoleAssignment, User).join(User, RoleAssignment.user_id == User.id)
                         .where(RoleAssignment.org_unit_id == unit_id).order_by(User.username)).all()  # fmt: skip
    others = list(db.scalars(select(OrgUnit).where(OrgUnit.valid_to.is_(None), OrgUnit.id != unit_id)
                             .order_by(OrgUnit.code)))  # fmt: skip
    return render_template("org/unit.html", unit=found, holders=holders, names=former_names(db, unit_id), others=others,
                           merge_targets=merge_targets(db, found),
                           today=_today(), level_labels=LEVEL_LABELS, role_labels=ROLE_LABELS, error=error,
                           typed=typed or {})  # fmt: skip


def _refused(exc: DomainError, page: Callable[..., str], form: str, *fields: str) -> tuple[str, int]:
    """A refused action (its transaction rolled back: nothing written) shows `page` again with why and what the admin
    typed in `form`, with the refusal's status (400, 409 for a conflict). Not for who may not act (403) or what
    does not exist (404): those keep their error page."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    typed = {"form": form, **{k: request.form.get(k, "") for k in fields}}
    return page(error=refusal(exc), typed=typed), exc.status


@bp.route("/units", methods=["POST"])
@login_required
def create() -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            made = create_unit(db, current_actor(), get_engine().clock.now(), code=request.form.get("code", ""),
                               name=request.form.get("name", ""), level=request.form.get("level", ""),
                               parent_id=_number("parent_id"), valid_from=_day(request.form.get("valid_from")))  # fmt: skip
            made_id = made.id
    except DomainError as exc:
        return _refused(exc, _units_page, "create", "code", "name", "level", "parent_id", "valid_from")
    flash(translate("Đã tạo đơn vị."), "ok")
    return redirect(url_for("org_admin.unit", unit_id=made_id))


@bp.route("/units/<int:unit_id>/rename", methods=["POST"])
@login_required
def rename(unit_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            rename_unit(db, current_actor(), get_engine().clock.now(), unit_id, new_name=request.form.get("name", ""),
                        effective=_day(request.form.get("effective")))  # fmt: skip
    except DomainError as exc:
        return _refused(exc, partial(_unit_page, unit_id), "rename", "name", "effective")
    flash(translate("Đã đổi tên đơn vị."), "ok")
    return redirect(url_for("org_admin.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/move", methods=["POST"])
@login_required
def move(unit_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            move_unit(db, current_actor(), get_engine().clock.now(), unit_id, new_parent_id=_number("parent_id") or 0,
                      effective=_day(request.form.get("effective")))  # fmt: skip
    except DomainError as exc:
        return _refused(exc, partial(_unit_page, unit_id), "move", "parent_id", "effective")
    flash(translate("Đã chuyển đơn vị."), "ok")
    return redirect(url_for("org_admin.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/merge", methods=["POST"])
@login_required
def merge(unit_id: int) -> Response | str | tuple[str, int]:
    try:
        return _merge(unit_id)
    except DomainError as exc:
        return _refused(exc, partial(_unit_page, unit_id), "merge", "target_id", "effective", "roles")


def _merge(unit_id: int) -> Response | str:
    effective, target_id = _day(request.form.get("effective")), _number("target_id") or 0
    move_roles = request.form.get("roles") == "move"
    if request.form.get("confirm") != "1":
        plan = merge_plan(get_session(), unit_id, target_id=target_id, effective=effective)
        return render_template("org/preview.html", impact=plan.impact, plan=plan, move_roles=move_roles,
                               action=url_for("org_admin.merge", unit_id=unit_id),
                               fields={"effective": effective.isoformat(), "target_id": target_id,
                                       "roles": "move" if move_roles else "end"},
                               title=translate("Sáp nhập đơn vị"), back=url_for("org_admin.unit", unit_id=unit_id))  # fmt: skip
    with transaction() as db:
        merged = merge_units(db, current_actor(), get_engine().clock.now(), unit_id, target_id=target_id,
                             effective=effective, move_roles=move_roles)  # fmt: skip
        merged_id = merged.id
    flash(translate("Đã sáp nhập đơn vị."), "ok")
    return redirect(url_for("org_admin.unit", unit_id=merged_id))


@bp.route("/levels/abolish", methods=["POST"])
@login_required
def abolish() -> Response | str | tuple[str, int]:
    try:
        return _abolish()
    except DomainError as exc:
        return _refused(exc, _units_page, "abolish", "level", "effective")


def _abolish() -> Response | str:
    level, effective = request.form.get("level", ""), _day(request.form.get("effective"))
    if request.form.get("confirm") != "1":
        impact = abolish_preview(get_session(), level, effective)
        return render_template("org/preview.html", impact=impact, action=url_for("org_admin.abolish"),
                               fields={"effective": effective.isoformat(), "level": level},
                               abolish={"level": level, "effective": effective}, level_labels=LEVEL_LABELS,
                               title=translate("Bãi bỏ một cấp"), back=url_for("org_admin.units"))  # fmt: skip
    with transaction() as db:
        abolish_level(db, current_actor(), get_engine().clock.now(), level, effective=effective)
    flash(translate("Đã bãi bỏ cấp."), "ok")
    return redirect(url_for("org_admin.units", on=effective.isoformat()))
