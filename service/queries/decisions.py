"""Decisions of a campaign and their generated PDFs, for the campaign and dossier pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..models import Campaign, Decision, DecisionAward, Dossier, GeneratedDocument, Nominee, OrgUnit

# The unit's tờ trình for its dossier, as the system drafts it (unsigned; operations.official_documents).
DRAFT_KIND = "proposal_letter"
# The thông báo to a unit whose nominees were not awarded (unsigned; one current per unit and campaign).
NOTICE_KIND = "notice"


def campaign_decisions(
    session: Session, campaign: Campaign,
) -> list[tuple[Decision, str, list[GeneratedDocument], tuple[int, int] | None]]:  # fmt: skip
    """The campaign's decisions with the name of the body that issued each (every level numbers its own from 1:
    "1/QĐ-UBND" of the ward and of the province are told apart by it), their documents, and, while `thidua worker`
    is still making a decision's certificates, how many of how many are made (None once all are)."""
    rows = session.execute(
        select(Decision, OrgUnit.name).join(OrgUnit, Decision.issuing_unit_id == OrgUnit.id)
        .where(Decision.campaign_id == campaign.id).order_by(Decision.id)
    ).all()  # fmt: skip
    if not rows:
        return []
    ids = [decision.id for decision, _ in rows]
    awarded = dict(session.execute(  # type: ignore[arg-type]
        select(DecisionAward.decision_id, func.count()).where(DecisionAward.decision_id.in_(ids))
        .group_by(DecisionAward.decision_id)
    ).all())  # fmt: skip
    docs: dict[int, list[GeneratedDocument]] = {}
    for doc in session.scalars(select(GeneratedDocument).where(GeneratedDocument.decision_id.in_(ids))
                               .order_by(GeneratedDocument.id)):  # fmt: skip
        docs.setdefault(doc.decision_id, []).append(doc)  # type: ignore[arg-type]
    out = []
    for decision, issuer in rows:
        mine = docs.get(decision.id, [])
        made, total = sum(d.kind == "certificate" for d in mine), awarded.get(decision.id, 0)
        out.append((decision, issuer, mine, (made, total) if made < total else None))
    return out


def dossier_generated(session: Session, dossier_id: int, superseded: bool = False) -> list[GeneratedDocument]:
    """The dossier's own PDFs, plus the decisions that award any of its nominees.

    Of the unit's tờ trình drafts only the newest is current (each generation replaces the one before, as an
    upload replaces the document it supersedes); so of the notices to the dossier's unit in its campaign (each kept
    with one of the unit's dossiers there). The older ones stay on record, listed only with `superseded`."""
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
        this, sibling, notice = aliased(Dossier), aliased(Dossier), aliased(GeneratedDocument)
        newest_notice = (
            select(func.max(notice.id)).join(sibling, notice.dossier_id == sibling.id)
            .join(this, (this.unit_id == sibling.unit_id) & (this.campaign_id == sibling.campaign_id))
            .where(this.id == dossier_id, notice.kind == NOTICE_KIND)
        ).scalar_subquery()  # fmt: skip
        query = query.where((GeneratedDocument.kind.not_in((DRAFT_KIND, NOTICE_KIND)))
                            | (GeneratedDocument.id == newest_draft) | (GeneratedDocument.id == newest_notice))  # fmt: skip
    return list(session.scalars(query.order_by(GeneratedDocument.id)))
