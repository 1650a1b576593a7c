"""Read side of a dossier page: the dossier, nominees, open and past tasks, the path, and its audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine, PathStep

from ..models import (
    AuditEvent,
    AwardForm,
    Campaign,
    CampaignAwardForm,
    Dossier,
    HumanTask,
    Nominee,
    OrgUnit,
    ProcessInstance,
    ProcessVersion,
    User,
)  # fmt: skip
from ..domain.deadlines import local_date
from ..operations.definitions import instance_definition
from .audit import dossier_events
from .org import name_at
from .step_names import step_names


@dataclass
class DossierView:
    dossier: Dossier
    campaign: Campaign
    unit: OrgUnit
    nominees: list[tuple[Nominee, AwardForm]]
    open_tasks: list[tuple[HumanTask, OrgUnit]]
    done_tasks: list[tuple[HumanTask, User | None]]
    path: list[PathStep] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    instance: ProcessInstance | None = None
    claimants: dict[int, str] = field(default_factory=dict)  # open task id → who has claimed it
    award_names: dict[int, str] = field(default_factory=dict)  # award form id → as the campaign's plan words it
    suspension: dict[str, Any] | None = None  # while suspended: the instance.suspend event (who, when, why)
    unit_name: str = ""  # the lodging unit's name on the day the dossier was made (units are renamed and merged)
    step_names: dict[str, str] = field(default_factory=dict)  # bpmn id → name, of every open and done task's step


def dossier_view(session: Session, engine: Engine, dossier_id: int) -> DossierView | None:
    """Everything the dossier page shows, loaded explicitly (templates never lazy-load)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return None
    campaign = session.get(Campaign, dossier.campaign_id)
    unit = session.get(OrgUnit, dossier.unit_id)
    assert campaign is not None and unit is not None
    nominees = list(
        session.execute(
            select(Nominee, AwardForm).join(AwardForm, Nominee.award_form_id == AwardForm.id)
            .where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)
        )
    )  # fmt: skip
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    view = DossierView(dossier, campaign, unit, nominees, [], [], instance=instance,
                       unit_name=name_at(session, unit.id, local_date(dossier.created_at)))
    view.award_names = dict(session.execute(
        select(CampaignAwardForm.award_form_id, CampaignAwardForm.name).where(CampaignAwardForm.campaign_id == campaign.id)
    ).all())  # fmt: skip
    if instance is None:
        return view
    view.open_tasks = list(
        session.execute(
            select(HumanTask, OrgUnit).join(OrgUnit, HumanTask.org_unit_id == OrgUnit.id)
            .where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
        )
    )  # fmt: skip
    claimed = [t.claimed_by for t, _ in view.open_tasks if t.claimed_by]
    if claimed:
        names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(claimed))).all())
        view.claimants = {t.id: names[t.claimed_by] for t, _ in view.open_tasks if t.claimed_by in names}
    view.done_tasks = list(
        session.execute(
            select(HumanTask, User).outerjoin(User, HumanTask.completed_by == User.id)
            .where(HumanTask.instance_id == instance.id, HumanTask.state == "completed")
            .order_by(HumanTask.completed_at, HumanTask.id)
        )
    )  # fmt: skip
    tasks = [t for t, _ in view.open_tasks] + [t for t, _ in view.done_tasks]
    view.step_names = {bpmn_id: name for (_, bpmn_id), name in
                       step_names(session, [(instance.version_id, t.bpmn_id) for t in tasks]).items()}  # fmt: skip
    view.path = engine.path(instance_definition(session, instance), instance.state_json)
    task_ids = [str(t.id) for t in tasks]
    events = session.execute(
        select(AuditEvent, User.full_name).outerjoin(User, AuditEvent.actor_id == User.id)
        .where(dossier_events(dossier_id, instance.id, task_ids)).order_by(AuditEvent.id)
    )  # fmt: skip
    view.history = [
        {"at": e.occurred_at, "action": e.action, "actor": name, "comment": e.comment,
         "after": json.loads(e.after_json) if e.after_json else None}
        for e, name in events
    ]  # fmt: skip
    if instance.status == "suspended":
        view.suspension = next((e for e in reversed(view.history) if e["action"] == "instance.suspend"), None)
    return view


def dossier_diagram(session: Session, engine: Engine, dossier_id: int) -> dict[str, Any] | None:
    """The BPMN XML of the dossier's process version and its elements by state, for the bpmn-js viewer.

    ``current`` holds the user tasks waiting in someone's inbox; ``completed`` the elements passed
    and not waiting again (a task returned to keeps only ``current``); ``cancelled`` what was cut
    short, like a timer that never fired. None if the dossier has no process instance yet.
    """
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    if instance is None:
        return None
    xml = session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == instance.version_id))
    path = engine.path(instance_definition(session, instance), instance.state_json)
    current = set(session.scalars(
        select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
    ))  # fmt: skip
    completed = {p.bpmn_id for p in path if p.state == "completed"} - current
    cancelled = {p.bpmn_id for p in path if p.state == "cancelled"} - completed - current
    return {"xml": xml, "completed": sorted(completed), "current": sorted(current), "cancelled": sorted(cancelled)}
