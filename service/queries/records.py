"""Search the records: past awards and yearly ratings by name, unit, year and award."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..domain.eligibility import person_key
from ..models import IndexResult, OrgUnit, PastAward, YearlyRating


@dataclass(frozen=True)
class RecordQuery:
    name: str | None = None
    unit_code: str | None = None
    year: int | None = None
    award: str | None = None


def _unit(query: Select, column, code: str | None):  # type: ignore[no-untyped-def, type-arg]
    return query.join(OrgUnit, column == OrgUnit.id).where(OrgUnit.code == code) if code else query


def search_awards(session: Session, q: RecordQuery, limit: int = 200) -> list[PastAward]:
    query = select(PastAward).order_by(PastAward.year.desc(), PastAward.recipient_name).limit(limit)
    if q.name:
        query = query.where(PastAward.recipient_key.contains(person_key(q.name)))
    if q.year:
        query = query.where(PastAward.year == q.year)
    if q.award:
        query = query.where((PastAward.award_form_code == q.award) | PastAward.award_name.contains(q.award))
    return list(session.scalars(_unit(query, PastAward.org_unit_id, q.unit_code)))


def search_ratings(session: Session, q: RecordQuery, limit: int = 200) -> list[YearlyRating]:
    query = select(YearlyRating).order_by(YearlyRating.year.desc(), YearlyRating.person_name).limit(limit)
    if q.name:
        query = query.where(YearlyRating.person_key.contains(person_key(q.name)))
    if q.year:
        query = query.where(YearlyRating.year == q.year)
    return list(session.scalars(_unit(query, YearlyRating.org_unit_id, q.unit_code)))


def search_indexes(session: Session, q: RecordQuery, limit: int = 200) -> list[IndexResult]:
    query = select(IndexResult).order_by(IndexResult.year.desc(), IndexResult.index_code).limit(limit)
    if q.year:
        query = query.where(IndexResult.year == q.year)
    return list(session.scalars(_unit(query, IndexResult.org_unit_id, q.unit_code)))
