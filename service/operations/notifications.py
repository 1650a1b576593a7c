"""In-app notifications (and the e-mail job each one enqueues) for new tasks, returns and escalations.

Called from `instances.apply_outcome`, in the same transaction as the state change: a notification and
its e-mail job exist iff the outcome committed. Recipients of a group task are the users holding the task's
role at its org unit (valid today); a return goes to the submitting unit's clerks; an escalation to the
holders of the escalation role (the chairman) at the escalation unit. A task handed to one official
(a colleague's assignment or an admin's reassignment) tells that official: `notify_assignment`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, insert, select, update
from sqlalchemy.orm import Session

from workflows import Outcome

from ..config import SmtpSettings, smtp_settings
from ..domain.notices import notice_subject, notice_text
from ..models import Dossier, HumanTask, Notification, User
from ..queries.org import HOLDERS_ON_DAY, Contact, role_holder_contacts
from ..queries.step_names import task_name
from .audit import Rider, send_with_next_append
from .jobs import enqueue
from .rows import insert_rows

CLERK_ROLE = "unit_clerk"


def notify_outcome(session: Session, instance_id: int, dossier: Dossier, created: list[HumanTask], outcome: Outcome,
                   now: datetime) -> None:  # fmt: skip
    """Notify the people an applied outcome concerns (see the module docstring)."""
    told: set[int] = set()
    names: dict[int, str] = {}  # each task's name read once for all its recipients' e-mails
    rows: list[dict[str, Any]] = []  # every notification of this outcome, inserted in one statement at the end
    settings = smtp_settings()
    if created and dossier.status == "returned":
        for user in role_holder_contacts(session, CLERK_ROLE, dossier.unit_id, now.date()):
            told.add(user.id)
            _notify(session, user, "returned", dossier, created[0], now, names, rows, settings)
    for task in created:
        if task.claimed_by is not None:
            continue
        if settings is None and not told:
            # The usual case (a new group task, no e-mail to write): the holders are read and notified
            # by the database in one statement. On PostgreSQL it goes with the outcome's audit events, which
            # the caller appends next (audit.Rider): a round trip less.
            params = {"kind": "task", "dossier_id": dossier.id, "task_id": task.id, "created_at": now,
                      "role": task.role, "unit_id": task.org_unit_id, "on": now.date()}  # fmt: skip
            send_with_next_append(session, Rider(_NOTIFY_HOLDERS, params))
            continue
        for user in role_holder_contacts(session, task.role, task.org_unit_id, now.date()):
            if user.id not in told:
                _notify(session, user, "task", dossier, task, now, names, rows, settings)
    fired = [e.detail.get("attached_task_id") for e in outcome.events if e.kind == "timer_fired"]
    if fired:
        fired_rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.task_guid.in_(fired)))  # fmt: skip
        for row in fired_rows:
            if row.escalate_to_role and row.escalate_to_unit_id:
                for user in role_holder_contacts(session, row.escalate_to_role, row.escalate_to_unit_id, now.date()):
                    _notify(session, user, "escalation", dossier, row, now, names, rows, settings)
    insert_rows(session, Notification, rows)


# INSERT … SELECT of one notification for each holder of a role at a unit on a day (role_holder_contacts).
_NOTIFY_HOLDERS = insert(Notification.__table__).from_select(
    ["user_id", "kind", "dossier_id", "task_id", "created_at"],
    HOLDERS_ON_DAY.with_only_columns(
        User.id, bindparam("kind", type_=Notification.kind.type), bindparam("dossier_id", type_=Integer),
        bindparam("task_id", type_=Integer), bindparam("created_at", type_=Notification.created_at.type),
    ).order_by(None).distinct(),
).returning(Notification.id)  # fmt: skip  (RETURNING: a rider of the audit append is counted by its rows)


def notify_assignment(session: Session, task: HumanTask, assignee: User, dossier: Dossier, now: datetime) -> None:
    """The task is now in `assignee`'s own inbox: tell them, in the app and by e-mail."""
    rows: list[dict[str, Any]] = []
    _notify(session, assignee, "assigned", dossier, task, now, None, rows, smtp_settings())
    insert_rows(session, Notification, rows)


def _notify(session: Session, user: User | Contact, kind: str, dossier: Dossier, task: HumanTask,
            now: datetime, names: dict[int, str] | None, rows: list[dict[str, Any]],
            settings: SmtpSettings | None) -> None:  # fmt: skip
    # The row names the kind, task and dossier only: its sentence is built when shown (domain.notices).
    rows.append({"user_id": user.id, "kind": kind, "dossier_id": dossier.id, "task_id": task.id, "created_at": now})
    if settings is not None and user.email:
        names = {} if names is None else names
        if task.id not in names:
            names[task.id] = task_name(session, task)
        name = names[task.id]
        text, subject = notice_text(kind, name, dossier.title), notice_subject(kind, name, dossier.title)
        link = f"{settings.base_url}/tasks/{task.id}"
        body = (f"Kính gửi {user.full_name},\n\n{text}\n\nXem và xử lý tại: {link}\n\n"
                "— Hệ thống Thi đua (thư tự động, xin đừng trả lời)\n")  # fmt: skip
        enqueue(session, "send_email", {"to": user.email, "subject": subject, "body": body})


def unread_count(session: Session, user_id: int) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)  # fmt: skip


def mark_read(session: Session, user_id: int, notification_id: int | None, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of this user read; returns how many changed."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return int(session.execute(query.values(read_at=now)).rowcount or 0)
