"""The document checklist of a dossier: what its campaign requires that is not uploaded (or, for a nominee's
trích ngang, typed in) yet."""

from __future__ import annotations

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import Session

from .. import direct_sql
from ..domain.documents import MissingItem, missing_documents
from ..models import AwardForm, Campaign, Document, Dossier, Nominee
from .campaign_config import campaign_config


# Read at every submission (and on the dossier's pages): built once, run straight on the driver (direct_sql).
_NOMINEES = (
    select(Nominee.id, Nominee.full_name, Nominee.summary, AwardForm.code)
    .join(AwardForm, Nominee.award_form_id == AwardForm.id)
    .where(Nominee.dossier_id == bindparam("dossier_id"))
    .order_by(Nominee.id)
)
_CURRENT_DOCUMENTS = select(Document.kind, Document.nominee_id).where(
    Document.dossier_id == bindparam("dossier_id"), Document.is_current.is_(true()))  # fmt: skip


def dossier_checklist(session: Session, dossier: Dossier) -> list[MissingItem]:
    """Missing items (empty when the dossier is complete); each nominee's award form sets its documents."""
    campaign = session.get(Campaign, dossier.campaign_id)
    assert campaign is not None
    config = campaign_config(session, campaign)
    nominees = direct_sql.execute(session, _NOMINEES, {"dossier_id": dossier.id}).rows
    documents = direct_sql.execute(session, _CURRENT_DOCUMENTS, {"dossier_id": dossier.id}).rows
    required = {nominee.id: config.required_for(nominee.code) for nominee in nominees}
    typed = [nominee.id for nominee in nominees if (nominee.summary or "").strip()]
    return missing_documents(required, nominees, documents, typed)
