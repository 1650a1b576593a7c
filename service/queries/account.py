"""A user's roles with the org units they hold them at, and users by id, for API and page headers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OrgUnit, RoleAssignment, User


def role_units(session: Session, user_id: int) -> list[tuple[str, OrgUnit]]:
    """(role, org unit) pairs the user holds, ordered by unit code and role."""
    rows = session.execute(
        select(RoleAssignment.role, OrgUnit).join(OrgUnit, RoleAssignment.org_unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user_id).order_by(OrgUnit.code, RoleAssignment.role)
    ).all()  # fmt: skip
    return [(role, unit) for role, unit in rows]


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    """The users with these ids (None and unknown ids are skipped)."""
    wanted = {i for i in ids if i is not None}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
