"""One inbox task as its reader sees it: visibility, the step's decisions, the dossier, eligibility to confirm."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import StepInfo

from ..domain.actors import Actor
from ..domain.eligibility import ConditionResult
from ..domain.permissions import can_act_on_task
from ..models import Campaign, Dossier, HumanTask, OrgUnit, User
from ..operations.definitions import instance_definition
from ..operations.tasks import APPRAISERS, rows_for_completion
from .account import users_by_id
from .eligibility import TravellingNominee, dossier_eligibility
from .step_names import step_name
from .visibility import require_task_visible


@dataclass
class TaskView:
    task: HumanTask
    name: str  # its step's name in the BPMN of the instance's version
    org_unit: OrgUnit
    dossier: Dossier
    campaign: Campaign
    submitting_unit: OrgUnit
    step: StepInfo | None
    can_act: bool
    escalated_to_me: bool
    claimed_by: User | None
    eligibility: list[tuple[TravellingNominee, list[ConditionResult]]] = field(default_factory=list)


def task_view(session: Session, actor: Actor, task_id: int) -> TaskView:
    """Everything a client needs to decide a task: its step's decisions and, at an appraisal, what to confirm."""
    # The task with its instance, dossier and campaign in one query (NotFound if there is no such task), then
    # the same NotFound if the actor may not see it; the task's unit and the submitting unit in one more.
    rows = rows_for_completion(session, task_id)
    task, instance, dossier, campaign = require_task_visible(actor, rows.task), rows.instance, rows.dossier, rows.campaign
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_({task.org_unit_id, dossier.unit_id})))}
    org_unit, unit = units[task.org_unit_id], units[dossier.unit_id]
    ready = task.state == "ready"
    return TaskView(
        task=task, name=step_name(session, instance.version_id, task.bpmn_id), org_unit=org_unit, dossier=dossier,
        campaign=campaign, submitting_unit=unit, step=instance_definition(session, instance).steps.get(task.bpmn_id),
        can_act=ready and instance.status == "running" and can_act_on_task(actor, task), escalated_to_me=not can_act_on_task(actor, task),
        claimed_by=users_by_id(session, [task.claimed_by]).get(task.claimed_by or 0),
        eligibility=dossier_eligibility(session, dossier) if ready and task.role in APPRAISERS else [],
    )  # fmt: skip
