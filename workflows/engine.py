"""Engine: start, complete, fire timers, cancel. State goes in as text and comes out as text."""

from __future__ import annotations

import keyword
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .clock import SYSTEM_CLOCK, Clock
from .definitions import Definition
from .errors import EngineError, ExpressionError, InvalidDecision, TaskNotReady, WorkflowError
from .expressions import FUNCTIONS, RestrictedScriptEngine
from .history import PathStep, path_taken
from .state import dump_state, load_state
from .task_ids import TaskIdAllocator, allocating
from .tasks import ReadyTask, all_tasks, ready_tasks

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SCALARS = (str, int, float, bool, type(None))
# A return loop adds tree depth; SpiffWorkflow breaks near depth 1000 (P12). Refuse well before.
MAX_STEP_VISITS = 25
# A prepared completion (Engine.prepare_complete) is used only this soon after it was computed, by the
# engine's clock, and at most this many wait at once (the oldest go first).
PREPARED_FOR = timedelta(seconds=2)
MAX_PREPARED = 64


@dataclass(frozen=True)
class EngineEvent:
    """Something that happened while the engine advanced; the service turns these into audit rows."""

    kind: str  # task_completed | timer_fired | ended
    bpmn_id: str
    task_id: str
    name: str
    lane: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of one engine call."""

    state: str
    status: str  # running | completed | cancelled
    ready_tasks: tuple[ReadyTask, ...]
    events: tuple[EngineEvent, ...]
    next_timer_at: datetime | None
    end_event: str | None
    data: dict[str, Any]


class Engine:
    """Runs Definitions with SpiffWorkflow under the restricted script engine and a clock."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        # Completions computed ahead by prepare_complete, by their exact inputs (see there).
        self._prepared: OrderedDict[tuple[Any, ...], tuple[datetime, Outcome]] = OrderedDict()
        self._prepared_lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------
    def start(self, definition: Definition, data: dict[str, Any] | None = None) -> Outcome:
        """Start an instance with initial data and run it to its first waiting step."""
        variables = _checked_data(data or {})
        with allocating(TaskIdAllocator.fresh()):
            workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=self._script_engine())
            workflow.task_tree.data.update(variables)
            return self._advance(workflow, definition, before=set(), fire_timers=False)

    def complete(
        self,
        definition: Definition,
        state: str,
        task_id: str,
        decision: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Outcome:
        """Complete a READY user task with a decision (one the BPMN offers there) and extra data.

        If prepare_complete computed this very call (same definition, state text, task, decision and data)
        a moment ago, its outcome is returned instead of computing it again."""
        prepared = None
        if self._prepared:  # nothing to look up (and no key to build) where nothing is prepared
            key = _call_key(definition, state, task_id, decision, data)
            with self._prepared_lock:
                prepared = self._prepared.pop(key, None) if key is not None else None
        if prepared is not None and abs(self.clock.now() - prepared[0]) <= PREPARED_FOR:
            return prepared[1]
        return self._complete(definition, state, task_id, decision, data)

    def prepare_complete(
        self,
        definition: Definition,
        state: str,
        task_id: str,
        decision: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> bool:
        """Compute `complete` now and keep its outcome for the identical `complete` call that follows.

        A completion restores the state, runs the engine and serializes the state again: work that needs
        nothing but its inputs. On SQLite a writing transaction holds the database's one write lock, so the
        service computes the step in its read transaction first (prepare_complete) and the writing one then
        gets the outcome back from `complete` without computing it. The outcome is a function of the
        inputs (the state text holds everything the engine reads, task ids included) and of the clock:
        `complete` uses it only for exactly the same inputs, only within PREPARED_FOR of when it was
        computed by the engine's clock, and only once. Anyone who changed the instance meanwhile changed
        its state text, so a stale outcome is never used: the step is computed again. Returns False
        (keeping nothing) if the step fails; `complete` then raises the same error itself."""
        key = _call_key(definition, state, task_id, decision, data)
        if key is None:
            return False
        at = self.clock.now()
        try:
            outcome = self._complete(definition, state, task_id, decision, data)
        except WorkflowError:
            return False
        with self._prepared_lock:
            self._prepared[key] = (at, outcome)
            while len(self._prepared) > MAX_PREPARED:
                self._prepared.popitem(last=False)
        return True

    def _complete(
        self, definition: Definition, state: str, task_id: str, decision: str | None, data: dict[str, Any] | None
    ) -> Outcome:
        workflow = self._load(definition, state)
        task = self._ready_user_task(workflow, task_id)
        step = definition.steps[task.task_spec.bpmn_id]
        if step.decisions and decision not in {d.value for d in step.decisions}:
            allowed = ", ".join(d.value for d in step.decisions)
            raise InvalidDecision(
                f"quyết định '{decision}' không hợp lệ ở bước '{step.name}' (chọn: {allowed})",
                step=step.bpmn_id,
                allowed=[d.value for d in step.decisions],
            )
        chosen = next((d for d in step.decisions if d.value == decision), None)
        if chosen is not None and chosen.backward:
            visits = sum(1 for t in workflow.get_tasks(spec_name=task.task_spec.name) if t.has_state(TaskState.COMPLETED))
            if visits >= MAX_STEP_VISITS:
                raise InvalidDecision(
                    f"bước '{step.name}' đã trả lại {visits} lần; không thể trả lại thêm, hãy chọn đồng ý hoặc không đồng ý"
                )
        variables = _checked_data(data or {})
        if step.decisions:
            variables[step.decision_variable] = decision
        task.set_data(**variables)
        before = _finished_ids(workflow)
        with allocating(TaskIdAllocator.for_workflow(workflow)):
            try:
                task.run()
            except (SpiffWorkflowException, ExpressionError) as exc:
                raise _engine_error(exc) from None
            return self._advance(workflow, definition, before, fire_timers=False)

    def fire_due_timers(self, definition: Definition, state: str) -> Outcome:
        """Fire every timer that is due by the engine's clock and run what follows."""
        workflow = self._load(definition, state)
        with allocating(TaskIdAllocator.for_workflow(workflow)):
            return self._advance(workflow, definition, _finished_ids(workflow), fire_timers=True)

    def cancel(self, definition: Definition, state: str) -> Outcome:
        """Cancel a running instance; its open tasks are cancelled."""
        workflow = self._load(definition, state)
        if workflow.is_completed():
            raise TaskNotReady("quy trình đã kết thúc, không thể hủy")
        with allocating(TaskIdAllocator.for_workflow(workflow)):
            workflow.cancel()
            return self._outcome(workflow, definition, events=[])

    def migrate(self, source: Definition, target: Definition, state: str) -> Outcome:
        """Move an instance from `source` to `target` (check_migration must allow it) and run what follows."""
        from .migration import check_migration, migrate_state

        check = check_migration(source, target, state)
        if not check.can_migrate:
            raise InvalidDecision("Không chuyển được phiên bản: " + "; ".join(check.reasons), reasons=list(check.reasons))
        workflow = migrate_state(source, target, state)
        workflow.script_engine = self._script_engine()  # type: ignore[attr-defined]
        with allocating(TaskIdAllocator.for_workflow(workflow)):
            return self._advance(workflow, target, _finished_ids(workflow), fire_timers=False)  # type: ignore[arg-type]

    def inspect(self, definition: Definition, state: str) -> Outcome:
        """Restore an instance and report its state without changing it."""
        return self._outcome(self._load(definition, state), definition, events=[])

    def path(self, definition: Definition, state: str, include_open: bool = True) -> list[PathStep]:
        """The elements the instance passed through, in order (with the open ones at the end)."""
        return path_taken(self._load(definition, state), include_open=include_open)

    # -- internals --------------------------------------------------------------------------
    def _script_engine(self) -> RestrictedScriptEngine:
        return RestrictedScriptEngine(clock=self.clock)

    def _load(self, definition: Definition, state: str) -> BpmnWorkflow:
        workflow = load_state(state, definition)
        # The script engine is not serialized: a restored workflow has Spiff's unrestricted
        # default (P4). Attach ours after every load, and check that it took.
        workflow.script_engine = self._script_engine()
        if not isinstance(workflow.script_engine, RestrictedScriptEngine):
            raise EngineError("không gắn được bộ tính biểu thức an toàn")
        return workflow

    def _ready_user_task(self, workflow: BpmnWorkflow, task_id: str) -> Any:
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None or not task.task_spec.manual or not task.has_state(TaskState.READY):
            raise TaskNotReady("việc này không còn chờ xử lý (đã được xử lý hoặc không tồn tại)", task_id=task_id)
        return task

    def _advance(self, workflow: BpmnWorkflow, definition: Definition, before: set[int], fire_timers: bool) -> Outcome:
        try:
            if fire_timers:
                workflow.refresh_timers()
            # do_engine_steps refreshes timers only after its loop (P1): a timer that became due
            # there is READY but has not run. Keep stepping until no engine task is READY.
            for _ in range(10):
                workflow.do_engine_steps()
                if not any(t.has_state(TaskState.READY) and not t.task_spec.manual for t in all_tasks(workflow)):
                    break
        except (SpiffWorkflowException, ExpressionError) as exc:
            raise _engine_error(exc) from None
        events = _new_events(workflow, before)
        return self._outcome(workflow, definition, events)

    def _outcome(self, workflow: BpmnWorkflow, definition: Definition, events: list[EngineEvent]) -> Outcome:
        completed = workflow.is_completed()
        status = "running" if not completed else ("completed" if workflow.success else "cancelled")
        end_event = None
        if completed and workflow.success:
            ends = [t for t in all_tasks(workflow) if t.has_state(TaskState.COMPLETED) and _is_end_event(t)]
            main_ends = [t for t in ends if not _on_timer_branch(t, definition)] or ends
            end_event = max(main_ends, key=lambda t: t.last_state_change).task_spec.bpmn_id if main_ends else None
        data = workflow.data if completed else _current_data(workflow)
        return Outcome(
            state=dump_state(workflow, definition),
            status=status,
            ready_tasks=ready_tasks(workflow, definition) if not completed else (),
            events=tuple(events),
            next_timer_at=_next_timer(workflow),
            end_event=end_event,
            data={k: v for k, v in data.items() if isinstance(v, _SCALARS)},
        )


def _call_key(
    definition: Definition, state: str, task_id: str, decision: str | None, data: dict[str, Any] | None
) -> tuple[Any, ...] | None:
    """What a completion's outcome depends on besides the clock, as a dict key; None if data is not all
    scalars (complete refuses such data anyway). Each value keeps its type (True == 1 in Python, but
    they are different data) and the keys their order (the order the state text writes them in)."""
    items = []
    for key, value in (data or {}).items():
        if not isinstance(value, _SCALARS):
            return None
        items.append((key, type(value), value))
    return (definition.sha256, state, str(task_id), decision, tuple(items))


def _checked_data(data: dict[str, Any]) -> dict[str, Any]:
    """Whitelist the shape of data entering the engine: lower-case identifiers with scalar values (P7, P14)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not _IDENTIFIER.match(key) or keyword.iskeyword(key) or key in FUNCTIONS:
            raise InvalidDecision(f"tên trường dữ liệu '{key}' không được phép")
        if not isinstance(value, _SCALARS) or (isinstance(value, str) and len(value) > 2000):
            raise InvalidDecision(f"giá trị của trường '{key}' không hợp lệ")
        out[key] = value
    return out


def _finished_ids(workflow: BpmnWorkflow) -> set[int]:
    """The completed tasks, by their ids' ints (a UUID hashes in Python, an int in C; same identity)."""
    return {t.id.int for t in all_tasks(workflow) if t.has_state(TaskState.COMPLETED)}


def _is_end_event(task: Any) -> bool:
    return type(task.task_spec).__name__ == "EndEvent"


def _on_timer_branch(task: Any, definition: Definition) -> bool:
    """True for elements downstream of a timer boundary event (escalation paths)."""
    node = task.parent
    while node is not None:
        if isinstance(node.task_spec, BoundaryEvent) and isinstance(
            node.task_spec.event_definition, TimerEventDefinition
        ):
            return True
        node = node.parent
    return False


def _new_events(workflow: BpmnWorkflow, before: set[int]) -> list[EngineEvent]:
    events = []
    fresh = [t for t in all_tasks(workflow) if t.has_state(TaskState.COMPLETED) and t.id.int not in before]
    for task in sorted(fresh, key=lambda t: t.last_state_change):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue
        kind = None
        detail: dict[str, Any] = {}
        if spec.manual:
            kind = "task_completed"
        elif isinstance(spec, BoundaryEvent) and isinstance(spec.event_definition, TimerEventDefinition):
            kind = "timer_fired"
            activity = _attached_activity(task)
            detail = {
                "attached_to": activity.task_spec.bpmn_id if activity else None,
                "attached_task_id": str(activity.id) if activity else None,
                "due_at": task._get_internal_data("event_value"),
                "interrupting": bool(spec.cancel_activity),
            }
        elif _is_end_event(task):
            kind = "ended"
        if kind:
            events.append(EngineEvent(kind, spec.bpmn_id, str(task.id), spec.bpmn_name or spec.bpmn_id, spec.lane, detail))
    return events


def _attached_activity(boundary_task: Any) -> Any:
    split = boundary_task.parent
    for sibling in split.children if split is not None else []:
        if sibling is not boundary_task and not isinstance(sibling.task_spec, BoundaryEvent):
            return sibling
    return None


def _current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    last = workflow.last_task
    return dict(last.data) if last is not None else dict(workflow.task_tree.data)


def _next_timer(workflow: BpmnWorkflow) -> datetime | None:
    times = [
        TimerEventDefinition.get_datetime(e.value)
        for e in workflow.waiting_events()
        if e.event_type.endswith("TimeDateEventDefinition") or "Timer" in e.event_type
        if isinstance(e.value, str)
    ]
    return min(times) if times else None


def _engine_error(exc: Exception) -> EngineError:
    task = getattr(exc, "task", None)
    element = task.task_spec.bpmn_id if task is not None else None
    message = getattr(exc, "message", None) or str(exc)
    return EngineError(f"lỗi khi chạy quy trình{f' tại {element}' if element else ''}: {message}", element_id=element)
