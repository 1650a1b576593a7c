"""Keep the task table, the instance row and the dossier in step with an engine Outcome, with audit rows.

One dossier runs as one process instance from the unit up to the level that grants its award.
Above the unit, a level's "batch" (all dossiers of a campaign waiting at one ward step) is a
query over the task table, not a separate child instance: per-dossier returns and history stay
in one tree, and the inbox groups them by campaign and org unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import SERIALIZER_VERSION, Definition, Outcome, ReadyTask

from ..domain.actors import Actor
from ..domain.dossier_status import status_for_end_event, status_while_running
from ..errors import InvalidInput
from ..models import Dossier, HumanTask, OrgUnit, ProcessInstance
from ..queries.org import path_units
from .audit import record_event
from .notifications import notify_outcome


def owner_unit(session: Session, dossier: Dossier, level: str, cache: dict[str, OrgUnit | None]) -> OrgUnit:
    """The org unit at `level` on the dossier's submitting unit's path to the root (the lane's owner)."""
    if level not in cache:
        # The whole path to the root in one query; the nearest unit at each level owns that level's lanes.
        for unit in path_units(session, dossier.unit_id):
            cache.setdefault(str(unit.level), unit)
        cache.setdefault(level, None)
    owner = cache[level]
    if owner is None:
        raise InvalidInput(
            f"Đơn vị nộp hồ sơ không thuộc đơn vị cấp '{level}' nào; quy trình cần một đơn vị cấp này để giao việc."
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
) -> list[HumanTask]:
    """Store the new state; open rows for new ready tasks, close rows whose task is gone; audit engine events."""
    instance.state_json = outcome.state
    instance.serializer_version = SERIALIZER_VERSION
    instance.next_timer_at = outcome.next_timer_at
    instance.updated_at = now
    instance.status = {"running": "running", "completed": "completed", "cancelled": "cancelled"}[outcome.status]
    instance.end_event = outcome.end_event

    open_rows = {
        row.task_guid: row
        for row in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
        )
    }
    ready_ids = {t.task_id for t in outcome.ready_tasks}
    for guid, row in open_rows.items():
        if guid not in ready_ids and guid != completed_guid:
            row.state = "cancelled"  # gone from the engine: cancelled by a timer, a cancel or a migration
    owners: dict[str, OrgUnit | None] = {}
    created = []
    for task in outcome.ready_tasks:
        row = open_rows.get(task.task_id)
        if row is None:
            row = _new_row(session, instance, dossier, task, owners, now)
            created.append(row)
        elif task.due_at is not None:
            # After its timer fired the task has no pending timer: keep the due date it had, so it
            # still shows (and filters) as overdue.
            row.due_at = task.due_at
    session.flush()
    _record_engine_events(session, instance, dossier, outcome, actor, now)
    _update_dossier(session, dossier, outcome, actor, now)
    notify_outcome(session, instance.id, dossier, created, outcome, now)
    return created


def _new_row(
    session: Session, instance: ProcessInstance, dossier: Dossier, task: ReadyTask,
    owners: dict[str, OrgUnit | None], now: datetime,
) -> HumanTask:  # fmt: skip
    owner = owner_unit(session, dossier, task.level, owners)
    row = HumanTask(
        instance_id=instance.id,
        task_guid=task.task_id,
        bpmn_id=task.bpmn_id,
        name=task.name,
        lane=task.lane,
        role=task.role,
        level=task.level,
        org_unit_id=owner.id,
        state="ready",
        due_at=task.due_at,
        escalate_to_role=task.escalate_to_role,
        escalate_to_unit_id=(
            owner_unit(session, dossier, task.escalate_to_level, owners).id if task.escalate_to_level else None
        ),
        created_at=now,
    )
    session.add(row)
    return row


def _record_engine_events(
    session: Session, instance: ProcessInstance, dossier: Dossier, outcome: Outcome, actor: Actor, now: datetime
) -> None:
    for event in outcome.events:
        if event.kind == "timer_fired":
            guid = event.detail.get("attached_task_id")
            row = session.scalar(
                select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.task_guid == guid)
            )
            if row is not None and row.escalated_at is None:
                row.escalated_at = now
            record_event(
                session, action="task.escalate", object_type="human_task",
                object_id=str(row.id if row is not None else guid), actor=actor.user_id,
                after={"dossier_id": dossier.id, "step": event.detail.get("attached_to"),
                       "due_at": event.detail.get("due_at"),
                       "escalate_to_role": row.escalate_to_role if row is not None else None},
                comment=event.name, now=now,
            )  # fmt: skip
        elif event.kind == "ended" and outcome.status == "completed" and event.bpmn_id == outcome.end_event:
            record_event(
                session, action="instance.end", object_type="process_instance", object_id=str(instance.id),
                actor=actor.user_id, after={"dossier_id": dossier.id, "end_event": event.bpmn_id}, comment=event.name,
                now=now,
            )  # fmt: skip


def _update_dossier(session: Session, dossier: Dossier, outcome: Outcome, actor: Actor, now: datetime) -> None:
    before = dossier.status
    if outcome.status == "running":
        steps = [t.bpmn_id for t in outcome.ready_tasks]
        was_submitted = before not in ("draft",)
        dossier.status = status_while_running(steps, was_submitted)
        dossier.current_step = steps[0] if steps else None
    elif outcome.status == "cancelled":
        dossier.status, dossier.current_step = "cancelled", None
    else:
        dossier.status = status_for_end_event(outcome.end_event) or "rejected"
        dossier.current_step = None
    dossier.updated_at = now
    if dossier.status != before:
        record_event(
            session, action="dossier.status", object_type="dossier", object_id=str(dossier.id),
            actor=actor.user_id, before={"status": before},
            after={"status": dossier.status, "step": dossier.current_step}, now=now,
        )  # fmt: skip
