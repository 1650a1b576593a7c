"""The one configured SpiffWorkflow serializer: instance state as JSON text, spec stored by reference.

An instance's state is written in the compact form (format 2, see `encode_compact`) whenever it fits,
else in SpiffWorkflow's own form; `load_state` reads both, and every state written before format 2.
"""

from __future__ import annotations

import json
import re
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

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

# SpiffWorkflow's registry keeps whether it converts for the JSON encoder in one flag of the registry object
# (`_encoder_mode`, which its serialize_json sets and clears around to_dict), and this process has one registry:
# two threads converting at once (a server's worker threads, one serialising an instance the fast path does not
# take while another does the same or diffs two versions) would switch the flag under each other, and an
# instance's task data could be written in the other mode (a datetime with or without its typename). Every use
# of the registry whose result depends on that flag holds this lock.
SERIALIZER_LOCK = threading.RLock()

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


class _TaskTimes:
    """How both encoders write the tasks' times of change, in task order: a time that is a whole number of
    milliseconds (as SpiffWorkflow's dict has it after MillisecondTaskConverter) as milliseconds after the previous
    such time ("t"; the first is the state's "t0", its own "t" then 0), any other exactly as it is ("T")."""

    __slots__ = ("first_ms", "previous_ms")

    def __init__(self) -> None:
        self.first_ms: int | None = None
        self.previous_ms = 0

    def put(self, entry: dict[str, Any], changed: Any) -> None:
        ms = round(changed * 1000) if type(changed) is float and 0 < changed < _MAX_MS / 1000 else None
        if ms is not None and ms / 1000 == changed:
            if self.first_ms is None:
                self.first_ms = self.previous_ms = ms
            entry["t"] = ms - self.previous_ms
            self.previous_ms = ms
        else:
            entry["T"] = changed


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
    times = _TaskTimes()
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
        times.put(entry, task["last_state_change"])
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
    compact: dict[str, Any] = {"ns": namespace, "t0": times.first_ms, "r": code(root)}
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
    with SERIALIZER_LOCK:
        registry._encoder_mode = True
        try:
            dct = SERIALIZER.to_dict(workflow)
        finally:
            registry._encoder_mode = False
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    assert isinstance(dct, dict)
    return dct


# -- the fast path ------------------------------------------------------------------------------------
#
# A completion restores an instance from its compact form, runs a step and writes it back. Through
# SpiffWorkflow's serializer both ways go through its registry (a generic walk of every value, about 120
# calls per task), a dict in SpiffWorkflow's form (four UUIDs parsed or printed per task, each hashed in
# Python) and only then the compact form. `_compact_of` and `_restore_compact` go between the compact
# form and the objects directly, doing what the converters above and encode_compact / decode_compact do,
# step for step, for what they fully understand:
#   - a BpmnWorkflow without subprocesses or BPMN events, whose tasks are all of class Task (typename
#     "Task") and of this workflow, every id a UUID, every task's data and internal data a dict and its
#     time of change a float;
#   - on the way in, moreover: every value one the registry's restore gives back as it is (JSON values
#     with no dict holding a "typename" key: a datetime, UUID, timedelta or any registered object is
#     written as such a dict), ids as int counters or in their canonical text, each task once, each known
#     spec, each state an int, deltas of the form TaskConverter writes.
# Anything else makes them return None, and dump_state / load_state take the serializer's path
# (_dump_state_generic, _load_state_generic), which is the code that ran before. tests/engine/
# test_state_fast_path.py compares both paths on the states the engine's tests produce and at the edges.

_COUNTER_MASK = (1 << 32) - 1
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
_STR_TYPE = frozenset({str})
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_CANONICAL_NAMESPACE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\Z")
_FAST_WORKFLOW_KEYS = frozenset({"ns", "t0", "r", "l", "tasks", "data", "correlations", "success", "completed"})
_REQUIRED_WORKFLOW_KEYS = frozenset({"ns", "t0", "r", "l", "tasks"})
_FAST_TASK_KEYS = frozenset({"n", "c", "t", "s", "p", "pa", "T", "g", "i", "d", "u", "D"})
_DELTA_KEY_SET = frozenset(_DELTA_KEYS)
_WAITING = TaskState.WAITING
# The workflow attributes _compact_of writes when not at their default, in _WORKFLOW_DEFAULTS' order;
# the two after them (subprocesses, bpmn_events) are at their default on the fast path.
_WRITTEN_DEFAULTS = _WORKFLOW_DEFAULTS[:4]
assert [key for key, _ in _WRITTEN_DEFAULTS] == ["data", "correlations", "success", "completed"]
assert [key for key, _ in _WORKFLOW_DEFAULTS[4:]] == ["subprocesses", "bpmn_events"]


def _clean(dct: dict[str, Any]) -> dict[str, Any]:
    """The registry's clean() of a dict: a copy without callables and modules."""
    return {k: v for k, v in dct.items() if not callable(v) and not isinstance(v, ModuleType)}


def _compact_of(workflow: Any) -> dict[str, Any] | None:
    """encode_compact(workflow_dict(workflow)), built from the objects; None if not understood."""
    if type(workflow) is not BpmnWorkflow:
        return None
    tasks, subprocesses, bpmn_events = workflow.tasks, workflow.subprocesses, workflow.bpmn_events
    if type(tasks) is not dict or type(subprocesses) is not dict or subprocesses:
        return None
    if type(bpmn_events) is not list or bpmn_events or type(workflow.data) is not dict:
        return None
    root, last = workflow.task_tree, workflow.last_task
    if type(root) is not Task or type(root.id) is not UUID:
        return None
    if last is not None and type(getattr(last, "id", None)) is not UUID:
        return None
    namespace = root.id.int >> 32

    def code(task_id: UUID) -> int | str:
        """encode_compact's code of str(task_id): its counter if in the root's namespace, else its text."""
        number = task_id.int
        return number & _COUNTER_MASK if number >> 32 == namespace else str(task_id)

    # Keyed by the ids' ints (a UUID hashes in Python). The parent an entry leaves out is the first task
    # (in the map's order) that lists it among its children.
    by_number: dict[int, Task] = {}
    codes: dict[int, int | str] = {}
    derived_parent: dict[int, int] = {}
    for key, task in tasks.items():
        if type(task) is not Task or type(key) is not UUID:
            return None
        task_id, parent_id = task.id, task._parent
        if (
            task.workflow is not workflow
            or (task_id is not key and (type(task_id) is not UUID or task_id != key))
            or (parent_id is not None and type(parent_id) is not UUID)
            or type(task._children) is not list
            or type(task.data) is not dict
            or type(task.internal_data) is not dict
            or type(task.last_state_change) is not float
        ):
            return None
        number = key.int
        by_number[number] = task
        codes[number] = number & _COUNTER_MASK if number >> 32 == namespace else str(key)
        for child in task._children:
            if type(child) is not UUID:
                return None
            derived_parent.setdefault(child.int, number)
    entries = []
    times = _TaskTimes()
    for number, task in by_number.items():
        entry: dict[str, Any] = {"n": codes[number]}
        children = task._children
        if children:
            entry["c"] = [c if (c := codes.get(child.int)) is not None else code(child) for child in children]
        # TaskConverter writes a parent only if the workflow has it (task.parent is not None).
        parent_id = task._parent
        parent = by_number.get(parent_id.int) if parent_id is not None else None
        parent_number = None if parent is None else parent_id.int
        if parent_number != derived_parent.get(number):
            entry["pa"] = None if parent_number is None else codes[parent_number]
        times.put(entry, round(task.last_state_change, 3))  # as MillisecondTaskConverter writes it
        entry["s"] = task._state
        entry["p"] = task.task_spec.name
        if task.triggered is not False:
            entry["g"] = task.triggered
        internal_data = task.internal_data
        if internal_data:
            internal_data = _clean(internal_data)  # the registry's convert in encoder mode
            if internal_data:
                entry["i"] = internal_data
        data = task.data
        if parent is None:  # TaskConverter: the data in full and an empty delta
            if data:
                entry["d"] = data
            entry["D"] = {}
        else:  # DeepMerge.get_updated_keys and get_deleted_keys against the parent's data
            parent_data = parent.data
            updates = {k: data[k] for k in data if k not in parent_data or data[k] != parent_data[k]}
            deletions = [k for k in parent_data if k not in data]
            if deletions:
                entry["D"] = {"updates": updates, "deletions": deletions}
            elif updates:
                entry["u"] = updates
        entries.append(entry)
    compact: dict[str, Any] = {"ns": str(root.id)[:_NAMESPACE_CHARS], "t0": times.first_ms, "r": code(root.id)}
    compact["l"] = None if last is None else code(last.id)
    # As WorkflowConverter writes them (its data cleaned), kept where not at their default.
    written = (_clean(workflow.data), workflow.correlations, workflow.success, workflow.completed)
    for value, (key, default) in zip(written, _WRITTEN_DEFAULTS):
        if not _at_default(value, default):
            compact[key] = value
    compact["tasks"] = entries
    return compact


def _plain(value: Any) -> bool:
    """True if the registry's restore gives `value` (read from JSON) back as it is: no dict in it holds a
    "typename" key (that is how a datetime, UUID, timedelta or any registered object is written)."""
    kind = type(value)
    if kind is dict:
        if "typename" in value:
            return False
        values: Any = value.values()
    elif kind is list:
        values = value
    else:
        return kind in _SCALAR_TYPES
    return _SCALAR_TYPES.issuperset(map(type, values)) or all(_plain(item) for item in values)


def _id_number(code: Any, namespace: int | None) -> int | None:
    """The int of the UUID that decode_compact and UUID() make of a task's code, or None for a code they
    would read otherwise (or refuse)."""
    if type(code) is int:
        if namespace is None or not 0 <= code <= _COUNTER_MASK:
            return None
        return namespace | code
    if type(code) is str and _CANONICAL_ID.match(code):
        return int(code.replace("-", ""), 16)
    return None


def _restore_compact(compact: dict[str, Any], definition: Definition) -> BpmnWorkflow | None:
    """SERIALIZER.from_dict(decode_compact(compact)), built from the compact form; None if not understood.

    Values read from JSON are used as they are where the registry's restore would copy them: each is in
    the document once and nothing else holds it, so no one can tell."""
    if not _FAST_WORKFLOW_KEYS.issuperset(compact) or not _REQUIRED_WORKFLOW_KEYS.issubset(compact):
        return None
    namespace_text, previous_ms, entries = compact["ns"], compact["t0"], compact["tasks"]
    if namespace_text is None:
        namespace = None
    elif type(namespace_text) is str and _CANONICAL_NAMESPACE.match(namespace_text):
        namespace = int(namespace_text.replace("-", ""), 16) << 32
    else:
        return None
    if (previous_ms is not None and type(previous_ms) is not int) or type(entries) is not list:
        return None

    # The ids first (by their ints: a UUID hashes in Python), and each task's parent by the children lists.
    numbers: list[int] = []
    children_of: list[list[int]] = []
    derived_parent: dict[int, int] = {}
    for entry in entries:
        if type(entry) is not dict or not _FAST_TASK_KEYS.issuperset(entry):
            return None
        number = _id_number(entry.get("n"), namespace)
        child_codes = entry.get("c", [])
        if number is None or type(child_codes) is not list:
            return None
        children = [_id_number(child, namespace) for child in child_codes]
        if None in children:
            return None
        for child in children:
            derived_parent.setdefault(child, number)
        numbers.append(number)
        children_of.append(children)  # type: ignore[arg-type]
    uuids = {number: UUID(int=number) for number in numbers}
    if len(uuids) != len(numbers):  # decode_compact would keep one task of an id given twice
        return None

    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, deserializing=True)
    task_specs = workflow.spec.task_specs
    event_manager = workflow.event_manager
    thread_id = Task.thread_id_pool
    by_number: dict[int, Task] = {}
    tasks: dict[UUID, Task] = {}
    for number, children, entry in zip(numbers, children_of, entries):
        if "pa" in entry:
            parent_number = None if entry["pa"] is None else _id_number(entry["pa"], namespace)
            if parent_number is None and entry["pa"] is not None:
                return None
        else:
            parent_number = derived_parent.get(number)
        if "T" in entry:
            changed = entry["T"]
        else:
            step = entry.get("t")
            if previous_ms is None or type(step) is not int:
                return None
            previous_ms += step
            changed = previous_ms / 1000
        state, spec_name = entry.get("s"), entry.get("p")
        task_spec = task_specs.get(spec_name) if type(spec_name) is str else None
        if type(state) is not int or task_spec is None:
            return None
        internal_data = entry.get("i", {})
        if "i" in entry and not _plain(internal_data):
            return None
        # TaskConverter.from_dict: with a (non-empty) delta and its parent restored before it, the parent's
        # data (DeepMerge.merge: its dicts and lists copied one level deep), updated, keys deleted; else
        # the task's own data.
        parent = by_number.get(parent_number) if parent_number is not None else None  # type: ignore[arg-type]
        if "D" in entry:  # the root's {} (falsy), or a delta with deletions
            delta = entry["D"]
            if type(delta) is not dict or (delta and delta.keys() != _DELTA_KEY_SET):
                return None
            updates, deletions = delta.get("updates", {}), delta.get("deletions", [])
            if type(deletions) is not list or not _STR_TYPE.issuperset(map(type, deletions)):
                return None
            with_delta = bool(delta)
        else:
            updates, deletions, with_delta = entry.get("u", {}), [], True
        if with_delta and parent is not None:
            parent_data = parent.data
            if type(updates) is not dict or not _plain(updates) or type(parent_data) is not dict:
                return None
            if _SCALAR_TYPES.issuperset(map(type, parent_data.values())):
                data = parent_data.copy()
            else:
                data = {k: v.copy() if type(v) is dict or type(v) is list else v for k, v in parent_data.items()}
            data.update(updates)
            for key in deletions:
                if key in data:
                    del data[key]
        else:
            data = entry.get("d", {})
            if "d" in entry and not _plain(data):
                return None
        # Task.__init__ and TaskConverter.from_dict set these attributes (in this order) and no others.
        task = Task.__new__(Task)
        task.__dict__.update(
            id=uuids[number],
            workflow=workflow,
            _parent=None if parent_number is None else uuids.get(parent_number) or UUID(int=parent_number),
            _children=[uuids.get(child) or UUID(int=child) for child in children],
            _state=state,
            triggered=entry.get("g", False),
            task_spec=task_spec,
            thread_id=thread_id,
            data=data,
            internal_data=internal_data,
            last_state_change=changed,
        )
        by_number[number] = tasks[task.id] = task
        if state & _WAITING and isinstance(task_spec, CatchingEvent):
            event_manager.add_task(task)
    root_number = _id_number(compact["r"], namespace)
    last_code = compact["l"]
    last_number = None if last_code is None else _id_number(last_code, namespace)
    data = compact.get("data", {})
    if root_number is None or (last_number is None and last_code is not None):
        return None
    if "data" in compact and not _plain(data):
        return None
    workflow.tasks = tasks
    workflow.task_tree = by_number.get(root_number)
    # WorkflowConverter.set_default_attributes, then BpmnWorkflowConverter's subprocesses (none) and events.
    workflow.success = compact.get("success", True)
    workflow.completed = compact.get("completed", False)
    workflow.correlations = compact.get("correlations", {})
    if last_number is not None:
        workflow.last_task = by_number.get(last_number)
    workflow.data = data
    workflow.bpmn_events = []
    return workflow


def dump_state(workflow: BpmnWorkflow, definition: Definition) -> str:
    """Serialize an instance to JSON text (store it as TEXT: jsonb would reorder keys and lose data, P3):
    the compact form when it fits, else SpiffWorkflow's own form, as `serialize_json` writes it.

    An instance the fast path understands (`_compact_of`) goes to the compact form straight from its
    objects; any other through SpiffWorkflow's serializer (`_dump_state_generic`). The text is the same."""
    compact = _compact_of(workflow)
    if compact is None:
        return _dump_state_generic(workflow, definition)
    return _compact_text(compact, definition)


def _dump_state_generic(workflow: BpmnWorkflow, definition: Definition) -> str:
    """dump_state through SpiffWorkflow's serializer: its dict (workflow_dict), then encode_compact."""
    dct = workflow_dict(workflow)
    compact = encode_compact(dct)
    if compact is None:
        text = json.dumps(dct, cls=SERIALIZER._encoder_cls)
        # Prepend the spec reference without re-encoding the whole document.
        return '{"%s": "%s", %s' % (SPEC_REF_KEY, definition.sha256, text[1:])
    return _compact_text(compact, definition)


def _compact_text(compact: dict[str, Any], definition: Definition) -> str:
    text = json.dumps(compact, cls=SERIALIZER._encoder_cls, separators=(",", ":"))
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
    """Restore an instance for `definition`; refuse a state written for another definition.

    A compact state the fast path understands (`_restore_compact`) is restored from its compact form
    directly; any other through SpiffWorkflow's serializer (`_load_state_generic`). The workflow is the same."""
    ref = state_spec_ref(state)
    if ref != definition.sha256:
        raise StateVersionError(
            "trạng thái quy trình không thuộc phiên bản định nghĩa này", expected=definition.sha256, found=ref
        )
    dct = json.loads(state)
    dct.pop(SPEC_REF_KEY, None)
    if dct.pop(STATE_FORMAT_KEY, None) == COMPACT_FORMAT:
        try:
            workflow = _restore_compact(dct, definition)
        except (OverflowError, RecursionError):  # a time beyond floats, data nested past the stack
            workflow = None  # the serializer's path meets them where it does, and fails as it did
        if workflow is not None:
            return workflow
    return _load_state_generic(state, definition)


def _load_state_generic(state: str, definition: Definition) -> BpmnWorkflow:
    """load_state through SpiffWorkflow's serializer: the state's dict in SpiffWorkflow's form (state_dict),
    its migration and the registry's restore."""
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
