"""The fast path of dump_state and load_state gives exactly what SpiffWorkflow's serializer gives.

dump_state and load_state go straight between the compact form and the objects when they fully understand
an instance (workflows/state.py, "the fast path"), else through the serializer as before
(_dump_state_generic, _load_state_generic). Here both paths run on the same input: the text written must
be the same, byte for byte; the workflow restored must be the same object graph (every attribute of the
workflow and of each task, types, key orders, which containers are shared) and must go on the same way
(the engine's next call gives the same outcome, times included). Where the fast path must step aside, it
is checked that it did.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import math
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import SpiffWorkflow.task as spiff_task
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

import workflows.engine as engine_module
from tests.engine.test_compact_state import (
    DATA, JSON, KEPT_IN_COMPACT, LEFT_IN_FULL, LEVELS, SUBPROCESS_BPMN, VIETNAMESE, draw_completion, finished_dict,
)  # fmt: skip
from tests.state_forms import full_form
from workflows import Engine, FixedClock, InvalidDecision
from workflows.state import (
    COMPACT_FORMAT, SERIALIZER, SPEC_REF_KEY, STATE_FORMAT_KEY, _compact_of, _compact_text, _dump_state_generic,
    _load_state_generic, _restore_compact, dump_state, encode_compact, load_state,
)  # fmt: skip
from workflows.task_ids import TaskIdAllocator, allocating

# -- comparing two workflows ----------------------------------------------------------------------------


def _value(value: Any, seen: dict[int, int]) -> Any:
    """A value with its type at every level and its containers numbered in the order met: two values
    describe alike only if they are equal, of the same types, with keys in the same order, and share
    containers in the same way (with each other and with everything described before them)."""
    kind = type(value)
    if kind in (dict, list, tuple, set):
        if id(value) in seen:
            return ("shared", seen[id(value)])
        seen[id(value)] = len(seen)
        if kind is dict:
            items = [(_value(k, seen), _value(v, seen)) for k, v in value.items()]
        elif kind is set:
            items = sorted(repr(item) for item in value)
        else:
            items = [_value(item, seen) for item in value]
        return (kind.__name__, seen[id(value)], items)
    if kind is float:
        return ("float", repr(value))  # -0.0 and nan told apart
    return (f"{kind.__module__}.{kind.__qualname__}", repr(value))


def _task(task: Any, workflow: Any, seen: dict[int, int]) -> list[Any]:
    out = []
    for name, value in vars(task).items():  # every attribute, in the order set
        if name == "workflow":
            out.append((name, value is workflow))
        elif name == "task_spec":
            out.append((name, value.name, value is workflow.spec.task_specs.get(value.name)))
        else:
            out.append((name, _value(value, seen)))
    parent = task.parent
    out.append(("parent()", None if parent is None else str(parent.id)))
    out.append(("children()", [None if child is None else str(child.id) for child in task.children]))
    return out


def describe(workflow: Any) -> list[Any]:
    """Everything a restored workflow holds, as comparable values."""
    seen: dict[int, int] = {}
    out: list[Any] = [("type", type(workflow).__name__)]
    for name, value in vars(workflow).items():
        if name == "tasks":
            out.append((name, [(str(key), _task(task, workflow, seen)) for key, task in value.items()]))
        elif name in ("task_tree", "last_task"):
            out.append((name, None if value is None else (str(value.id), workflow.tasks.get(value.id) is value)))
        elif name == "spec":
            out.append((name, value.name))
        elif name == "subprocess_specs":
            out.append((name, sorted(value)))
        elif name == "subprocesses":
            out.append((name, [(str(k), describe(v) if v is not workflow else "self") for k, v in value.items()]))
        elif name == "event_manager":
            waiting = [(str(k), workflow.tasks.get(k) is t) for k, t in value.tasks.items()]
            out.append((name, type(value).__name__, value.workflow is workflow, waiting))
        elif name in ("completed_event", "task_removed_event"):
            subscribers = [
                (getattr(callback, "__qualname__", None), [str(getattr(a, "id", a)) for a in args], kwargs)
                for callback, args, kwargs in value.hard_subscribers or []
            ]
            out.append((name, type(value).__name__, value.lock, value.weak_subscribers, subscribers))
        elif name.endswith("script_engine"):
            out.append((name, type(value).__name__, type(value.environment).__name__))
        elif name == "top_workflow":
            out.append((name, value is workflow))
        else:
            out.append((name, _value(value, seen)))
    return out


def compact_of_text(state: str) -> dict[str, Any]:
    dct = json.loads(state)
    dct.pop(SPEC_REF_KEY)
    assert dct.pop(STATE_FORMAT_KEY) == COMPACT_FORMAT
    return dct  # type: ignore[no-any-return]


def outcome_of(call: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", value) or ("raised", its type and text): two paths must fail alike, too."""
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001 - any exception, compared by type and text
        return ("raised", (type(exc).__name__, str(exc)))


def assert_load_same(state: str, definition: Any, fast: bool | None = True) -> Any:
    """load_state and _load_state_generic restore the same workflow (or fail alike), which dump_state
    writes back as _dump_state_generic does. `fast`: whether the fast path must (True) or must not
    (False) have been taken, or either (None). Returns the workflow load_state gave, or None."""
    if fast is not None and json.loads(state).get(STATE_FORMAT_KEY) == COMPACT_FORMAT:
        assert (_restore_compact(compact_of_text(state), definition) is not None) is fast
    elif fast:
        raise AssertionError("not a compact state")
    kind, quick = outcome_of(lambda: load_state(state, definition))
    generic_kind, generic = outcome_of(lambda: _load_state_generic(state, definition))
    assert kind == generic_kind, (quick, generic)
    if kind == "raised":
        assert quick == generic
        return None
    assert describe(quick) == describe(generic)
    assert_dump_same(quick, definition)
    assert_dump_same(generic, definition)
    assert outcome_of(lambda: dump_state(quick, definition)) == outcome_of(lambda: dump_state(generic, definition))
    return quick


def assert_dump_same(workflow: Any, definition: Any, fast: bool | None = None) -> None:
    """dump_state writes what _dump_state_generic writes (or both fail alike), and leaves the workflow
    as it found it."""
    if fast is not None:
        assert (_compact_of(workflow) is not None) is fast
    before = describe(workflow)
    assert outcome_of(lambda: dump_state(workflow, definition)) == outcome_of(
        lambda: _dump_state_generic(workflow, definition)
    )
    assert describe(workflow) == before


# -- the engine's calls on both paths, at the same times --------------------------------------------------


class SteppingTime:
    """Stands in for the `time` module in SpiffWorkflow's task module: every task's time of change comes
    from here, in uneven steps (never whole milliseconds), so two runs can be compared byte for byte."""

    def __init__(self) -> None:
        self.now = 1796517708.1234567

    def time(self) -> float:
        # A task the serializer restores (Task.__init__ from TaskConverter.from_dict) gets the time and
        # has it overwritten at once; the fast path makes no such call. Those calls do not move the clock.
        if sys._getframe(1).f_code.co_name == "__init__" and sys._getframe(2).f_code.co_name == "from_dict":
            return self.now
        self.now += 0.000377 + (self.now * 7919 % 1) * 0.01
        return self.now


@contextlib.contextmanager
def stepping() -> Iterator[SteppingTime]:
    with pytest.MonkeyPatch.context() as patch:
        time = SteppingTime()
        patch.setattr(spiff_task, "time", time)
        yield time


@pytest.fixture
def stepping_time() -> Iterator[SteppingTime]:
    with stepping() as time:
        yield time


@contextlib.contextmanager
def generic_only() -> Iterator[None]:
    """The engine's calls with SpiffWorkflow's serializer only (the code before the fast path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module, "load_state", _load_state_generic)
        patch.setattr(engine_module, "dump_state", _dump_state_generic)
        yield


def paired(stepping: SteppingTime, call: Callable[[], Any]) -> Any:
    """call() on the fast path and again on the generic path from the same time: the same outcome
    (state text, ready tasks, events, timers, data) or the same error, which is raised."""
    start = stepping.now
    failed: list[Exception] = []

    def run() -> Any:
        try:
            return ("ok", call())
        except Exception as exc:  # noqa: BLE001 - compared below, then raised
            failed.append(exc)
            return ("raised", (type(exc).__name__, str(exc)))

    fast = run()
    after = stepping.now
    stepping.now = start
    with generic_only():
        generic = run()
    assert stepping.now == after
    assert fast == generic
    if failed:
        raise failed[0]
    return fast[1]


def check_state(chain: Any, state: str) -> None:
    """A state the engine wrote: compact, restored on the fast path exactly as generically, and written back
    the same by both (and unchanged)."""
    workflow = assert_load_same(state, chain, fast=True)
    assert_dump_same(workflow, chain, fast=True)
    assert dump_state(workflow, chain) == state


# -- states the engine writes ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_walks_take_the_fast_path_and_go_on_as_the_generic_one(chain, data):
    """Decisions, extra data (Vietnamese text, numbers, None), returns and timers firing, in any order;
    each call made on both paths, each state compared."""
    with stepping() as stepping_time:
        _random_walk(chain, data, stepping_time)


def _random_walk(chain: Any, data: Any, stepping_time: SteppingTime) -> None:
    clock = FixedClock()
    engine = Engine(clock)
    level = data.draw(st.sampled_from(LEVELS))
    outcome = engine.start(chain, {"dossier_id": 1, "target_level": level, **data.draw(DATA)})
    check_state(chain, outcome.state)
    for _ in range(data.draw(st.integers(1, 25))):
        if outcome.status != "running":
            break
        action = data.draw(st.integers(0, 9))
        if action == 0:
            clock.advance(days=data.draw(st.integers(1, 20)), minutes=data.draw(st.integers(0, 600)))
            state = outcome.state
            outcome = paired(stepping_time, lambda: engine.fire_due_timers(chain, state))
        elif action == 1:
            state = outcome.state
            outcome = paired(stepping_time, lambda: engine.cancel(chain, state))
        else:
            task, decision, extra = draw_completion(data, outcome, clock)
            state = outcome.state
            try:
                outcome = paired(stepping_time, lambda: engine.complete(chain, state, task.task_id, decision, extra))
            except InvalidDecision:
                continue
        check_state(chain, outcome.state)
        for inspect in (engine.inspect, engine.path):
            paired(stepping_time, lambda: inspect(chain, outcome.state))  # noqa: B023


def test_every_decision_and_every_timer_at_every_step(chain, stepping_time):
    """From each state of a province chain: each decision (returns, rejections), every timer pending and
    then fired (overdue escalations), on both paths."""
    clock = FixedClock()
    engine = Engine(clock)
    outcome = engine.start(chain, {"dossier_id": 3, "target_level": "province", "campaign_code": "TD-2026"})
    pending = fired = 0
    while outcome.status == "running":
        check_state(chain, outcome.state)
        pending += outcome.next_timer_at is not None
        (task,) = outcome.ready_tasks
        for decision in [d.value for d in task.decisions] or [None]:
            state = outcome.state
            branch = paired(stepping_time, lambda: engine.complete(chain, state, task.task_id, decision, {"ghi_chu": VIETNAMESE}))  # noqa: B023
            check_state(chain, branch.state)
        late = Engine(FixedClock(clock.now() + dt.timedelta(days=40)))
        state = outcome.state
        escalated = paired(stepping_time, lambda: late.fire_due_timers(chain, state))
        fired += any(event.kind == "timer_fired" for event in escalated.events)
        check_state(chain, escalated.state)
        state = outcome.state
        outcome = paired(stepping_time, lambda: engine.complete(chain, state, task.task_id, "submit" if task.bpmn_id == "unit_prepare" else "approve"))
    check_state(chain, outcome.state)
    assert pending >= 3 and fired == pending  # every step with a deadline: pending, then fired


def test_a_pending_timer_is_in_the_event_manager_on_both_paths(drive, chain):
    run = drive("province")
    run.approve_until("ward_office_review")
    assert run.outcome.next_timer_at is not None
    workflow = assert_load_same(run.outcome.state, chain)
    waiting = list(workflow.event_manager.tasks.values())
    assert waiting and all(task.has_state(TaskState.WAITING) for task in waiting)
    assert [e.value for e in workflow.waiting_events()] == [
        e.value for e in _load_state_generic(run.outcome.state, chain).waiting_events()
    ]


def test_a_cancelled_instance(drive, engine, chain):
    run = drive("district")
    run.approve_until("district_noi_vu_review")
    cancelled = engine.cancel(chain, run.outcome.state)
    assert cancelled.status == "cancelled"
    check_state(chain, cancelled.state)
    assert "success" in compact_of_text(cancelled.state)


def test_a_finished_instance_with_workflow_data(drive, chain):
    state = drive("province").approve_to_end().state
    assert "data" in compact_of_text(state)
    check_state(chain, state)


def test_a_thread_id_pool_moved_on(drive, chain, monkeypatch):
    monkeypatch.setattr(Task, "thread_id_pool", 7)
    workflow = assert_load_same(drive("ward").outcome.state, chain)
    assert {task.thread_id for task in workflow.tasks.values()} == {7}


# -- states the fast path leaves to the serializer ------------------------------------------------------


@pytest.mark.parametrize("ids", ["counted", "random"])
def test_a_state_with_a_subprocess_takes_the_generic_path(ids):
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(SUBPROCESS_BPMN.encode("utf-8")), filename="sub.bpmn")
    definition = types.SimpleNamespace(
        spec=parser.get_spec("outer"), subprocess_specs=parser.get_subprocess_specs("outer"), sha256="5" * 64
    )
    with allocating(TaskIdAllocator.fresh()) if ids == "counted" else contextlib.nullcontext():
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
        workflow.do_engine_steps()
        assert workflow.subprocesses
        assert_dump_same(workflow, definition, fast=False)
        state = dump_state(workflow, definition)
        assert "subprocesses" in compact_of_text(state)
        restored = assert_load_same(state, definition, fast=False)
        assert restored.subprocesses
        (inner,) = restored.get_tasks(state=TaskState.READY)
        inner.set_data(ghi_chu=VIETNAMESE)
        inner.run()
        restored.do_engine_steps()
        assert restored.is_completed()
        assert_dump_same(restored, definition)
        assert_load_same(dump_state(restored, definition), definition, fast=None)


def test_a_state_in_spiffworkflows_form_takes_the_generic_path(drive, engine, chain, stepping_time):
    run = drive("province")
    run.approve_until("district_council_vote")
    old = full_form(run.outcome.state)
    assert STATE_FORMAT_KEY not in json.loads(old)
    workflow = assert_load_same(old, chain, fast=None)
    assert_dump_same(workflow, chain, fast=True)  # written back compact, on the fast path
    assert dump_state(workflow, chain) == run.outcome.state
    (task,) = engine.inspect(chain, old).ready_tasks
    check_state(chain, paired(stepping_time, lambda: engine.complete(chain, old, task.task_id, "approve")).state)


def test_random_ids_from_before_the_namespace(drive, engine, chain, stepping_time):
    """Ids kept as their text in the compact form (old instances): the fast path reads them."""
    run = drive("province")
    run.approve_until("ward_council_vote")
    old = full_form(run.outcome.state)
    for task_id in json.loads(old)["tasks"]:
        old = old.replace(task_id, str(uuid.uuid4()))
    state = engine.inspect(chain, old).state
    assert {type(entry["n"]) for entry in compact_of_text(state)["tasks"]} == {str, int}  # the root is counted
    check_state(chain, state)
    (task,) = engine.inspect(chain, old).ready_tasks
    check_state(chain, paired(stepping_time, lambda: engine.complete(chain, state, task.task_id, "approve")).state)


# -- values the registry converts, and the ones it does not -----------------------------------------------

CONVERTED = {
    "datetime": dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC),
    "naive datetime": dt.datetime(2026, 12, 6, 9, 30),
    "uuid": uuid.UUID("12345678-1234-4234-8234-123456789abc"),
    "timedelta": dt.timedelta(days=3, seconds=5),
    "in a list": [1, dt.timedelta(hours=1)],
    "deep in a dict": {"a": {"b": [{"c": uuid.UUID(int=5)}]}},
    "a dict with a typename": {"typename": "datetime", "value": "2026-12-06T09:30:00+00:00"},
    "a typename nested": [{"x": {"typename": "UUID", "value": str(uuid.UUID(int=9))}}],
}
NOT_CONVERTED = {
    "set": {3, 1, 2},
    "tuple": (1, "ạ", None),
    "nested lists and dicts": {"a": [1, {"b": [2.5, None, True]}], "": {}},
    "big int": 2**80,
    "float edge": -0.0,
    "typename as a value": {"name": "typename"},
    "typename deeper as a value": [["typename"]],
    "Vietnamese": VIETNAMESE,
    "empty containers": [[], {}],
}
SKIPPED = {  # the registry's clean() drops these from internal data and the workflow's data
    "callable": len,
    "module": math,
}


def _loaded(drive: Any, chain: Any, level: str = "province") -> Any:
    run = drive(level)
    run.approve_until("ward_council_vote")
    return load_state(run.outcome.state, chain)


def _places(workflow: Any) -> dict[str, Callable[[Any], None]]:
    """Where a value can sit in an instance, each as a function that puts it there."""
    tasks = list(workflow.tasks.values())
    ready = next(t for t in tasks if t.has_state(TaskState.READY))
    predicted = next(t for t in tasks if t.has_state(TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE))
    return {
        "root data": lambda v: workflow.task_tree.data.update(x=v),
        "ready task's data": lambda v: ready.data.update(x=v),
        "predicted task's data (a delta with deletions)": lambda v: predicted.data.update(x=v),
        "internal data": lambda v: ready.internal_data.update(x=v),
        "workflow data": lambda v: workflow.data.update(x=v),
        "correlations": lambda v: workflow.correlations.update(x=v),
    }


PLACES = [
    "root data", "ready task's data", "predicted task's data (a delta with deletions)", "internal data",
    "workflow data", "correlations",
]  # fmt: skip


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", [*CONVERTED, *NOT_CONVERTED, *SKIPPED])
def test_values_anywhere_are_written_and_read_as_the_serializer_does(drive, chain, place, name):
    value = {**CONVERTED, **NOT_CONVERTED, **SKIPPED}[name]
    workflow = _loaded(drive, chain)
    _places(workflow)[place](copy.deepcopy(value) if name not in SKIPPED else value)
    assert_dump_same(workflow, chain, fast=True)  # on the way out the values go to the JSON encoder as they are
    state = dump_state(workflow, chain)
    # On the way in: anything written as a dict with "typename" is the registry's to restore (except in
    # the correlations, which it does not restore).
    converted = name in CONVERTED and place != "correlations"
    restored = assert_load_same(state, chain, fast=not converted)
    if name in ("datetime", "uuid", "timedelta") and place == "root data":
        assert type(restored.task_tree.data["x"]) is type(value)


@pytest.mark.parametrize("name", ["nested lists and dicts", "set", "tuple", "in a list"])
def test_containers_a_task_inherits_are_shared_as_the_serializer_shares_them(drive, chain, name):
    """A task's data is its parent's copied one level deep (DeepMerge.merge): the containers inside are
    the parent's own. Put one value in every task that has data, so each inherits it."""
    workflow = _loaded(drive, chain)
    value = copy.deepcopy({**CONVERTED, **NOT_CONVERTED}[name])
    for task in workflow.tasks.values():
        if task.data:
            task.data["x"] = value
    state = dump_state(workflow, chain)
    assert_dump_same(workflow, chain, fast=True)
    restored = assert_load_same(state, chain, fast=name not in CONVERTED)
    holders = [task.data["x"] for task in restored.tasks.values() if "x" in task.data]
    assert len(holders) > 3


def test_a_typename_dict_as_workflow_data_and_in_updates(drive, chain):
    """The same through the compact form itself: a "typename" dict where the registry restores values."""
    compact = compact_of_text(dump_state(_loaded(drive, chain), chain))
    marked = {"typename": "timedelta", "days": 1, "seconds": 2}
    child = next(i for i, entry in enumerate(compact["tasks"]) if i > 0 and "D" not in entry and "pa" not in entry)
    for put in (
        lambda c: c.update(data={"due": marked}),
        lambda c: c["tasks"][0]["d"].update(due=[marked]),
        lambda c: c["tasks"][child].update(u={"due": marked}),
        lambda c: c["tasks"][child].update(i={"due": {"deep": marked}}),
    ):
        changed = copy.deepcopy(compact)
        put(changed)
        state = _text(changed, chain)
        restored = assert_load_same(state, chain, fast=False)
        assert restored is not None


def _text(compact: dict[str, Any], chain: Any) -> str:
    return _compact_text(compact, chain)


# -- any change to an instance or to a compact state ----------------------------------------------------


@pytest.mark.parametrize("change", KEPT_IN_COMPACT.values(), ids=KEPT_IN_COMPACT.keys())
def test_what_the_compact_form_writes_out_is_read_as_the_serializer_reads_it(chain, change):
    """The compact state test's edge cases (times, parents, deltas, typenames, flags...), as stored states."""
    dct = finished_dict(chain)
    change(dct)
    compact = encode_compact(dct)
    assert compact is not None
    assert_load_same(_text(json.loads(json.dumps(compact)), chain), chain, fast=None)


@pytest.mark.parametrize("change", LEFT_IN_FULL.values(), ids=LEFT_IN_FULL.keys())
def test_a_state_left_in_full_is_read_as_the_serializer_reads_it(chain, change):
    dct = finished_dict(chain)
    change(dct)
    text = json.dumps(dct, cls=SERIALIZER._encoder_cls)
    assert_load_same('{"%s": "%s", %s' % (SPEC_REF_KEY, chain.sha256, text[1:]), chain, fast=None)


def _entry(compact: dict[str, Any], index: int) -> dict[str, Any]:
    return compact["tasks"][index]  # type: ignore[no-any-return]


def _with_deletions(compact: dict[str, Any]) -> dict[str, Any]:
    return next(entry for entry in compact["tasks"] if entry.get("D"))


def _child(compact: dict[str, Any]) -> dict[str, Any]:
    return next(entry for entry in compact["tasks"][1:] if "D" not in entry and "pa" not in entry)


COMPACT_EDGES = {
    "an id given twice": lambda c: c["tasks"].append({**_entry(c, 3), "u": {"twice": 1}, "s": 8, "c": []}),
    "an id given twice, the first with data": lambda c: c["tasks"].insert(2, {**_entry(c, 3), "u": {"first": 1}}),
    "an id given twice, as text": lambda c: c["tasks"].append({**_entry(c, 3), "n": "%s%08x" % (c["ns"], _entry(c, 3)["n"])}),
    "an id as its text": lambda c: _entry(c, 2).update(n="%s%08x" % (c["ns"], _entry(c, 2)["n"])),
    "a child as its text": lambda c: _entry(c, 1).update(c=["%s%08x" % (c["ns"], code) for code in _entry(c, 1)["c"]]),
    "an uppercase id": lambda c: _entry(c, 2).update(n=("%s%08x" % (c["ns"], _entry(c, 2)["n"])).upper()),
    "a counter too big": lambda c: _entry(c, 2).update(n=2**32),
    "no namespace": lambda c: c.update(ns=None),
    "an uppercase namespace": lambda c: c.update(ns=c["ns"].upper()),
    "parent restored later": lambda c: c["tasks"].insert(1, c["tasks"].pop(3)),
    "parent given, restored later": lambda c: _entry(c, 2).update(pa=_entry(c, 5)["n"]),
    "parent None given": lambda c: _child(c).update(pa=None),
    "parent outside": lambda c: _child(c).update(pa=12345),
    "a delta with other keys": lambda c: _child(c).update(D={"updates": {"a": 1}, "deletions": [], "x": 0}),
    "a delta without deletions": lambda c: _child(c).update(D={"updates": {"a": [1]}}),
    "an empty delta off the root": lambda c: _child(c).update(D={}, d={"own": 1}),
    "the root with a delta": lambda c: _entry(c, 0).update(D={"updates": {"a": 1}, "deletions": ["dossier_id"]}),
    "a deletion also updated": lambda c: _with_deletions(c).update(D={"updates": {"dossier_id": 2}, "deletions": ["dossier_id"]}),
    "a deletion not a string": lambda c: _with_deletions(c)["D"].update(deletions=[1, None]),
    "a deletion not there": lambda c: _with_deletions(c)["D"].update(deletions=["nowhere"]),
    "updates not a dict": lambda c: _child(c).update(u=[["a", 1]]),
    "updates and a delta": lambda c: _with_deletions(c).update(u={"ignored": 1}),
    "data with a delta": lambda c: _child(c).update(d={"ignored": 1}),
    "a time as a float step": lambda c: _entry(c, 3).update(t=0.5),
    "t0 as a float": lambda c: c.update(t0=float(c["t0"])),
    "t0 missing": lambda c: c.update(t0=None),
    "a time written out": lambda c: _entry(c, 3).update(T=17, t=999),
    "a state as text": lambda c: _entry(c, 3).update(s="8"),
    "a state as true": lambda c: _entry(c, 3).update(s=True),
    "an unknown spec": lambda c: _entry(c, 3).update(p="not_in_the_bpmn"),
    "triggered": lambda c: _entry(c, 3).update(g=1),
    "internal data a list": lambda c: _entry(c, 3).update(i=[1]),
    "data a list on the root": lambda c: _entry(c, 0).update(d=[1]),
    "data a scalar on a task": lambda c: _entry(c, 1).update(D={}, d=5),
    "no root": lambda c: c.update(r=999),
    "a last task outside": lambda c: c.update(l=999),
    "no tasks": lambda c: c.update(tasks=[]),
    "success as 0": lambda c: c.update(success=0),
    "correlations a list": lambda c: c.update(correlations=[]),
    "data a list": lambda c: c.update(data=[]),
    "subprocesses empty": lambda c: c.update(subprocesses={}),
    "bpmn events empty": lambda c: c.update(bpmn_events=[]),
    "typename on a task": lambda c: _entry(c, 3).update(y="Task"),
    "unknown task key": lambda c: _entry(c, 3).update(z=1),
    "unknown key": lambda c: c.update(zz=1),
    "a time beyond floats": lambda c: _entry(c, 3).update(t=10**400),
    "data nested deep": lambda c: _entry(c, 0)["d"].update(deep=_nested(900)),
    "format 2.0": lambda c: None,
}


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("change", COMPACT_EDGES.values(), ids=COMPACT_EDGES.keys())
def test_edges_of_the_compact_form_are_read_as_the_serializer_reads_them(drive, chain, change):
    run = drive("province")
    run.approve_until("district_noi_vu_review")
    compact = compact_of_text(run.outcome.state)
    change(compact)
    state = _text(compact, chain)
    if change is COMPACT_EDGES["format 2.0"]:
        state = state.replace(f'"{STATE_FORMAT_KEY}": {COMPACT_FORMAT},', f'"{STATE_FORMAT_KEY}": 2.0,')
        assert_load_same(state, chain, fast=True)
    else:
        assert_load_same(state, chain, fast=None)


ID_CODES = st.sampled_from([0, 1, 2, 3, 5, 40, -1, 2**32, 2**32 - 1, True, 1.0, None, "x", [], {}]) | st.sampled_from(
    ["12345678-1234-4234-8234-123456789abc", "12345678-1234-4234-8234-123456789ABC", "{12345678-1234-4234-8234-123456789abc}"]
)
TYPENAMED = st.sampled_from(
    [{"typename": "UUID", "value": "12345678-1234-4234-8234-123456789abc"}, {"typename": "nope"}, {"typename": None}]
)
VALUES = (
    JSON | ID_CODES | TYPENAMED | st.lists(TYPENAMED, max_size=2)
    | st.dictionaries(st.sampled_from(["updates", "deletions", "typename", "a"]), JSON | TYPENAMED, max_size=3)
).map(copy.deepcopy)  # sampled values are shared objects: each draw gets its own  # fmt: skip
TASK_KEYS = ["n", "c", "t", "s", "p", "pa", "T", "g", "i", "d", "u", "D", "y", "z"]
WORKFLOW_KEYS = ["ns", "t0", "r", "l", "tasks", "data", "correlations", "success", "completed", "subprocesses", "bpmn_events", "zz"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_change_to_a_compact_state_is_read_as_the_serializer_reads_it(drive_once, data):
    """Random values in random fields of a compact state (ids, codes, times, states, specs, deltas,
    typenames, unknown keys, keys removed): load_state gives what the serializer gives, or fails alike."""
    chain, states = drive_once
    compact = compact_of_text(data.draw(st.sampled_from(states)))
    for _ in range(data.draw(st.integers(1, 3))):
        tasks = compact.get("tasks")
        entries = [entry for entry in tasks if type(entry) is dict] if type(tasks) is list else []
        if data.draw(st.booleans()) and entries:
            entry = data.draw(st.sampled_from(entries))
            key = data.draw(st.sampled_from(TASK_KEYS + [k for k in entry if k not in TASK_KEYS]))
            target = entry
        else:
            key = data.draw(st.sampled_from(WORKFLOW_KEYS))
            target = compact
        if data.draw(st.integers(0, 5)) == 0:
            target.pop(key, None)
        elif key == "p":
            target[key] = data.draw(st.sampled_from(["Start", "unit_prepare", "nope", None]) | VALUES)
        elif key == "D":
            target[key] = data.draw(
                st.fixed_dictionaries({"updates": VALUES, "deletions": st.lists(st.sampled_from(["dossier_id", "x", 1, None]), max_size=2)})
                | VALUES
            )
        else:
            target[key] = data.draw(VALUES)
    state = _text(compact, chain)
    assert_load_same(state, chain, fast=None)


@pytest.fixture(scope="module")
def drive_once(chain):
    """States of one province chain, a return, a cancel and a fired timer, for the random changes."""
    clock = FixedClock()
    engine = Engine(clock)
    outcome = engine.start(chain, {"dossier_id": 5, "target_level": "province"})
    states = [outcome.state]
    while outcome.status == "running":
        (task,) = outcome.ready_tasks
        decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
        if task.bpmn_id == "district_council_vote" and len(states) < 12:
            decision = next((d.value for d in task.decisions if d.value != "approve"), "approve")
        clock.advance(minutes=61)
        outcome = engine.complete(chain, outcome.state, task.task_id, decision, {"ghi_chu": VIETNAMESE})
        states.append(outcome.state)
    late = FixedClock(clock.now() + dt.timedelta(days=40))
    states.append(Engine(late).fire_due_timers(chain, states[2]).state)
    states.append(engine.cancel(chain, states[3]).state)
    return chain, states


OBJECT_VALUES = (
    VALUES
    | st.sampled_from(list(CONVERTED.values()) + list(NOT_CONVERTED.values())).map(copy.deepcopy)
    | st.sampled_from(list(SKIPPED.values()))
    | st.sampled_from([1796517708, 1796517708.5, float("inf"), float("nan"), -1.5, 0.0, 1e300])
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_change_to_an_instance_is_written_as_the_serializer_writes_it(drive_once, data):
    """Random values in random attributes of a restored instance and its tasks (ids, parents, children,
    times, states, data, internal data, flags): dump_state writes what the serializer writes, or fails
    alike; and what it wrote is read back alike."""
    chain, states = drive_once
    workflow = load_state(data.draw(st.sampled_from(states)), chain)
    tasks = list(workflow.tasks.values())
    ids = [task.id for task in tasks]
    for _ in range(data.draw(st.integers(1, 3))):
        task = data.draw(st.sampled_from(tasks))
        what = data.draw(st.sampled_from([
            "data", "internal_data", "last_state_change", "_state", "triggered", "_parent", "_children",
            "id", "task_spec", "workflow data", "success", "completed", "correlations", "last_task",
            "bpmn_events", "drop a task", "task data replaced", "internal data replaced",
        ]))  # fmt: skip
        value = data.draw(OBJECT_VALUES)
        if what == "data":
            key = data.draw(st.sampled_from(["dossier_id", "x", "target_level"]))
            task.data = {**task.data, key: value} if type(task.data) is dict else {key: value}
        elif what == "internal_data":
            key = data.draw(st.sampled_from(["event_value", "x"]))
            task.internal_data = {**task.internal_data, key: value} if type(task.internal_data) is dict else {key: value}
        elif what == "last_state_change":
            task.last_state_change = value
        elif what == "_state":
            task._state = data.draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 256, True]))
        elif what == "triggered":
            task.triggered = value
        elif what == "_parent":
            task._parent = data.draw(st.sampled_from([*ids, None, uuid.uuid4(), str(ids[0])]))
        elif what == "_children":
            task._children = data.draw(st.lists(st.sampled_from([*ids, uuid.uuid4()]), max_size=3))
        elif what == "id":
            task.id = data.draw(st.sampled_from([*ids, uuid.uuid4(), str(ids[0])]))
        elif what == "task_spec":
            task.task_spec = data.draw(st.sampled_from(list(chain.spec.task_specs.values())))
        elif what == "workflow data":
            workflow.data["x"] = value
        elif what in ("success", "completed", "correlations"):
            setattr(workflow, what, value)
        elif what == "last_task":
            workflow.last_task = data.draw(st.sampled_from([*tasks, None]))
        elif what == "bpmn_events":
            workflow.bpmn_events = data.draw(st.sampled_from([[], (), None]))
        elif what == "drop a task":
            workflow.tasks.pop(task.id, None)
        elif what == "task data replaced":
            task.data = value
        else:
            task.internal_data = value
    assert_dump_same(workflow, chain)
    written = outcome_of(lambda: dump_state(workflow, chain))
    if written[0] == "ok" and json.loads(written[1]).get(STATE_FORMAT_KEY) == COMPACT_FORMAT:
        assert_load_same(written[1], chain, fast=None)
