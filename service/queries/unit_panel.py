"""What the unit clerk's forms need: the panel on a dossier page (documents, checklist, editability, the return
still unanswered at any level, the campaign's award forms, a passed deadline) and the new-dossier form's campaign
choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.campaign_config import CampaignConfig
from ..domain.deadlines import SubmissionClosed, submission_closed
from ..domain.documents import KIND_LABELS, MissingItem
from ..domain.dossier_status import FIRST_STEP
from ..domain.summaries import MAX_SUMMARY_CHARS
from ..models import AwardForm, Campaign, Document, Dossier, HumanTask, OrgUnit, ProcessInstance, User
from .campaign_config import campaign_config
from .checklist import dossier_checklist
from .documents import current_documents
from .duplicate_nominees import NOT_PROPOSING, DuplicateNominee, duplicate_nominees
from .dossier_view import ReturnDestination, destinations
from .step_names import step_names


@dataclass(frozen=True)
class AwardChoice:
    """An award form as a campaign offers it: its code and the name the campaign's plan gives it."""

    code: str
    name: str


def catalogue_names(session: Session) -> dict[str, str]:
    """Every award form's code and catalogue name (for a code no campaign on the page offers)."""
    return {code: name for code, name in session.execute(select(AwardForm.code, AwardForm.name).order_by(AwardForm.id))}


def offered_choices(session: Session, config: CampaignConfig) -> list[AwardChoice]:
    """The award forms a nominee of this campaign may ask for, under the campaign's names. A campaign that
    lists none accepts every form (CampaignConfig.check_nominee), so then the whole catalogue is offered."""
    offered = config.offered
    if offered:
        return [AwardChoice(form.code, form.name) for form in offered.values()]
    return [AwardChoice(code, name) for code, name in catalogue_names(session).items()]


@dataclass(frozen=True)
class CampaignChoice:
    """A campaign on the new-dossier form: what its nominees may ask for, and whether submitting is closed."""

    campaign: Campaign
    award_forms: list[AwardChoice]
    closed: SubmissionClosed | None


def campaign_choices(session: Session, campaigns: Iterable[Campaign], unit_level: str,
                     now: datetime) -> list[CampaignChoice]:  # fmt: skip
    """Each campaign with its award forms and, for a unit at `unit_level`, whether its deadline has passed."""
    configs = [(campaign, campaign_config(session, campaign)) for campaign in campaigns]
    return [CampaignChoice(campaign, offered_choices(session, config), submission_closed(config, unit_level, now))
            for campaign, config in configs]  # fmt: skip


def default_campaign(choices: list[CampaignChoice], chosen: str | None) -> CampaignChoice | None:
    """The campaign the form shows selected: the one the clerk chose, else the first still open. None when all
    have closed: a late campaign is never chosen for the clerk, who would find out only when submitting."""
    for choice in choices:
        if choice.campaign.code == chosen:
            return choice
    return next((choice for choice in choices if choice.closed is None), None)


def form_unit(units: list[OrgUnit], chosen: str | None) -> OrgUnit | None:
    """The unit the form shows selected: the one the clerk chose, else the first."""
    return next((unit for unit in units if str(unit.id) == chosen), units[0] if units else None)


def name_award_codes(message: str, names: dict[str, str]) -> str:
    """A refusal that quotes award forms by code ('GK-HUYEN'), with each one's name beside its code, so the
    clerk recognises what was chosen. `names` maps codes to the names to show (the campaign's, if it has one)."""
    for code, name in names.items():
        message = message.replace(f"'{code}'", f"“{name}” ({code})")
    return message


@dataclass(frozen=True)
class ReturnNote:
    """The latest return for supplement not yet answered: the step that returned the dossier, its unit, who and
    when, the reason, and where it sent the dossier (the tasks it opened, still open)."""

    step_name: str
    reason: str | None
    by: str | None
    at: datetime | None = None
    unit_name: str | None = None  # the unit of the returning step (a ward, a district…)
    to: tuple[ReturnDestination, ...] = ()


def unanswered_return(latest_done: tuple[HumanTask, str | None, OrgUnit | None] | None,
                      open_tasks: list[tuple[HumanTask, OrgUnit]],
                      names: dict[str, str]) -> ReturnNote | None:  # fmt: skip
    """The return for supplement still unanswered, if any: the dossier's latest completed task (with who completed
    it and its unit) was a return and the dossier waits at a step: the step it was returned to (in a chain, the
    next task to complete is the returned one), so completing that step again answers it. Where it went: the
    open tasks it opened (opened when it was completed), else those open now. `names`: bpmn id → step name."""
    if latest_done is None or not open_tasks:
        return None
    task, by, unit = latest_done
    if task.decision != "return":
        return None
    opened = [(t, u) for t, u in open_tasks if t.created_at == task.completed_at] or open_tasks
    return ReturnNote(names.get(task.bpmn_id, task.bpmn_id), task.comment, by, task.completed_at,
                      unit.name if unit is not None else None, destinations(opened, names))  # fmt: skip


@dataclass
class UnitPanel:
    editable: bool
    documents: list[Document]
    missing: list[MissingItem]
    last_return: ReturnNote | None
    award_forms: list[AwardChoice]
    kind_labels: dict[str, str]
    summary_max: int = MAX_SUMMARY_CHARS
    # Set while the unit holds the dossier and submitting it now would be refused as late.
    closed: SubmissionClosed | None = None
    # Nominees another dossier of the unit in the campaign also proposes (queries/duplicate_nominees).
    duplicates: list[DuplicateNominee] = field(default_factory=list)


def unit_panel(session: Session, actor: Actor, dossier: Dossier, now: datetime | None = None) -> UnitPanel:
    """Documents and checklist for everyone who may see the dossier; editing only for the unit's clerk.
    With `now`, an editable dossier whose campaign no longer receives dossiers says so (`closed`)."""
    instance_id, version_id = session.execute(
        select(ProcessInstance.id, ProcessInstance.version_id).where(ProcessInstance.dossier_id == dossier.id)
    ).first() or (None, None)
    open_tasks = [(task, unit) for task, unit in session.execute(
        select(HumanTask, OrgUnit).join(OrgUnit, OrgUnit.id == HumanTask.org_unit_id)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
    )]  # fmt: skip
    waiting_at_unit = any(task.bpmn_id == FIRST_STEP for task, _ in open_tasks)
    last_return = None
    if open_tasks:
        # Only the latest completed task can be an unanswered return (unanswered_return says why).
        latest = session.execute(
            select(HumanTask, User.full_name, OrgUnit).outerjoin(User, HumanTask.completed_by == User.id)
            .outerjoin(OrgUnit, OrgUnit.id == HumanTask.org_unit_id)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == "completed")
            .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)
        ).first()  # fmt: skip
        if latest is not None and latest[0].decision == "return":
            steps = [(version_id, task.bpmn_id) for task, _ in [*open_tasks, (latest[0], None)]]
            names = {bpmn_id: name for (_, bpmn_id), name in step_names(session, steps).items()}
            last_return = unanswered_return((latest[0], latest[1], latest[2]), open_tasks, names)
    editable = waiting_at_unit and actor.holds("unit_clerk", dossier.unit_id)
    campaign = session.get(Campaign, dossier.campaign_id)
    config = campaign_config(session, campaign) if campaign is not None else None
    closed = None
    if editable and now is not None and config is not None:
        unit = session.get(OrgUnit, dossier.unit_id)
        closed = submission_closed(config, unit.level if unit else "unit", now)
    return UnitPanel(
        editable=editable,
        documents=current_documents(session, dossier.id),
        missing=dossier_checklist(session, dossier),
        last_return=last_return,
        award_forms=offered_choices(session, config) if config is not None else [],
        kind_labels=KIND_LABELS,
        closed=closed,
        duplicates=duplicate_nominees(session, dossier) if dossier.status not in NOT_PROPOSING else [],
    )
