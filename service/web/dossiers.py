"""Dossier pages: create a dossier (unit clerk) and show one with its path, tasks and history."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..domain.permissions import can_view_dossier
from ..errors import DomainError, NotFound
from ..models import AwardForm, Dossier
from ..operations.dossiers import NomineeInput, create_dossier
from ..queries.dossier_view import dossier_view
from ..queries.org import campaigns_for_units, clerk_units, unit_path
from .context import current_actor, get_engine, get_session, transaction

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")
NOMINEE_ROWS = 4


@bp.route("/<int:dossier_id>")
@login_required
def show(dossier_id: int) -> str:
    db = get_session()
    dossier = db.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(current_actor(), unit_path(db, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")
    return render_template("dossiers/show.html", view=dossier_view(db, get_engine(), dossier_id))


def _form_context() -> dict[str, object]:
    db = get_session()
    units = clerk_units(db, current_actor())
    return {
        "units": units,
        "campaigns": campaigns_for_units(db, units),
        "award_forms": list(db.scalars(select(AwardForm).order_by(AwardForm.id))),
        "rows": range(NOMINEE_ROWS),
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("dossiers/new.html", form={}, **_form_context())
    form = request.form
    nominees = [
        NomineeInput(
            kind=form.get(f"kind_{i}", "individual"), full_name=form.get(f"name_{i}", ""),
            award_form_code=form.get(f"award_{i}", ""), position=form.get(f"position_{i}") or None,
        )  # fmt: skip
        for i in range(NOMINEE_ROWS)
        if form.get(f"name_{i}", "").strip()
    ]
    try:
        unit_id = int(form.get("unit_id", "0"))
        with transaction() as db:
            dossier = create_dossier(
                db, current_actor(), get_engine(), campaign_code=form.get("campaign", ""), unit_id=unit_id,
                title=form.get("title", ""), nominees=nominees,
            )  # fmt: skip
            dossier_id = dossier.id
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "Đơn vị không hợp lệ."
        return render_template("dossiers/new.html", form=form, error=message, **_form_context()), 400
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))
