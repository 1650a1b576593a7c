"""An admin grants a role only where it has work: at a level the service or a process in use gives it some.
Refused grants say why and write nothing. SQLite and PostgreSQL (the demo's data)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.domain.actors import Actor
from service.errors import InvalidInput
from service.models import AuditEvent, OrgUnit, RoleAssignment, User
from service.operations.accounts import actor_for
from service.operations.definitions import deploy_definition
from service.operations.users import grant_role
from service.queries.processes import lanes_in_use
from tests.conftest import CHAIN
from workflows import FixedClock

NOW = FixedClock().now()


def _ids(session, username: str, unit_code: str) -> tuple[int, int]:
    user_id = session.scalar(select(User.id).where(User.username == username))
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == unit_code))
    assert user_id is not None and unit_id is not None
    return user_id, unit_id


def _written(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(RoleAssignment)),
            session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def test_a_chairman_at_a_khu_pho_is_refused_and_nothing_is_written(factory):
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        user_id, unit_id = _ids(session, "hn-hd-pl.chairman", "HN-HD-PL-TP")
        unit_name = session.get(OrgUnit, unit_id).name
        before = _written(session)
        with pytest.raises(InvalidInput) as refused:
            grant_role(session, admin, NOW, user_id=user_id, role="chairman", unit_id=unit_id)
        assert refused.value.message.startswith(f"Vai trò «Chủ tịch UBND» không có việc ở cấp cơ sở (đơn vị, khu phố, "
                                                f"trường…) ({unit_name})")  # fmt: skip
        assert "phường/xã, quận/huyện, tỉnh/thành phố" in refused.value.message
        assert _written(session) == before
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        user_id, ward_id = _ids(session, "hn-hd-pl.chairman", "HN-HD-PL")
        _, unit_id = _ids(session, "admin", "HN-HD-PL-TP")
        granted = grant_role(session, admin, NOW, user_id=user_id, role="council_member", unit_id=ward_id)
        assert (granted.role, granted.org_unit_id) == ("council_member", ward_id)
        auditor = grant_role(session, admin, NOW, user_id=user_id, role="auditor", unit_id=unit_id)  # anywhere
        assert auditor.org_unit_id == unit_id
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                                                   AuditEvent.object_id == str(user_id))).all()  # fmt: skip
        assert actions.count("role.grant") == 2


def test_a_lane_in_a_deployed_process_opens_its_level_to_the_role(factory):
    district_office = CHAIN.read_bytes().replace(b'name="noi_vu@district"', b'name="office_clerk@district"')
    assert district_office != CHAIN.read_bytes()
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        user_id, district_id = _ids(session, "hn-hd-pl.office_clerk", "HN-HD")
        assert ("office_clerk", "district") not in lanes_in_use(session)
        with pytest.raises(InvalidInput, match="Vai trò này làm việc ở cấp: phường/xã. "):
            grant_role(session, admin, NOW, user_id=user_id, role="office_clerk", unit_id=district_id)
    with factory() as session, session.begin():
        deploy_definition(session, Actor(None, "admin"), district_office, filename=CHAIN.name, now=NOW)
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        user_id, district_id = _ids(session, "hn-hd-pl.office_clerk", "HN-HD")
        lanes = lanes_in_use(session)
        assert ("office_clerk", "district") in lanes
        assert ("noi_vu", "district") in lanes  # the demo's dossiers still run on the first version
        granted = grant_role(session, admin, NOW, user_id=user_id, role="office_clerk", unit_id=district_id)
        assert granted.org_unit_id == district_id
