"""Decisions of a campaign and their generated PDFs, for the campaign and dossier pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Campaign, Decision, DecisionAward, GeneratedDocument, Nominee, OrgUnit

# The unit's tờ trình for its dossier, as the system drafts it (unsigned; operations.official_documents).
DRAFT_KIND = "proposal_letter"


def campaign_decisions(session: Session, campaign: Campaign) -> list[tuple[Decision, str, list[GeneratedDocument]]]:
    """The campaign's decisions with the name of the body that issued each (every level numbers its own from 1:
    "1/QĐ-UBND" of the ward and of the province are told apart by it) and their documents."""
    rows = session.execute(
        select(Decision, OrgUnit.name).join(OrgUnit, Decision.issuing_unit_id == OrgUnit.id)
        .where(Decision.campaign_id == campaign.id).order_by(Decision.id)
    ).all()  # fmt: skip
    out = []
    for decision, issuer in rows:
        docs = session.scalars(
            select(GeneratedDocument).where(GeneratedDocument.decision_id == decision.id).order_by(GeneratedDocument.id)
        ).all()
        out.append((decision, issuer, list(docs)))
    return out


def dossier_generated(session: Session, dossier_id: int, superseded: bool = False) -> list[GeneratedDocument]:
    """The dossier's own PDFs, plus the decisions that award any of its nominees.

    Of the unit's tờ trình drafts only the newest is current (each generation replaces the one before, as an
    upload replaces the document it supersedes); the older ones stay on record, listed only with `superseded`."""
    decisions = (
        select(DecisionAward.decision_id).join(Nominee, DecisionAward.nominee_id == Nominee.id)
        .where(Nominee.dossier_id == dossier_id)
    )  # fmt: skip
    query = select(GeneratedDocument).where(
        (GeneratedDocument.dossier_id == dossier_id)
        | ((GeneratedDocument.kind == "decision") & GeneratedDocument.decision_id.in_(decisions))
    )  # fmt: skip
    if not superseded:
        newest_draft = select(func.max(GeneratedDocument.id)).where(
            GeneratedDocument.dossier_id == dossier_id, GeneratedDocument.kind == DRAFT_KIND
        ).scalar_subquery()
        query = query.where((GeneratedDocument.kind != DRAFT_KIND) | (GeneratedDocument.id == newest_draft))
    return list(session.scalars(query.order_by(GeneratedDocument.id)))
