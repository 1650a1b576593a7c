"""Eligibility of a dossier's travelling nominees against its campaign's conditions and the records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.campaign_config import CampaignConfig
from ..domain.eligibility import ConditionResult, Facts, IndexFact, evaluate, person_key
from ..models import AwardForm, Campaign, Dossier, IndexResult, Nominee, PastAward, Registration, YearlyRating
from .campaign_config import campaign_config


def dossier_eligibility(
    session: Session, dossier: Dossier, config: CampaignConfig | None = None
) -> list[tuple[Nominee, list[ConditionResult]]]:
    """For each nominee still travelling, every condition that applies to it (pass, fail or unknown)."""
    campaign = session.get(Campaign, dossier.campaign_id)
    assert campaign is not None
    rules = (config or campaign_config(session, campaign)).rules
    registered = session.scalar(select(Registration.id).where(Registration.campaign_id == campaign.id,
                                                              Registration.org_unit_id == dossier.unit_id)) is not None  # fmt: skip
    indexes = {r.index_code: IndexFact(r.index_code, r.rank, r.classification) for r in session.scalars(
        select(IndexResult).where(IndexResult.org_unit_id == dossier.unit_id, IndexResult.year == campaign.year))}  # fmt: skip
    out = []
    rows = session.execute(
        select(Nominee, AwardForm.code).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .where(Nominee.dossier_id == dossier.id, Nominee.outcome.is_(None)).order_by(Nominee.id)
    ).all()  # fmt: skip
    for nominee, form in rows:
        key = person_key(nominee.full_name)
        ratings = {r.year: r.rating for r in session.scalars(
            select(YearlyRating).where(YearlyRating.person_key == key, YearlyRating.org_unit_id == dossier.unit_id))}  # fmt: skip
        awarded = tuple(c for c in session.scalars(
            select(PastAward.award_form_code).where(PastAward.recipient_key == key, PastAward.year == campaign.year)) if c)  # fmt: skip
        facts = Facts(year=campaign.year, kind=str(nominee.kind), award_form=form, registered=registered,
                      indexes=indexes, ratings=ratings, awarded_this_year=awarded)  # fmt: skip
        results = evaluate(rules, facts)
        if results:
            out.append((nominee, results))
    return out


def unconfirmed_keys(session: Session, dossier: Dossier) -> set[str]:
    """"<nominee id>:<code>" of every condition no record decides (what a reviewer confirms by ticking)."""
    return {f"{n.id}:{r.code}" for n, results in dossier_eligibility(session, dossier) for r in results
            if r.status == "unknown"}  # fmt: skip
