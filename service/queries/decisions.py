"""Decisions of a campaign and their generated PDFs, for the campaign and dossier pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Campaign, Decision, DecisionAward, GeneratedDocument, Nominee


def campaign_decisions(session: Session, campaign: Campaign) -> list[tuple[Decision, list[GeneratedDocument]]]:
    decisions = session.scalars(select(Decision).where(Decision.campaign_id == campaign.id).order_by(Decision.id)).all()
    out = []
    for decision in decisions:
        docs = session.scalars(
            select(GeneratedDocument).where(GeneratedDocument.decision_id == decision.id).order_by(GeneratedDocument.id)
        ).all()
        out.append((decision, list(docs)))
    return out


def dossier_generated(session: Session, dossier_id: int) -> list[GeneratedDocument]:
    """The dossier's own PDFs, plus the decisions that award any of its nominees."""
    decisions = (
        select(DecisionAward.decision_id).join(Nominee, DecisionAward.nominee_id == Nominee.id)
        .where(Nominee.dossier_id == dossier_id)
    )  # fmt: skip
    return list(session.scalars(
        select(GeneratedDocument).where(
            (GeneratedDocument.dossier_id == dossier_id)
            | ((GeneratedDocument.kind == "decision") & GeneratedDocument.decision_id.in_(decisions))
        ).order_by(GeneratedDocument.id)))  # fmt: skip
