"""Reads every dossier's chain makes, run straight on the driver (service/direct_sql.py) since the sixteenth session:
they answer what their ORM forms answered. On SQLite and on PostgreSQL, with the demo data.

- operations.tasks.open_task_step: the open task a driver of the chain (the benchmarks) acts on next;
- queries.org.open_levels: the levels of a unit's path whose nearest unit is open on a day (one read of the path);
- queries.checklist.dossier_checklist: what a dossier still lacks (nominees and current documents);
- operations.dossiers.require_reachable_awards: every nominee's award still reachable at submission;
- operations.nominee_decisions.nominee_states: the nominees a council or chairman decides."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from service.errors import InvalidInput
from service.models import Document, Dossier, Nominee, OrgUnit
from service.operations.dossiers import require_reachable_awards
from service.operations.nominee_decisions import nominee_states
from service.operations.tasks import open_task_for, open_task_step
from service.queries.checklist import dossier_checklist
from service.queries.org import open_levels, path_levels
from workflows import Engine, FixedClock

from .helpers import act, new_dossier

DAY = date(2026, 12, 7)


def _levels_read_unit_by_unit(session, unit_id: int, day: date) -> frozenset[str]:
    """open_levels as it read before: the path, then the nearest unit at each level by the ORM."""
    nearest: dict[str, int] = {}
    for found, level in path_levels(session, unit_id):
        nearest.setdefault(level, found)
    opened = set()
    for level, found in nearest.items():
        unit = session.get(OrgUnit, found)
        if (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to):
            opened.add(level)
    return frozenset(opened)


def test_open_task_step_is_the_open_task_until_the_chain_ends(factory):
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    seen = []
    for _ in range(10):
        with factory() as session:
            step, task = open_task_step(session, dossier_id), open_task_for(session, dossier_id)
            assert step is not None and task is not None
            assert (step.id, step.bpmn_id, step.role, step.level, step.org_unit_id) == (
                task.id, task.bpmn_id, task.role, task.level, task.org_unit_id)  # fmt: skip
            seen.append(step.bpmn_id)
        act(factory, Engine(clock), dossier_id)
    with factory() as session:
        assert open_task_step(session, dossier_id) is None and open_task_for(session, dossier_id) is None
        assert open_task_step(session, 10**9) is None
    assert seen[0] == "unit_prepare" and seen[1] == "ward_office_review" and seen[-1] == "province_chairman_decide"


def test_open_levels_reads_the_nearest_unit_of_each_level_on_the_day(factory):
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        ward, district = unit.parent, unit.parent.parent
        assert open_levels(session, unit.id, DAY) == {"unit", "ward", "district", "province"}
        ward.valid_to = DAY  # the ward ends today: from today on its level is closed
        district.valid_from = date(2027, 1, 1)  # the district opens next year
        session.flush()
        assert open_levels(session, unit.id, DAY) == {"unit", "province"}
        assert open_levels(session, unit.id, date(2026, 12, 6)) == {"unit", "ward", "province"}
        assert open_levels(session, unit.id, date(2027, 1, 2)) == {"unit", "district", "province"}
        # A team under the unit: the nearest unit at the "unit" level is the team, and it decides that level.
        team = OrgUnit(code="HN-HD-PL-TP-T1", name="Tổ Hộ tịch", level="unit", kind="team", parent=unit, staff_count=3,
                       valid_from=date(2027, 1, 1))  # fmt: skip
        session.add(team)
        session.flush()
        assert "unit" not in open_levels(session, team.id, DAY)
        for day in (DAY, date(2026, 12, 6), date(2027, 1, 2)):
            for unit_id in (unit.id, team.id, ward.id, district.id):
                assert open_levels(session, unit_id, day) == _levels_read_unit_by_unit(session, unit_id, day)
        session.rollback()


def test_the_checklist_and_the_reachable_awards_at_submission(factory):
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    with factory() as session, session.begin():
        dossier = session.get(Dossier, dossier_id)
        nominees = session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)).all()
        assert dossier_checklist(session, dossier) == []  # the demo's new dossier carries its documents
        # A current document withdrawn (not current) is missing again, named for its nominee where it is one's.
        document = session.scalars(select(Document).where(Document.dossier_id == dossier_id,
                                                          Document.nominee_id.is_not(None))).first()  # fmt: skip
        document.is_current = False
        session.flush()
        missing = dossier_checklist(session, dossier)
        assert [(m.kind, m.nominee_id, m.nominee_name) for m in missing] == [
            (document.kind, document.nominee_id, next(n.full_name for n in nominees if n.id == document.nominee_id))]
        require_reachable_awards(session, dossier, DAY)  # the levels are open: nothing refused
        ward = session.get(OrgUnit, dossier.unit_id).parent
        ward.valid_to = DAY
        session.flush()
        with pytest.raises(InvalidInput) as refused:
            require_reachable_awards(session, dossier, DAY)
        assert nominees[0].full_name in refused.value.message
        states = nominee_states(session, dossier_id)
        assert [(s.id, s.full_name, s.travelling) for s in states] == [(n.id, n.full_name, n.outcome is None) for n in nominees]
        session.rollback()
