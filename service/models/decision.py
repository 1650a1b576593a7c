"""Award decisions (quyết định khen thưởng), their gapless numbering, and generated documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from .audit import Sha256Digest


class DecisionCounter(Base):
    """The last decision number an issuing unit used in a year; locked while the next one is taken."""

    __tablename__ = "decision_counter"
    __table_args__ = (UniqueConstraint("issuing_unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int]
    last_seq: Mapped[int] = mapped_column(default=0)


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("issuing_unit_id", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(64))  # e.g. "15/QĐ-UBND"
    decided_on: Mapped[date]
    signer_name: Mapped[str] = mapped_column(String(255))
    signer_title: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DecisionAward(Base):
    __tablename__ = "decision_award"
    __table_args__ = (UniqueConstraint("nominee_id"),)  # a nominee is awarded by one decision

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id"))


class GeneratedDocument(Base):
    """A PDF the system produced, stored by sha256 like uploads, linked to what it is about."""

    __tablename__ = "generated_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # decision | certificate | proposal_letter | report | notice
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominee.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(Sha256Digest())  # hex to the service, 32 bytes stored (0022)
    size: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
