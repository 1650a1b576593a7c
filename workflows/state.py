"""The one configured SpiffWorkflow serializer: instance state as JSON text, spec stored by reference."""

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
    are about 190 of its 1,040 compressed bytes, and the last four digits say nothing anyone reads (the
    path diagram shows minutes; ordering ties fall back on the task id, which follows creation order, see
    task_ids.py). To the millisecond a finished chain's state is about 935 bytes: four instance rows to a
    4 KiB SQLite page instead of three. A restored task's time is at most a millisecond earlier than it
    was; tasks changed in the running call keep their exact time until they are written."""

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


def dump_state(workflow: BpmnWorkflow, definition: Definition) -> str:
    """Serialize an instance to JSON text (store it as TEXT: jsonb would reorder keys and lose data, P3)."""
    text = SERIALIZER.serialize_json(workflow)
    assert isinstance(text, str)
    # Prepend the spec reference without re-encoding the whole document.
    return '{"%s": "%s", %s' % (SPEC_REF_KEY, definition.sha256, text[1:])


def state_spec_ref(state: str) -> str | None:
    """The sha256 of the definition a stored state was written with."""
    head = state[: 120]
    marker = f'"{SPEC_REF_KEY}": "'
    start = head.find(marker)
    return head[start + len(marker) : start + len(marker) + 64] if start >= 0 else None


def load_state(state: str, definition: Definition) -> BpmnWorkflow:
    """Restore an instance for `definition`; refuse a state written for another definition."""
    ref = state_spec_ref(state)
    if ref != definition.sha256:
        raise StateVersionError(
            "trạng thái quy trình không thuộc phiên bản định nghĩa này", expected=definition.sha256, found=ref
        )
    dct = json.loads(state)
    dct.pop(SPEC_REF_KEY, None)
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
