"""The inbox: open tasks for the roles an actor holds at their org units, from the indexed task table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..models import Campaign, Dossier, HumanTask, OrgUnit, ProcessInstance


@dataclass(frozen=True)
class InboxRow:
    task_id: int
    step: str
    step_name: str
    role: str
    org_unit_id: int
    dossier_id: int
    dossier_title: str
    campaign_code: str
    submitting_unit: str
    due_at: datetime | None
    escalated_at: datetime | None
    claimed_by: int | None
    created_at: datetime
    escalated_to_me: bool

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


def _role_filter(actor: Actor, role_col, unit_col):  # type: ignore[no-untyped-def]
    pairs = sorted(actor.roles)
    if not pairs:
        return false()
    return or_(*(and_(role_col == role, unit_col == unit) for role, unit in pairs))


def inbox(session: Session, actor: Actor, limit: int = 200) -> list[InboxRow]:
    """Open tasks the actor may take, plus overdue tasks escalated to one of their roles; due first."""
    mine = _role_filter(actor, HumanTask.role, HumanTask.org_unit_id)
    escalated = and_(
        HumanTask.escalated_at.is_not(None),
        _role_filter(actor, HumanTask.escalate_to_role, HumanTask.escalate_to_unit_id),
    )
    query = (
        select(HumanTask, Dossier.id, Dossier.title, Campaign.code, OrgUnit.name)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(Campaign, Dossier.campaign_id == Campaign.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(HumanTask.state == "ready", or_(mine, escalated))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
        .limit(limit)
    )
    rows = []
    for task, dossier_id, title, campaign_code, unit_name in session.execute(query):
        rows.append(
            InboxRow(
                task_id=task.id, step=task.bpmn_id, step_name=task.name, role=task.role, org_unit_id=task.org_unit_id,
                dossier_id=dossier_id, dossier_title=title, campaign_code=campaign_code, submitting_unit=unit_name,
                due_at=task.due_at, escalated_at=task.escalated_at, claimed_by=task.claimed_by,
                created_at=task.created_at, escalated_to_me=not actor.holds(task.role, task.org_unit_id),
            )  # fmt: skip
        )
    return rows
