"""Engine.prepare_complete: a completion computed ahead is handed back only for exactly the same call.

The engine is a real one (SpiffWorkflow running the shipped chain); `Counting` only counts how often it
really computes a step, which is how these tests tell a prepared outcome from a fresh one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from workflows import Definition, Engine, FixedClock, Outcome, TaskNotReady
from workflows.engine import MAX_PREPARED, PREPARED_FOR


class Counting(Engine):
    def __init__(self, clock: FixedClock) -> None:
        super().__init__(clock)
        self.computed = 0

    def _complete(self, *args: Any) -> Outcome:
        self.computed += 1
        return super()._complete(*args)


@pytest.fixture
def counting(clock: FixedClock) -> Counting:
    return Counting(clock)


def _at_ward(engine: Engine, chain: Definition) -> Outcome:
    """An instance submitted by its unit, waiting at the ward office."""
    started = engine.start(chain, {"target_level": "province", "dossier_id": 1})
    return engine.complete(chain, started.state, started.ready_tasks[0].task_id, "submit", {"target_level": "province"})


def test_a_prepared_completion_is_handed_back_without_computing_it_again(counting, chain):
    waiting = _at_ward(counting, chain)
    task = waiting.ready_tasks[0]
    before = counting.computed
    assert counting.prepare_complete(chain, waiting.state, task.task_id, "approve")
    outcome = counting.complete(chain, waiting.state, task.task_id, "approve")
    assert counting.computed == before + 1  # computed once, by prepare_complete
    # and it is the real step: the dossier moved on to the ward's emulation council
    fresh = Engine(counting.clock).complete(chain, waiting.state, task.task_id, "approve")
    assert [t.bpmn_id for t in outcome.ready_tasks] == [t.bpmn_id for t in fresh.ready_tasks] != [task.bpmn_id]
    assert [(e.kind, e.bpmn_id) for e in outcome.events] == [(e.kind, e.bpmn_id) for e in fresh.events]
    assert outcome.status == fresh.status == "running"


def test_it_is_handed_back_once(counting, chain):
    waiting = _at_ward(counting, chain)
    task = waiting.ready_tasks[0]
    counting.prepare_complete(chain, waiting.state, task.task_id, "approve")
    first = counting.complete(chain, waiting.state, task.task_id, "approve")
    before = counting.computed
    second = counting.complete(chain, waiting.state, task.task_id, "approve")
    assert counting.computed == before + 1 and second is not first


@pytest.mark.parametrize("change", ["decision", "data", "data type", "data order", "state", "task"])
def test_any_other_input_computes_the_step_anew(counting, chain, change):
    waiting = _at_ward(counting, chain)
    task = waiting.ready_tasks[0]
    prepared_data: dict[str, Any] = {"note": 1, "flag": True}
    counting.prepare_complete(chain, waiting.state, task.task_id, "approve", prepared_data)
    state, task_id, decision, data = waiting.state, task.task_id, "approve", dict(prepared_data)
    if change == "decision":
        decision = "return"
    elif change == "data":
        data["note"] = 2
    elif change == "data type":
        data = {"note": True, "flag": 1}  # equal in Python (True == 1), different data
    elif change == "data order":
        data = {"flag": True, "note": 1}  # the state text writes keys in this order
    elif change == "state":
        # other text for the same instance, as anyone else's step meanwhile would leave it
        state = waiting.state.replace('"t0":', '"t0": ', 1)
        assert state != waiting.state
    elif change == "task":
        task_id = "00000000-0000-0000-0000-000000000000"
    before = counting.computed
    try:
        outcome = counting.complete(chain, state, task_id, decision, data)
    except TaskNotReady:
        assert change == "task"
    else:
        assert change != "task"
        if change == "decision":
            assert outcome.ready_tasks[0].bpmn_id == "unit_prepare"  # returned to the unit
    assert counting.computed == before + 1


def _at_ward_chairman(engine: Engine, chain: Definition) -> Outcome:
    """An instance at the ward chairman's decision, whose approval opens the district's review (due in 10 days)."""
    outcome = _at_ward(engine, chain)
    while outcome.ready_tasks[0].bpmn_id != "ward_chairman_decide":
        outcome = engine.complete(chain, outcome.state, outcome.ready_tasks[0].task_id, "approve")
    return outcome


@pytest.mark.parametrize("later", [timedelta(seconds=1), PREPARED_FOR + timedelta(milliseconds=1)])
def test_a_prepared_completion_goes_stale_with_the_clock(counting, chain, clock, later):
    waiting = _at_ward_chairman(counting, chain)
    task = waiting.ready_tasks[0]
    prepared_at = clock.now()
    counting.prepare_complete(chain, waiting.state, task.task_id, "approve")
    clock.advance(later)
    before = counting.computed
    outcome = counting.complete(chain, waiting.state, task.task_id, "approve")
    (review,) = outcome.ready_tasks
    assert review.bpmn_id == "district_noi_vu_review"
    if later <= PREPARED_FOR:  # the prepared step: its deadline counts from when it was computed
        assert counting.computed == before and review.due_at == prepared_at + timedelta(days=10)
    else:  # computed anew at the new time
        assert counting.computed == before + 1 and review.due_at == clock.now() + timedelta(days=10)


def test_a_step_that_fails_is_not_kept_and_complete_raises_as_always(counting, chain):
    waiting = _at_ward(counting, chain)
    assert not counting.prepare_complete(chain, waiting.state, "00000000-0000-0000-0000-000000000000", "approve")
    assert not counting.prepare_complete(chain, waiting.state, waiting.ready_tasks[0].task_id, "no_such_decision")
    assert not counting._prepared
    with pytest.raises(TaskNotReady):
        counting.complete(chain, waiting.state, "00000000-0000-0000-0000-000000000000", "approve")


def test_only_the_newest_prepared_steps_are_kept(counting, chain):
    waiting = _at_ward(counting, chain)
    task = waiting.ready_tasks[0]
    for number in range(MAX_PREPARED + 1):
        assert counting.prepare_complete(chain, waiting.state, task.task_id, "approve", {"n": number})
    assert len(counting._prepared) == MAX_PREPARED
    before = counting.computed
    counting.complete(chain, waiting.state, task.task_id, "approve", {"n": 0})  # the oldest: dropped
    counting.complete(chain, waiting.state, task.task_id, "approve", {"n": MAX_PREPARED})  # the newest: kept
    assert counting.computed == before + 1
