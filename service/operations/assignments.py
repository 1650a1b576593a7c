"""Hand a task to a colleague holding the same role at the same unit; approve several tasks at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine

from ..domain.actors import Actor
from ..domain.nominee_outcomes import CouncilCount, NomineeResult
from ..domain.permissions import require_can_act_on_task
from ..errors import DomainError, InvalidInput
from ..models import Dossier, HumanTask, ProcessInstance, User
from ..queries.org import role_holders
from .audit import record_event
from .notifications import notify_assignment
from .tasks import complete_task, require_open_task


def colleagues(session: Session, task: HumanTask) -> list[User]:
    """Active users holding the task's role at the task's org unit."""
    return role_holders(session, task.role, task.org_unit_id)


def assign_task(session: Session, actor: Actor, engine: Engine, task_id: int, assignee_id: int) -> HumanTask:
    """Claim the task on behalf of a colleague; only someone who may take it can hand it over."""
    task = require_open_task(session, task_id)
    require_can_act_on_task(actor, task)
    assignee = session.get(User, assignee_id)
    if assignee is None or assignee.id not in {u.id for u in colleagues(session, task)}:
        raise InvalidInput("Chỉ giao được cho cán bộ giữ cùng vai trò tại cùng đơn vị.")
    now = engine.clock.now()
    before = task.claimed_by
    task.claimed_by, task.claimed_at = assignee.id, now
    dossier_id = session.scalar(select(ProcessInstance.dossier_id).where(ProcessInstance.id == task.instance_id))
    record_event(
        session, action="task.assign", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
        actor_role=task.role, actor_unit_id=task.org_unit_id, before={"claimed_by": before},
        after={"claimed_by": assignee.id, "assignee": assignee.username}, now=now, dossier_id=dossier_id,
    )  # fmt: skip
    if assignee.id != actor.user_id:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        notify_assignment(session, task, assignee, dossier, now)
    session.flush()
    return task


@dataclass(frozen=True)
class BulkItem:
    task_id: int
    ok: bool
    message: str
    dossier_id: int | None = None
    refusal: DomainError | None = field(default=None, compare=False)  # what said no: a page says it in its language


def bulk_complete(
    session: Session, actor: Actor, engine: Engine, task_ids: list[int], decision: str, comment: str | None
) -> list[BulkItem]:
    """Complete each task on its own savepoint: one failure is reported and does not undo the others."""
    if not task_ids:
        raise InvalidInput("Chưa chọn việc nào.")
    results = []
    for task_id in dict.fromkeys(task_ids):
        try:
            with session.begin_nested():
                result = complete_task(session, actor, engine, task_id, decision, comment)
            results.append(BulkItem(task_id, True, "Đã ghi nhận", result.dossier_id))
        except DomainError as exc:
            results.append(BulkItem(task_id, False, exc.message, refusal=exc))
    return results


def batch_decide(
    session: Session, actor: Actor, engine: Engine, task_nominees: dict[int, list[int]],
    results: dict[int, NomineeResult], council: CouncilCount | None, comment: str | None, confirmed: set[str],
) -> list[BulkItem]:  # fmt: skip
    """Decide a batch nominee by nominee: each dossier approves the nominees kept, or is rejected when none is.

    Every task is completed in its own savepoint, so one refusal is reported and undoes nothing else.
    """
    if not task_nominees:
        raise InvalidInput("Đợt xét không còn hồ sơ nào.")
    out = []
    for task_id, nominee_ids in task_nominees.items():
        mine = {nid: results[nid] for nid in nominee_ids if nid in results}
        everyone_out = nominee_ids and all(nid in mine and not mine[nid].approve for nid in nominee_ids)
        decision = "reject" if everyone_out and council is None else "approve"
        reason = "; ".join(filter(None, (mine[n].reason for n in nominee_ids))) if decision == "reject" else comment
        try:
            with session.begin_nested():
                result = complete_task(session, actor, engine, task_id, decision, reason or comment,
                                       nominee_results=mine or None, council=council, confirmed=confirmed)  # fmt: skip
            out.append(BulkItem(task_id, True, "Đã ghi nhận" if result.decision == "approve" else "Không đề nghị khen thưởng",
                                result.dossier_id))  # fmt: skip
        except DomainError as exc:
            out.append(BulkItem(task_id, False, exc.message, refusal=exc))
    return out
