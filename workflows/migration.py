"""Move a running instance to another version of its process, where its history allows it."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow

from .definitions import Definition
from .state import SERIALIZER, SERIALIZER_LOCK, load_state
from .task_ids import TaskIdAllocator, allocating


@dataclass(frozen=True)
class MigrationCheck:
    """Whether an instance can move, and if not, why (in Vietnamese, naming the elements)."""

    can_migrate: bool
    reasons: tuple[str, ...]


# What no run depends on: a boundary event belongs to the activity it is attached to, whatever lane it is drawn in
# (an editor deleting a lane moves the boundary events on its border into the lane below).
_MEANINGLESS = {BoundaryEvent: frozenset({"lane"})}


def meaningful_changes(spec: Any, attributes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The changed attributes of a task spec that matter to a run (a boundary event's lane does not)."""
    ignored = next((names for kind, names in _MEANINGLESS.items() if isinstance(spec, kind)), frozenset())
    return tuple(a for a in attributes if a not in ignored)


def _spec_changes(old: Any, new: Any) -> tuple[SpecDiff, dict[Any, tuple[str, ...]]]:
    with SERIALIZER_LOCK:  # the diff converts through the registry, whose mode another thread may be switching
        diff = SpecDiff(SERIALIZER.registry, old, new)
    changed = {spec: meaningful_changes(spec, attrs) for spec, attrs in diff.changed.items()}
    return diff, {spec: attrs for spec, attrs in changed.items() if attrs}


def _diff(source: Definition, target: Definition, state: str):  # type: ignore[no-untyped-def]
    """The instance and its WorkflowDiff against the target (the top process: ours have no subprocesses), with
    changes no run depends on left out (meaningful_changes)."""
    workflow = load_state(state, source)
    spec_diff, changed = _spec_changes(workflow.spec, target.spec)
    top = WorkflowDiff(workflow, spec_diff)
    top.changed = [task for task in top.changed if task.task_spec in changed]
    return workflow, top


def check_migration(source: Definition, target: Definition, state: str) -> MigrationCheck:
    """An instance may move when nothing it has already done was removed or changed, and its open steps exist in B."""
    workflow, diff = _diff(source, target, state)
    reasons = []
    for task in diff.removed + diff.changed:
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id is None:
            continue
        if task.has_state(TaskState.COMPLETED | TaskState.STARTED):
            what = "đã bị bỏ" if task in diff.removed else "đã thay đổi"
            reasons.append(f"bước đã qua '{task.task_spec.bpmn_name or bpmn_id}' ({bpmn_id}) {what} ở phiên bản mới")
        elif task.has_state(TaskState.READY) and task.task_spec.manual and task in diff.removed:
            reasons.append(f"bước đang chờ '{task.task_spec.bpmn_name or bpmn_id}' ({bpmn_id}) không có ở phiên bản mới")
    unique = tuple(dict.fromkeys(reasons))
    return MigrationCheck(not unique, unique)


def migrate_state(source: Definition, target: Definition, state: str) -> object:
    """The instance moved onto `target` (a BpmnWorkflow for the engine to finish); call check_migration first."""
    workflow, diff = _diff(source, target, state)
    with allocating(TaskIdAllocator.for_workflow(workflow)):
        migrate_workflow(diff, workflow, target.spec)
    return workflow


@dataclass(frozen=True)
class DefinitionDiff:
    """What changed between two versions of a process, by BPMN element id; `changed` names the engine's attributes
    (see CHANGE_WORDS for them in words)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]


# The engine's spec attributes a comparison names, in words (Vietnamese; the web layer has their English).
CHANGE_WORDS = {
    "typename": "loại phần tử", "bpmn_name": "tên", "description": "loại phần tử", "documentation": "mô tả",
    "lane": "làn", "inputs": "đường đi vào", "outputs": "đường đi ra", "cond_task_specs": "điều kiện rẽ nhánh",
    "default_task_spec": "nhánh mặc định", "event_definition": "hẹn giờ hoặc sự kiện",
    "cancel_activity": "cách dừng bước khi tới hạn", "manual": "cách xử lý (người hay máy)",
    "data_input_associations": "dữ liệu vào", "data_output_associations": "dữ liệu ra",
    "io_specification": "dữ liệu vào/ra", "extensions": "phần mở rộng", "main_child_task_spec": "bước được gắn",
    "condition": "điều kiện", "split_task": "cổng tách tương ứng", "script": "mã lệnh",
    "cardinality": "số lượt biểu quyết", "completion_condition": "điều kiện kết thúc biểu quyết",
    "data_input": "dữ liệu vào", "data_output": "dữ liệu ra", "input_item": "dữ liệu vào", "output_item": "dữ liệu ra",
}  # fmt: skip
OTHER_CHANGE = "chi tiết kỹ thuật khác"


def change_words(attributes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The changed attributes in words, each once, in the order given (unknown ones as OTHER_CHANGE)."""
    return tuple(dict.fromkeys(CHANGE_WORDS.get(a, OTHER_CHANGE) for a in attributes))


def diff_definitions(old: Definition, new: Definition) -> DefinitionDiff:
    """Elements added, removed and changed (with the changed attributes that matter to a run) from `old` to `new`."""
    diff, changes = _spec_changes(old.spec, new.spec)
    named = lambda specs: tuple(sorted({s.bpmn_id for s in specs if getattr(s, "bpmn_id", None)}))  # noqa: E731
    changed = {spec.bpmn_id: attrs for spec, attrs in changes.items() if getattr(spec, "bpmn_id", None)}
    return DefinitionDiff(named(diff.added), named(diff.removed), dict(sorted(changed.items())))
