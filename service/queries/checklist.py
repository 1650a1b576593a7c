"""The document checklist of a dossier: what its campaign requires that is not uploaded (or, for a nominee's
trích ngang, typed in) yet."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.documents import MissingItem, missing_documents
from ..models import AwardForm, Campaign, Document, Dossier, Nominee
from .campaign_config import campaign_config


def dossier_checklist(session: Session, dossier: Dossier) -> list[MissingItem]:
    """Missing items (empty when the dossier is complete); each nominee's award form sets its documents."""
    campaign = session.get(Campaign, dossier.campaign_id)
    assert campaign is not None
    config = campaign_config(session, campaign)
    rows = session.execute(
        select(Nominee, AwardForm.code).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .where(Nominee.dossier_id == dossier.id).order_by(Nominee.id)
    ).all()  # fmt: skip
    documents = session.scalars(
        select(Document).where(Document.dossier_id == dossier.id, Document.is_current.is_(True))
    ).all()
    required = {nominee.id: config.required_for(code) for nominee, code in rows}
    typed = [nominee.id for nominee, _ in rows if (nominee.summary or "").strip()]
    return missing_documents(required, [nominee for nominee, _ in rows], documents, typed)
