"""The caller's inbox over the API: list, read, claim, unclaim, complete (with per-nominee outcomes)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ...domain.nominee_outcomes import CouncilCount, NomineeResult
from ...domain.permissions import can_act_on_task
from ...errors import InvalidInput, NotFound
from ...models import HumanTask, ProcessInstance
from ...operations import tasks as task_ops
from ...operations.definitions import load_definition
from ...queries.inbox import InboxFilter, inbox
from ..context import get_engine, get_session, transaction
from . import bp
from .schemas import body, iso, text


def _task_json(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"id": row.task_id, "step": row.step, "name": row.step_name, "role": row.role, "dossier_id": row.dossier_id,
            "dossier_title": row.dossier_title, "campaign": row.campaign_code, "submitting_unit": row.submitting_unit,
            "due_at": iso(row.due_at), "overdue": row.is_overdue(get_engine().clock.now()),
            "escalated_to_me": row.escalated_to_me, "claimed_by": row.claimed_by}  # fmt: skip


@bp.route("/tasks")
def task_list() -> Response:
    now = get_engine().clock.now()
    chosen = InboxFilter(campaign=request.args.get("campaign") or None, step=request.args.get("step") or None,
                         overdue=request.args.get("overdue") in ("1", "true"))  # fmt: skip
    rows = inbox(get_session(), g.actor, filters=chosen, now=now)
    return jsonify({"count": len(rows), "tasks": [_task_json(r) for r in rows]})


@bp.route("/tasks/<int:task_id>")
def task_show(task_id: int) -> Response:
    db = get_session()
    row = db.get(HumanTask, task_id)
    if row is None or not can_act_on_task(g.actor, row):
        raise NotFound("Không tìm thấy việc cần xử lý.")
    instance = db.get(ProcessInstance, row.instance_id)
    assert instance is not None
    step = load_definition(db, instance.version_id).steps.get(row.bpmn_id)
    return jsonify({"id": row.id, "step": row.bpmn_id, "name": row.name, "state": row.state, "role": row.role,
                    "dossier_id": instance.dossier_id, "due_at": iso(row.due_at), "claimed_by": row.claimed_by,
                    "decisions": [{"value": d.value, "label": d.label} for d in (step.decisions if step else ())]})  # fmt: skip


def _require_task(task_id: int) -> None:
    row = get_session().get(HumanTask, task_id)
    if row is None or not can_act_on_task(g.actor, row):
        raise NotFound("Không tìm thấy việc cần xử lý.")


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
def task_claim(task_id: int) -> Response:
    _require_task(task_id)
    with transaction() as db:
        task = task_ops.claim_task(db, g.actor, get_engine(), task_id)
        return jsonify({"id": task.id, "claimed_by": task.claimed_by})


@bp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
def task_unclaim(task_id: int) -> Response:
    _require_task(task_id)
    with transaction() as db:
        task = task_ops.unclaim_task(db, g.actor, get_engine(), task_id)
        return jsonify({"id": task.id, "claimed_by": task.claimed_by})


def _outcomes(data: dict[str, object]) -> tuple[dict[int, NomineeResult] | None, CouncilCount | None]:
    items = data.get("nominee_outcomes")
    results = None
    if items is not None:
        if not isinstance(items, list):
            raise InvalidInput("'nominee_outcomes' phải là danh sách.")
        results = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("nominee_id"), int) or item.get("outcome") not in ("approve", "reject"):
                raise InvalidInput("Mỗi phần tử của 'nominee_outcomes' cần nominee_id (số) và outcome (approve|reject).")
            results[item["nominee_id"]] = NomineeResult(item["outcome"] == "approve", item.get("reason"),
                                                        item.get("votes_for"), item.get("votes_against"))  # fmt: skip
    council = data.get("council")
    count = None
    if council is not None:
        if not isinstance(council, dict) or not all(isinstance(council.get(k), int) for k in ("size", "present")):
            raise InvalidInput("'council' cần size và present là số nguyên.")
        count = CouncilCount(council["size"], council["present"])
    return results, count


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def task_complete(task_id: int) -> Response:
    _require_task(task_id)
    data = body()
    results, council = _outcomes(data)
    confirmed = data.get("confirmed") or []
    if not isinstance(confirmed, list) or not all(isinstance(c, str) for c in confirmed):
        raise InvalidInput("'confirmed' phải là danh sách chuỗi \"<nominee id>:<mã điều kiện>\".")
    with transaction() as db:
        result = task_ops.complete_task(db, g.actor, get_engine(), task_id, text(data, "decision"), text(data, "comment", False),
                                        nominee_results=results, council=council, confirmed=set(confirmed))  # fmt: skip
    return jsonify({"task_id": result.task_id, "dossier_id": result.dossier_id, "decision": result.decision,
                    "dossier_status": result.dossier_status, "next_steps": list(result.next_steps)})  # fmt: skip
