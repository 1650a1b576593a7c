"""Records that feed the rules: index results per unit and year, yearly ratings, the register of past awards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class IndexResult(Base):
    """A unit's result in an index (PAR_INDEX, SIPAS, DTI, DDCI) for a year."""

    __tablename__ = "index_result"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "index_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int]
    index_code: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None]
    rank: Mapped[int | None]
    bloc: Mapped[str | None] = mapped_column(String(128))
    classification: Mapped[str | None] = mapped_column(String(64))  # e.g. "xuất sắc", "tốt"


class YearlyRating(Base):
    """An individual's yearly rating ("hoàn thành tốt nhiệm vụ", …); people are named within their unit."""

    __tablename__ = "yearly_rating"
    __table_args__ = (UniqueConstraint("person_key", "org_unit_id", "year"), Index("ix_yearly_rating_name", "person_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_name: Mapped[str] = mapped_column(String(255))
    person_key: Mapped[str] = mapped_column(String(255))  # NFC, case-folded, single spaces: for matching
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int]
    rating: Mapped[str] = mapped_column(String(64))


class PastAward(Base):
    """The register of awards already given: who, what, decision number and date."""

    __tablename__ = "past_award"
    __table_args__ = (Index("ix_past_award_name_year", "recipient_key", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_name: Mapped[str] = mapped_column(String(255))
    recipient_key: Mapped[str] = mapped_column(String(255))
    recipient_kind: Mapped[str] = mapped_column(String(16))  # collective | individual
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    award_name: Mapped[str] = mapped_column(String(255))
    award_form_code: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int]
    decision_number: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[date | None]
