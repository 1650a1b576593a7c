"""The caller's inbox over the API: list, read with the decisions offered, claim, unclaim, complete."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, g, jsonify

from ...errors import DomainError

from ...operations import tasks as task_ops
from ...queries.account import users_by_id
from ...queries.inbox import LIST_LIMIT, inbox, inbox_total
from ...queries.task_view import naming_the_holder, task_view
from ...queries.visibility import require_task_visible, visible_task
from ..context import get_engine, get_session, transaction
from . import bp
from .schemas import completion_input, completion_json, inbox_filter, inbox_row_json, task_json


# Tasks one listing returns at most, the most urgent first ("total" counts them all).
LISTING_SIZE = LIST_LIMIT


@bp.route("/tasks")
def task_list() -> Response:
    db, now = get_session(), get_engine().clock.now()
    rows = inbox(db, g.actor, limit=LISTING_SIZE, filters=inbox_filter(), now=now)  # by due date, undated last
    users = users_by_id(db, [r.claimed_by for r in rows])
    return jsonify({"count": len(rows), "total": inbox_total(db, g.actor),
                    "tasks": [inbox_row_json(r, now, users) for r in rows]})  # fmt: skip


def _task(task_id: int) -> Response:
    return jsonify(task_json(task_view(get_session(), g.actor, task_id), get_engine().clock.now()))


@contextmanager
def _holder_named(task_id: int) -> Iterator[None]:
    """A claim, release or completion refused because a colleague holds the task says who, as the task page does
    (read after the refused transaction was rolled back: nothing more is read on the way to a completion)."""
    try:
        yield
    except DomainError as exc:
        named = naming_the_holder(get_session(), g.actor, task_id, exc)
        if named is exc:
            raise
        raise named from None


@bp.route("/tasks/<int:task_id>")
def task_show(task_id: int) -> Response:
    return _task(task_id)


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
def task_claim(task_id: int) -> Response:
    with _holder_named(task_id), transaction() as db:
        task = visible_task(db, g.actor, task_id)  # 404 first; the row stays in the session for the operation
        task_ops.claim_task(db, g.actor, get_engine(), task.id)
    return _task(task_id)


@bp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
def task_unclaim(task_id: int) -> Response:
    with _holder_named(task_id), transaction() as db:
        task = visible_task(db, g.actor, task_id)  # 404 first; the row stays in the session for the operation
        task_ops.unclaim_task(db, g.actor, get_engine(), task.id)
    return _task(task_id)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def task_complete(task_id: int) -> Response:
    with _holder_named(task_id), transaction() as db:
        # The task and what its completion needs are read once, inside the writing transaction; the
        # visibility check comes first (404 before any input check), then the operation uses those rows.
        rows = task_ops.rows_for_completion(db, task_id)
        require_task_visible(g.actor, rows.task)
        result = task_ops.complete_task(db, g.actor, get_engine(), task_id, rows=rows, **completion_input())
    return jsonify(completion_json(result))
