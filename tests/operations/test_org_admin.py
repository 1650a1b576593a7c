"""Org unit tree over time: create, rename, move, merge, abolish a level; audited; refusals change nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.domain.actors import Actor
from service.errors import Conflict, DomainError, Forbidden, InvalidInput
from service.models import AuditEvent, OrgUnit, OrgUnitName, RoleAssignment, User
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.org_admin import (
    abolish_level,
    abolish_preview,
    create_unit,
    merge_preview,
    merge_units,
    move_unit,
    rename_unit,
)
from service.queries.org import name_at

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ADMIN = Actor(None, "admin", frozenset({("admin", 1)}))
CLERK = Actor(None, "clerk", frozenset({("unit_clerk", 1)}))
D2020 = date(2020, 1, 1)
ABOLISHED = date(2025, 7, 1)



def _tree(factory: sessionmaker[Session]) -> dict[str, int]:
    """Province P; districts X, W; wards Y, Z under X; units under Y and Z; a user with roles at X, Y."""
    with factory() as session, session.begin():
        ids: dict[str, int] = {}
        for code, name, level, parent in [
            ("P", "Tỉnh Phú Thọ", "province", None), ("X", "Huyện Tam Nông", "district", "P"),
            ("W", "Huyện Thanh Thủy", "district", "P"), ("Y", "Xã Hương Nộn", "ward", "X"),
            ("Z", "Xã Dậu Dương", "ward", "X"), ("Y1", "Thôn 1", "unit", "Y"), ("Z1", "Thôn 2", "unit", "Z"),
        ]:  # fmt: skip
            ids[code] = create_unit(session, ADMIN, NOW, code=code, name=name, level=level,
                                    parent_id=ids[parent] if parent else None, valid_from=D2020).id  # fmt: skip
        user = User(username="can.bo", full_name="Cán bộ", password_hash="x", is_active=True, created_at=NOW)
        session.add(user)
        session.flush()
        ids["user"] = user.id
        for role, code in [("office_clerk", "X"), ("office_clerk", "Y"), ("chairman", "Y"), ("chairman", "Z")]:
            session.add(RoleAssignment(user_id=user.id, role=role, org_unit_id=ids[code]))
        return ids


def _snapshot(factory: sessionmaker[Session]) -> tuple:
    with factory() as session:
        units = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, OrgUnit.valid_from,
                                       OrgUnit.valid_to).order_by(OrgUnit.id)).all()  # fmt: skip
        names = session.execute(select(OrgUnitName.org_unit_id, OrgUnitName.name, OrgUnitName.valid_to)
                                .order_by(OrgUnitName.id)).all()  # fmt: skip
        roles = session.execute(select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_unit_id)
                                .order_by(RoleAssignment.id)).all()  # fmt: skip
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        return tuple(units), tuple(names), tuple(roles), events


def _events(factory: sessionmaker[Session], action: str) -> list[dict]:
    with factory() as session:
        return [{"object_id": e.object_id, "before": json.loads(e.before_json or "null"),
                 "after": json.loads(e.after_json or "null")}
                for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]  # fmt: skip


def test_rename_keeps_old_name_for_past_days(empty_factory) -> None:
    ids = _tree(empty_factory)
    with empty_factory() as session, session.begin():
        rename_unit(session, ADMIN, NOW, ids["Y"], new_name="Xã Hương Nộn mới", effective=date(2024, 3, 1))
        rename_unit(session, ADMIN, NOW, ids["Y"], new_name="Phường Hương Nộn", effective=date(2025, 1, 1))
    with empty_factory() as session:
        assert name_at(session, ids["Y"], date(2023, 12, 31)) == "Xã Hương Nộn"
        assert name_at(session, ids["Y"], date(2024, 3, 1)) == "Xã Hương Nộn mới"
        assert name_at(session, ids["Y"], date(2024, 12, 31)) == "Xã Hương Nộn mới"
        assert name_at(session, ids["Y"], date(2025, 1, 1)) == "Phường Hương Nộn"
        assert session.get(OrgUnit, ids["Y"]).name == "Phường Hương Nộn"
        assert verify_chain(session).ok
    events = _events(empty_factory, "org.rename")
    assert [e["before"]["name"] for e in events] == ["Xã Hương Nộn", "Xã Hương Nộn mới"]
    assert events[1]["after"] == {"name": "Phường Hương Nộn", "effective": "2025-01-01"}


@pytest.mark.parametrize("call, message", [
    (lambda s, ids: rename_unit(s, ADMIN, NOW, ids["Y"], new_name="Tên", effective=date(2019, 12, 31)), "trước ngày"),
    (lambda s, ids: rename_unit(s, ADMIN, NOW, ids["Y"], new_name="  ", effective=date(2024, 1, 1)), "Cần tên"),
    (lambda s, ids: rename_unit(s, CLERK, NOW, ids["Y"], new_name="Tên", effective=date(2024, 1, 1)), "quản trị"),
    (lambda s, ids: move_unit(s, ADMIN, NOW, ids["X"], new_parent_id=ids["Y1"], effective=date(2024, 1, 1)), "vòng"),
    (lambda s, ids: move_unit(s, ADMIN, NOW, ids["X"], new_parent_id=ids["X"], effective=date(2024, 1, 1)), "vòng"),
    (lambda s, ids: move_unit(s, ADMIN, NOW, ids["Y"], new_parent_id=ids["Z"], effective=date(2024, 1, 1)), "cấp cao hơn"),
    (lambda s, ids: create_unit(s, ADMIN, NOW, code="Q", name="Q", level="hamlet", parent_id=ids["Y"],
                                valid_from=D2020), "không có"),
    (lambda s, ids: create_unit(s, ADMIN, NOW, code="Y", name="Trùng", level="unit", parent_id=ids["Y"],
                                valid_from=D2020), "đã có"),
    # A name longer than the column holds (255): refused with the limit, not a PostgreSQL error (field_limits).
    (lambda s, ids: create_unit(s, ADMIN, NOW, code="Q", name="Thôn " * 60, level="unit", parent_id=ids["Y"],
                                valid_from=D2020), "“Tên đơn vị” dài 299 ký tự; tối đa 255 ký tự."),
    (lambda s, ids: rename_unit(s, ADMIN, NOW, ids["Y"], new_name="Xã " + "Hương Nộn " * 30, effective=date(2024, 1, 1)),
     "“Tên đơn vị” dài 302 ký tự; tối đa 255 ký tự."),
    (lambda s, ids: merge_units(s, ADMIN, NOW, ids["Y"], target_id=ids["Y"], effective=ABOLISHED, move_roles=True),
     "chính nó"),
    (lambda s, ids: merge_units(s, ADMIN, NOW, ids["Y"], target_id=ids["W"], effective=ABOLISHED, move_roles=True),
     "cùng cấp"),
    (lambda s, ids: merge_units(s, ADMIN, NOW, ids["Y"], target_id=ids["Z"], effective=date(2019, 1, 1),
                                move_roles=True), "trước ngày"),
    (lambda s, ids: abolish_level(s, ADMIN, NOW, "province", effective=ABOLISHED), "cao nhất"),
    (lambda s, ids: abolish_level(s, ADMIN, NOW, "county", effective=ABOLISHED), "không có"),
])  # fmt: skip
def test_refusals_change_nothing(empty_factory, call, message: str) -> None:
    ids = _tree(empty_factory)
    before = _snapshot(empty_factory)
    with empty_factory() as session, session.begin(), pytest.raises((InvalidInput, Conflict, Forbidden)) as refused:
        call(session, ids)
    assert message in refused.value.message
    assert _snapshot(empty_factory) == before


def test_move_reparents_and_is_audited(empty_factory) -> None:
    ids = _tree(empty_factory)
    with empty_factory() as session, session.begin():
        move_unit(session, ADMIN, NOW, ids["Z"], new_parent_id=ids["W"], effective=date(2024, 1, 1))
    with empty_factory() as session:
        assert session.get(OrgUnit, ids["Z"]).ancestor_at("district").id == ids["W"]
    assert _events(empty_factory, "org.move")[0]["after"]["parent_id"] == ids["W"]


def test_merge_moves_children_and_roles(empty_factory) -> None:
    ids = _tree(empty_factory)
    with empty_factory() as session:
        preview = merge_preview(session, ids["Y"])
        assert ([c.id for c in preview.children], len(preview.assignments), preview.running_dossiers) == (
            [ids["Y1"]], 2, [])
    with empty_factory() as session, session.begin():
        merge_units(session, ADMIN, NOW, ids["Y"], target_id=ids["Z"], effective=ABOLISHED, move_roles=True)
    with empty_factory() as session:
        y = session.get(OrgUnit, ids["Y"])
        assert y.valid_to == ABOLISHED and y.name == "Xã Hương Nộn"  # closed, never deleted, name kept
        assert session.get(OrgUnit, ids["Y1"]).parent_id == ids["Z"]
        roles = set(session.execute(select(RoleAssignment.role, RoleAssignment.org_unit_id)
                                    .where(RoleAssignment.user_id == ids["user"])).all())  # fmt: skip
        # office_clerk moved to Z; chairman already held at Z, so the one at Y ended
        assert roles == {("office_clerk", ids["X"]), ("office_clerk", ids["Z"]), ("chairman", ids["Z"])}
        assert verify_chain(session).ok
    merge = _events(empty_factory, "org.merge")[0]
    assert merge["after"]["into"] == ids["Z"] and merge["after"]["roles_ended"] == 1
    assert _events(empty_factory, "role.end")[0]["before"]["role"] == "chairman"


def test_merge_ending_roles(empty_factory) -> None:
    ids = _tree(empty_factory)
    with empty_factory() as session, session.begin():
        merge_units(session, ADMIN, NOW, ids["Y"], target_id=ids["Z"], effective=ABOLISHED, move_roles=False)
    with empty_factory() as session:
        assert session.scalar(select(func.count()).select_from(RoleAssignment)
                              .where(RoleAssignment.org_unit_id == ids["Y"])) == 0  # fmt: skip
    assert len(_events(empty_factory, "role.end")) == 2


def test_abolish_district_level(empty_factory) -> None:
    ids = _tree(empty_factory)
    with empty_factory() as session:
        preview = abolish_preview(session, "district", ABOLISHED)
        assert sorted(u.id for u in preview.units) == sorted([ids["X"], ids["W"]])
        assert sorted(c.id for c in preview.children) == sorted([ids["Y"], ids["Z"]])
        assert len(preview.assignments) == 1
    with empty_factory() as session, session.begin():
        abolish_level(session, ADMIN, NOW, "district", effective=ABOLISHED)
    with empty_factory() as session:
        y = session.get(OrgUnit, ids["Y"])
        assert y.parent_id == ids["P"] and y.ancestor_at("district") is None
        assert session.get(OrgUnit, ids["X"]).valid_to == ABOLISHED
        assert name_at(session, ids["X"], date(2024, 5, 1)) == "Huyện Tam Nông"
        assert session.scalar(select(func.count()).select_from(RoleAssignment)
                              .where(RoleAssignment.org_unit_id == ids["X"])) == 0  # fmt: skip
        assert verify_chain(session).ok
    event = _events(empty_factory, "org.abolish_level")[0]
    assert event["object_id"] == "district" and event["after"]["roles_ended"] == 1
    with empty_factory() as session, session.begin(), pytest.raises(InvalidInput):
        abolish_level(session, ADMIN, NOW, "district", effective=date(2025, 8, 1))  # nothing left to abolish


def test_running_dossiers_block_abolish_and_merge(factory) -> None:
    """The demo data has dossiers on their way through Quận Hà Đông: abolishing or merging lists and refuses."""
    with factory() as session:
        admin = actor_for(session, "admin")
        hd = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        running = abolish_preview(session, "ward", ABOLISHED).running_dossiers
        assert running
        units = session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.valid_to.is_not(None)))
    with factory() as session, session.begin(), pytest.raises(Conflict) as refused:
        abolish_level(session, admin, NOW, "ward", effective=ABOLISHED)
    assert f"#{running[0]}" in refused.value.message
    with factory() as session:
        target = session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-HL-GD"))
        target_id, hd_id = target.id, hd.id
    with factory() as session, session.begin(), pytest.raises(Conflict):
        merge_units(session, admin, NOW, hd_id, target_id=target_id, effective=ABOLISHED, move_roles=True)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.valid_to.is_not(None))) == units


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["rename", "move"]), st.integers(0, 6), st.integers(0, 6),
                                st.integers(1, 2000)), max_size=12))  # fmt: skip
def test_random_renames_and_moves_keep_tree_acyclic_and_names_consistent(sqlite_session: Session, steps) -> None:
    session = sqlite_session
    nested = session.begin_nested()
    codes = ["P", "X", "W", "Y", "Z", "Y1", "Z1"]
    parents = {"X": "P", "W": "P", "Y": "X", "Z": "X", "Y1": "Y", "Z1": "Z"}
    levels = {"P": "province", "X": "district", "W": "district", "Y": "ward", "Z": "ward", "Y1": "unit", "Z1": "unit"}
    ids: dict[str, int] = {}
    for code in codes:
        ids[code] = create_unit(session, ADMIN, NOW, code=f"H-{code}", name=f"Đơn vị {code}", level=levels[code],
                                parent_id=ids.get(parents.get(code, ""), None), valid_from=D2020).id  # fmt: skip
    expected: dict[int, list[tuple[date, str]]] = {i: [(D2020, f"Đơn vị {c}")] for c, i in ids.items()}
    for n, (kind, a, b, offset) in enumerate(steps):
        day = date.fromordinal(D2020.toordinal() + offset)
        unit_id = ids[codes[a]]
        try:
            if kind == "rename":
                rename_unit(session, ADMIN, NOW, unit_id, new_name=f"Tên {n} đổi", effective=day)
                expected[unit_id].append((day, f"Tên {n} đổi"))
            else:
                move_unit(session, ADMIN, NOW, unit_id, new_parent_id=ids[codes[b]], effective=day)
        except DomainError:
            pass
    for unit_id in ids.values():  # acyclic: every walk up reaches a root in a few steps
        seen, node = set(), session.get(OrgUnit, unit_id)
        while node is not None:
            assert node.id not in seen
            seen.add(node.id)
            node = node.parent
    for unit_id, history in expected.items():
        for (start, name), following in zip(history, history[1:] + [(date(2100, 1, 1), None)], strict=True):
            assert name_at(session, unit_id, start) == name
            assert name_at(session, unit_id, date.fromordinal(following[0].toordinal() - 1)) == name
    nested.rollback()
