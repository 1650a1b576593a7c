"""A user's notifications, newest first, each with its sentence built from its task and dossier.

A notice that asks for work on a task (a new task, an assignment, an escalation) is done once its task is no
longer open, whoever handled it, or it was cancelled: it is shown as handled and not counted as unread. That is
read here, from the task's state, when the notices are shown; nothing is written when a task is completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ..domain.notices import Translate, as_is, notice_text
from ..models import Dossier, HumanTask, Notification, ProcessInstance
from .step_names import step_names

# The kinds of notice that ask the user to act on their task; a returned dossier's notice (it too names the task
# the unit answers it with) and the outcome notices (no task) tell of something, and stay as they are read.
TASK_KINDS = ("task", "assigned", "escalation")


@dataclass(frozen=True)
class NoticeRow:
    id: int
    kind: str
    task_id: int | None
    dossier_id: int | None
    created_at: datetime
    read_at: datetime | None
    text: str
    done: bool = False  # a task notice whose task is no longer open: shown as handled, not counted as unread


def still_to_do() -> ColumnElement[bool]:
    """The notices still asking for something: any notice but a task notice whose task is no longer open.

    The task's state is a correlated scalar subquery, not a join: both databases run it once per notice they
    count (the user's few unread ones), as one lookup of the task by its primary key, never a scan or a hash of
    the task table."""
    state = select(HumanTask.state).where(HumanTask.id == Notification.task_id).scalar_subquery()
    return or_(Notification.kind.not_in(TASK_KINDS), Notification.task_id.is_(None), state == "ready")


def _done(kind: str, task_id: int | None, state: str | None) -> bool:
    return kind in TASK_KINDS and task_id is not None and state != "ready"


def recent_notices(session: Session, user_id: int, limit: int, tr: Translate = as_is) -> list[NoticeRow]:
    """The user's newest `limit` notifications, their sentences in `tr`'s locale (the reader's)."""
    rows = session.execute(
        select(Notification, ProcessInstance.version_id, HumanTask.bpmn_id, HumanTask.state, Dossier.title)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Dossier, Dossier.id == Notification.dossier_id)
        .where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
    ).all()  # fmt: skip
    names = step_names(session, [(version, step) for _, version, step, _, _ in rows if step is not None])
    return [NoticeRow(n.id, n.kind, n.task_id, n.dossier_id, n.created_at, n.read_at,
                      notice_text(n.kind, names.get((version, step)), title, tr), _done(n.kind, n.task_id, state))
            for n, version, step, state, title in rows]  # fmt: skip
