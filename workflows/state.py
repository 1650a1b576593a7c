"""The one configured SpiffWorkflow serializer: instance state as JSON text, spec stored by reference.

An instance's state is written in the compact form (format 2, see `encode_compact`) whenever it fits,
else in SpiffWorkflow's own form; `load_state` reads both, and every state written before format 2.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from .errors import StateVersionError
from .timers import ClockedDurationTimer, ClockedTimeDateTimer

if TYPE_CHECKING:
    from .definitions import Definition

SERIALIZER_VERSION = "1.5"
SPEC_REF_KEY = "thidua_spec_sha256"
STATE_FORMAT_KEY = "thidua_format"
COMPACT_FORMAT = 2


class SpecByReferenceConverter(BpmnWorkflowConverter):
    """Writes the workflow without its spec (only the definition's sha256) and restores it from a Definition.

    The spec is two thirds of an instance's JSON and is identical for every instance of a version
    (SPIFFWORKFLOW.md P15); the version row keeps it once.
    """

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["spec"] = None
        dct["subprocess_specs"] = {}
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], definition: Definition | None = None) -> BpmnWorkflow:
        if definition is None:
            raise StateVersionError("cần định nghĩa quy trình để khôi phục phiên bản đang chạy")
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(definition.spec, definition.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class MillisecondTaskConverter(TaskConverter):
    """Writes each task's time of last change to the millisecond.

    SpiffWorkflow keeps `time.time()` (e.g. 1796517708.3798566): 36 such times in a finished chain's state
    were about 190 of its 1,040 compressed bytes (SpiffWorkflow's form, dictionary v1), and the last four
    digits say nothing anyone reads (the path diagram shows minutes; ordering ties fall back on the task
    id, which follows creation order, see task_ids.py). To the millisecond the compact form (format 2)
    writes each time as a small whole number of milliseconds after the instance's first. A restored task's
    time is at most a millisecond earlier than it was; tasks changed in the running call keep their exact
    time until they are written."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        dct = super().to_dict(task)
        dct["last_state_change"] = round(dct["last_state_change"], 3)
        return dct


def _configure() -> BpmnWorkflowSerializer:
    config = dict(DEFAULT_CONFIG)  # never mutate the library's module-level dict (P20)
    config[BpmnWorkflow] = SpecByReferenceConverter
    config[Task] = MillisecondTaskConverter
    config[ClockedTimeDateTimer] = TimerConditionalEventDefinitionConverter
    config[ClockedDurationTimer] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


SERIALIZER = _configure()

# A second registry with the stock workflow converter, used only to write and read specs.
_SPEC_SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure(
        {
            **DEFAULT_CONFIG,
            ClockedTimeDateTimer: TimerConditionalEventDefinitionConverter,
            ClockedDurationTimer: TimerConditionalEventDefinitionConverter,
        }
    )
)


# -- the compact form (format 2) ---------------------------------------------------------------------
#
# SpiffWorkflow writes every task as a dict of eleven keys, most of them derivable or at their default: a
# finished chain's state is 15.8 KB of JSON, of which zlib with dictionary v1 still kept about 930 bytes.
# The compact form (3.6 KB; about 205 bytes with dictionary v2, service/db.py) writes what cannot be
# derived, once:
#   {"thidua_spec_sha256": ..., "thidua_format": 2, "ns": the namespace of the task ids (task_ids.py),
#    "t0": the first task's time of change in whole ms, "r": root, "l": last_task,
#    [the workflow's data, correlations, success, completed, subprocesses, bpmn_events when not at their
#    defaults, under their own names], "tasks": [one entry per task, in the order of SpiffWorkflow's map]}
# and a task entry {"n": id, "c": children (omitted if none), "t": ms after the entry before (after t0
#    for the first: tasks changed in one call are 0 or 1 apart, which compresses), "s": state,
#    "p": task_spec, plus "pa" parent, "T" time, "g" triggered, "i" internal_data, "d" data,
#    "u" delta updates, "D" delta, "y" typename only where they are not what the decoder derives}.
# An id in the namespace is written as its 32-bit counter (an int), any other id (one from before
# task_ids.py) as its text. A task's parent is derived from the children lists (the first task listing
# it, or None). Its time in whole ms is t0 plus the "t"s up to it: exact, because a time rounded to the
# ms (MillisecondTaskConverter) is the float nearest k / 1000, which is what k / 1000 gives; any other
# time is kept as it is in "T". Its delta defaults to {"updates": {}, "deletions": []}, and "u" holds
# non-empty updates only. Anything this does not know (another key, another key order, another
# serializer version, a spec written in) leaves the whole state in SpiffWorkflow's form, which
# load_state reads as before. The decoder gives back exactly the dict SpiffWorkflow's serializer wrote,
# key order included (tests/engine/test_compact_state.py).

_COMPACT_SERIALIZER_VERSION = "1.5"  # format 2 holds states of this serializer version only; never change it
_WORKFLOW_KEYS = (
    "data", "correlations", "last_task", "success", "completed", "tasks", "root", "spec", "subprocess_specs",
    "subprocesses", "bpmn_events", "typename", "serializer_version",
)  # fmt: skip
_TASK_KEYS = (
    "id", "parent", "children", "last_state_change", "state", "task_spec", "triggered", "internal_data", "data",
    "delta", "typename",
)  # fmt: skip
# The workflow's own keys kept under their names when not at their default (compared by type and value).
_WORKFLOW_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("data", {}), ("correlations", {}), ("success", True), ("completed", False), ("subprocesses", {}),
    ("bpmn_events", []),
)  # fmt: skip
_COMPACT_WORKFLOW_KEYS = frozenset({"ns", "t0", "r", "l", "tasks", *(key for key, _ in _WORKFLOW_DEFAULTS)})
_COMPACT_TASK_KEYS = frozenset({"n", "c", "t", "s", "p", "pa", "T", "g", "i", "d", "u", "D", "y"})
_DELTA_KEYS = ("updates", "deletions")
_NAMESPACE_CHARS = 28  # "xxxxxxxx-xxxx-xxxx-xxxx-xxxx": the high 96 bits of a UUID's text; 8 hex digits follow
_HEX_DIGITS = frozenset("0123456789abcdef")
_MAX_MS = 2**53  # whole milliseconds up to here are exact as floats, so k / 1000 is correctly rounded


class _DoesNotFit(Exception):
    """The state holds something the compact form does not describe: it is written in full."""


def _at_default(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


def encode_compact(dct: dict[str, Any]) -> dict[str, Any] | None:
    """The compact form of a workflow dict as SpiffWorkflow's serializer writes it, or None if it does not fit."""
    try:
        return _encode(dct)
    except _DoesNotFit:
        return None


def _encode(dct: dict[str, Any]) -> dict[str, Any]:
    if (
        tuple(dct) != _WORKFLOW_KEYS
        or dct["spec"] is not None
        or not _at_default(dct["subprocess_specs"], {})
        or not _at_default(dct["typename"], "BpmnWorkflow")
        or not _at_default(dct["serializer_version"], _COMPACT_SERIALIZER_VERSION)
        or type(dct["tasks"]) is not dict
    ):
        raise _DoesNotFit
    tasks: dict[str, Any] = dct["tasks"]
    root = dct["root"]
    namespace = root[:_NAMESPACE_CHARS] if type(root) is str and len(root) == 36 else None
    codes: dict[str, int | str] = {}

    def code(task_id: Any) -> int | str:
        known = codes.get(task_id) if type(task_id) is str else None
        if known is not None:
            return known
        if type(task_id) is not str:
            raise _DoesNotFit
        counter = task_id[_NAMESPACE_CHARS:]
        in_namespace = namespace is not None and len(task_id) == 36 and task_id.startswith(namespace)
        if in_namespace and _HEX_DIGITS.issuperset(counter):
            codes[task_id] = int(counter, 16)
        else:
            codes[task_id] = task_id
        return codes[task_id]

    derived_parent: dict[str, str] = {}
    for task_id, task in tasks.items():
        if type(task) is not dict or type(task.get("children")) is not list:
            raise _DoesNotFit
        code(task_id)  # so that the loop below finds every task's code at once
        for child in task["children"]:
            if type(child) is not str:
                raise _DoesNotFit
            derived_parent.setdefault(child, task_id)
    entries = []
    first_ms: int | None = None
    previous_ms = 0
    for task_id, task in tasks.items():
        if tuple(task) != _TASK_KEYS or task["id"] != task_id:
            raise _DoesNotFit
        entry: dict[str, Any] = {"n": codes[task_id]}
        children = task["children"]
        if children:
            try:
                entry["c"] = [codes[child] for child in children]
            except KeyError:  # a child outside the tasks map
                entry["c"] = [code(child) for child in children]
        parent = task["parent"]
        if parent != derived_parent.get(task_id) or (parent is not None and type(parent) is not str):
            entry["pa"] = None if parent is None else code(parent)
        changed = task["last_state_change"]
        ms = round(changed * 1000) if type(changed) is float and 0 < changed < _MAX_MS / 1000 else None
        if ms is not None and ms / 1000 == changed:
            if first_ms is None:
                first_ms = previous_ms = ms
            entry["t"] = ms - previous_ms
            previous_ms = ms
        else:
            entry["T"] = changed
        entry["s"] = task["state"]
        entry["p"] = task["task_spec"]
        # Written out unless at the default; `value or type(value) is not dict` is "not an empty dict",
        # inline because this runs for every task of every state written.
        if task["triggered"] is not False:
            entry["g"] = task["triggered"]
        internal_data, data, delta = task["internal_data"], task["data"], task["delta"]
        if internal_data or type(internal_data) is not dict:
            entry["i"] = internal_data
        if data or type(data) is not dict:
            entry["d"] = data
        if type(delta) is dict and len(delta) == 2 and tuple(delta) == _DELTA_KEYS:
            updates, deletions = delta["updates"], delta["deletions"]
            if type(updates) is not dict or deletions or type(deletions) is not list:
                entry["D"] = delta
            elif updates:
                entry["u"] = updates
        else:
            entry["D"] = delta
        if type(task["typename"]) is not str or task["typename"] != "Task":
            entry["y"] = task["typename"]
        entries.append(entry)
    compact: dict[str, Any] = {"ns": namespace, "t0": first_ms, "r": code(root)}
    last_task = dct["last_task"]
    compact["l"] = None if last_task is None else code(last_task)
    for key, default in _WORKFLOW_DEFAULTS:
        if not _at_default(dct[key], default):
            compact[key] = dct[key]
    compact["tasks"] = entries
    return compact


def decode_compact(compact: dict[str, Any]) -> dict[str, Any]:
    """The workflow dict SpiffWorkflow's serializer wrote, from its compact form (keys in their order)."""
    unknown = compact.keys() - _COMPACT_WORKFLOW_KEYS
    if unknown:
        raise StateVersionError("trạng thái quy trình có trường không đọc được", fields=sorted(unknown))
    namespace: str | None = compact["ns"]
    first_ms: int | None = compact["t0"]

    def task_id(code: int | str) -> str:
        if type(code) is int:
            if namespace is None or not 0 <= code < 2**32:
                raise StateVersionError("trạng thái quy trình có mã việc không hợp lệ", code=code)
            return "%s%08x" % (namespace, code)
        return code

    entries: list[dict[str, Any]] = compact["tasks"]
    ids = [task_id(entry["n"]) for entry in entries]
    id_of = {entry["n"]: own_id for entry, own_id in zip(entries, ids, strict=True)}
    children_of = [
        [id_of[child] if child in id_of else task_id(child) for child in entry["c"]] if "c" in entry else []
        for entry in entries
    ]
    derived_parent: dict[str, str] = {}
    for own_id, children in zip(ids, children_of, strict=True):
        for child in children:
            derived_parent.setdefault(child, own_id)
    tasks: dict[str, Any] = {}
    previous_ms = first_ms
    for own_id, children, entry in zip(ids, children_of, entries, strict=True):
        unknown = entry.keys() - _COMPACT_TASK_KEYS
        if unknown:
            raise StateVersionError("trạng thái quy trình có trường không đọc được", fields=sorted(unknown))
        if "pa" in entry:
            parent = None if entry["pa"] is None else task_id(entry["pa"])
        else:
            parent = derived_parent.get(own_id)
        if "T" in entry:
            changed = entry["T"]
        elif previous_ms is None:
            raise StateVersionError("trạng thái quy trình thiếu mốc thời gian", task_id=own_id)
        else:
            previous_ms += entry["t"]
            changed = previous_ms / 1000
        if "D" in entry:
            delta = entry["D"]
        else:
            delta = {"updates": entry.get("u", {}), "deletions": []}
        tasks[own_id] = {
            "id": own_id,
            "parent": parent,
            "children": children,
            "last_state_change": changed,
            "state": entry["s"],
            "task_spec": entry["p"],
            "triggered": entry.get("g", False),
            "internal_data": entry.get("i", {}),
            "data": entry.get("d", {}),
            "delta": delta,
            "typename": entry.get("y", "Task"),
        }
    return {
        "data": compact.get("data", {}),
        "correlations": compact.get("correlations", {}),
        "last_task": None if compact["l"] is None else task_id(compact["l"]),
        "success": compact.get("success", True),
        "completed": compact.get("completed", False),
        "tasks": tasks,
        "root": task_id(compact["r"]),
        "spec": None,
        "subprocess_specs": {},
        "subprocesses": compact.get("subprocesses", {}),
        "bpmn_events": compact.get("bpmn_events", []),
        "typename": "BpmnWorkflow",
        "serializer_version": _COMPACT_SERIALIZER_VERSION,
    }


def workflow_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance as SpiffWorkflow's serializer writes it (`serialize_json` before its json.dumps): in the
    registry's encoder mode, values the registry converts (UUIDs, datetimes in task data) are left to the
    JSON encoder, as serialize_json leaves them."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = SERIALIZER.to_dict(workflow)
    finally:
        registry._encoder_mode = False
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    assert isinstance(dct, dict)
    return dct


def dump_state(workflow: BpmnWorkflow, definition: Definition) -> str:
    """Serialize an instance to JSON text (store it as TEXT: jsonb would reorder keys and lose data, P3):
    the compact form when it fits, else SpiffWorkflow's own form, as `serialize_json` writes it."""
    dct = workflow_dict(workflow)
    compact = encode_compact(dct)
    encoder = SERIALIZER._encoder_cls
    if compact is None:
        text = json.dumps(dct, cls=encoder)
        # Prepend the spec reference without re-encoding the whole document.
        return '{"%s": "%s", %s' % (SPEC_REF_KEY, definition.sha256, text[1:])
    text = json.dumps(compact, cls=encoder, separators=(",", ":"))
    # The spec reference comes first, written as before: state_spec_ref reads it from the first characters.
    return '{"%s": "%s", "%s": %d, %s' % (SPEC_REF_KEY, definition.sha256, STATE_FORMAT_KEY, COMPACT_FORMAT, text[1:])


def state_spec_ref(state: str) -> str | None:
    """The sha256 of the definition a stored state was written with."""
    head = state[: 120]
    marker = f'"{SPEC_REF_KEY}": "'
    start = head.find(marker)
    return head[start + len(marker) : start + len(marker) + 64] if start >= 0 else None


def state_dict(state: str) -> dict[str, Any]:
    """The workflow dict of a stored state in SpiffWorkflow's form, whichever form it was written in
    (without the spec reference)."""
    dct = json.loads(state)
    dct.pop(SPEC_REF_KEY, None)
    written_as = dct.pop(STATE_FORMAT_KEY, None)
    if written_as is None:
        return dct  # type: ignore[no-any-return]
    if written_as != COMPACT_FORMAT:
        raise StateVersionError("trạng thái quy trình được ghi theo định dạng chưa biết", format=written_as)
    return decode_compact(dct)


def load_state(state: str, definition: Definition) -> BpmnWorkflow:
    """Restore an instance for `definition`; refuse a state written for another definition."""
    ref = state_spec_ref(state)
    if ref != definition.sha256:
        raise StateVersionError(
            "trạng thái quy trình không thuộc phiên bản định nghĩa này", expected=definition.sha256, found=ref
        )
    dct = state_dict(state)
    SERIALIZER.migrate(dct)
    workflow = SERIALIZER.from_dict(dct, definition=definition)
    assert isinstance(workflow, BpmnWorkflow)
    return workflow


def dump_spec(definition: Definition) -> str:
    """Serialize a definition's spec and subprocess specs once, for the version row."""
    return json.dumps(
        {
            "serializer_version": SERIALIZER_VERSION,
            "spec": _SPEC_SERIALIZER.to_dict(definition.spec),
            "subprocess_specs": {k: _SPEC_SERIALIZER.to_dict(v) for k, v in definition.subprocess_specs.items()},
        },
        ensure_ascii=False,
    )


def load_spec(spec_json: str) -> tuple[Any, dict[str, Any]]:
    """Restore (spec, subprocess_specs) written by dump_spec."""
    dct = json.loads(spec_json)
    spec = _SPEC_SERIALIZER.from_dict(dct["spec"])
    subs = {k: _SPEC_SERIALIZER.from_dict(v) for k, v in dct.get("subprocess_specs", {}).items()}
    return spec, subs
