"""Keep the task table, the instance row and the dossier in step with an engine Outcome, with audit rows.

One dossier runs as one process instance from the unit up to the level that grants its award.
Above the unit, a level's "batch" (all dossiers of a campaign waiting at one ward step) is a
query over the task table, not a separate child instance: per-dossier returns and history stay
in one tree, and the inbox groups them by campaign and org unit.
"""

from __future__ import annotations

from datetime import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows import SERIALIZER_VERSION, Definition, Outcome, ReadyTask

from ..domain.actors import Actor
from ..domain.campaign_config import LEVEL_LABELS
from ..domain.dossier_status import status_for_end_event, status_while_running
from ..domain.nominee_outcomes import (UNREACHED_REASON, NomineeState, end_level, status_after_unreached,
                                       unreached_at_end)  # fmt: skip
from ..errors import InvalidInput
from ..models import AwardForm, Dossier, HumanTask, Nominee, ProcessInstance
from ..queries.org import path_levels
from .audit import Rider, record_events, send_with_next_append
from .notifications import notify_outcome
from .rows import compare_and_set, insert_row, note_written, update_by_id, update_row, update_then_insert


def owner_unit(session: Session, dossier: Dossier, level: str, cache: dict[str, int | None]) -> int:
    """The id of the org unit at `level` on the dossier's submitting unit's path to the root (the lane's owner)."""
    if level not in cache:
        # The whole path to the root in one query; the nearest unit at each level owns that level's lanes.
        for unit_id, unit_level in path_levels(session, dossier.unit_id):
            cache.setdefault(unit_level, unit_id)
        cache.setdefault(level, None)
    owner = cache[level]
    if owner is None:
        raise InvalidInput(  # the level in words ("quận/huyện"), not its code
            "Đơn vị nộp hồ sơ không thuộc đơn vị cấp {level_words} nào; quy trình cần một đơn vị cấp này để giao việc.",
            {"level_words": LEVEL_LABELS.get(level, level)}, level=level,
        )
    return owner


def apply_outcome(
    session: Session,
    instance: ProcessInstance,
    dossier: Dossier,
    definition: Definition,
    outcome: Outcome,
    actor: Actor,
    now: datetime,
    completed_guid: str | None = None,
    audit: list[dict[str, Any]] | None = None,
    before_audit: Callable[[], None] | None = None,
    dossier_values: dict[str, Any] | None = None,
    others_open: bool = True,
    unit_path: tuple[tuple[int, str], ...] = (),
) -> list[HumanTask]:
    """Store the new state; open rows for new ready tasks, close rows whose task is gone; audit engine events.

    The instance row is written at once, at the lock_version this session read (StaleDataError otherwise).
    The audit events (the caller's `audit` first, as record_event keyword arguments, then the
    outcome's) are appended last: appending locks the chain head until commit, and on PostgreSQL
    every writer waits for that lock, so it is held for the appends and the commit only.
    `before_audit` runs just before them (a completion writes its decision there: the task, nominee
    decisions, the dossier's target level). Every writer of an outcome locks the instance first, so two of them
    (an official, the timer worker, an admin) wait for each other there and never deadlock; then the new and
    closed task rows, nominee rows, the dossier and the completed task (on PostgreSQL these two ride with the
    audit append, audit.Rider), and the chain head last, as every writer does. A writer that changes a
    dossier without its instance (an edit, an upload) locks no task row. `dossier_values` are more of the dossier's
    columns to write in the same UPDATE as its status (a completion's new target level). A completion
    that read `others_open` False (the completed task was the instance's only open one, and the instance is
    updated at the version read with it) need not read the open rows again. `unit_path` is the start of the
    dossier's unit's path to the root, (id, level) from the unit up, if the caller has read it: the new
    tasks' owners are looked up there first.
    """
    instance_values = {
        "state_json": outcome.state,
        "serializer_version": SERIALIZER_VERSION,
        "next_timer_at": outcome.next_timer_at,
        "updated_at": now,
        "status": {"running": "running", "completed": "completed", "cancelled": "cancelled"}[outcome.status],
        "end_event": outcome.end_event,
    }
    owners: dict[str, int | None] = {}
    for unit_id, level in unit_path:  # the nearest unit at each level owns that level's lanes (owner_unit)
        owners.setdefault(level, unit_id)
    read = others_open or completed_guid is None
    if not read and len(outcome.ready_tasks) == 1 and session.get_bind().dialect.name == "postgresql":
        # The usual completion: the instance had no other open task, and one task opens next. On PostgreSQL its
        # row is inserted by the statement that updates the instance (rows.update_then_insert), only if that
        # UPDATE finds the instance at the version read: a round trip less, the rows locked in the same order.
        new = HumanTask(**_new_row_values(session, instance, dossier, outcome.ready_tasks[0], owners, now))
        created = [update_then_insert(session, instance, instance_values, new)]
    else:
        update_row(session, instance, instance_values)
        created = _task_rows_to_outcome(session, instance, dossier, outcome, owners, now, completed_guid, read)
    events = list(audit or [])
    _engine_events(session, instance, dossier, outcome, actor, now, events)
    ended_status = None
    if outcome.status == "completed" and status_for_end_event(outcome.end_event) == "granted":
        # A granted end: the last step's own decisions first (its grants), then the nominees they leave undecided
        # whose award's level the dossier never reached are settled, and the dossier's status follows them.
        if before_audit is not None:
            before_audit()
            before_audit = None
        ended_status = _settle_unreached(session, instance, dossier, outcome, events)
    _update_dossier(session, dossier, outcome, actor, now, events, dossier_values or {}, ended_status)
    if before_audit is not None:
        before_audit()
    # After the step's decisions (an ended dossier's notice names its nominees' fates); the actor is not told.
    notify_outcome(session, instance.id, dossier, created, outcome, now, actor.user_id)
    record_events(session, events)
    return created


def _task_rows_to_outcome(
    session: Session, instance: ProcessInstance, dossier: Dossier, outcome: Outcome, owners: dict[str, int | None],
    now: datetime, completed_guid: str | None, read: bool,
) -> list[HumanTask]:  # fmt: skip
    """Bring the instance's open task rows in line with the engine's ready tasks (the open rows are read only if
    `read`: else the instance had none but the completed one): rows of tasks gone are cancelled, new tasks get
    rows (returned), an overdue task keeps its due date."""
    ready_ids = {t.task_id: t for t in outcome.ready_tasks}
    open_rows: dict[str, int] = {}
    for row_id, guid in session.execute(_OPEN_ROWS, {"instance_id": instance.id}).all() if read else ():
        open_rows[guid] = row_id
        if guid not in ready_ids and guid != completed_guid:
            # Gone from the engine: cancelled by a timer, a cancel or a migration.
            update_row(session, _task_row(session, row_id), {"state": "cancelled"})
    created = []
    for task in outcome.ready_tasks:
        row_id = open_rows.get(task.task_id)
        if row_id is None:
            values = _new_row_values(session, instance, dossier, task, owners, now)
            created.append(insert_row(session, HumanTask, values))
        elif task.due_at is not None:
            # After its timer fired the task has no pending timer: keep the due date it had, so it
            # still shows (and filters) as overdue.
            row = _task_row(session, row_id)
            if row.due_at != task.due_at:
                update_row(session, row, {"due_at": task.due_at})
    return created


def _new_row_values(
    session: Session, instance: ProcessInstance, dossier: Dossier, task: ReadyTask,
    owners: dict[str, int | None], now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The human_task row of a task the engine made ready (its lane's owner looked up on the dossier's path)."""
    owner = owner_unit(session, dossier, task.level, owners)
    return {
        "instance_id": instance.id,
        "task_guid": task.task_id,
        "bpmn_id": task.bpmn_id,
        "role": task.role,
        "level": task.level,
        "org_unit_id": owner,
        "state": "ready",
        "due_at": task.due_at,
        "escalate_to_role": task.escalate_to_role,
        "escalate_to_unit_id": (
            owner_unit(session, dossier, task.escalate_to_level, owners) if task.escalate_to_level else None
        ),
        "created_at": now,
    }


_OPEN_ROWS = select(HumanTask.id, HumanTask.task_guid).where(
    HumanTask.instance_id == bindparam("instance_id"), HumanTask.state == "ready"
)  # built once: every completion runs it


def _task_row(session: Session, row_id: int) -> HumanTask:
    row = session.get(HumanTask, row_id)
    assert row is not None
    return row


def _engine_events(
    session: Session, instance: ProcessInstance, dossier: Dossier, outcome: Outcome, actor: Actor, now: datetime,
    events: list[dict[str, Any]],
) -> None:
    for event in outcome.events:
        if event.kind == "timer_fired":
            guid = event.detail.get("attached_task_id")
            row = session.scalar(
                select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.task_guid == guid)
            )
            if row is not None and row.escalated_at is None:
                row.escalated_at = now
            events.append(dict(
                action="task.escalate", object_type="human_task",
                object_id=str(row.id if row is not None else guid), actor=actor.user_id,
                after={"dossier_id": dossier.id, "step": event.detail.get("attached_to"),
                       "due_at": event.detail.get("due_at"),
                       "escalate_to_role": row.escalate_to_role if row is not None else None},
                comment=event.name, now=now,
            ))  # fmt: skip
        elif event.kind == "ended" and outcome.status == "completed" and event.bpmn_id == outcome.end_event:
            events.append(dict(
                action="instance.end", object_type="process_instance", object_id=str(instance.id),
                actor=actor.user_id, after={"dossier_id": dossier.id, "end_event": event.bpmn_id}, comment=event.name,
                now=now,
            ))  # fmt: skip


_NOMINEES_AT_END = (
    select(Nominee.id, Nominee.full_name, Nominee.outcome, AwardForm.code, AwardForm.granting_level)
    .join(AwardForm, Nominee.award_form_id == AwardForm.id)
    .where(Nominee.dossier_id == bindparam("dossier_id")).order_by(Nominee.id)
)  # fmt: skip
_VISITED_LEVELS = select(HumanTask.level).where(HumanTask.instance_id == bindparam("instance_id")).distinct()


def _settle_unreached(
    session: Session, instance: ProcessInstance, dossier: Dossier, outcome: Outcome, events: list[dict[str, Any]],
) -> str:  # fmt: skip
    """The safety net of a granted end (domain.nominee_outcomes.unreached_at_end): a nominee still travelling whose
    award's granting level the dossier never visited (a district Giấy khen in a dossier that went ward → province
    after the district was abolished) was granted by no one. It is recorded as not granted at that level, the
    reason in the instance.end event; a dossier left with no nominee granted ends not granted ("rejected"), so
    its status, its nominees, the unit's notice and the dashboard agree. Returns the dossier's status."""
    rows = session.execute(_NOMINEES_AT_END, {"dossier_id": dossier.id}).all()
    states = [NomineeState(r.id, r.full_name, str(r.granting_level), r.outcome is None) for r in rows]
    ended_at = end_level(outcome.end_event)
    visited = {str(level) for level in session.scalars(_VISITED_LEVELS, {"instance_id": instance.id})}
    unreached = unreached_at_end(states, ended_at, visited)
    if not unreached:
        return "granted"
    settled = {n.id for n in unreached}
    codes = {r.id: str(r.code) for r in rows}
    listed = []
    for nominee in unreached:
        update_by_id(session, Nominee, nominee.id, {"outcome": "rejected", "outcome_level": nominee.granting_level})
        words = LEVEL_LABELS.get(nominee.granting_level, nominee.granting_level)
        listed.append({"id": nominee.id, "name": nominee.full_name, "award": codes[nominee.id],
                       "level": nominee.granting_level, "reason": UNREACHED_REASON.format(level_words=words)})
    status = status_after_unreached("granted", ["rejected" if r.id in settled else r.outcome for r in rows])
    for event in events:
        if event.get("action") == "instance.end":
            event["after"] = {**event.get("after", {}), "not_reached": listed,
                              **({"dossier_status": status} if status != "granted" else {})}
    return status


def _update_dossier(
    session: Session, dossier: Dossier, outcome: Outcome, actor: Actor, now: datetime, events: list[dict[str, Any]],
    more: dict[str, Any], ended_status: str | None = None,
) -> None:
    before = dossier.status
    if outcome.status == "running":
        steps = [t.bpmn_id for t in outcome.ready_tasks]
        was_submitted = before not in ("draft",)
        status, step = status_while_running(steps, was_submitted), (steps[0] if steps else None)
    elif outcome.status == "cancelled":
        status, step = "cancelled", None
    else:
        status, step = ended_status or status_for_end_event(outcome.end_event) or "rejected", None
    values = {**more, "status": status, "current_step": step, "updated_at": now}
    # On PostgreSQL the UPDATE rides with the audit append that ends every outcome (a round trip less); on
    # SQLite it is sent now. The dossier shows its new values at once (notify_outcome reads its status): the
    # write is certain to be made in this transaction, and a rollback expires them.
    statement, params = compare_and_set(session, dossier, values, expect={})
    send_with_next_append(session, Rider(statement, params))
    note_written(session, dossier, values)
    if status != before:
        events.append(dict(
            action="dossier.status", object_type="dossier", object_id=str(dossier.id),
            actor=actor.user_id, before={"status": before},
            after={"status": dossier.status, "step": dossier.current_step}, now=now,
        ))  # fmt: skip
