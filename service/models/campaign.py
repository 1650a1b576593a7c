"""Campaigns (phong trào thi đua) and award forms with the level that grants each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
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
    theme: Mapped[str | None] = mapped_column(String(500))
    period_from: Mapped[date | None]
    period_to: Mapped[date | None]
    registration_required: Mapped[bool] = mapped_column(default=False)
    registration_deadline: Mapped[date | None]
    receipt_from: Mapped[date | None]
    receipt_to: Mapped[date | None]
    # JSON {receiving level: "YYYY-MM-DD"}: the last day dossiers are received at that level.
    deadlines_json: Mapped[str | None] = mapped_column(Text)
    council_json: Mapped[str | None] = mapped_column(Text)  # {"quorum_percent": 50, "pass_percent": 50}
    source: Mapped[str | None] = mapped_column(String(500))
    # The units' deadline to the first receiving level (kept equal to deadlines_json's lowest level).
    submission_deadline: Mapped[date | None]
    # JSON list of required document kinds; None means the default checklist (domain.documents).
    required_documents: Mapped[str | None] = mapped_column(Text)
    # sha256 of its campaign_award_form and campaign_rule rows, set by import_campaign (the only writer of
    # those rows): the settings are then read once per process per digest (queries.campaign_config).
    config_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CampaignAwardForm(Base):
    """An award form a campaign offers, with its subject types, required documents and criteria."""

    __tablename__ = "campaign_award_form"
    __table_args__ = (UniqueConstraint("campaign_id", "award_form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    award_form_id: Mapped[int] = mapped_column(ForeignKey("award_form.id"))
    name: Mapped[str] = mapped_column(String(255))  # as the plan writes it (phường/xã, huyện/thành phố…)
    subject_types_json: Mapped[str] = mapped_column(Text, default='["collective", "individual"]')
    required_documents_json: Mapped[str | None] = mapped_column(Text)
    criteria_json: Mapped[str | None] = mapped_column(Text)


class CampaignRule(Base):
    """A quota rule or eligibility condition of a campaign: a type and its parameters (JSON)."""

    __tablename__ = "campaign_rule"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    params_json: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(500))


class Registration(Base):
    """A unit's registration (đăng ký thi đua) in a campaign."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("campaign_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
