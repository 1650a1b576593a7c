"""What the unit clerk's panel on a dossier page needs: documents, checklist, editability, last return."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.documents import KIND_LABELS, MissingItem
from ..domain.dossier_status import FIRST_STEP
from ..domain.summaries import MAX_SUMMARY_CHARS
from ..models import AwardForm, Document, Dossier, HumanTask, ProcessInstance, User
from .checklist import dossier_checklist
from .step_names import step_name


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
    award_forms: list[AwardForm]
    kind_labels: dict[str, str]
    summary_max: int = MAX_SUMMARY_CHARS


def unit_panel(session: Session, actor: Actor, dossier: Dossier) -> UnitPanel:
    """Documents and checklist for everyone who may see the dossier; editing only for the unit's clerk."""
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
    documents = list(
        session.scalars(
            select(Document).where(Document.dossier_id == dossier.id, Document.is_current.is_(True))
            .order_by(Document.kind, Document.id)
        )
    )  # fmt: skip
    return UnitPanel(
        editable=waiting_at_unit is not None and actor.holds("unit_clerk", dossier.unit_id),
        documents=documents,
        missing=dossier_checklist(session, dossier),
        last_return=last_return,
        award_forms=list(session.scalars(select(AwardForm).order_by(AwardForm.id))),
        kind_labels=KIND_LABELS,
    )
