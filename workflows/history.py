"""The path an instance has taken: completed and cancelled elements in order, for diagrams and audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow import TaskState


@dataclass(frozen=True)
class PathStep:
    """One element the instance passed through (or that was cancelled, like an unused timer)."""

    task_id: str
    bpmn_id: str
    name: str
    kind: str
    lane: str | None
    state: str  # completed | cancelled | ready | waiting
    at: datetime


_OPEN = ("ready", "waiting")


def path_taken(workflow: Any, include_open: bool = True) -> list[PathStep]:
    """List elements with a BPMN id (Spiff's internal specs are left out), ordered by when they changed, the
    open ones (ready, waiting) after all the others.

    Times are kept to the millisecond in the stored state, and a fast machine completes several steps within
    one: the steps passed keep their tree order within a millisecond, and an open step never comes before a
    step cancelled in the same millisecond (a timer cut short by the completion that opened it)."""
    mask = TaskState.COMPLETED | TaskState.CANCELLED
    if include_open:
        mask |= TaskState.READY | TaskState.WAITING
    steps = []
    for task in workflow.get_tasks(state=mask):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue
        steps.append(
            PathStep(
                task_id=str(task.id),
                bpmn_id=spec.bpmn_id,
                name=spec.bpmn_name or spec.bpmn_id,
                kind=type(spec).__name__,
                lane=spec.lane,
                state=TaskState.get_name(task.state).lower(),
                at=datetime.fromtimestamp(task.last_state_change, UTC),
            )
        )
    steps.sort(key=lambda s: (s.state in _OPEN, s.at, s.state != "completed"))
    return steps


# Elements a person works on: listed in any state the path has them in (done, cut short by a return or a
# withdrawal, or open in someone's inbox).
_PEOPLES_WORK = ("UserTask", "ManualTask")


def steps_gone_through(steps: list[PathStep]) -> list[PathStep]:
    """The path as officials read it under the diagram: the steps the dossier went through and the one open now.

    People's tasks in every state, and events that happened (a start, an escalation that fired, an end). Left out:
    timers still waiting (an overdue timer on an open task is a deadline, not a step), timers cut short unused,
    and gateways and other plumbing. path_taken keeps them all: the diagram (queries.dossier_view.dossier_diagram)
    marks what was cancelled from it."""
    return [s for s in steps if s.kind in _PEOPLES_WORK or (s.kind.endswith("Event") and s.state == "completed")]
