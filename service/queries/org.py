"""Org tree reads: a unit's path to the root, and the units where an actor may lodge dossiers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, bindparam, literal, or_, select
from sqlalchemy.orm import Session, aliased

from .. import direct_sql
from ..domain.actors import Actor
from ..models import Campaign, OrgUnit, OrgUnitName, RoleAssignment, User, UserPreference


def _path_statement(*columns: Any) -> Select[Any]:
    walk = select(OrgUnit.id, OrgUnit.parent_id, literal(0).label("depth")).where(
        OrgUnit.id == bindparam("unit_id")).cte("walk", recursive=True)  # fmt: skip
    walk = walk.union_all(
        select(OrgUnit.id, OrgUnit.parent_id, walk.c.depth + 1)
        .join(walk, OrgUnit.id == walk.c.parent_id)
        .where(walk.c.depth < 31)
    )  # fmt: skip
    return select(*columns).join(walk, OrgUnit.id == walk.c.id).order_by(walk.c.depth)


_PATH_LEVELS = _path_statement(OrgUnit.id, OrgUnit.level)  # built once: SQLAlchemy then reuses its compiled form
_PATH_OPENING = _path_statement(OrgUnit.id, OrgUnit.level, OrgUnit.valid_from, OrgUnit.valid_to)


def path_levels(session: Session, unit_id: int) -> list[tuple[int, str]]:
    """(id, level) of the unit and its ancestors up to the root (the unit first), in one recursive query;
    at most 32 deep."""
    return [(found, str(level)) for found, level in direct_sql.execute(session, _PATH_LEVELS, {"unit_id": unit_id}).rows]


def open_levels(session: Session, unit_id: int, day: date) -> frozenset[str]:
    """The levels on the unit's path to the root whose unit is open on `day` (not ended, merged or abolished:
    valid_from ≤ day < valid_to). At each level the nearest unit counts, the one a lane's task there is given to
    (instances.owner_unit)."""
    # One read (every dossier created and every submission asks): the path with each unit's dates, the unit first.
    is_open: dict[str, bool] = {}
    for _, level, start, end in direct_sql.execute(session, _PATH_OPENING, {"unit_id": unit_id}).rows:
        is_open.setdefault(str(level), (start is None or start <= day) and (end is None or day < end))
    return frozenset(level for level, opened in is_open.items() if opened)


def unit_path(session: Session, unit_id: int) -> list[int]:
    """Ids from the unit up to the root (the unit first)."""
    return [found for found, _ in path_levels(session, unit_id)]


_HOLDERS = (
    select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
    .where(RoleAssignment.role == bindparam("role"), RoleAssignment.org_unit_id == bindparam("unit_id"),
           User.is_active.is_(True))
    .order_by(User.full_name, User.id)
)  # fmt: skip
# The users holding :role at :unit_id on the day :on (notifications insert from it too).
HOLDERS_ON_DAY = _HOLDERS.where(
    or_(RoleAssignment.valid_from.is_(None), RoleAssignment.valid_from <= bindparam("on")),
    or_(RoleAssignment.valid_to.is_(None), RoleAssignment.valid_to >= bindparam("on")),
)  # built once each: SQLAlchemy reuses their compiled form


# The same holders on a day as plain rows (id, full_name, email, stored language): notifications need no more,
# every completion asks. The language (operations.preferences.LOCALE_KEY) rides in the same statement.
_CONTACTS_ON = HOLDERS_ON_DAY.with_only_columns(User.id, User.full_name, User.email, UserPreference.value_json).outerjoin(
    UserPreference, and_(UserPreference.user_id == User.id, UserPreference.key == "locale")).distinct()  # fmt: skip


@dataclass(frozen=True)
class Contact:
    id: int
    full_name: str
    email: str | None
    locale: str | None = None  # the language the user last chose in the web UI, if any: their e-mails' language


def role_holder_contacts(session: Session, role: str, unit_id: int, on: date) -> list[Contact]:
    """role_holders(…, on) as contacts, without loading the users."""
    return [Contact(id_, name, email, _locale(chosen)) for id_, name, email, chosen
            in session.execute(_CONTACTS_ON, {"role": role, "unit_id": unit_id, "on": on})]  # fmt: skip


def _locale(value_json: str | None) -> str | None:
    return json.loads(value_json).get("locale") if value_json else None


def role_holders(session: Session, role: str, unit_id: int, on: date | None = None) -> list[User]:
    """Active users holding `role` at the unit (on the day given, when the assignment carries dates), by name."""
    if on is None:
        return list(session.scalars(_HOLDERS, {"role": role, "unit_id": unit_id}).unique())
    return list(session.scalars(HOLDERS_ON_DAY, {"role": role, "unit_id": unit_id, "on": on}).unique())


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


def name_at(session: Session, unit_id: int, day: date) -> str:
    """The unit's name on `day`: a former name whose days cover it, else the current name."""
    former = session.scalar(
        select(OrgUnitName.name).where(OrgUnitName.org_unit_id == unit_id, OrgUnitName.valid_to > day,
                                       or_(OrgUnitName.valid_from.is_(None), OrgUnitName.valid_from <= day))
        .order_by(OrgUnitName.valid_to).limit(1)
    )  # fmt: skip
    if former is not None:
        return former
    unit = session.get(OrgUnit, unit_id)
    return unit.name if unit is not None else f"#{unit_id}"


class NameHistory:
    """Every former name, loaded once (the table is small), for pages that resolve many (unit, day) pairs."""

    def __init__(self, session: Session) -> None:
        self._rows: dict[int, list[tuple[date | None, date, str]]] = {}
        for row in session.scalars(select(OrgUnitName).order_by(OrgUnitName.valid_to)):
            self._rows.setdefault(row.org_unit_id, []).append((row.valid_from, row.valid_to, row.name))

    def name(self, unit_id: int | None, current: str | None, day: date) -> str | None:
        for start, end, name in self._rows.get(unit_id or 0, ()):
            if (start is None or start <= day) and day < end:
                return name
        return current


def unit_labels(session: Session, names: dict[int, str]) -> dict[int, str]:
    """Each unit's name, told apart where two share one (every ward of a district may have its "Khu phố 1"):
    then with its parent's name, and with its code if that is shared too."""
    seen: dict[str, list[int]] = {}
    for unit_id, name in names.items():
        seen.setdefault(name, []).append(unit_id)
    shared = [unit_id for ids in seen.values() if len(ids) > 1 for unit_id in ids]
    if not shared:
        return dict(names)
    parent = aliased(OrgUnit)
    rows = session.execute(select(OrgUnit.id, OrgUnit.code, parent.name)
                           .outerjoin(parent, parent.id == OrgUnit.parent_id).where(OrgUnit.id.in_(shared))).all()  # fmt: skip
    labels = dict(names)
    for unit_id, _, parent_name in rows:
        if parent_name:
            labels[unit_id] = f"{names[unit_id]} ({parent_name})"
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    for unit_id, code, _ in rows:
        if counts[labels[unit_id]] > 1:
            labels[unit_id] = f"{labels[unit_id]} [{code}]"
    return labels
