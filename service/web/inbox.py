"""Inbox pages: the list of tasks, one task with its dossier and decision form, claim and complete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..domain.permissions import can_act_on_task
from ..errors import NotFound
from ..models import HumanTask, ProcessInstance
from ..operations import tasks as task_ops
from ..operations.definitions import load_definition
from ..queries.dossier_view import dossier_view
from ..queries.inbox import inbox
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.route("/")
@login_required
def index() -> str:
    rows = inbox(get_session(), current_actor())
    return render_template("inbox/index.html", rows=rows, now=get_engine().clock.now())


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> str:
    db, actor = get_session(), current_actor()
    row = db.get(HumanTask, task_id)
    if row is None or not (can_act_on_task(actor, row) or actor.holds(row.escalate_to_role or "", row.escalate_to_unit_id)):
        raise NotFound("Không tìm thấy việc cần xử lý.")
    instance = db.get(ProcessInstance, row.instance_id)
    assert instance is not None
    step = load_definition(db, instance.version_id).steps.get(row.bpmn_id)
    view = dossier_view(db, get_engine(), instance.dossier_id)
    return render_template(
        "inbox/task.html", task=row, step=step, view=view, can_act=can_act_on_task(actor, row) and row.state == "ready",
        now=get_engine().clock.now(),
    )  # fmt: skip


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(task_id: int) -> Response:
    with transaction() as db:
        result = task_ops.complete_task(
            db, current_actor(), get_engine(), task_id, request.form.get("decision") or None, request.form.get("comment")
        )
    flash(translate("Đã ghi nhận."), "ok")
    return redirect(url_for("dossiers.show", dossier_id=result.dossier_id))


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int) -> Response:
    with transaction() as db:
        task_ops.claim_task(db, current_actor(), get_engine(), task_id)
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: int) -> Response:
    with transaction() as db:
        task_ops.unclaim_task(db, current_actor(), get_engine(), task_id)
    return redirect(url_for("inbox.task", task_id=task_id))
