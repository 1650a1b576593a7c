"""Administer running instances: suspend, resume, cancel, and reassign a stuck task; every action audited.

Each function checks everything before changing anything (an admin, a reason where one is needed,
the instance's status, the new assignee's role), then writes the change and its audit event in the
caller's transaction. While an instance is suspended its tasks cannot be claimed, released or
completed (`tasks.require_open_task`), the inbox and batches leave them out, and the timer worker
skips it; a timer that fell due meanwhile is still pending and fires on the first pass after resume.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workflows import Engine

from ..domain.actors import Actor
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import Dossier, HumanTask, ProcessInstance, User
from .assignments import colleagues
from .audit import record_event
from .dossiers import cancel_dossier, nfc
from .notifications import notify_assignment

STATUS_WORDS = {"running": "đang chạy", "suspended": "đang tạm dừng", "completed": "đã kết thúc",
                "cancelled": "đã hủy", "error": "bị lỗi"}  # fmt: skip


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới tạm dừng, tiếp tục, hủy quy trình hoặc giao lại việc.")


def _require_reason(reason: str | None, what: str) -> str:
    cleaned = nfc(reason or "")
    if not cleaned:
        raise InvalidInput("Phải ghi lý do {what}.", {"what": what})
    return cleaned


def _instance(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Không tìm thấy quy trình.")
    return instance


def _status_words(instance: ProcessInstance) -> str:
    return STATUS_WORDS.get(instance.status, instance.status)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("Quy trình vừa được người khác thay đổi; chưa có gì được ghi. Hãy tải lại.") from None


def suspend_instance(
    session: Session, actor: Actor, engine: Engine, instance_id: int, reason: str | None
) -> ProcessInstance:
    """Stop a running instance where it stands: no one acts on its tasks and its timers wait."""
    _require_admin(actor)
    cleaned = _require_reason(reason, "tạm dừng")
    return _switch_status(session, actor, engine, instance_id, "running", "suspended", "instance.suspend", cleaned,
                          "Chỉ tạm dừng được quy trình đang chạy")  # fmt: skip


def resume_instance(
    session: Session, actor: Actor, engine: Engine, instance_id: int, comment: str | None = None
) -> ProcessInstance:
    """Let a suspended instance run again; a timer that fell due meanwhile fires on the worker's next pass."""
    _require_admin(actor)
    return _switch_status(session, actor, engine, instance_id, "suspended", "running", "instance.resume",
                          nfc(comment or "") or None, "Chỉ tiếp tục được quy trình đang tạm dừng")  # fmt: skip


def _switch_status(
    session: Session, actor: Actor, engine: Engine, instance_id: int, before: str, after: str, action: str,
    comment: str | None, refusal: str,
) -> ProcessInstance:  # fmt: skip
    instance = _instance(session, instance_id)
    if instance.status != before:
        raise Conflict("{refusal}; quy trình này {status_words}.",
                       {"refusal": refusal, "status_words": _status_words(instance)})
    now = engine.clock.now()
    instance.status, instance.updated_at = after, now
    _flush(session)  # the version check first: a concurrent change wins and nothing of ours is written
    record_event(
        session, action=action, object_type="process_instance", object_id=str(instance.id), actor=actor.user_id,
        before={"status": before}, after={"status": after}, comment=comment, dossier_id=instance.dossier_id, now=now,
    )  # fmt: skip
    session.flush()
    return instance


def cancel_instance(session: Session, actor: Actor, engine: Engine, instance_id: int, reason: str | None) -> Dossier:
    """Cancel a running or suspended instance: the same operation as cancelling its dossier."""
    instance = _instance(session, instance_id)
    return cancel_dossier(session, actor, engine, instance.dossier_id, reason or "")


def reassign_task(
    session: Session, actor: Actor, engine: Engine, task_id: int, assignee_id: int | None, comment: str | None = None
) -> HumanTask:
    """Give an open task to one user holding its role at its unit, or (assignee None) back to the whole group."""
    _require_admin(actor)
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("Không tìm thấy việc cần xử lý.")
    if task.state != "ready":
        raise Conflict("Việc này đã được xử lý hoặc không còn hiệu lực; không giao lại được.")
    instance = _instance(session, task.instance_id)
    if instance.status not in ("running", "suspended"):
        raise Conflict("Quy trình của việc này {status_words}.", {"status_words": _status_words(instance)})
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or assignee.id not in {u.id for u in eligible_assignees(session, task)}:
            raise InvalidInput("Chỉ giao lại được cho người đang hoạt động, giữ vai trò của việc này tại đúng đơn vị.")
    if assignee is not None and task.claimed_by == assignee.id:
        raise InvalidInput("Việc này đã do chính người đó xử lý.")
    if assignee is None and task.claimed_by is None:
        raise InvalidInput("Việc này đang chờ cả nhóm; chọn một người để giao.")
    now = engine.clock.now()
    before = task.claimed_by
    task.claimed_by, task.claimed_at = (assignee.id, now) if assignee is not None else (None, None)
    # Touch the instance row: if a completion commits meanwhile, its lock_version refuses this reassignment (409).
    instance.updated_at = now
    flag_modified(instance, "updated_at")  # an UPDATE (with the version check) even if the time is unchanged
    _flush(session)  # the version check first: a concurrent change wins and nothing of ours is written
    record_event(
        session, action="task.reassign", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
        before={"claimed_by": before},
        after={"claimed_by": task.claimed_by, "assignee": assignee.username if assignee else None},
        comment=nfc(comment or "") or None, dossier_id=instance.dossier_id, now=now,
    )  # fmt: skip
    if assignee is not None:
        dossier = session.get(Dossier, instance.dossier_id)
        assert dossier is not None
        notify_assignment(session, task, assignee, dossier, now)
    session.flush()
    return task


def eligible_assignees(session: Session, task: HumanTask) -> list[User]:
    """Who may be given the task: active users holding its role at its org unit."""
    return colleagues(session, task)
