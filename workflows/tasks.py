"""ReadyTask values built from Spiff tasks: what an inbox row needs to know about a waiting step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Iterable
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .definitions import Decision, Definition


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person; role and level come from its lane."""

    task_id: str
    bpmn_id: str
    name: str
    lane: str
    role: str
    level: str
    decision_variable: str
    decisions: tuple[Decision, ...]
    due_at: datetime | None
    escalate_to_role: str | None
    escalate_to_level: str | None
    documentation: str | None



def all_tasks(workflow: Any) -> Iterable[Any]:
    """Every task of an instance, in no particular order (callers sort or collect into sets).

    Without subprocesses these are the workflow's own task table, read as it is: SpiffWorkflow's
    get_tasks() walks the tree through an iterator, which costs more than the walk's result is worth
    when it runs five times per completion. With subprocesses, get_tasks() reaches into them."""
    if workflow.subprocesses:
        return workflow.get_tasks()  # type: ignore[no-any-return]
    return workflow.tasks.values()  # type: ignore[no-any-return]


def ready_tasks(workflow: Any, definition: Definition) -> tuple[ReadyTask, ...]:
    """The READY user tasks of a workflow, in a stable order (oldest first)."""
    out = []
    tasks = [t for t in all_tasks(workflow) if t.has_state(TaskState.READY) and t.task_spec.manual]
    for task in sorted(tasks, key=lambda t: (t.last_state_change, str(t.id))):
        step = definition.steps.get(task.task_spec.bpmn_id)
        if step is None:  # a manual task our lint should have refused; never silently hidden
            raise LookupError(f"bước '{task.task_spec.bpmn_id}' không có trong định nghĩa")
        due_at, escalate = _pending_timer(task, step)
        out.append(
            ReadyTask(
                task_id=str(task.id),
                bpmn_id=step.bpmn_id,
                name=step.name,
                lane=step.lane.name,
                role=step.lane.role,
                level=step.lane.level,
                decision_variable=step.decision_variable,
                decisions=step.decisions,
                due_at=due_at,
                escalate_to_role=escalate.role if escalate else None,
                escalate_to_level=escalate.level if escalate else None,
                documentation=step.documentation,
            )
        )
    return tuple(out)


def _pending_timer(task: Any, step: Any) -> tuple[datetime | None, Any]:
    """Earliest due time of the timer boundary events waiting beside this task, and its escalation lane."""
    parent = task.parent
    if parent is None or not step.timers:
        return None, None
    by_id = {t.bpmn_id: t for t in step.timers}
    best: tuple[datetime | None, Any] = (None, None)
    for sibling in parent.children:
        info = by_id.get(sibling.task_spec.bpmn_id)
        if info is None or not sibling.has_state(TaskState.WAITING):
            continue
        value = sibling._get_internal_data("event_value")
        if value is None:
            continue
        due = TimerEventDefinition.get_datetime(value)
        if best[0] is None or due < best[0]:
            best = (due, info.escalate_to)
    return best
