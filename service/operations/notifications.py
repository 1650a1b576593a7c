"""In-app notifications (and the e-mail job each one enqueues) for new tasks, returns, escalations and outcomes.

Called from `instances.apply_outcome`, in the same transaction as the state change: a notification and
its e-mail job exist iff the outcome committed. Recipients of a group task are the users holding the task's
role at its org unit (valid today); a return goes to the submitting unit's clerks ("returned") when it sends the
dossier back to the unit, and to the holders of the task it opens at any level ("task_returned": the previous
step's officials), each notice naming the step that returned it, its level and the reason; an escalation to the
holders of the escalation role (the chairman) at the escalation unit; the end of a dossier's process (granted,
in part or in full, or not granted at some level) and an admin's cancellation of it to the submitting unit's
clerks, as a return does. Whoever's
action it was is not told of it (the clerk who creates a dossier is not told of the task it opens for them).
A task handed to one official (a colleague's assignment or an admin's reassignment) tells that official:
`notify_assignment`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataclasses import replace

from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from workflows import Outcome

from ..config import SmtpSettings, smtp_settings
from ..domain.notices import (DOSSIER_MAIL, OUTCOME_KINDS, RETURN_KINDS, TASK_MAIL, NomineeFate, ReturnedBy, Translate,
                              as_is, cancel_notice, notice_subject, notice_text, outcome_kind, outcome_notice,
                              return_notice)
from ..domain.notices_en import translator
from ..models import (AwardForm, Campaign, Decision, Dossier, HumanTask, Nominee, NomineeDecision, Notification, OrgUnit,
                      ProcessInstance, User)  # fmt: skip
from ..queries.campaign_config import campaign_config
from ..queries.notifications import NoticeRow, cancel_reasons, returns_behind, still_to_do
from ..queries.org import HOLDERS_ON_DAY, Contact, role_holder_contacts
from ..queries.step_names import task_name
from .audit import Rider, record_events, send_with_next_append
from .jobs import enqueue
from .preferences import stored_locale
from .rows import insert_rows

CLERK_ROLE = "unit_clerk"


def notify_outcome(session: Session, instance_id: int, dossier: Dossier, created: list[HumanTask], outcome: Outcome,
                   now: datetime, actor_id: int | None = None) -> None:  # fmt: skip
    """Notify the people an applied outcome concerns (see the module docstring); `actor_id`, whose action
    it was, is not told. Called once the step's decisions are written (the end's notice e-mails name them)."""
    told: set[int] = set()
    names: dict[int, str] = {}  # each task's name read once for all its recipients' e-mails
    rows: list[dict[str, Any]] = []  # every notification of this outcome, inserted in one statement at the end
    settings = smtp_settings()
    # A return for supplement (read from the outcome: no statement) opens its tasks as returned ones; their notices
    # name the returning step and its reason when shown (queries.notifications.returns_behind).
    returned = bool(created) and _is_return(outcome)
    task_kind = "task_returned" if returned else "task"
    returns: dict[int, ReturnedBy] = {}
    if returned and settings is not None:
        # A return's e-mails say why, and the reason is the returning task's comment: its write, held on PostgreSQL
        # for the audit append (audit.Rider), is sent now (an append of no events), then read back with the step's
        # name. Returns are rare: the extra round trips are not on the usual completion's path.
        record_events(session, [])
        returns = returns_behind(session, [task.id for task in created])
    if created and dossier.status == "returned":
        for user in role_holder_contacts(session, CLERK_ROLE, dossier.unit_id, now.date()):
            if user.id != actor_id:
                told.add(user.id)
                _notify(session, user, "returned", dossier, created[0], now, names, rows, settings, returns)
    for task in created:
        if task.claimed_by is not None:
            continue
        if settings is None and not told:
            # The usual case (a new group task, no e-mail to write): the holders but the actor are read and
            # notified by the database in one statement. On PostgreSQL it goes with the outcome's audit events,
            # which the caller appends next (audit.Rider): a round trip less. A return's notice is the same row
            # of another kind.
            params = {"kind": task_kind, "dossier_id": dossier.id, "task_id": task.id, "created_at": now,
                      "role": task.role, "unit_id": task.org_unit_id, "on": now.date(),
                      "actor_id": actor_id}  # fmt: skip
            send_with_next_append(session, Rider(_NOTIFY_HOLDERS, params))
            continue
        for user in role_holder_contacts(session, task.role, task.org_unit_id, now.date()):
            if user.id not in told and user.id != actor_id:
                _notify(session, user, task_kind, dossier, task, now, names, rows, settings, returns)
    fired = [e.detail.get("attached_task_id") for e in outcome.events if e.kind == "timer_fired"]
    if fired:
        fired_rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.task_guid.in_(fired)))  # fmt: skip
        for row in fired_rows:
            if row.escalate_to_role and row.escalate_to_unit_id:
                for user in role_holder_contacts(session, row.escalate_to_role, row.escalate_to_unit_id, now.date()):
                    if user.id != actor_id:
                        _notify(session, user, "escalation", dossier, row, now, names, rows, settings)
    kind = outcome_kind(dossier.status) if outcome.status == "completed" else None
    if kind is not None:  # the process has ended: only such a completion does any of this
        _notify_end(session, dossier, kind, now, actor_id, rows, settings)
    elif outcome.status == "cancelled":  # an admin cancelled it: the unit is told, with the reason typed
        _notify_end(session, dossier, "cancelled", now, actor_id, rows, settings)
    insert_rows(session, Notification, rows)


def _is_return(outcome: Outcome) -> bool:
    """Whether a step completed in this outcome was decided "return" (its decision variable, `<step>_decision`,
    as the engine's data holds it after the step: workflows.lint.decision_variable)."""
    return any(event.kind == "task_completed" and outcome.data.get(f"{event.bpmn_id}_decision") == "return"
               for event in outcome.events)  # fmt: skip


def _notify_end(session: Session, dossier: Dossier, kind: str, now: datetime, actor_id: int | None,
                rows: list[dict[str, Any]], settings: SmtpSettings | None) -> None:  # fmt: skip
    """Tell the unit's clerks how the dossier ended (a notice with no task: its sentence is built when shown
    from the nominees' fates, `outcome_texts`); by e-mail too, with those fates as they now stand."""
    if settings is None:
        # As a new task's holders: one INSERT … SELECT, riding with the audit append on PostgreSQL.
        params = {"kind": kind, "dossier_id": dossier.id, "task_id": None, "created_at": now, "role": CLERK_ROLE,
                  "unit_id": dossier.unit_id, "on": now.date(), "actor_id": actor_id}  # fmt: skip
        send_with_next_append(session, Rider(_NOTIFY_HOLDERS, params))
        return
    clerks = [c for c in role_holder_contacts(session, CLERK_ROLE, dossier.unit_id, now.date()) if c.id != actor_id]
    rows.extend({"user_id": c.id, "kind": kind, "dossier_id": dossier.id, "task_id": None, "created_at": now}
                for c in clerks)  # fmt: skip
    mailed = [c for c in clerks if c.email]
    if not mailed:
        return
    # A cancellation's reason is its audit event's, written before the outcome is applied; an end's, the fates.
    cancelled = kind == "cancelled"
    reason = cancel_reasons(session, [dossier.id]).get(dossier.id) if cancelled else None
    fates = [] if cancelled else dossier_fates(session, [dossier.id]).get(dossier.id, [])
    link = dossier_link(settings.base_url, dossier.id)
    for clerk in mailed:  # each in the language the clerk chose in the web UI (Vietnamese if none)
        tr = translator(clerk.locale)
        text, subject = (cancel_notice(dossier.title, reason, tr) if cancelled
                         else outcome_notice(kind, dossier.title, fates, tr))  # fmt: skip
        body = tr(DOSSIER_MAIL).format(name=clerk.full_name, text=text, link=link)
        enqueue(session, "send_email", {"to": clerk.email, "subject": subject, "body": body})


# A decision that awards a unit's nominees is told to the unit's clerks, one notice per dossier it names (kind
# DECISION_KIND, linking to the dossier page, where the decision and the dossier's certificates are listed).
DECISION_KIND = "decision_issued"
DECISION_NOTICE = "Đã có Quyết định số {number} của {issuer} khen thưởng hồ sơ “{dossier}”."
DECISION_SUBJECT = "[Thi đua] Quyết định số {number} khen thưởng hồ sơ: {dossier}"


def notify_decision(session: Session, decision: Decision, dossier_ids: list[int], now: datetime,
                    actor_id: int | None = None) -> None:  # fmt: skip
    """Tell the clerks of each unit whose dossier the decision awards that it is issued: in the app, and by
    e-mail (when SMTP is set and the clerk has an address) naming the decision's number and issuer."""
    settings = smtp_settings()
    issuer = session.scalar(select(OrgUnit.name).where(OrgUnit.id == decision.issuing_unit_id)) or ""
    rows: list[dict[str, Any]] = []
    dossiers = session.execute(select(Dossier.id, Dossier.unit_id, Dossier.title)
                               .where(Dossier.id.in_(dossier_ids)).order_by(Dossier.id)).all()  # fmt: skip
    clerks: dict[int, list[Contact]] = {}
    for dossier_id, unit_id, title in dossiers:
        if unit_id not in clerks:
            clerks[unit_id] = [c for c in role_holder_contacts(session, CLERK_ROLE, unit_id, now.date()) if c.id != actor_id]
        for clerk in clerks[unit_id]:
            rows.append({"user_id": clerk.id, "kind": DECISION_KIND, "dossier_id": dossier_id, "task_id": None,
                         "created_at": now})  # fmt: skip
            if settings is None or not clerk.email:
                continue
            tr = translator(clerk.locale)
            values = {"number": decision.number, "issuer": issuer, "dossier": title}
            body = tr(DOSSIER_MAIL).format(name=clerk.full_name, text=tr(DECISION_NOTICE).format(**values),
                                           link=dossier_link(settings.base_url, dossier_id))  # fmt: skip
            enqueue(session, "send_email", {"to": clerk.email, "subject": tr(DECISION_SUBJECT).format(**values),
                                            "body": body})  # fmt: skip
    insert_rows(session, Notification, rows)


def task_link(base_url: str, task_id: int) -> str:
    """The address an e-mail gives for a task: its page in the web UI (web.inbox.task)."""
    return f"{base_url}/inbox/tasks/{task_id}"


def dossier_link(base_url: str, dossier_id: int) -> str:
    """The address an e-mail gives for a dossier: its page in the web UI (web.dossiers.show)."""
    return f"{base_url}/dossiers/{dossier_id}"


# INSERT … SELECT of one notification for each holder of a role at a unit on a day (role_holder_contacts).
_NOTIFY_HOLDERS = insert(Notification.__table__).from_select(
    ["user_id", "kind", "dossier_id", "task_id", "created_at"],
    HOLDERS_ON_DAY.with_only_columns(
        User.id, bindparam("kind", type_=Notification.kind.type), bindparam("dossier_id", type_=Integer),
        bindparam("task_id", type_=Integer), bindparam("created_at", type_=Notification.created_at.type),
    ).where(User.id.is_distinct_from(bindparam("actor_id", type_=Integer))).order_by(None).distinct(),
).returning(Notification.id)  # fmt: skip  (RETURNING: a rider of the audit append is counted by its rows)


def notify_assignment(session: Session, task: HumanTask, assignee: User, dossier: Dossier, now: datetime) -> None:
    """The task is now in `assignee`'s own inbox: tell them, in the app and by e-mail."""
    rows: list[dict[str, Any]] = []
    _notify(session, assignee, "assigned", dossier, task, now, None, rows, smtp_settings())
    insert_rows(session, Notification, rows)


def _notify(session: Session, user: User | Contact, kind: str, dossier: Dossier, task: HumanTask,
            now: datetime, names: dict[int, str] | None, rows: list[dict[str, Any]],
            settings: SmtpSettings | None, returns: dict[int, ReturnedBy] | None = None) -> None:  # fmt: skip
    # The row names the kind, task and dossier only: its sentence is built when shown (domain.notices). A return's
    # e-mail names the returning step and reason (`returns`, by the task the return opened).
    rows.append({"user_id": user.id, "kind": kind, "dossier_id": dossier.id, "task_id": task.id, "created_at": now})
    if settings is not None and user.email:
        names = {} if names is None else names
        if task.id not in names:
            names[task.id] = task_name(session, task)
        name = names[task.id]
        # In the language the user chose in the web UI (a contact carries it; a user is asked), else Vietnamese.
        tr = translator(user.locale if isinstance(user, Contact) else stored_locale(session, user.id))
        if kind in RETURN_KINDS:
            text, subject = return_notice(kind, name, dossier.title, (returns or {}).get(task.id), tr)
        else:
            text, subject = notice_text(kind, name, dossier.title, tr), notice_subject(kind, name, dossier.title, tr)
        link = task_link(settings.base_url, task.id)
        body = tr(TASK_MAIL).format(name=user.full_name, text=text, link=link)
        enqueue(session, "send_email", {"to": user.email, "subject": subject, "body": body})


def dossier_fates(session: Session, dossier_ids: list[int]) -> dict[int, list[NomineeFate]]:
    """Each ended dossier's nominees as they came out: the award granted (under its campaign's name) or the
    level and reason of the latest refusal. A nominee the process left without an outcome of its own takes the
    dossier's: granted if it ended granted, else turned down where its process ended (end_rejected_<level>)."""
    if not dossier_ids:
        return {}
    dossiers = {d.id: (d, end) for d, end in session.execute(
        select(Dossier, ProcessInstance.end_event).outerjoin(ProcessInstance, ProcessInstance.dossier_id == Dossier.id)
        .where(Dossier.id.in_(dossier_ids))
    )}  # fmt: skip
    nominees = session.execute(
        select(Nominee.id, Nominee.dossier_id, Nominee.full_name, Nominee.outcome, Nominee.outcome_level,
               AwardForm.code, AwardForm.name)
        .join(AwardForm, AwardForm.id == Nominee.award_form_id)
        .where(Nominee.dossier_id.in_(dossier_ids)).order_by(Nominee.id)
    ).all()  # fmt: skip
    reasons = dict(session.execute(  # oldest first: a nominee's latest refusal is the one kept
        select(NomineeDecision.nominee_id, NomineeDecision.reason)
        .join(Nominee, Nominee.id == NomineeDecision.nominee_id)
        .where(Nominee.dossier_id.in_(dossier_ids), NomineeDecision.result == "reject").order_by(NomineeDecision.id)
    ).all())  # fmt: skip
    configs = {}
    for campaign_id in {d.campaign_id for d, _ in dossiers.values()}:
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            configs[campaign_id] = campaign_config(session, campaign)
    fates: dict[int, list[NomineeFate]] = {}
    for n in nominees:
        dossier, end_event = dossiers[n.dossier_id]
        config = configs.get(dossier.campaign_id)
        award = config.award_name(n.code, n.name) if config is not None else n.name
        granted = n.outcome == "granted" if n.outcome is not None else dossier.status == "granted"
        level = n.outcome_level if n.outcome is not None else _end_level(end_event)
        reason = reasons.get(n.id) if not granted else None
        fates.setdefault(n.dossier_id, []).append(NomineeFate(n.full_name, granted, award, level, reason))
    return fates


def _end_level(end_event: str | None) -> str | None:
    """'end_rejected_ward' → 'ward' (end events follow a naming convention: domain.dossier_status)."""
    for level in ("ward", "district", "province", "unit"):
        if end_event and end_event.endswith("_" + level):
            return level
    return None


def outcome_texts(session: Session, notices: list[NoticeRow], tr: Translate = as_is) -> list[NoticeRow]:
    """The notices with each outcome notice's sentence naming its dossier's nominees' fates (read for the
    outcome notices' dossiers only, all at once), in `tr`'s locale; other notices as they are."""
    ended = sorted({n.dossier_id for n in notices if _tells_outcome(n)})  # type: ignore[type-var]
    if not ended:
        return notices
    titles = dict(session.execute(select(Dossier.id, Dossier.title).where(Dossier.id.in_(ended))).all())
    fates = dossier_fates(session, ended)
    return [replace(n, text=outcome_notice(n.kind, titles[n.dossier_id], fates.get(n.dossier_id, []), tr)[0])
            if _tells_outcome(n) and n.dossier_id in titles else n for n in notices]  # fmt: skip


def _tells_outcome(notice: NoticeRow) -> bool:
    return notice.kind in OUTCOME_KINDS.values() and notice.task_id is None and notice.dossier_id is not None


def unread_count(session: Session, user_id: int) -> int:
    """The header's count: the user's unread notices but those whose task is no longer open (`still_to_do`),
    the unread rows read through their own index, each task notice's task by its primary key."""
    return int(session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == user_id, Notification.read_at.is_(None), still_to_do())
                              ) or 0)  # fmt: skip


def mark_read(session: Session, user_id: int, notification_id: int | None, now: datetime) -> int:
    """Mark one (or, with None, every) unread notification of this user read; returns how many changed."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return int(session.execute(query.values(read_at=now)).rowcount or 0)
