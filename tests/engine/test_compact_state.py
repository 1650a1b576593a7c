"""The compact state form (format 2) gives back exactly the dict SpiffWorkflow's serializer wrote.

Every check compares JSON text (json.dumps of both dicts), so key order counts as well as values: the
tasks map's order is what SpiffWorkflow restores task data by (SPIFFWORKFLOW.md P3).
"""

from __future__ import annotations

import contextlib
import copy
import json
import keyword
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from tests.state_forms import full_form
from workflows import Engine, FixedClock, InvalidDecision, StateVersionError
from workflows.state import (
    COMPACT_FORMAT, SERIALIZER, STATE_FORMAT_KEY, decode_compact, dump_state, encode_compact, load_state,
    state_dict, state_spec_ref, workflow_dict,
)  # fmt: skip
from workflows.expressions import FUNCTIONS
from workflows.task_ids import TaskIdAllocator, allocating

LEVELS = ("ward", "district", "province")
VIETNAMESE = "Thi đua yêu nước: Đồng ý đề nghị khen thưởng ông Nguyễn Văn Ánh, ấp Mỹ Hòa"
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(alphabet=st.sampled_from(VIETNAMESE + "\"\\'{}[]:,\n\t\u0300\u0301"), max_size=40)
    | st.text(max_size=20)
)  # fmt: skip
# Field names the engine takes (workflows.engine._checked_data refuses Python keywords such as "as" or "if",
# and the names of the expression functions, with InvalidDecision).
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name) and name not in FUNCTIONS
)
DATA = st.dictionaries(NAMES, SCALARS, max_size=4)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def text_of(dct: dict[str, Any]) -> str:
    return json.dumps(dct, cls=SERIALIZER._encoder_cls)


def through_json(compact: dict[str, Any]) -> dict[str, Any]:
    """The compact form as load_state sees it: written as text and read back."""
    text = json.dumps(compact, cls=SERIALIZER._encoder_cls, separators=(",", ":"))
    return json.loads(text)  # type: ignore[no-any-return]


def assert_exact(workflow: Any) -> None:
    """The workflow's compact form decodes to SpiffWorkflow's own serialization, text for text."""
    written = SERIALIZER.serialize_json(workflow)
    dct = workflow_dict(workflow)
    assert text_of(dct) == written  # workflow_dict is what serialize_json writes
    compact = encode_compact(dct)
    assert compact is not None
    assert json.dumps(decode_compact(through_json(compact))) == json.dumps(json.loads(written))


def assert_stored_state_exact(definition: Any, state: str) -> None:
    """A state the engine wrote is compact, and restoring and writing it again changes nothing."""
    assert json.loads(state)[STATE_FORMAT_KEY] == COMPACT_FORMAT
    workflow = load_state(state, definition)
    assert_exact(workflow)
    assert dump_state(workflow, definition) == state
    assert json.dumps(state_dict(state)) == json.dumps(json.loads(SERIALIZER.serialize_json(workflow)))


_FINISHED: list[str] = []


def finished_dict(chain: Any) -> dict[str, Any]:
    """A finished province chain as SpiffWorkflow serializes it (a fresh copy each call)."""
    if not _FINISHED:
        engine = Engine(FixedClock())
        outcome = engine.start(chain, {"dossier_id": 9, "target_level": "province", "campaign_code": "TD-2026"})
        while outcome.status == "running":
            (task,) = outcome.ready_tasks
            decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
            outcome = engine.complete(chain, outcome.state, task.task_id, decision)
        _FINISHED.append(text_of(workflow_dict(load_state(outcome.state, chain))))
    return json.loads(_FINISHED[0])  # type: ignore[no-any-return]


def round_trip(dct: dict[str, Any]) -> dict[str, Any] | None:
    """decode(encode(dct)) through JSON text, or None when the state is left in full."""
    compact = encode_compact(copy.deepcopy(dct))
    return None if compact is None else decode_compact(through_json(compact))


# -- states the engine writes ---------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_every_state_of_an_approved_chain_is_compact_and_exact(drive, chain, level):
    run = drive(level)
    assert_stored_state_exact(chain, run.outcome.state)
    while run.outcome.status == "running":
        if run.current == "unit_prepare":
            run.decide("submit", target_level=level)
        else:
            run.decide("approve")
        assert_stored_state_exact(chain, run.outcome.state)
    assert run.outcome.status == "completed"


def test_every_decision_and_every_timer_at_every_step_is_exact(chain, clock):
    """From each state of a province chain: each decision the step offers (returns, rejections) and
    every timer fired (overdue escalations), each state checked."""
    engine = Engine(clock)
    outcome = engine.start(chain, {"dossier_id": 3, "target_level": "province", "campaign_code": "TD-2026"})
    checked = 0
    while outcome.status == "running":
        (task,) = outcome.ready_tasks
        for decision in [d.value for d in task.decisions] or [None]:
            branch = engine.complete(chain, outcome.state, task.task_id, decision, {"ghi_chu": VIETNAMESE})
            assert_stored_state_exact(chain, branch.state)
            checked += 1
        late = FixedClock(clock.now())
        late.advance(days=40)
        fired = Engine(late).fire_due_timers(chain, outcome.state)
        assert_stored_state_exact(chain, fired.state)
        submit = task.bpmn_id == "unit_prepare"
        outcome = engine.complete(chain, outcome.state, task.task_id, "submit" if submit else "approve")
    assert checked > 20


def test_a_cancelled_instance_is_exact(drive, engine, chain):
    run = drive("district")
    run.approve_until("district_noi_vu_review")
    cancelled = engine.cancel(chain, run.outcome.state)
    assert cancelled.status == "cancelled"
    assert_stored_state_exact(chain, cancelled.state)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_walks_through_the_chain_are_exact(chain, data):
    """Decisions, extra data (Vietnamese text, numbers, None) and timers firing, in any order."""
    clock = FixedClock()
    engine = Engine(clock)
    level = data.draw(st.sampled_from(LEVELS))
    outcome = engine.start(chain, {"dossier_id": 1, "target_level": level, **data.draw(DATA)})
    assert_stored_state_exact(chain, outcome.state)
    for _ in range(data.draw(st.integers(1, 25))):
        if outcome.status != "running":
            break
        if data.draw(st.integers(0, 4)) == 0:
            clock.advance(days=data.draw(st.integers(1, 20)), minutes=data.draw(st.integers(0, 600)))
            outcome = engine.fire_due_timers(chain, outcome.state)
        else:
            task, decision, extra = draw_completion(data, outcome, clock)
            try:
                outcome = engine.complete(chain, outcome.state, task.task_id, decision, extra)
            except InvalidDecision:
                continue  # a step returned too often: another action is drawn
        assert_stored_state_exact(chain, outcome.state)


def draw_completion(data: Any, outcome: Any, clock: FixedClock) -> tuple[Any, str | None, dict[str, Any]]:
    """A random walk's next completion: a ready task, one of its decisions, extra data (a new target level at
    the unit's step); the clock moves on a little before it."""
    # In an order that is the same in every run: ready_tasks is oldest first by the wall clock's time
    # of change, which can differ between hypothesis's runs of the same draws (and then so would the
    # draws after it). The last 8 hex digits of a task id are its counter (task_ids.py), the same in
    # every run of one path; the namespace before them is random.
    task = data.draw(st.sampled_from(sorted(outcome.ready_tasks, key=lambda t: (t.bpmn_id, t.task_id[-8:]))))
    decision = data.draw(st.sampled_from([d.value for d in task.decisions] or [None]))
    extra = data.draw(DATA)
    if task.bpmn_id == "unit_prepare":
        extra["target_level"] = data.draw(st.sampled_from(LEVELS))
    clock.advance(minutes=data.draw(st.integers(0, 3000)))
    return task, decision, extra


SUBPROCESS_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <bpmn:process id="outer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub_start"/>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="inner_task"/>
      <bpmn:userTask id="inner_task" name="Xét duyệt trong quy trình con"/>
      <bpmn:sequenceFlow id="s2" sourceRef="inner_task" targetRef="sub_end"/>
      <bpmn:endEvent id="sub_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("ids", ["counted", "random"])
def test_a_state_with_a_subprocess_is_exact(ids):
    """No shipped BPMN has a subprocess; a deployed one may. Its tasks are kept in SpiffWorkflow's form."""
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(SUBPROCESS_BPMN.encode("utf-8")), filename="sub.bpmn")
    with allocating(TaskIdAllocator.fresh()) if ids == "counted" else contextlib.nullcontext():
        workflow = BpmnWorkflow(parser.get_spec("outer"), parser.get_subprocess_specs("outer"))
        workflow.do_engine_steps()
        (inner,) = workflow.get_tasks(state=TaskState.READY)
        assert inner.task_spec.name == "inner_task" and workflow.subprocesses
        assert_exact(workflow)
        assert "subprocesses" in encode_compact(workflow_dict(workflow))
        inner.set_data(ghi_chu=VIETNAMESE)
        inner.run()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    assert_exact(workflow)


# -- states written before format 2 ------------------------------------------------------------------


def test_a_state_in_spiffworkflows_form_is_read_and_written_compact(drive, engine, chain):
    run = drive("province")
    run.approve_until("district_council_vote")
    old = full_form(run.outcome.state)
    assert STATE_FORMAT_KEY not in json.loads(old) and len(old) > 3 * len(run.outcome.state)
    assert state_spec_ref(old) == state_spec_ref(run.outcome.state) == chain.sha256
    assert json.dumps(state_dict(old)) == json.dumps(state_dict(run.outcome.state))
    assert engine.inspect(chain, old).state == run.outcome.state
    (task,) = engine.inspect(chain, old).ready_tasks
    assert json.loads(engine.complete(chain, old, task.task_id, "approve").state)[STATE_FORMAT_KEY] == COMPACT_FORMAT


def test_ids_from_before_the_namespace_are_kept_as_text(drive, engine, chain):
    """An instance started with random task ids (before workflows/task_ids.py) goes on exactly."""
    run = drive("province")
    run.approve_until("ward_council_vote")
    dct = state_dict(run.outcome.state)
    renamed = {task_id: str(uuid.uuid4()) for task_id in dct["tasks"]}
    old = full_form(run.outcome.state)
    for before, after in renamed.items():
        old = old.replace(before, after)
    outcome = engine.inspect(chain, old)
    assert_stored_state_exact(chain, outcome.state)
    compact = json.loads(outcome.state)
    # the namespace is the root's: the root is counted in it, every other old id is kept as its text
    assert {type(entry["n"]) for entry in compact["tasks"] if entry["n"] != compact["r"]} == {str}
    (task,) = outcome.ready_tasks
    mixed = engine.complete(chain, old, task.task_id, "approve")
    assert_stored_state_exact(chain, mixed.state)
    kinds = {type(entry["n"]) for entry in json.loads(mixed.state)["tasks"]}
    assert kinds == {str, int}  # old tasks by their text, new ones by their counter in the root's namespace


# -- states that do not fit the compact assumptions ---------------------------------------------------


def _first_task(dct: dict[str, Any]) -> dict[str, Any]:
    return dct["tasks"][dct["root"]]  # type: ignore[no-any-return]


def _a_later_task(dct: dict[str, Any]) -> dict[str, Any]:
    return list(dct["tasks"].values())[5]  # type: ignore[no-any-return]


def _swap_two_keys(task: dict[str, Any]) -> None:
    items = list(task.items())
    items[0], items[1] = items[1], items[0]
    task.clear()
    task.update(items)


KEPT_IN_COMPACT = {
    "time not to the ms": lambda d: _a_later_task(d).update(last_state_change=1796525748.1234567),
    "time an integer": lambda d: _a_later_task(d).update(last_state_change=1796525748),
    "time zero": lambda d: _a_later_task(d).update(last_state_change=0.0),
    "time negative zero": lambda d: _a_later_task(d).update(last_state_change=-0.0),
    "time negative": lambda d: _a_later_task(d).update(last_state_change=-12.5),
    "time huge": lambda d: _a_later_task(d).update(last_state_change=1e300),
    "first time not to the ms": lambda d: _first_task(d).update(last_state_change=1.00001),
    "parent not the lister": lambda d: _a_later_task(d).update(parent=d["root"]),
    "parent missing": lambda d: _a_later_task(d).update(parent=None),
    "root with a parent": lambda d: _first_task(d).update(parent=list(d["tasks"])[3]),
    "parent outside the map": lambda d: _a_later_task(d).update(parent=str(uuid.uuid4())),
    "listed by two parents": lambda d: _first_task(d)["children"].append(list(d["tasks"])[5]),
    "child outside the map": lambda d: _a_later_task(d)["children"].append("not-an-id"),
    "uppercase id": lambda d: _a_later_task(d)["children"].append(d["root"].upper()),
    "triggered": lambda d: _a_later_task(d).update(triggered=True),
    "internal data": lambda d: _a_later_task(d).update(internal_data={"event_fired": True}),
    "data on a child": lambda d: _a_later_task(d).update(data={"x": [1, "ạ"]}),
    "empty delta": lambda d: _a_later_task(d).update(delta={}),
    "deletions": lambda d: _a_later_task(d).update(delta={"updates": {"a": 1}, "deletions": ["b"]}),
    "delta keys reversed": lambda d: _a_later_task(d).update(delta={"deletions": [], "updates": {}}),
    "delta updates a list": lambda d: _a_later_task(d).update(delta={"updates": [], "deletions": []}),
    "delta None": lambda d: _a_later_task(d).update(delta=None),
    "internal data a list": lambda d: _a_later_task(d).update(internal_data=[]),
    "typename": lambda d: _a_later_task(d).update(typename="OtherTask"),
    "state beyond the flags": lambda d: _a_later_task(d).update(state=1 << 40),
    "workflow data": lambda d: d.update(data={"x": 1}),
    "correlations": lambda d: d.update(correlations={"k": {"v": 1}}),
    "not a success": lambda d: d.update(success=False),
    "not completed": lambda d: d.update(completed=False),
    "completed as 1": lambda d: d.update(completed=1),
    "subprocesses": lambda d: d.update(subprocesses={d["root"]: {"tasks": {}, "typename": "BpmnSubWorkflow"}}),
    "bpmn events": lambda d: d.update(bpmn_events=[{"event_definition": {}, "payload": None}]),
    "no last task": lambda d: d.update(last_task=None),
    "last task outside": lambda d: d.update(last_task=str(uuid.uuid4())),
    "root id not a uuid": lambda d: d.update(root="root"),
    "random root": lambda d: d.update(root=str(uuid.uuid4())),
    "no tasks": lambda d: d.update(tasks={}),
}
LEFT_IN_FULL = {
    "unknown task key": lambda d: _a_later_task(d).update(extra=1),
    "task keys reordered": lambda d: _swap_two_keys(_a_later_task(d)),
    "missing task key": lambda d: _a_later_task(d).pop("typename"),
    "id not its key": lambda d: _a_later_task(d).update(id=str(uuid.uuid4())),
    "unknown workflow key": lambda d: d.update(extra=1),
    "workflow keys reordered": lambda d: _swap_two_keys(d),
    "spec written in": lambda d: d.update(spec={"name": "x"}),
    "subprocess specs": lambda d: d.update(subprocess_specs={"x": {}}),
    "another serializer version": lambda d: d.update(serializer_version="1.6"),
    "another typename": lambda d: d.update(typename="BpmnSubWorkflow"),
    "children not a list": lambda d: _a_later_task(d).update(children=None),
    "task not a dict": lambda d: d["tasks"].update({list(d["tasks"])[4]: [1]}),
    "tasks not a dict": lambda d: d.update(tasks=[]),
    "child id a number": lambda d: _a_later_task(d)["children"].append(5),
}


@pytest.mark.parametrize("change", KEPT_IN_COMPACT.values(), ids=KEPT_IN_COMPACT.keys())
def test_what_the_compact_form_does_not_derive_is_written_out(chain, change):
    dct = finished_dict(chain)
    change(dct)
    assert json.dumps(round_trip(dct)) == json.dumps(dct)


@pytest.mark.parametrize("change", LEFT_IN_FULL.values(), ids=LEFT_IN_FULL.keys())
def test_a_state_the_compact_form_does_not_describe_is_left_in_full(chain, change):
    dct = finished_dict(chain)
    change(dct)
    assert encode_compact(dct) is None


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_value_in_any_field_is_kept_or_the_state_left_in_full(chain, data):
    dct = finished_dict(chain)
    tasks = list(dct["tasks"].values())
    workflow_keys, task_keys = list(dct), list(tasks[0])
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()):
            task = tasks[data.draw(st.integers(0, len(tasks) - 1))]
            task[data.draw(st.sampled_from(task_keys))] = data.draw(JSON)
        else:
            dct[data.draw(st.sampled_from(workflow_keys))] = data.draw(JSON)
    restored = round_trip(dct)
    assert restored is None or json.dumps(restored) == json.dumps(dct)


def test_a_finished_chain_is_a_quarter_of_spiffworkflows_text(drive):
    state = drive("province").approve_to_end().state
    assert len(state) * 4 < len(full_form(state))


# -- reading ------------------------------------------------------------------------------------------


def test_an_unknown_format_is_refused(drive, chain):
    state = drive("ward").outcome.state
    newer = state.replace(f'"{STATE_FORMAT_KEY}": {COMPACT_FORMAT},', f'"{STATE_FORMAT_KEY}": 3,')
    assert newer != state
    with pytest.raises(StateVersionError, match="định dạng chưa biết"):
        load_state(newer, chain)


def test_an_unknown_field_is_refused_never_dropped(drive, chain):
    state = drive("ward").outcome.state
    for newer in (state.replace('"tasks":[{', '"tasks":[{"z":1,', 1), state.replace('"ns":', '"zz":0,"ns":', 1)):
        assert newer != state
        with pytest.raises(StateVersionError, match="không đọc được"):
            load_state(newer, chain)


def test_the_spec_reference_is_read_from_the_first_characters(drive, chain):
    state = drive("province").approve_to_end().state
    assert state_spec_ref(state[:120]) == chain.sha256
