"""A role is not granted at a unit closed as of today (merged away, its level abolished): the refusal gives the
unit's end date day first, and nothing is written. A unit that closes later is still open today. SQLite and
PostgreSQL (the demo's data; its clock stands at 1 December 2024)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from service.errors import InvalidInput
from service.models import AuditEvent, OrgUnit, RoleAssignment, User
from service.operations.accounts import actor_for
from service.operations.users import find_users, grant_role, open_units
from workflows import FixedClock

NOW = FixedClock().now()  # 1 December 2024


def _close(factory, code: str, day: date) -> tuple[int, int]:
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        unit.valid_to = day
        return unit.id, session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))


def _written(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(RoleAssignment)),
            session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def test_a_grant_at_a_closed_unit_is_refused_with_its_end_date(factory):
    unit_id, user_id = _close(factory, "QN-HL", date(2024, 7, 1))
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        before = _written(session)
        with pytest.raises(InvalidInput) as refused:
            grant_role(session, admin, NOW, user_id=user_id, role="noi_vu", unit_id=unit_id)
        assert refused.value.message.startswith("Thành phố Hạ Long (QN-HL) đã ngừng hoạt động từ ngày 01/07/2024")
        assert _written(session) == before
        assert unit_id not in {u.id for u in open_units(session, NOW.date())}


def test_a_unit_closing_later_is_still_open_today(factory):
    unit_id, user_id = _close(factory, "QN-HL", date(2025, 7, 1))
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        assert unit_id in {u.id for u in open_units(session, NOW.date())}
        granted = grant_role(session, admin, NOW, user_id=user_id, role="noi_vu", unit_id=unit_id)
        assert (granted.role, granted.org_unit_id) == ("noi_vu", unit_id)


def test_find_users_ignores_case_and_diacritics(factory):
    with factory() as session, session.begin():
        session.add(User(username="le.khue", full_name="Lê Thị Khuê Tú", password_hash="x", is_active=True,
                         created_at=NOW))  # fmt: skip
        session.flush()
        assert [u.username for u in find_users(session, "KHUÊ tú")] == ["le.khue"]
        assert [u.username for u in find_users(session, "khue")] == ["le.khue"]
        assert find_users(session, "không-có-ai") == []
        assert len(find_users(session, "")) == session.scalar(select(func.count()).select_from(User))
