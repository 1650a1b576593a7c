"""A user's notifications, newest first, each with its sentence built from its task and dossier.

A notice that asks for work on a task (a new task, one a return for supplement opened, the unit's notice of its
returned dossier, an assignment, an escalation) is done once its task is no longer open, whoever handled it, or it
was cancelled: it is shown as handled and not counted as unread. That is read here, from the task's state, when
the notices are shown; nothing is written when a task is completed.

A return's notice names the step that returned the dossier, its level and the reason typed: read from the task
that returned it (`returns_behind`), which was completed in the transaction that opened the notice's task. A
cancellation's notice gives the reason the admin typed, read from the cancellation's audit event (`cancel_reasons`).

The page lists a page at a time, newest first, keyset by id (`before_id`: no OFFSET), all or the unread ones only
(those the header's badge counts). For display, consecutive notices of one kind and one step that arrived in the
same minute (the 26 escalations of one timer run, say) are shown as one group (`grouped`); nothing about how
notices are stored or created changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from ..domain.notices import (REMINDER_KINDS, RETURN_KINDS, ReturnedBy, Translate, as_is, cancel_notice, notice_text,
                              reminder_notice, return_notice)
from ..models import AuditEvent, Dossier, HumanTask, Notification, OrgUnit, ProcessInstance, TaskReminder
from .step_names import step_names

# The kinds of notice that ask the user to act on their task: a task a return opened for the previous step's
# officials among them, and the unit's notice of its returned dossier (it names the preparation task the unit
# answers it with: once resubmitted or withdrawn, it is handled). The outcome notices (no task) tell of something,
# and stay as they are read.
TASK_KINDS = ("task", "task_returned", "returned", "assigned", "escalation", *REMINDER_KINDS)


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
    step: str | None = None  # a task notice's step name (its instance's version's), untranslated
    unit: str | None = None  # the name of the unit whose dossier it is about


@dataclass(frozen=True)
class NoticeGroup:
    """Consecutive notices shown together (`grouped`): one notice alone, or several of one kind and step that arrived
    in the same minute."""

    notices: tuple[NoticeRow, ...]

    @property
    def first(self) -> NoticeRow:
        return self.notices[0]

    @property
    def unread(self) -> int:
        """How many of them are still unread (as the header's badge counts: not those already handled)."""
        return sum(1 for n in self.notices if n.read_at is None and not n.done)

    @property
    def handled(self) -> int:
        return sum(1 for n in self.notices if n.done)

    @property
    def units(self) -> tuple[str, ...]:
        """The units whose dossiers the notices are about, each once, newest notice's first."""
        return tuple(dict.fromkeys(n.unit for n in self.notices if n.unit))


def still_to_do() -> ColumnElement[bool]:
    """The notices still asking for something: any notice but a task notice whose task is no longer open.

    The task's state is a correlated scalar subquery, not a join: both databases run it once per notice they
    count (the user's few unread ones), as one lookup of the task by its primary key, never a scan or a hash of
    the task table."""
    state = select(HumanTask.state).where(HumanTask.id == Notification.task_id).scalar_subquery()
    return or_(Notification.kind.not_in(TASK_KINDS), Notification.task_id.is_(None), state == "ready")


def _done(kind: str, task_id: int | None, state: str | None) -> bool:
    return kind in TASK_KINDS and task_id is not None and state != "ready"


def recent_notices(session: Session, user_id: int, limit: int, tr: Translate = as_is, *,
                   before_id: int | None = None, unread_only: bool = False) -> list[NoticeRow]:  # fmt: skip
    """The user's newest `limit` notifications (older than `before_id`, if given: the next page), their sentences in
    `tr`'s locale (the reader's); with `unread_only`, those the header's badge counts (unread and still to do)."""
    query = (
        select(Notification, ProcessInstance.version_id, HumanTask.bpmn_id, HumanTask.state, Dossier.title, OrgUnit.name)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Dossier, Dossier.id == Notification.dossier_id)
        .outerjoin(OrgUnit, OrgUnit.id == Dossier.unit_id)
        .where(Notification.user_id == user_id)
    )  # fmt: skip
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    if unread_only:  # as `still_to_do`, from the task already joined
        to_do = or_(Notification.kind.not_in(TASK_KINDS), Notification.task_id.is_(None), HumanTask.state == "ready")
        query = query.where(Notification.read_at.is_(None), to_do)
    rows = session.execute(query.order_by(Notification.id.desc()).limit(limit)).all()
    names = step_names(session, [(version, step) for _, version, step, *_ in rows if step is not None])
    returns = returns_behind(session, [n.task_id for n, *_ in rows if n.kind in RETURN_KINDS and n.task_id is not None])
    reasons = cancel_reasons(session, [n.dossier_id for n, *_ in rows if n.kind == "cancelled" and n.dossier_id])
    reminded = reminders_sent(session, [n.task_id for n, *_ in rows if n.kind in REMINDER_KINDS and n.task_id])
    notices = []
    for n, version, step, state, title, unit in rows:
        name = names.get((version, step))
        notices.append(NoticeRow(n.id, n.kind, n.task_id, n.dossier_id, n.created_at, n.read_at,
                                 _text(n, name, title, returns, reasons, reminded, tr), _done(n.kind, n.task_id, state),
                                 name, unit))  # fmt: skip
    return notices


# A page runs past its size to finish its last group (one minute's notices of a step: a timer run, a batch), up to
# this many notices: a group is never split across two pages unless it is larger than this.
GROUP_LIMIT = 1000


def notice_page(session: Session, user_id: int, size: int, tr: Translate = as_is, *, before_id: int | None = None,
                unread_only: bool = False) -> tuple[list[NoticeRow], bool]:  # fmt: skip
    """A page of the user's notices (recent_notices' arguments): the newest `size`, and those after them that belong
    to its last group (grouped), so the next page begins with a new group; and whether older notices remain."""
    rows = recent_notices(session, user_id, size + 1, tr, before_id=before_id, unread_only=unread_only)
    shown, rest = rows[:size], rows[size:]
    while rest and _together(shown[-1], rest[0]) and len(shown) < GROUP_LIMIT:
        shown.append(rest.pop(0))
        if not rest:  # the group may go on: the next notices, as the next page would read them
            rest = recent_notices(session, user_id, size + 1, tr, before_id=shown[-1].id, unread_only=unread_only)
    return shown, bool(rest)


def _together(a: NoticeRow, b: NoticeRow) -> bool:
    """Whether two notices, next to each other in the list, are shown in one group: task notices of one kind, of the
    same step (as named: whichever dossiers and units), that arrived in the same minute (the minute the page shows).
    Notices with no task (how a dossier ended, a cancellation) are each shown alone."""
    return (a.task_id is not None and b.task_id is not None and a.step is not None and a.kind == b.kind
            and a.step == b.step
            and a.created_at.replace(second=0, microsecond=0) == b.created_at.replace(second=0, microsecond=0))


def grouped(notices: Iterable[NoticeRow]) -> list[NoticeGroup]:
    """The notices in their order, consecutive ones that go `_together` in one group (a notice alone in its own)."""
    groups: list[list[NoticeRow]] = []
    for notice in notices:
        if groups and _together(groups[-1][-1], notice):
            groups[-1].append(notice)
        else:
            groups.append([notice])
    return [NoticeGroup(tuple(group)) for group in groups]


def _text(notice: Notification, task_name: str | None, title: str | None, returns: dict[int, ReturnedBy],
          reasons: dict[int, str | None], reminded: dict[int, list[TaskReminder]], tr: Translate) -> str:  # fmt: skip
    if notice.kind in REMINDER_KINDS and notice.task_id is not None:
        sent = reminded.get(notice.task_id, [])
        # The reminder sent with this notice (the same moment); else the task's latest.
        reminder = next((r for r in sent if r.sent_at == notice.created_at), sent[-1] if sent else None)
        return reminder_notice(task_name, title, reminder and reminder.level, reminder and reminder.deadline, tr)[0]
    if notice.kind in RETURN_KINDS and notice.task_id is not None:
        return return_notice(notice.kind, task_name, title, returns.get(notice.task_id), tr)[0]
    if notice.kind == "cancelled" and notice.dossier_id is not None:
        return cancel_notice(title, reasons.get(notice.dossier_id), tr)[0]
    return notice_text(notice.kind, task_name, title, tr)


def cancel_reasons(session: Session, dossier_ids: Iterable[int]) -> dict[int, str | None]:
    """For each of these dossiers whose process was cancelled: the reason typed with the (last) cancellation, from
    its audit event. Rare notices: one query through the trail's dossier index, only when a list holds one."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(AuditEvent.dossier_id, AuditEvent.comment)
        .where(AuditEvent.dossier_id.in_(ids), AuditEvent.action == "instance.cancel").order_by(AuditEvent.id)
    ).all()  # fmt: skip
    return {dossier_id: comment for dossier_id, comment in rows}  # the last cancellation's, if there were several


def reminders_sent(session: Session, task_ids: Iterable[int]) -> dict[int, list[TaskReminder]]:
    """For each of these tasks, the reminders of its forward-by deadline sent so far (operations.reminders), oldest
    first: a reminder notice names the level and the day it was sent for. One query by the reminders' key."""
    ids = sorted(set(task_ids))
    if not ids:
        return {}
    found: dict[int, list[TaskReminder]] = {}
    for reminder in session.scalars(select(TaskReminder).where(TaskReminder.task_id.in_(ids))
                                    .order_by(TaskReminder.task_id, TaskReminder.sent_at)):  # fmt: skip
        found.setdefault(reminder.task_id, []).append(reminder)
    return found


_RETURNING = aliased(HumanTask)


def returns_behind(session: Session, task_ids: Iterable[int]) -> dict[int, ReturnedBy]:
    """For each of these tasks that a return for supplement opened: the step that returned the dossier (its name in
    the instance's version), its level and the reason typed. The returning task is the one of the same instance
    completed with "return" at the moment the task was opened (one transaction writes both, with the same time);
    a task opened otherwise is not in the answer. One query, through the (instance, task guid) index."""
    ids = sorted(set(task_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(HumanTask.id, ProcessInstance.version_id, _RETURNING.bpmn_id, _RETURNING.level, _RETURNING.comment)
        .join(_RETURNING, and_(_RETURNING.instance_id == HumanTask.instance_id, _RETURNING.decision == "return",
                               _RETURNING.completed_at == HumanTask.created_at))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.id.in_(ids))
    ).all()  # fmt: skip
    names = step_names(session, [(version, step) for _, version, step, _, _ in rows])
    return {task_id: ReturnedBy(names.get((version, step), step), str(level), comment)
            for task_id, version, step, level, comment in rows}  # fmt: skip
