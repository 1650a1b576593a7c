"""Org tree reads: a unit's path to the root, and the units where an actor may lodge dossiers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..models import Campaign, OrgUnit


def unit_path(session: Session, unit_id: int) -> list[int]:
    """Ids from the unit up to the root (the unit first)."""
    path: list[int] = []
    unit = session.get(OrgUnit, unit_id)
    while unit is not None and len(path) < 32:
        path.append(unit.id)
        unit = session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return path


def clerk_units(session: Session, actor: Actor) -> list[OrgUnit]:
    """Units where the actor is the unit clerk."""
    ids = [unit for role, unit in actor.roles if role == "unit_clerk"]
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.name))) if ids else []


def campaigns_for_units(session: Session, units: list[OrgUnit]) -> list[Campaign]:
    """Campaigns issued by any unit on the given units' paths to the root."""
    issuers = {uid for unit in units for uid in unit_path(session, unit.id)}
    if not issuers:
        return []
    return list(session.scalars(select(Campaign).where(Campaign.issuing_unit_id.in_(issuers)).order_by(Campaign.code)))
