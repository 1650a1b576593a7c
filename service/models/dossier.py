"""Dossiers (hồ sơ đề nghị khen thưởng) and their nominees."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..db import Base, UTCDateTime, str_enum, utcnow
from ..domain.eligibility import person_key
from .org import Level


class DossierStatus(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    returned = "returned"
    granted = "granted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    cancelled = "cancelled"
    error = "error"


class NomineeKind(enum.StrEnum):
    individual = "individual"
    collective = "collective"


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (Index("ix_dossier_campaign_unit", "campaign_id", "unit_id"), Index("ix_dossier_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(str_enum(DossierStatus), default=DossierStatus.draft)
    target_level: Mapped[str] = mapped_column(str_enum(Level))
    current_step: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Nominee(Base):
    __tablename__ = "nominee"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(str_enum(NomineeKind))
    full_name: Mapped[str] = mapped_column(String(255))
    position: Mapped[str | None] = mapped_column(String(255))
    award_form_id: Mapped[int] = mapped_column(ForeignKey("award_form.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))  # None while travelling; granted | rejected
    outcome_level: Mapped[str | None] = mapped_column(String(16))
    # person_key(full_name), kept with the name (migration 0030): the eligibility check finds the nominees' past
    # awards (past_award.recipient_key, the same key) in the query that reads the nominees.
    person_key: Mapped[str] = mapped_column(String(255))

    @validates("full_name")
    def _name_keeps_its_key(self, _key: str, full_name: str) -> str:
        self.person_key = person_key(full_name)
        return full_name


class NomineeDecision(Base):
    """What one step decided for one nominee (council votes included); the per-level record of outcomes.

    The step and its level are not stored: they are those of the human_task the decision was made in
    (human_task.bpmn_id and human_task.level), which readers join (migration 0026).
    """

    __tablename__ = "nominee_decision"
    __table_args__ = (Index("ix_nominee_decision_task", "human_task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id"), index=True)
    human_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    result: Mapped[str] = mapped_column(String(16))  # approve | reject | granted
    reason: Mapped[str | None] = mapped_column(Text)
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    members_present: Mapped[int | None]
    council_size: Mapped[int | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
