"""Who may read a dossier or a task: NotFound for everyone else, so ids cannot be probed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.permissions import can_act_on_task, can_view_dossier
from ..errors import NotFound
from ..models import Dossier, HumanTask
from .org import unit_path


def visible_dossier(session: Session, actor: Actor, dossier_id: int) -> Dossier:
    """The dossier if domain.permissions lets the actor read it; the same NotFound for 'absent' and 'not yours'."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(actor, unit_path(session, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def is_escalated_to(actor: Actor, task: HumanTask) -> bool:
    """An overdue task escalated to one of the actor's roles (the chairman watching it)."""
    return task.escalated_at is not None and actor.holds(task.escalate_to_role or "", task.escalate_to_unit_id)


def visible_task(session: Session, actor: Actor, task_id: int) -> HumanTask:
    """The task if the actor may act on it or it is escalated to them; NotFound otherwise."""
    return require_task_visible(actor, session.get(HumanTask, task_id))


def require_task_visible(actor: Actor, task: HumanTask | None) -> HumanTask:
    """The same check on a task already read: NotFound unless the actor may act on it or it is escalated to them."""
    if task is None or not (can_act_on_task(actor, task) or is_escalated_to(actor, task)):
        raise NotFound("Không tìm thấy việc cần xử lý.")
    return task


def visible_task_ids(session: Session, actor: Actor, task_ids: list[int]) -> set[int]:
    """Those of `task_ids` the actor may see (visible_task's rule), in one query: a decision on many tasks at once
    names only these; the others are "not found", as when one is asked by its id."""
    if not task_ids:
        return set()
    rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(set(task_ids))))
    return {t.id for t in rows if can_act_on_task(actor, t) or is_escalated_to(actor, t)}
