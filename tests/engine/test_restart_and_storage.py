"""State survives a restart: a new engine, a definition rebuilt from storage, and the chain goes on."""

from __future__ import annotations

from workflows import Engine, FixedClock, dump_spec, restore_definition


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
