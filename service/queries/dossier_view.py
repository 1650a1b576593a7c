"""Read side of a dossier page: the dossier, nominees, open and past tasks, the path, and its audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from workflows import Definition, Engine, PathStep, StepInfo
from workflows.history import steps_gone_through

from ..models import (
    AuditEvent,
    AwardForm,
    Campaign,
    Dossier,
    HumanTask,
    Nominee,
    NomineeDecision,
    OrgUnit,
    ProcessInstance,
    ProcessVersion,
    User,
)  # fmt: skip
from ..domain.audit_labels import audit_action_label
from ..domain.campaign_config import NamedAward
from ..domain.deadlines import ForwardBy, forward_by, level_deadlines, local_date
from ..domain.dossier_status import shown_status
from ..domain.nominee_standing import nominee_state
from ..domain.roles import ROLE_LABELS
from ..operations.definitions import instance_definition
from .audit import dossier_events
from .campaign_config import campaign_config, named_award
from .org import name_at
from .step_names import step_names


@dataclass(frozen=True)
class NomineeRefusal:
    """The latest step that turned a nominee down, and why: a chairman's or council's reason, a failed vote, or
    the comment of a rejection of the whole dossier. Its step and level are those of the task it was made in."""

    reason: str | None
    step: str  # bpmn id of the task's step (its name is in DossierView.step_names)
    level: str
    votes_for: int | None = None
    votes_against: int | None = None
    members_present: int | None = None
    decided_at: datetime | None = None


@dataclass
class DossierView:
    dossier: Dossier
    campaign: Campaign
    unit: OrgUnit
    nominees: list[tuple[Nominee, NamedAward]]  # each award form under the campaign's name for it
    open_tasks: list[tuple[HumanTask, OrgUnit]]
    done_tasks: list[tuple[HumanTask, User | None]]
    path: list[PathStep] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    instance: ProcessInstance | None = None
    claimants: dict[int, str] = field(default_factory=dict)  # open task id → who has claimed it
    suspension: dict[str, Any] | None = None  # while suspended: the instance.suspend event (who, when, why)
    cancellation: dict[str, Any] | None = None  # once cancelled: the instance.cancel event (who, when, why)
    unit_name: str = ""  # the lodging unit's name on the day the dossier was made (units are renamed and merged)
    step_names: dict[str, str] = field(default_factory=dict)  # bpmn id → name, of every open and done task's step
    # (bpmn id, decision) → the label that step's form offered for it in the instance's version ("Đạt", "Thông qua");
    # a done task missing here (its step or decision is not in the version) reads as the decision's generic label
    decision_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    refusals: dict[int, NomineeRefusal] = field(default_factory=dict)  # nominee id → the latest decision refusing it
    # nominee id → how it stands (nominee_standing.nominee_state): granted_<level>, rejected, or, undecided, as its
    # dossier does: draft, withdrawn, cancelled, else travelling (under review)
    nominee_states: dict[int, str] = field(default_factory=dict)
    now: datetime | None = None  # when it was read (the engine's clock): whether a deadline shown has passed

    @property
    def status(self) -> str:
        """The dossier's status as shown (granted in part when its nominees came out differently)."""
        return shown_status(str(self.dossier.status), [n.outcome for n, _ in self.nominees])

    def forward_by(self, task: HumanTask) -> ForwardBy | None:
        """The deadline an open task without a timer works to: the campaign's for reaching the next level, where
        the nominees still travelling take the dossier above the task's level (domain.deadlines.forward_by)."""
        if task.due_at is not None:
            return None
        travelling = [award.granting_level for nominee, award in self.nominees if nominee.outcome is None]
        deadlines = level_deadlines(self.campaign.deadlines_json, self.campaign.submission_deadline)
        return forward_by(str(task.level), travelling, deadlines)


def dossier_view(session: Session, engine: Engine, dossier_id: int) -> DossierView | None:
    """Everything the dossier page shows, loaded explicitly (templates never lazy-load)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return None
    campaign = session.get(Campaign, dossier.campaign_id)
    unit = session.get(OrgUnit, dossier.unit_id)
    assert campaign is not None and unit is not None
    config = campaign_config(session, campaign)
    nominees = [
        (nominee, named_award(config, form)) for nominee, form in session.execute(
            select(Nominee, AwardForm).join(AwardForm, Nominee.award_form_id == AwardForm.id)
            .where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)
        )
    ]  # fmt: skip
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    view = DossierView(dossier, campaign, unit, nominees, [], [], instance=instance, now=engine.clock.now(),
                       unit_name=name_at(session, unit.id, local_date(dossier.created_at)),
                       nominee_states={n.id: nominee_state(n.outcome, n.outcome_level, str(dossier.status))
                                       for n, _ in nominees})  # fmt: skip
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
    definition = instance_definition(session, instance)
    view.decision_labels = decision_labels(definition, [(t.bpmn_id, t.decision) for t, _ in view.done_tasks])
    # What the dossier went through and what is open for people; not waiting or unused timers (history.py says why).
    view.path = steps_gone_through(engine.path(definition, instance.state_json))
    view.refusals = nominee_refusals(session, dossier_id)
    task_ids = [str(t.id) for t in tasks]
    events = session.execute(
        select(AuditEvent, User.full_name).outerjoin(User, AuditEvent.actor_id == User.id)
        .where(dossier_events(dossier_id, instance.id, task_ids)).order_by(AuditEvent.id)
    )  # fmt: skip
    view.history = [
        {"at": e.occurred_at, "action": e.action, "label": audit_action_label(e.action), "actor": name,
         "comment": e.comment, "after": json.loads(e.after_json) if e.after_json else None}
        for e, name in events
    ]  # fmt: skip
    if instance.status == "suspended":
        view.suspension = next((e for e in reversed(view.history) if e["action"] == "instance.suspend"), None)
    elif instance.status == "cancelled":
        view.cancellation = next((e for e in reversed(view.history) if e["action"] == "instance.cancel"), None)
    return view


def decision_labels(
    definition: Definition, decisions: Iterable[tuple[str, str | None]]
) -> dict[tuple[str, str], str]:
    """Each (bpmn id, decision) as its step's decision form offers it: the name of the flow the decision takes.

    The stored decision is a code ("approve"), which every step labels its own way (the office "Đạt", a council
    "Thông qua", a chairman "Đồng ý"); the labels come from the Definition already loaded, so no query. A step or
    decision the definition lacks is left out (the caller shows the generic label). Where two flows of a step
    test the same value, the first one's name is the form's.
    """
    labels: dict[tuple[str, str], str] = {}
    for bpmn_id, decision in set(decisions):
        label = offered_label(definition.steps.get(bpmn_id), decision)
        if label:
            labels[(bpmn_id, str(decision))] = label
    return labels


def offered_label(step: StepInfo | None, decision: str | None) -> str | None:
    """A decision as the step's form offered it (the BPMN flow's name: "Đạt", "Thông qua"…); None if not offered."""
    return next((d.label for d in step.decisions if d.value == decision), None) if step and decision else None


def nominee_refusals(session: Session, dossier_id: int) -> dict[int, NomineeRefusal]:
    """Each refused nominee's latest refusal with its reason, votes and the step and level it was made at; one
    query for the dossier (nominee_decision keeps no step: it is its task's, migration 0026)."""
    rows = session.execute(
        select(NomineeDecision, HumanTask.bpmn_id, HumanTask.level)
        .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
        .join(Nominee, NomineeDecision.nominee_id == Nominee.id)
        .where(Nominee.dossier_id == dossier_id, NomineeDecision.result == "reject")
        .order_by(NomineeDecision.id)
    )  # fmt: skip
    # Oldest first, so a later refusal of the same nominee replaces an earlier one.
    return {d.nominee_id: NomineeRefusal(d.reason, bpmn_id, str(level), d.votes_for, d.votes_against,
                                         d.members_present, d.decided_at)
            for d, bpmn_id, level in rows}  # fmt: skip


@dataclass(frozen=True)
class ReturnDestination:
    """Where a return for supplement sent the dossier: a task it opened, by its step's name, its unit and its role
    (the role's Vietnamese name, ROLE_LABELS: the pages translate it)."""

    step_name: str
    unit_name: str
    role_label: str


def destinations(opened: Iterable[tuple[HumanTask, OrgUnit]], names: dict[str, str]) -> tuple[ReturnDestination, ...]:
    """The destinations of these open tasks with their units; `names` maps their bpmn ids to their steps' names."""
    return tuple(
        ReturnDestination(names.get(task.bpmn_id, task.bpmn_id), unit.name, ROLE_LABELS.get(task.role, task.role))
        for task, unit in sorted(opened, key=lambda pair: pair[0].id)
    )


_RETURNING = aliased(HumanTask)


def return_destinations(session: Session, returning_task_id: int, version_id: int) -> tuple[ReturnDestination, ...]:
    """The tasks a return for supplement opened that are still open, with their units: those of the same instance
    opened at the moment the returning task was completed (one transaction writes both, with the same time, as
    queries.notifications.returns_behind reads them). Empty when the task was not a return. One query, then the
    steps' names (one more, for the version's definition)."""
    opened = session.execute(
        select(HumanTask, OrgUnit).join(OrgUnit, OrgUnit.id == HumanTask.org_unit_id)
        .join(_RETURNING, (_RETURNING.instance_id == HumanTask.instance_id)
              & (_RETURNING.completed_at == HumanTask.created_at))
        .where(_RETURNING.id == returning_task_id, _RETURNING.decision == "return", HumanTask.state == "ready")
    ).all()  # fmt: skip
    if not opened:
        return ()
    names = step_names(session, [(version_id, task.bpmn_id) for task, _ in opened])
    return destinations([(task, unit) for task, unit in opened],
                        {bpmn_id: name for (_, bpmn_id), name in names.items()})  # fmt: skip


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
