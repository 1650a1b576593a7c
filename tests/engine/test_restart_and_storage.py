"""State survives a restart: a new engine, a definition rebuilt from storage, and the chain goes on."""

from __future__ import annotations

from workflows import Engine, FixedClock, dump_spec, restore_definition
from workflows.state import state_dict


def test_instance_continues_after_restart_from_stored_spec_and_state(drive, chain, clock):
    run = drive("province")
    run.approve_until("district_council_vote")
    stored_xml, stored_spec, stored_state = chain.bpmn_xml, dump_spec(chain), run.outcome.state

    # A new process: nothing in memory but what the database would hold.
    definition = restore_definition(stored_xml, stored_spec)
    engine = Engine(FixedClock(clock.now()))
    outcome = engine.inspect(definition, stored_state)
    (task,) = outcome.ready_tasks
    assert task.bpmn_id == "district_council_vote"
    while outcome.status == "running":
        task = outcome.ready_tasks[0]
        outcome = engine.complete(definition, outcome.state, task.task_id, "approve")
    assert outcome.end_event == "end_granted_province"


def test_restored_definition_keeps_timers_on_the_injected_clock(drive, chain, clock):
    definition = restore_definition(chain.bpmn_xml, dump_spec(chain))
    engine = Engine(clock)
    outcome = engine.start(definition, {"target_level": "ward"})
    outcome = engine.complete(definition, outcome.state, outcome.ready_tasks[0].task_id, "submit")
    clock.advance(days=11)
    fired = engine.fire_due_timers(definition, outcome.state)
    assert [e.kind for e in fired.events][:1] == ["timer_fired"]


def test_stored_times_of_change_are_to_the_millisecond_and_order_is_kept(drive, chain, engine):
    run = drive("province")
    run.approve_until("district_council_vote")
    state = run.outcome.state
    times = [task["last_state_change"] for task in state_dict(state)["tasks"].values()]
    assert len(times) > 10
    assert all(len(repr(t).partition(".")[2]) <= 3 for t in times), times
    # restored from the rounded times, the path is still in the order the steps were taken
    steps = [s.bpmn_id for s in engine.path(chain, state, include_open=False) if s.kind == "UserTask"]
    assert steps == run.visited
