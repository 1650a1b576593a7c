"""Campaigns (phong trào thi đua) and award forms with the level that grants each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, str_enum, utcnow
from .org import Level


class AwardForm(Base):
    __tablename__ = "award_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    granting_level: Mapped[str] = mapped_column(str_enum(Level))
    subject_types: Mapped[str | None] = mapped_column(String(64))


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    year: Mapped[int]
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    submission_deadline: Mapped[date | None]
    # JSON list of required document kinds; None means the default checklist (domain.documents).
    required_documents: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
