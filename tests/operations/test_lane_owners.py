"""Who owns a new task: the nearest unit at the task's level on the dossier's unit's path to the root.

A completion reads the unit and its first three ancestors with the task (one query, no recursive walk); a
deeper tree still finds its owners further up by walking the rest of the path. The unit's submission is the one
step that walks the path once whatever the depth: it checks that every nominee's award level can still be reached
(operations.dossiers.require_reachable_awards), which the review steps after it do not repeat."""

from __future__ import annotations

from sqlalchemy import event, select

from service.models import HumanTask, OrgUnit, ProcessInstance, User
from service.operations.demo import username_for
from tests.factories import make_user
from workflows import Engine, FixedClock

from .helpers import act, new_dossier


def _walks(factory):
    seen: list[str] = []
    event.listen(factory.kw["bind"], "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: seen.append(statement) if "RECURSIVE" in statement else None)  # fmt: skip
    return seen


def _owners(factory, dossier_id):
    with factory() as session:
        rows = session.execute(select(HumanTask.bpmn_id, OrgUnit.code).join(OrgUnit, OrgUnit.id == HumanTask.org_unit_id)
                               .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                               .where(ProcessInstance.dossier_id == dossier_id).order_by(HumanTask.id))  # fmt: skip
        return [tuple(row) for row in rows]


def _through_the_chain(factory, clock, dossier_id):
    for _ in range(9):  # the review steps after the submission
        act(factory, Engine(clock), dossier_id)


def test_the_chain_finds_every_owner_without_walking_the_tree(factory):
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), dossier_id)  # submitted (its award levels checked: one walk)
    walks = _walks(factory)
    _through_the_chain(factory, clock, dossier_id)
    assert walks == []
    owners = dict(_owners(factory, dossier_id))
    assert (owners["ward_office_review"], owners["district_noi_vu_review"], owners["province_ban_review"]) == (
        "HN-HD-PL", "HN-HD", "HN")


def test_a_unit_deeper_than_four_levels_still_finds_the_province(factory):
    """A team under a unit lodges the dossier: its path is team, unit, ward, district, province."""
    clock = FixedClock()
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        team = OrgUnit(code="HN-HD-PL-TP-T1", name="Tổ Tư pháp – Hộ tịch", level="unit", kind="team", parent=unit,
                       staff_count=4)  # fmt: skip
        session.add(team)
        session.flush()
        make_user(session, username_for(team.code, "unit_clerk"), "unit_clerk", team, full_name="Đỗ Thị Hằng")
    dossier_id = new_dossier(factory, Engine(clock), unit_code="HN-HD-PL-TP-T1")
    act(factory, Engine(clock), dossier_id)  # submitted (its award levels checked: one walk)
    walks = _walks(factory)
    _through_the_chain(factory, clock, dossier_id)
    owners = _owners(factory, dossier_id)
    assert owners[0] == ("unit_prepare", "HN-HD-PL-TP-T1")  # the nearest unit-level unit: the team itself
    assert dict(owners)["province_ban_review"] == "HN" and dict(owners)["district_noi_vu_review"] == "HN-HD"
    # The province lies beyond the four units read with the task: walked for each of its three steps only.
    province_steps = [step for step, code in owners if code == "HN"]
    assert len(province_steps) == 3 and len(walks) == 3
    with factory() as session:
        assert session.scalar(select(User.id).where(User.username == username_for("HN-HD-PL-TP-T1", "unit_clerk")))
