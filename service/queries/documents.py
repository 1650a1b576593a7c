"""A dossier's current documents (replaced files stay on record but are not listed)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Document


def current_documents(session: Session, dossier_id: int) -> list[Document]:
    """Current documents of a dossier, by kind then upload order."""
    return list(session.scalars(
        select(Document).where(Document.dossier_id == dossier_id, Document.is_current.is_(True))
        .order_by(Document.kind, Document.id)
    ))  # fmt: skip
