"""Eligibility of a dossier's travelling nominees against its campaign's conditions and the records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from .. import direct_sql
from ..domain.campaign_config import CampaignConfig
from ..domain.eligibility import ConditionResult, Facts, IndexFact, applies, evaluate
from ..models import AwardForm, Campaign, Dossier, IndexResult, Nominee, PastAward, Registration, YearlyRating
from .campaign_config import campaign_config


@dataclass(frozen=True)
class TravellingNominee:
    """What the eligibility check reads of a nominee still travelling (and what its readers show)."""

    id: int
    kind: str
    full_name: str


# Built once: a reviewer's approval runs these at every appraisal step. Of the tables' columns, not of the
# mapped classes: SQLAlchemy's ORM would build a Nominee object per row and take the ORM's longer execution
# path, for what is read as plain values.
_NOMINEE, _AWARD_FORM, _PAST_AWARD = Nominee.__table__, AwardForm.__table__, PastAward.__table__
# The travelling nominees, each with the award form codes already given to the same person (the stored
# person_key, past_award.recipient_key) in the campaign's year: a row per such award, one with NULL if none.
_TRAVELLING = (
    select(_NOMINEE.c.id, _NOMINEE.c.kind, _NOMINEE.c.full_name, _AWARD_FORM.c.code, _NOMINEE.c.person_key,
           _PAST_AWARD.c.award_form_code.label("awarded"))
    .join(_AWARD_FORM, _NOMINEE.c.award_form_id == _AWARD_FORM.c.id)
    .outerjoin(_PAST_AWARD, and_(_PAST_AWARD.c.recipient_key == _NOMINEE.c.person_key,
                                 _PAST_AWARD.c.year == bindparam("year", type_=_PAST_AWARD.c.year.type)))
    .where(_NOMINEE.c.dossier_id == bindparam("dossier_id"), _NOMINEE.c.outcome.is_(None)).order_by(_NOMINEE.c.id)
)  # fmt: skip
_REGISTERED = select(Registration.id).where(
    Registration.campaign_id == bindparam("campaign_id"), Registration.org_unit_id == bindparam("unit_id")
)
_INDEXES = select(IndexResult.index_code, IndexResult.rank, IndexResult.classification).where(
    IndexResult.org_unit_id == bindparam("unit_id"), IndexResult.year == bindparam("year")
)
_RATINGS = select(YearlyRating.person_key, YearlyRating.year, YearlyRating.rating).where(
    YearlyRating.person_key.in_(bindparam("keys", expanding=True)), YearlyRating.org_unit_id == bindparam("unit_id")
)


def _travelling(session: Session, dossier_id: int, year: int) -> tuple[list[tuple[TravellingNominee, str, str]],
                                                                       dict[str, list[str]]]:  # fmt: skip
    """(nominee, award form code, person key) of each travelling nominee in id order, and for each person key
    the award form codes given to that person in `year` (a past award row each)."""
    nominees: dict[int, tuple[TravellingNominee, str, str]] = {}
    awarded: dict[str, list[str]] = {}
    first_of_key: dict[str, int] = {}
    for row in direct_sql.execute(session, _TRAVELLING, {"dossier_id": dossier_id, "year": year}).all():
        if row.id not in nominees:
            nominees[row.id] = (TravellingNominee(row.id, str(row.kind), row.full_name), row.code, row.person_key)
            awarded.setdefault(row.person_key, [])
            first_of_key.setdefault(row.person_key, row.id)
        # Two nominees of one name carry the same awards: counted once, from the first of them.
        if row.awarded and first_of_key[row.person_key] == row.id:
            awarded[row.person_key].append(row.awarded)
    return list(nominees.values()), awarded


def dossier_eligibility(
    session: Session, dossier: Dossier, config: CampaignConfig | None = None
) -> list[tuple[TravellingNominee, list[ConditionResult]]]:
    """For each nominee still travelling, every condition that applies to it (pass, fail or unknown).

    Records are read only where a condition that applies to one of the nominees needs them, and for
    all the nominees of the dossier at once.
    """
    campaign = session.get(Campaign, dossier.campaign_id)
    assert campaign is not None
    rules = (config or campaign_config(session, campaign)).rules
    travelling, awarded = _travelling(session, dossier.id, campaign.year)
    if not travelling:
        return []
    needed = {rule.type for rule in rules for nominee, form, _key in travelling if applies(rule, nominee.kind, form)}
    registered = None
    if "registered_by" in needed:
        found = session.scalar(_REGISTERED, {"campaign_id": campaign.id, "unit_id": dossier.unit_id})
        registered = found is not None
    indexes: dict[str, IndexFact] = {}
    if "index_rank" in needed:
        indexes = {code: IndexFact(code, rank, cls) for code, rank, cls in
                   session.execute(_INDEXES, {"unit_id": dossier.unit_id, "year": campaign.year})}  # fmt: skip
    keys = sorted(awarded)
    ratings: dict[str, dict[int, str]] = {key: {} for key in keys}
    if "consecutive_years" in needed:
        for key, year, rating in session.execute(_RATINGS, {"keys": keys, "unit_id": dossier.unit_id}):
            ratings[key][year] = rating
    out = []
    for nominee, form, key in travelling:
        facts = Facts(year=campaign.year, kind=nominee.kind, award_form=form, registered=registered,
                      indexes=indexes, ratings=ratings[key], awarded_this_year=tuple(awarded[key]))  # fmt: skip
        results = evaluate(rules, facts)
        if results:
            out.append((nominee, results))
    return out


def unconfirmed_keys(session: Session, dossier: Dossier) -> set[str]:
    """"<nominee id>:<code>" of every condition no record decides (what a reviewer confirms by ticking)."""
    return {f"{n.id}:{r.code}" for n, results in dossier_eligibility(session, dossier) for r in results
            if r.status == "unknown"}  # fmt: skip
