"""What the unit clerk's forms need: the panel on a dossier page (documents, checklist, editability, last
return, the campaign's award forms, a passed deadline) and the new-dossier form's campaign choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
from .step_names import step_name


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
    step_name: str
    reason: str | None
    by: str | None


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


def unit_panel(session: Session, actor: Actor, dossier: Dossier, now: datetime | None = None) -> UnitPanel:
    """Documents and checklist for everyone who may see the dossier; editing only for the unit's clerk.
    With `now`, an editable dossier whose campaign no longer receives dossiers says so (`closed`)."""
    instance_id, version_id = session.execute(
        select(ProcessInstance.id, ProcessInstance.version_id).where(ProcessInstance.dossier_id == dossier.id)
    ).first() or (None, None)
    waiting_at_unit = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready",
                                   HumanTask.bpmn_id == FIRST_STEP)  # fmt: skip
    )
    returned = session.execute(
        select(HumanTask, User.full_name).outerjoin(User, HumanTask.completed_by == User.id)
        .where(HumanTask.instance_id == instance_id, HumanTask.decision == "return")
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)
    ).first()  # fmt: skip
    last_return = None
    if returned and waiting_at_unit:
        task, by = returned
        last_return = ReturnNote(step_name(session, version_id, task.bpmn_id), task.comment, by)
    editable = waiting_at_unit is not None and actor.holds("unit_clerk", dossier.unit_id)
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
    )
