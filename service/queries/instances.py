"""Read side of the instance admin pages: instances with filters (stuck = an old or overdue open task), one instance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    AuditEvent,
    Campaign,
    Dossier,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    User,
)  # fmt: skip
from ..operations.instance_admin import eligible_assignees
from .audit import dossier_events
from .step_names import step_names

STATUSES = ("running", "suspended", "completed", "cancelled", "error")


@dataclass(frozen=True)
class InstanceFilter:
    version_id: int | None = None
    status: str | None = None
    unit_id: int | None = None  # the submitting unit or any unit above it
    stuck_days: int | None = None  # open task older than this many days, or overdue

    @classmethod
    def from_args(cls, args: Any) -> InstanceFilter:
        def number(key: str) -> int | None:
            value = str(args.get(key) or "").strip()
            return int(value) if value.isdigit() and len(value) < 9 else None

        status = args.get("status") or None
        status = status if status in STATUSES else None
        return cls(number("version_id"), status, number("unit_id"), number("stuck_days"))

    def as_args(self) -> dict[str, str]:
        """The filter as query arguments (for the next page's link); unset ones left out."""
        values = {"version_id": self.version_id, "status": self.status, "unit_id": self.unit_id,
                  "stuck_days": self.stuck_days}  # fmt: skip
        return {key: str(value) for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class InstanceRow:
    instance: ProcessInstance
    dossier: Dossier
    unit: OrgUnit
    campaign_code: str
    process_key: str
    version: int
    open_tasks: int
    oldest_open: datetime | None
    overdue: bool


def _units_under(session: Session, unit_id: int) -> set[int]:
    found, frontier = {unit_id}, [unit_id]
    while frontier:
        frontier = list(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))))
        found.update(frontier)
    return found


PAGE_SIZE = 100


def list_instances(session: Session, now: datetime, chosen: InstanceFilter, before_id: int | None = None,
                   limit: int = PAGE_SIZE) -> list[InstanceRow]:  # fmt: skip
    """Instances newest first, narrowed by version, status, unit and 'stuck'; with their open-task summary.

    A page of `limit`; the next page is the instances before the last one's id (keyset paging: every page costs
    the same however far back it is)."""
    open_stats = (
        select(HumanTask.instance_id.label("instance_id"), func.count().label("open_tasks"),
               func.min(HumanTask.created_at).label("oldest"), func.min(HumanTask.due_at).label("first_due"))
        .where(HumanTask.state == "ready").group_by(HumanTask.instance_id).subquery()
    )  # fmt: skip
    query = (
        select(ProcessInstance, Dossier, OrgUnit, Campaign.code, ProcessDefinition.key, ProcessVersion.version,
               open_stats.c.open_tasks, open_stats.c.oldest, open_stats.c.first_due)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .join(Campaign, Dossier.campaign_id == Campaign.id)
        .join(ProcessVersion, ProcessInstance.version_id == ProcessVersion.id)
        .join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
        .outerjoin(open_stats, open_stats.c.instance_id == ProcessInstance.id)
        .order_by(ProcessInstance.id.desc())
        .limit(limit)
    )  # fmt: skip
    if before_id is not None:
        query = query.where(ProcessInstance.id < before_id)
    if chosen.version_id:
        query = query.where(ProcessInstance.version_id == chosen.version_id)
    if chosen.status:
        query = query.where(ProcessInstance.status == chosen.status)
    if chosen.unit_id:
        query = query.where(Dossier.unit_id.in_(_units_under(session, chosen.unit_id)))
    if chosen.stuck_days is not None:
        query = query.where(
            (open_stats.c.oldest <= now - timedelta(days=chosen.stuck_days)) | (open_stats.c.first_due <= now)
        )
    return [
        InstanceRow(instance, dossier, unit, code, key, version, int(count or 0), oldest,
                    first_due is not None and _aware(first_due) <= now)
        for instance, dossier, unit, code, key, version, count, oldest, first_due in session.execute(query)
    ]  # fmt: skip


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class OpenTask:
    task: HumanTask
    name: str  # its step's name in the BPMN of the instance's version
    unit: OrgUnit
    assignee: User | None
    eligible: list[User]


@dataclass
class InstanceDetail:
    instance: ProcessInstance
    dossier: Dossier
    version: ProcessVersion
    process_key: str
    open_tasks: list[OpenTask] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    suspension: dict[str, Any] | None = None


def instance_detail(session: Session, instance_id: int) -> InstanceDetail | None:
    """One instance: its version, open tasks with who holds them and who may be given them, its admin history."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return None
    dossier, version = session.get(Dossier, instance.dossier_id), session.get(ProcessVersion, instance.version_id)
    assert dossier is not None and version is not None
    key = session.scalar(select(ProcessDefinition.key).where(ProcessDefinition.id == version.definition_id)) or ""
    detail = InstanceDetail(instance, dossier, version, key)
    open_tasks = session.execute(
        select(HumanTask, OrgUnit).join(OrgUnit, HumanTask.org_unit_id == OrgUnit.id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == "ready").order_by(HumanTask.id)
    ).all()  # fmt: skip
    names = step_names(session, [(instance.version_id, task.bpmn_id) for task, _ in open_tasks])
    for task, unit in open_tasks:
        eligible = eligible_assignees(session, task)
        assignee = session.get(User, task.claimed_by) if task.claimed_by else None
        detail.open_tasks.append(OpenTask(task, names[(instance.version_id, task.bpmn_id)], unit, assignee, eligible))
    detail.history = instance_history(session, instance)
    if instance.status == "suspended":
        detail.suspension = next((e for e in reversed(detail.history) if e["action"] == "instance.suspend"), None)
    return detail


def instance_history(session: Session, instance: ProcessInstance) -> list[dict[str, Any]]:
    """Every audit event of the instance's dossier, its tasks and the instance itself, oldest first."""
    task_ids = [str(i) for i in session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance.id))]
    rows = session.execute(
        select(AuditEvent, User.full_name).outerjoin(User, AuditEvent.actor_id == User.id)
        .where(dossier_events(instance.dossier_id, instance.id, task_ids)).order_by(AuditEvent.id)
    )  # fmt: skip
    return [
        {"at": e.occurred_at, "action": e.action, "actor": name, "comment": e.comment,
         "after": json.loads(e.after_json) if e.after_json else None}
        for e, name in rows
    ]  # fmt: skip


def suspension_of(session: Session, instance: ProcessInstance | None) -> dict[str, Any] | None:
    """Who suspended a suspended instance, when and why (its latest instance.suspend event)."""
    if instance is None or instance.status != "suspended":
        return None
    row = session.execute(
        select(AuditEvent, User.full_name).outerjoin(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.action == "instance.suspend", AuditEvent.object_type == "process_instance",
               AuditEvent.object_id == str(instance.id))
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()  # fmt: skip
    if row is None:
        return {"at": None, "actor": None, "comment": None}
    event, name = row
    return {"at": event.occurred_at, "actor": name, "comment": event.comment}


def suspended_of_version(session: Session, version_id: int) -> list[ProcessInstance]:
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.version_id == version_id,
                                                              ProcessInstance.status == "suspended")
                                .order_by(ProcessInstance.id)))  # fmt: skip


def unit_choices(session: Session) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).where(OrgUnit.level != "unit").order_by(OrgUnit.code)))
