"""Who may act on what: a task belongs to the holders of its role at its org unit."""

from __future__ import annotations

from typing import Protocol

from ..errors import Conflict, Forbidden
from .actors import Actor


class TaskLike(Protocol):
    role: str
    org_unit_id: int
    claimed_by: int | None


def can_act_on_task(actor: Actor, task: TaskLike) -> bool:
    """True when the actor holds the task's role at the task's org unit."""
    return actor.holds(task.role, task.org_unit_id)


def require_can_act_on_task(actor: Actor, task: TaskLike) -> None:
    """Raise Forbidden unless the actor may take this task; Conflict if a colleague has claimed it."""
    if not can_act_on_task(actor, task):
        raise Forbidden("Bạn không có quyền xử lý việc này (không giữ vai trò của bước tại đơn vị này).")
    if task.claimed_by is not None and task.claimed_by != actor.user_id:
        raise Conflict("Việc này đang do một cán bộ khác nhận xử lý.")


def can_review_audit(actor: Actor) -> bool:
    """Auditors and admins read the audit trail, export it and ask for its verification; nobody else."""
    return actor.is_admin or actor.has_role("auditor")


def require_can_review_audit(actor: Actor) -> None:
    if not can_review_audit(actor):
        raise Forbidden("Chỉ kiểm toán viên và quản trị viên được xem nhật ký.")


def can_view_dossier(actor: Actor, unit_path: list[int]) -> bool:
    """Anyone holding a role at the submitting unit or above it may read the dossier; admins and auditors too."""
    if actor.is_admin or actor.has_role("auditor"):
        return True
    path = set(unit_path)
    return any(unit in path for _, unit in actor.roles)
