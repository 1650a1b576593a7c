"""Campaigns as data: import a campaign file (create or update), export it back, register units."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.campaign_file import CampaignSpec, parse_campaign
from ..domain.deadlines import local_date, registration_closed
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import AwardForm, Campaign, CampaignAwardForm, CampaignRule, OrgUnit, Registration
from ..queries.campaign_config import config_digest
from .audit import record_event

CAMPAIGN_FILES = Path(__file__).resolve().parent.parent / "campaign_files"


class _Loader(yaml.SafeLoader):
    """Safe YAML, with dates left as text so that a bad date is reported by our checks, not a crash."""


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_campaign_file(text: str, filename: str = "campaign.yaml") -> CampaignSpec:
    """Decode YAML or JSON text (JSON is YAML) and check it."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark else ""
        raise InvalidInput("{filename}: không đọc được YAML/JSON{where}.",
                           {"filename": filename, "where": where}) from None
    return parse_campaign(data)


def import_campaign(session: Session, actor: Actor, spec: CampaignSpec, now: datetime) -> Campaign:
    """Create the campaign or replace its settings; award forms unknown so far join the catalog."""
    issuer = session.scalar(select(OrgUnit).where(OrgUnit.code == spec.issuing_unit))
    if issuer is None:
        raise InvalidInput("issuing_unit: không có đơn vị mã '{issuing_unit}'.", {"issuing_unit": spec.issuing_unit})
    campaign = session.scalar(select(Campaign).where(Campaign.code == spec.code))
    before = export_campaign(session, spec.code) if campaign is not None else None
    if campaign is None:
        campaign = Campaign(code=spec.code, title=spec.title, year=spec.year, issuing_unit_id=issuer.id,
                            process_key=spec.process, created_at=now)  # fmt: skip
        session.add(campaign)
    lowest = min(spec.deadlines, key=["ward", "district", "province"].index) if spec.deadlines else None
    campaign.title, campaign.year, campaign.issuing_unit_id, campaign.process_key = (
        spec.title, spec.year, issuer.id, spec.process)
    campaign.theme, campaign.period_from, campaign.period_to = spec.theme, spec.period_from, spec.period_to
    campaign.registration_required, campaign.registration_deadline = spec.registration_required, spec.registration_deadline
    campaign.receipt_from, campaign.receipt_to = spec.receipt_from, spec.receipt_to
    campaign.deadlines_json = json.dumps({k: v.isoformat() for k, v in spec.deadlines.items()})
    campaign.submission_deadline = spec.deadlines.get(lowest) if lowest else None
    campaign.council_json = json.dumps(spec.council)
    campaign.source = spec.source
    session.flush()
    session.execute(delete(CampaignAwardForm).where(CampaignAwardForm.campaign_id == campaign.id))
    session.execute(delete(CampaignRule).where(CampaignRule.campaign_id == campaign.id))
    for form in spec.award_forms:
        catalog = session.scalar(select(AwardForm).where(AwardForm.code == form.code))
        if catalog is None:
            catalog = AwardForm(code=form.code, name=form.name, granting_level=form.granting_level)
            session.add(catalog)
            session.flush()
        elif catalog.granting_level != form.granting_level:
            raise InvalidInput("award_forms: '{code}' đã có với cấp tặng '{granting_level}', không đổi thành '{granting_level2}' được.",
                               {"code": form.code, "granting_level": catalog.granting_level, "granting_level2": form.granting_level})  # fmt: skip
        session.add(CampaignAwardForm(
            campaign_id=campaign.id, award_form_id=catalog.id, name=form.name,
            subject_types_json=json.dumps(list(form.subject_types)),
            required_documents_json=json.dumps(list(form.required_documents)) if form.required_documents is not None else None,
            criteria_json=json.dumps(form.criteria, ensure_ascii=False) if form.criteria else None,
        ))  # fmt: skip
    for rule in spec.rules:
        session.add(CampaignRule(campaign_id=campaign.id, code=rule.code, type=rule.type,
                                 params_json=json.dumps(rule.params, ensure_ascii=False, default=str),
                                 description=rule.description))  # fmt: skip
    session.flush()
    campaign.config_sha256 = config_digest(session, campaign.id)
    record_event(session, action="campaign.import" if before is None else "campaign.edit", object_type="campaign",
                 object_id=campaign.code, actor=actor.user_id, before=before,
                 after=export_campaign(session, campaign.code), now=now)  # fmt: skip
    return campaign


def save_campaign_from_page(session: Session, actor: Actor, spec: CampaignSpec, now: datetime, *, editing: str | None,
                            as_new: bool = False) -> tuple[Campaign, bool]:
    """The admin's editor: create a campaign (`editing` None), save the one being edited (`editing` its code), or save
    the edited file as a new campaign (`as_new`). Unlike `import_campaign` (the CLI's create-or-replace), the page
    never replaces a campaign it was not asked to: creating refuses a code that exists, and a changed code while
    editing is refused unless the admin chose to save as a new campaign, whose code must not exist yet. Returns the
    campaign and whether it was created."""
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới tạo và sửa phong trào.")
    exists = session.scalar(select(Campaign.id).where(Campaign.code == spec.code)) is not None
    if editing is not None and session.scalar(select(Campaign.id).where(Campaign.code == editing)) is None:
        raise NotFound("Không tìm thấy phong trào.")
    if editing is not None and as_new and spec.code == editing:
        raise InvalidInput("Phong trào mới phải có mã khác mã {code} của phong trào đang sửa; "
                           "hãy đổi `code` trong tệp.", {"code": editing})
    if editing is not None and not as_new and spec.code != editing:
        raise InvalidInput("Tệp có mã {code}, khác mã {editing} của phong trào đang sửa; không đổi được mã "
                           "của một phong trào. Muốn tạo phong trào mới từ tệp này, hãy chọn «Lưu thành phong trào "
                           "mới»; muốn sửa phong trào {editing}, hãy giữ mã {editing}.",
                           {"code": spec.code, "editing": editing})
    if exists and (editing is None or as_new):
        raise Conflict("Đã có phong trào mã {code}; hãy mở nó để sửa, hoặc đặt mã khác cho phong trào mới.",
                       {"code": spec.code})
    return import_campaign(session, actor, spec, now), not exists


def export_campaign(session: Session, code: str) -> dict[str, Any]:
    """The campaign as a file would hold it (import of the export gives the same campaign)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound("Không có phong trào '{code}'.", {"code": code})
    issuer = session.get(OrgUnit, campaign.issuing_unit_id)
    forms = session.execute(
        select(CampaignAwardForm, AwardForm).join(AwardForm, CampaignAwardForm.award_form_id == AwardForm.id)
        .where(CampaignAwardForm.campaign_id == campaign.id).order_by(CampaignAwardForm.id)
    ).all()  # fmt: skip
    rules = session.scalars(select(CampaignRule).where(CampaignRule.campaign_id == campaign.id).order_by(CampaignRule.id))
    data: dict[str, Any] = {
        "code": campaign.code, "title": campaign.title, "year": campaign.year,
        "issuing_unit": issuer.code if issuer else None, "theme": campaign.theme, "source": campaign.source,
        "process": campaign.process_key,
        "period": {"from": _iso(campaign.period_from), "to": _iso(campaign.period_to)},
        "registration_required": campaign.registration_required,
        "registration_deadline": _iso(campaign.registration_deadline),
        "deadlines": json.loads(campaign.deadlines_json or "{}"),
        "receipt_window": {"from": _iso(campaign.receipt_from), "to": _iso(campaign.receipt_to)},
        "council": json.loads(campaign.council_json or "{}") or {"quorum_percent": 50, "pass_percent": 50},
        "award_forms": [
            {"code": form.code, "name": link.name, "granting_level": str(form.granting_level),
             "subject_types": json.loads(link.subject_types_json),
             **({"required_documents": json.loads(link.required_documents_json)} if link.required_documents_json else {}),
             **({"criteria": json.loads(link.criteria_json)} if link.criteria_json else {})}
            for link, form in forms
        ],
        "rules": [{"code": r.code, "type": r.type, "description": r.description, **json.loads(r.params_json)} for r in rules],
    }  # fmt: skip
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def dump_campaign_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def load_shipped_campaigns(session: Session, actor: Actor, now: datetime) -> list[Campaign]:
    """Import the campaign files shipped in service/campaign_files (the three seed plans)."""
    return [import_campaign(session, actor, read_campaign_file(path.read_text(encoding="utf-8"), path.name), now)
            for path in sorted(CAMPAIGN_FILES.glob("*.yaml"))]  # fmt: skip


def register_unit(session: Session, actor: Actor, campaign_code: str, unit_id: int, now: datetime) -> Registration:
    """Register a unit in a campaign (đăng ký thi đua), by its clerk or head, before the registration deadline (or,
    without one, before the campaign's period ends: domain.deadlines.registration_closed)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound("Không có phong trào '{campaign_code}'.", {"campaign_code": campaign_code})
    if not (actor.holds("unit_clerk", unit_id) or actor.holds("unit_head", unit_id) or actor.is_admin):
        raise Forbidden("Chỉ cán bộ thi đua hoặc thủ trưởng đơn vị mới đăng ký thi đua cho đơn vị.")
    closed = registration_closed(campaign.code, campaign.registration_deadline, campaign.period_to, local_date(now))
    if closed is not None:
        raise closed
    found = session.scalar(select(Registration).where(Registration.campaign_id == campaign.id,
                                                      Registration.org_unit_id == unit_id))  # fmt: skip
    if found is not None:
        return found
    registration = Registration(campaign_id=campaign.id, org_unit_id=unit_id, registered_at=now, registered_by=actor.user_id)
    session.add(registration)
    session.flush()
    record_event(session, action="campaign.register", object_type="campaign", object_id=campaign.code,
                 actor=actor.user_id, actor_unit_id=unit_id, after={"unit_id": unit_id}, now=now)  # fmt: skip
    return registration
