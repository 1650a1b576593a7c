"""Move a running instance to another version of its process, where its history allows it."""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow

from .definitions import Definition
from .state import SERIALIZER, SERIALIZER_LOCK, load_state
from .task_ids import TaskIdAllocator, allocating


@dataclass(frozen=True)
class MigrationCheck:
    """Whether an instance can move, and if not, why (in Vietnamese, naming the elements)."""

    can_migrate: bool
    reasons: tuple[str, ...]


def _diff(source: Definition, target: Definition, state: str):  # type: ignore[no-untyped-def]
    workflow = load_state(state, source)
    with SERIALIZER_LOCK:  # the diff converts through the registry, whose mode another thread may be switching
        top, _subprocesses = diff_workflow(SERIALIZER.registry, workflow, target.spec, target.subprocess_specs)
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
    """What changed between two versions of a process, by BPMN element id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]


def diff_definitions(old: Definition, new: Definition) -> DefinitionDiff:
    """Elements added, removed and changed (with the changed attributes) from `old` to `new`."""
    from SpiffWorkflow.bpmn.util.diff import SpecDiff

    with SERIALIZER_LOCK:  # as in _diff
        diff = SpecDiff(SERIALIZER.registry, old.spec, new.spec)
    named = lambda specs: tuple(sorted({s.bpmn_id for s in specs if getattr(s, "bpmn_id", None)}))  # noqa: E731
    changed = {spec.bpmn_id: tuple(attrs) for spec, attrs in diff.changed.items() if getattr(spec, "bpmn_id", None)}
    return DefinitionDiff(named(diff.added), named(diff.removed), dict(sorted(changed.items())))
