"""Load a campaign's settings from its rows into a CampaignConfig value."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.campaign_config import CampaignConfig, OfferedForm
from ..domain.campaign_file import RuleSpec
from ..models import AwardForm, Campaign, CampaignAwardForm, CampaignRule


def campaign_config(session: Session, campaign: Campaign) -> CampaignConfig:
    """The CampaignConfig of a campaign row (cheap: three small queries)."""
    offered = {
        form.code: OfferedForm(
            code=form.code, name=link.name, granting_level=str(form.granting_level),
            subject_types=tuple(json.loads(link.subject_types_json)),
            required_documents=tuple(json.loads(link.required_documents_json)) if link.required_documents_json else None,
        )  # fmt: skip
        for link, form in session.execute(
            select(CampaignAwardForm, AwardForm).join(AwardForm, CampaignAwardForm.award_form_id == AwardForm.id)
            .where(CampaignAwardForm.campaign_id == campaign.id).order_by(CampaignAwardForm.id)
        )  # fmt: skip
    }
    rules = tuple(
        RuleSpec(r.code, r.type, json.loads(r.params_json), r.description)
        for r in session.scalars(select(CampaignRule).where(CampaignRule.campaign_id == campaign.id).order_by(CampaignRule.id))
    )
    deadlines = {k: date.fromisoformat(v) for k, v in json.loads(campaign.deadlines_json or "{}").items()}
    if not deadlines and campaign.submission_deadline:
        deadlines = {"ward": campaign.submission_deadline}
    return CampaignConfig(
        code=campaign.code, offered=offered, rules=rules, deadlines=deadlines, receipt_from=campaign.receipt_from,
        receipt_to=campaign.receipt_to, registration_required=campaign.registration_required,
        registration_deadline=campaign.registration_deadline,
        council=json.loads(campaign.council_json) if campaign.council_json else {"quorum_percent": 50, "pass_percent": 50},
        legacy_required=tuple(json.loads(campaign.required_documents)) if campaign.required_documents else None,
    )  # fmt: skip
