"""A user's notifications, newest first, each with its sentence built from its task and dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.notices import notice_text
from ..models import Dossier, HumanTask, Notification, ProcessInstance
from .step_names import step_names


@dataclass(frozen=True)
class NoticeRow:
    id: int
    kind: str
    task_id: int | None
    dossier_id: int | None
    created_at: datetime
    read_at: datetime | None
    text: str


def recent_notices(session: Session, user_id: int, limit: int) -> list[NoticeRow]:
    """The user's newest `limit` notifications."""
    rows = session.execute(
        select(Notification, ProcessInstance.version_id, HumanTask.bpmn_id, Dossier.title)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Dossier, Dossier.id == Notification.dossier_id)
        .where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
    ).all()  # fmt: skip
    names = step_names(session, [(version, step) for _, version, step, _ in rows if step is not None])
    return [NoticeRow(n.id, n.kind, n.task_id, n.dossier_id, n.created_at, n.read_at,
                      notice_text(n.kind, names.get((version, step)), title))
            for n, version, step, title in rows]  # fmt: skip
