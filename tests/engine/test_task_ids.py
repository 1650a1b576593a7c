"""Task ids: one random namespace per instance and a counter, so a stored state compresses."""

from __future__ import annotations

import re
import uuid
import zlib

import SpiffWorkflow.task as spiff_task

from tests.state_forms import full_form
from workflows.state import state_dict
from workflows.task_ids import TaskIdAllocator, allocating, installed

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LOW_32 = (1 << 32) - 1


def task_ids(state: str) -> list[uuid.UUID]:
    return [uuid.UUID(key) for key in state_dict(state)["tasks"]]


def root_id(state: str) -> uuid.UUID:
    return uuid.UUID(state_dict(state)["root"])


def randomised(state: str) -> str:
    """The same state as an engine without the allocator (and before the compact form) would have written
    it: SpiffWorkflow's own form, every task id random."""
    mapping: dict[str, str] = {}
    return UUID_TEXT.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())), full_form(state))


def test_a_finished_chain_has_ids_in_one_namespace_with_distinct_counters(drive):
    state = drive("province").approve_to_end().state
    ids = task_ids(state)
    namespace = root_id(state).int & ~LOW_32
    assert len(ids) > 20
    assert all(i.int & ~LOW_32 == namespace for i in ids)
    assert len({i.int & LOW_32 for i in ids}) == len(ids)
    assert all(i.version == 4 for i in ids)  # the namespace comes from a version-4 UUID, so every id keeps the form


def test_ids_follow_creation_order_and_ready_tasks_carry_them(drive):
    run = drive("ward")
    first = uuid.UUID(run.outcome.ready_tasks[0].task_id)
    run.decide("submit")
    second = uuid.UUID(run.outcome.ready_tasks[0].task_id)
    assert first.int & ~LOW_32 == second.int & ~LOW_32 == root_id(run.outcome.state).int & ~LOW_32
    assert second.int & LOW_32 > first.int & LOW_32
    assert str(second) in state_dict(run.outcome.state)["tasks"]


def test_two_instances_get_different_namespaces(drive):
    one, two = drive("ward").outcome.state, drive("ward").outcome.state
    assert root_id(one).int & ~LOW_32 != root_id(two).int & ~LOW_32


def test_the_state_compresses_far_better_than_with_random_ids(drive):
    state = full_form(drive("province").approve_to_end().state)
    compact, random_ids = len(zlib.compress(state.encode(), 5)), len(zlib.compress(randomised(state).encode(), 5))
    assert random_ids - compact > 500, (compact, random_ids)


def test_a_state_written_with_random_ids_goes_on_and_its_new_tasks_join_the_root_namespace(engine, chain, drive):
    run = drive("province")
    run.approve_until("ward_council_vote")
    old_state = randomised(run.outcome.state)
    old_ids = set(task_ids(old_state))
    namespace = root_id(old_state).int & ~LOW_32
    outcome = engine.inspect(chain, old_state)
    while outcome.status == "running":
        task = outcome.ready_tasks[0]
        outcome = engine.complete(chain, outcome.state, task.task_id, "approve")
    assert outcome.end_event == "end_granted_province"
    new_ids = set(task_ids(outcome.state)) - old_ids
    assert new_ids and all(i.int & ~LOW_32 == namespace for i in new_ids)
    assert old_ids & set(task_ids(outcome.state))  # the old tasks kept their ids


def test_a_counter_that_wraps_skips_ids_already_taken():
    namespace = uuid.uuid4().int & ~LOW_32
    taken = [uuid.UUID(int=namespace | LOW_32), uuid.UUID(int=namespace | 0), uuid.UUID(int=namespace | 1)]
    allocator = TaskIdAllocator(namespace, taken)
    assert allocator.next == 0  # max + 1, wrapped
    assert allocator() == uuid.UUID(int=namespace | 2)
    assert allocator() == uuid.UUID(int=namespace | 3)


def test_outside_the_engine_spiffworkflow_ids_stay_random():
    assert installed()
    first, second = spiff_task.uuid4(), spiff_task.uuid4()
    assert first.int & ~LOW_32 != second.int & ~LOW_32
    allocator = TaskIdAllocator.fresh()
    with allocating(allocator):
        inside = [spiff_task.uuid4(), spiff_task.uuid4()]
    assert [i.int & LOW_32 for i in inside] == [0, 1]
    assert spiff_task.uuid4().int & ~LOW_32 != allocator.namespace
