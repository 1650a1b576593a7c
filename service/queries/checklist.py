"""The document checklist of a dossier: what its campaign requires that is not uploaded yet."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.documents import MissingItem, missing_documents, required_kinds
from ..models import Campaign, Document, Dossier, Nominee


def dossier_checklist(session: Session, dossier: Dossier) -> list[MissingItem]:
    """Missing items (empty when the dossier is complete)."""
    campaign = session.get(Campaign, dossier.campaign_id)
    nominees = session.scalars(select(Nominee).where(Nominee.dossier_id == dossier.id).order_by(Nominee.id)).all()
    documents = session.scalars(
        select(Document).where(Document.dossier_id == dossier.id, Document.is_current.is_(True))
    ).all()
    return missing_documents(required_kinds(campaign.required_documents if campaign else None), nominees, documents)
