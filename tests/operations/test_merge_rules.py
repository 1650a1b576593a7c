"""Where a unit may merge: into a unit of the same level under the same parent, or under a sibling of its parent
(same grandparent: one province); provinces into provinces. A merge across provinces (a Hà Nội bộ phận into a Bến
Tre ấp) is refused, naming both parents, and writes nothing; the preview is refused the same way. SQLite and
PostgreSQL (the demo's data)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from service.errors import InvalidInput
from service.models import AuditEvent, OrgUnit
from service.operations.accounts import actor_for
from service.operations.org_admin import create_unit, merge_plan, merge_targets, merge_units
from workflows import FixedClock

NOW = FixedClock().now()
REFORM = date(2025, 7, 1)


def _id(session, code: str) -> int:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def _state(session) -> tuple:
    return (tuple(session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.valid_to).order_by(OrgUnit.id)).all()),
            session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def test_a_merge_across_provinces_is_refused_and_changes_nothing(factory):
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        before = _state(session)
        source, target = _id(session, "HN-HD-PL-TC"), _id(session, "BT-GT-MT-A1")
        for attempt in (lambda: merge_plan(session, source, target_id=target, effective=REFORM),
                        lambda: merge_units(session, admin, NOW, source, target_id=target, effective=REFORM,
                                            move_roles=True)):  # fmt: skip
            with pytest.raises(InvalidInput) as refused:
                attempt()
            assert refused.value.message.startswith("Không thể sáp nhập 'Bộ phận Tài chính - Kế toán' (thuộc Phường "
                                                    "Phú Lãm) vào 'Ấp 1' (thuộc Xã Mỹ Thạnh)")  # fmt: skip
        with pytest.raises(InvalidInput):  # a ward of another province too (the preview, which ignores dossiers)
            merge_plan(session, _id(session, "HN-HD-PL"), target_id=_id(session, "QN-HL-GD"), effective=REFORM)
        with pytest.raises(InvalidInput, match="Hãy chọn đơn vị nhận"):
            merge_plan(session, source, target_id=0, effective=REFORM)
        assert _state(session) == before


def test_same_parent_and_sibling_parent_merges_are_allowed(factory):
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        # a second district of Hà Nội with a ward: Phú Lãm may merge into it (sibling parents under one province)
        district = create_unit(session, admin, NOW, code="HN-TX", name="Quận Thanh Xuân", level="district",
                               parent_id=_id(session, "HN"), valid_from=date(2020, 1, 1))  # fmt: skip
        ward = create_unit(session, admin, NOW, code="HN-TX-KH", name="Phường Khương Đình", level="ward",
                           parent_id=district.id, valid_from=date(2020, 1, 1))  # fmt: skip
        plan = merge_plan(session, _id(session, "HN-HD-PL"), target_id=ward.id, effective=REFORM)
        assert (plan.source.code, plan.target.code, plan.effective) == ("HN-HD-PL", "HN-TX-KH", REFORM)
        # provinces merge into provinces
        provinces = merge_plan(session, _id(session, "QN"), target_id=_id(session, "HN"), effective=REFORM)
        assert provinces.target.code == "HN"
        tc = session.get(OrgUnit, _id(session, "HN-HD-PL-TC"))
        assert [u.code for u in merge_targets(session, tc)] == ["HN-HD-PL-TP", "HN-HD-PL-VH"]
        merged = merge_units(session, admin, NOW, tc.id, target_id=_id(session, "HN-HD-PL-VH"), effective=REFORM,
                             move_roles=True)  # fmt: skip
        assert merged.code == "HN-HD-PL-VH" and tc.valid_to == REFORM
