"""Load a campaign's settings from its rows into a CampaignConfig value."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.campaign_config import CampaignConfig, NamedAward, OfferedForm
from ..domain.campaign_file import RuleSpec
from ..domain.deadlines import level_deadlines
from ..models import AwardForm, Campaign, CampaignAwardForm, CampaignRule


# A campaign's award forms and rules, by the sha256 of their rows: content-addressed, so a cached entry is
# right for any database and any process that reads rows with that digest. Bounded (campaigns are few).
_PARTS: dict[str, tuple[dict[str, OfferedForm], tuple[RuleSpec, ...]]] = {}
_PARTS_LIMIT = 512


def clear_campaign_config_cache() -> None:
    """Forget cached campaign settings (tests use it to simulate a process restart)."""
    _PARTS.clear()


def _rows(session: Session, campaign_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    forms = session.execute(
        select(AwardForm.code, CampaignAwardForm.name, AwardForm.granting_level, CampaignAwardForm.subject_types_json,
               CampaignAwardForm.required_documents_json)
        .join(AwardForm, CampaignAwardForm.award_form_id == AwardForm.id)
        .where(CampaignAwardForm.campaign_id == campaign_id).order_by(CampaignAwardForm.id)
    ).all()  # fmt: skip
    rules = session.execute(
        select(CampaignRule.code, CampaignRule.type, CampaignRule.params_json, CampaignRule.description)
        .where(CampaignRule.campaign_id == campaign_id).order_by(CampaignRule.id)
    ).all()  # fmt: skip
    return [tuple(r) for r in forms], [tuple(r) for r in rules]


def _digest(forms: list[tuple[Any, ...]], rules: list[tuple[Any, ...]]) -> str:
    text = json.dumps([[[str(v) if v is not None else None for v in r] for r in forms],
                       [[str(v) if v is not None else None for v in r] for r in rules]], ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_digest(session: Session, campaign_id: int) -> str:
    """The sha256 of a campaign's award-form and rule rows, as import_campaign stores it on the campaign."""
    return _digest(*_rows(session, campaign_id))


def _parts(session: Session, campaign: Campaign) -> tuple[dict[str, OfferedForm], tuple[RuleSpec, ...]]:
    key = campaign.config_sha256
    if key is not None and key in _PARTS:
        return _PARTS[key]
    forms, rule_rows = _rows(session, campaign.id)
    offered = {
        code: OfferedForm(
            code=code, name=name, granting_level=str(level), subject_types=tuple(json.loads(subjects)),
            required_documents=tuple(json.loads(required)) if required else None,
        )  # fmt: skip
        for code, name, level, subjects, required in forms
    }
    rules = tuple(RuleSpec(code, type_, json.loads(params), description) for code, type_, params, description in rule_rows)
    # Kept only when the rows read are the rows the digest was taken of (nothing edited them in SQL since).
    if key is not None and _digest(forms, rule_rows) == key:
        if len(_PARTS) >= _PARTS_LIMIT:
            _PARTS.clear()
        _PARTS[key] = (offered, rules)
    return offered, rules


def campaign_config(session: Session, campaign: Campaign) -> CampaignConfig:
    """The CampaignConfig of a campaign row. Its award forms and rules are read once per content digest
    (`Campaign.config_sha256`, set by import_campaign); the campaign row's own settings every time."""
    offered, rules = _parts(session, campaign)
    deadlines = level_deadlines(campaign.deadlines_json, campaign.submission_deadline)
    return CampaignConfig(
        code=campaign.code, offered=offered, rules=rules, deadlines=deadlines, receipt_from=campaign.receipt_from,
        receipt_to=campaign.receipt_to, registration_required=campaign.registration_required,
        registration_deadline=campaign.registration_deadline,
        council=json.loads(campaign.council_json) if campaign.council_json else {"quorum_percent": 50, "pass_percent": 50},
        legacy_required=tuple(json.loads(campaign.required_documents)) if campaign.required_documents else None,
    )  # fmt: skip


def named_award(config: CampaignConfig, form: AwardForm) -> NamedAward:
    """A nominee's catalogue award form as `config`'s campaign names it (CampaignConfig.award_name)."""
    return NamedAward(form.id, form.code, config.award_name(form.code, form.name), str(form.granting_level))
