"""Campaign pages: the campaigns a user can see, one campaign's settings and registrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.campaign_config import CampaignConfig
from ..domain.deadlines import registration_closed
from ..errors import DeadlinePassed
from ..models import Campaign, OrgUnit, Registration
from .campaign_config import campaign_config
from .org import unit_path


def visible_campaigns(session: Session, actor: Actor) -> list[Campaign]:
    """Admins and auditors see every campaign; others those issued at or above one of their units (the plans
    their units take part in) and those issued below one (the plans of the units they oversee: a ward's
    dossier asking for a province Bằng khen travels to the district and the province, whose chairmen grant
    it and issue its decision from the campaign's page)."""
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    if actor.is_admin or actor.has_role("auditor"):
        return list(session.scalars(query))
    mine = {unit for _, unit in actor.roles}
    if not mine:
        return []
    above = {uid for unit in mine for uid in unit_path(session, unit)}
    found: list[Campaign] = []
    paths: dict[int, set[int]] = {}
    for campaign in session.scalars(query):
        issuer = campaign.issuing_unit_id
        if issuer not in paths:  # campaigns are few and share issuers: one path read per issuing unit
            paths[issuer] = set(unit_path(session, issuer))
        if issuer in above or mine & paths[issuer]:
            found.append(campaign)
    return found


@dataclass
class CampaignPage:
    campaign: Campaign
    issuer: OrgUnit
    config: CampaignConfig
    registered: list[OrgUnit]
    can_register: list[OrgUnit]  # the actor's units under the issuer, not yet registered
    registration_closed: DeadlinePassed | None = None  # why registering today is refused (no button then)


def campaign_page(session: Session, actor: Actor, code: str, today: date | None = None) -> CampaignPage | None:
    """The campaign's page for this actor; with `today`, whether registration is closed (and then nothing to register)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None or campaign not in visible_campaigns(session, actor):
        return None
    issuer = session.get(OrgUnit, campaign.issuing_unit_id)
    assert issuer is not None
    registered = list(session.scalars(
        select(OrgUnit).join(Registration, Registration.org_unit_id == OrgUnit.id)
        .where(Registration.campaign_id == campaign.id).order_by(OrgUnit.name)
    ))  # fmt: skip
    mine = {unit for role, unit in actor.roles if role in ("unit_clerk", "unit_head")}
    can = [u for u in (session.get(OrgUnit, uid) for uid in sorted(mine))
           if u is not None and campaign.issuing_unit_id in unit_path(session, u.id) and u not in registered]  # fmt: skip
    closed = None
    if today is not None:
        closed = registration_closed(campaign.code, campaign.registration_deadline, campaign.period_to, today)
    return CampaignPage(campaign, issuer, campaign_config(session, campaign), registered, [] if closed else can, closed)
