"""The numbered path under a dossier's diagram lists what the dossier went through and what is open for people: not
an overdue timer still waiting on an open task, nor a timer cut short unused; an escalation that fired stays. The
engine's full path (and the diagram's marks drawn from it) keep every element. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from service.models import ProcessInstance
from service.operations.definitions import instance_definition
from service.operations.timers import fire_due_timers
from service.queries.dossier_view import dossier_diagram, dossier_view
from workflows import Engine

from .helpers import act, new_dossier

TIMER = "ward_office_review_overdue"  # "Quá hạn thẩm định", a timer boundary event on the ward office's review


def _path(factory, engine: Engine, dossier_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        view = dossier_view(session, engine, dossier_id)
        return [(step.bpmn_id, step.state) for step in view.path]


def _engine_path(factory, engine: Engine, dossier_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        return [(s.bpmn_id, s.state) for s in engine.path(instance_definition(session, instance), instance.state_json)]


def test_a_waiting_overdue_timer_is_not_a_step_of_the_dossier(factory, engine):
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submitted: waiting at the ward office, its 10-day timer waiting too
    assert (TIMER, "waiting") in _engine_path(factory, engine, dossier_id)
    assert _path(factory, engine, dossier_id) == [
        ("start", "completed"), ("unit_prepare", "completed"), ("ward_office_review", "ready")]


def test_a_timer_cut_short_is_left_out_and_the_diagram_still_marks_it(factory, engine):
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)  # the office approves in time: its timer is cancelled, unused
    assert (TIMER, "cancelled") in _engine_path(factory, engine, dossier_id)
    path = _path(factory, engine, dossier_id)
    assert path == [("start", "completed"), ("unit_prepare", "completed"), ("ward_office_review", "completed"),
                    ("ward_council_vote", "ready")]  # fmt: skip
    with factory() as session:
        assert TIMER in dossier_diagram(session, engine, dossier_id)["cancelled"]


def test_a_finished_dossier_lists_its_steps_and_no_unused_timer(factory, engine):
    dossier_id = new_dossier(factory, engine, award="GK-HUYEN")  # granted by the district: two reviews with timers
    while (result := act(factory, engine, dossier_id)).dossier_status not in ("granted", "rejected"):
        pass
    assert result.dossier_status == "granted"
    full = _engine_path(factory, engine, dossier_id)
    assert {(TIMER, "cancelled"), ("district_noi_vu_review_overdue", "cancelled")} <= set(full)
    path = _path(factory, engine, dossier_id)
    assert not [step for step in path if step[0].endswith("_overdue") or step[1] != "completed"]
    assert [bpmn_id for bpmn_id, _ in path if not bpmn_id.startswith(("start", "end"))] == [
        "unit_prepare", "ward_office_review", "ward_council_vote", "ward_chairman_decide", "district_noi_vu_review",
        "district_council_vote", "district_chairman_decide"]  # fmt: skip
    assert path[-1][0].startswith("end")  # how it ended is a fact of its history


def test_an_escalation_that_fired_stays_in_the_path(factory, engine, clock):
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    clock.advance(days=11)  # the office's review is overdue
    with factory() as session, session.begin():
        assert fire_due_timers(session, engine).escalations == 1
    # The escalation's events happened and are listed; the review is still open, last; no gateway in between.
    assert _path(factory, engine, dossier_id) == [
        ("start", "completed"), ("unit_prepare", "completed"), (TIMER, "completed"),
        ("ward_office_review_escalated", "completed"), ("ward_office_review_escalation_end", "completed"),
        ("ward_office_review", "ready")]  # fmt: skip
    act(factory, engine, dossier_id)  # reviewed late: the escalation stays a fact of the dossier's history
    path = _path(factory, engine, dossier_id)
    assert (TIMER, "completed") in path and ("ward_office_review", "completed") in path
    assert path[-1] == ("ward_council_vote", "ready")
