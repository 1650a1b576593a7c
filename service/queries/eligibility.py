"""Eligibility of a dossier's travelling nominees against its campaign's conditions and the records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from .. import direct_sql
from ..domain.campaign_config import CampaignConfig
from ..domain.eligibility import ConditionResult, Facts, IndexFact, applies, evaluate, person_key
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
_NOMINEE, _AWARD_FORM = Nominee.__table__, AwardForm.__table__
_TRAVELLING = (
    select(_NOMINEE.c.id, _NOMINEE.c.kind, _NOMINEE.c.full_name, _AWARD_FORM.c.code)
    .join(_AWARD_FORM, _NOMINEE.c.award_form_id == _AWARD_FORM.c.id)
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
_PAST_AWARD = PastAward.__table__
_AWARDED = select(_PAST_AWARD.c.recipient_key, _PAST_AWARD.c.award_form_code).where(
    _PAST_AWARD.c.recipient_key.in_(bindparam("keys", expanding=True)), _PAST_AWARD.c.year == bindparam("year")
)
_AWARDED_LISTED_MAX = 32  # up to this many names: a statement with one parameter per name, run by direct_sql


@cache
def _awarded_listed(count: int) -> Select[tuple[str, str]]:
    """_AWARDED for exactly `count` names (:key_0 …), built once per count: its SQL is fixed, so it runs on the
    driver (direct_sql) without SQLAlchemy expanding the list at each execution."""
    keys = [bindparam(f"key_{n}", type_=_PAST_AWARD.c.recipient_key.type) for n in range(count)]
    return select(_PAST_AWARD.c.recipient_key, _PAST_AWARD.c.award_form_code).where(
        _PAST_AWARD.c.recipient_key.in_(keys), _PAST_AWARD.c.year == bindparam("year"))


def _past_awards(session: Session, keys: list[str], year: int) -> Sequence[tuple[str, str | None]]:
    """(recipient key, award form code) of the awards of `year` to these names."""
    if len(keys) > _AWARDED_LISTED_MAX:
        return session.execute(_AWARDED, {"keys": keys, "year": year}).all()
    params = {f"key_{n}": key for n, key in enumerate(keys)}
    return direct_sql.execute(session, _awarded_listed(len(keys)), {**params, "year": year}).all()


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
    rows = [(TravellingNominee(id, str(kind), full_name), form)
            for id, kind, full_name, form in direct_sql.execute(session, _TRAVELLING, {"dossier_id": dossier.id}).all()]  # fmt: skip
    if not rows:
        return []
    needed = {rule.type for rule in rules for nominee, form in rows if applies(rule, nominee.kind, form)}
    registered = None
    if "registered_by" in needed:
        found = session.scalar(_REGISTERED, {"campaign_id": campaign.id, "unit_id": dossier.unit_id})
        registered = found is not None
    indexes: dict[str, IndexFact] = {}
    if "index_rank" in needed:
        indexes = {code: IndexFact(code, rank, cls) for code, rank, cls in
                   session.execute(_INDEXES, {"unit_id": dossier.unit_id, "year": campaign.year})}  # fmt: skip
    keys = sorted({person_key(nominee.full_name) for nominee, _ in rows})
    ratings: dict[str, dict[int, str]] = {key: {} for key in keys}
    if "consecutive_years" in needed:
        for key, year, rating in session.execute(_RATINGS, {"keys": keys, "unit_id": dossier.unit_id}):
            ratings[key][year] = rating
    awarded: dict[str, list[str]] = {key: [] for key in keys}
    for key, code in _past_awards(session, keys, campaign.year):
        if code:
            awarded[key].append(code)
    out = []
    for nominee, form in rows:
        key = person_key(nominee.full_name)
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
