"""A completion on PostgreSQL: its round trips, and the writes that ride with its audit append (audit.Rider)
or with the instance's UPDATE (rows.update_then_insert).

The task's compare-and-set and the new task's notifications are sent in the statement that appends the
audit events. What is stored must be what the separate statements stored, the compare-and-set must still
let one official win, and a rider must never outlive its transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory
from service.errors import Conflict
from service.domain.dossier_status import status_while_running
from service.models import AuditEvent, Dossier, HumanTask, Notification, RequestOrigin, UserAgent
from service.operations.accounts import actor_for
from service.operations.audit import (REQUEST_ORIGIN, Rider, record_event, record_events, send_with_next_append,
                                      verify_chain)  # fmt: skip
from service.operations.tasks import complete_task, rows_for_completion
from workflows import Engine as WorkflowEngine
from workflows import FixedClock

from .helpers import act, new_dossier, open_task, owner_username


@pytest.fixture
def pg_factory(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield make_session_factory(engine)
    engine.dispose()


def _sent(engine: Engine) -> list[str]:
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    return sent


def test_a_completion_sends_its_compare_and_set_and_notifications_with_the_audit_events(pg_factory):
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(pg_factory, engine)
    act(pg_factory, engine, dossier_id)  # submitted: the ward office reviews next
    task = open_task(pg_factory, dossier_id)
    username = owner_username(pg_factory, task)
    sent = _sent(pg_factory.kw["bind"])
    with pg_factory() as session, session.begin():
        actor = actor_for(session, username)
        start = len(sent)
        complete_task(session, actor, engine, task.id, "approve", "Đủ hồ sơ")
        completion = sent[start:]
    assert [statement.split()[0] for statement in completion] == [
        "SELECT",  # the task with its instance, dossier, campaign and lane owners
        "SELECT",  # the appraisal's eligibility records (the nominees with their past awards: migration 0030)
        "WITH",  # the instance at its lock_version, and the next task inserted only if that UPDATE changed it
        "WITH",  # the dossier, its notifications, the task's compare-and-set, the audit events and the chain head
    ]
    moved = completion[2]
    assert "UPDATE process_instance SET" in moved and "INSERT INTO human_task" in moved and "lock_version" in moved
    append = completion[-1]
    assert "INSERT INTO notification" in append and "UPDATE human_task" in append and "INSERT INTO audit_event" in append
    assert "UPDATE dossier SET" in append
    assert not any(s.startswith(("UPDATE human_task", "INSERT INTO notification", "UPDATE audit_chain_head", "UPDATE dossier"))
                   for s in completion)  # fmt: skip


def test_what_a_completion_stores_is_what_separate_statements_stored(factory):
    """On both databases: the completed task keeps every other column, the next task's holders are told."""
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    act(factory, engine, dossier_id, comment="Đủ hồ sơ")
    nxt = open_task(factory, dossier_id)
    with factory() as session:
        done = session.get(HumanTask, task.id)
        assert (done.state, done.decision, done.comment, done.role, done.level, done.created_at, done.bpmn_id) == (
            "completed", "approve", "Đủ hồ sơ", task.role, task.level, task.created_at, task.bpmn_id)
        told = session.scalars(select(Notification.kind).where(Notification.task_id == nxt.id)).all()
        assert told and set(told) == {"task"}
        # The dossier's UPDATE (riding with the append on PostgreSQL) stored where it now is.
        moved = session.get(Dossier, dossier_id)
        assert (moved.status, moved.current_step) == (status_while_running([nxt.bpmn_id], True), nxt.bpmn_id)
        assert moved.updated_at == done.completed_at
        assert verify_chain(session).ok


def test_a_task_taken_meanwhile_is_a_conflict_and_appends_nothing(pg_factory):
    """The compare-and-set rides with the append: if it finds the task no longer ready, nothing is appended."""
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(pg_factory, engine)
    act(pg_factory, engine, dossier_id)
    task = open_task(pg_factory, dossier_id)
    username = owner_username(pg_factory, task)
    with pg_factory() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pg_factory() as session:
        session.begin()
        actor = actor_for(session, username)
        rows = rows_for_completion(session, task.id)  # read while still ready
        with pg_factory() as other, other.begin():  # another transaction closes the task (not the instance)
            other.execute(update(HumanTask).where(HumanTask.id == task.id).values(state="cancelled"))
        with pytest.raises(Conflict, match="Việc này vừa được người khác xử lý; quyết định của bạn chưa được ghi"):
            complete_task(session, actor, engine, task.id, "approve", "Đủ hồ sơ", rows=rows)
        session.rollback()
    with pg_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        assert session.get(HumanTask, task.id).state == "cancelled"
        assert verify_chain(session).ok


# Every value a named parameter: a rider's parameters are renamed in the append, so columns taken from them would go.
_NOTE = insert(Notification).values({name: bindparam(name) for name in ("user_id", "kind", "dossier_id", "task_id",
                                                                        "created_at")}).returning(Notification.id)


def _rider(session: Session, task_id: int, user_id: int) -> Rider:
    """A notification INSERT held for the next append."""
    return Rider(_NOTE, {"user_id": user_id, "kind": "task", "dossier_id": None, "task_id": task_id,
                         "created_at": WorkflowEngine(FixedClock()).clock.now()})  # fmt: skip


def _notifications(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(Notification)) or 0)


def test_a_rider_is_written_at_commit_when_no_append_comes_and_dropped_with_its_savepoint(pg_factory):
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(pg_factory, engine)
    task = open_task(pg_factory, dossier_id)
    before = _notifications(pg_factory)
    with pg_factory() as session, session.begin():
        user_id = actor_for(session, owner_username(pg_factory, task)).user_id
        send_with_next_append(session, _rider(session, task.id, user_id))
    assert _notifications(pg_factory) == before + 1  # no append came: written at commit
    with pg_factory() as session, session.begin():
        nested = session.begin_nested()
        send_with_next_append(session, _rider(session, task.id, user_id))
        nested.rollback()
        record_event(session, action="dossier.edit", object_type="dossier", object_id=str(dossier_id))
    assert _notifications(pg_factory) == before + 1  # its savepoint rolled back: never written
    with pg_factory() as session, session.begin():
        send_with_next_append(session, _rider(session, task.id, user_id))
        record_event(session, action="dossier.edit", object_type="dossier", object_id=str(dossier_id))
    assert _notifications(pg_factory) == before + 2  # with the append
    with pg_factory() as session:
        assert verify_chain(session).ok


# --- The request's origin, found by the append statement ----------------------------------------------------

OFFICE = ("10.1.2.3", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36")


def _origin_of(session: Session, ip: str | None, agent: str | None) -> int | None:
    return session.scalar(
        select(RequestOrigin.id).outerjoin(UserAgent, UserAgent.id == RequestOrigin.user_agent_id)
        .where(RequestOrigin.ip.is_not_distinct_from(ip), UserAgent.text.is_not_distinct_from(agent)))  # fmt: skip


def _complete_from(factory: sessionmaker[Session], engine: WorkflowEngine, dossier_id: int, origin: tuple[str, str],
                   sent: list[str]) -> tuple[list[str], int]:  # fmt: skip
    """Complete the dossier's open task as a request from `origin` would: the statements sent, the task's id."""
    task = open_task(factory, dossier_id)
    username = owner_username(factory, task)
    token = REQUEST_ORIGIN.set(origin)
    try:
        with factory() as session, session.begin():
            actor = actor_for(session, username)
            start = len(sent)
            complete_task(session, actor, engine, task.id, "approve", "Đủ hồ sơ")
            return sent[start:], task.id
    finally:
        REQUEST_ORIGIN.reset(token)


def _events_of_task(factory: sessionmaker[Session], task_id: int) -> list[tuple[int | None, str | None, str | None]]:
    with factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "human_task",
                                                          AuditEvent.object_id == str(task_id))).all()  # fmt: skip
        return [(event.origin_id, event.ip, event.user_agent) for event in events]


def test_a_completion_from_a_known_browser_finds_its_origin_in_the_append_statement(pg_factory):
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(pg_factory, engine)
    token = REQUEST_ORIGIN.set(OFFICE)
    try:
        act(pg_factory, engine, dossier_id)  # submitted from the office's browser: its origin row exists now
    finally:
        REQUEST_ORIGIN.reset(token)
    with pg_factory() as session:
        known = _origin_of(session, *OFFICE)
    assert known is not None
    sent = _sent(pg_factory.kw["bind"])
    completion, task_id = _complete_from(pg_factory, engine, dossier_id, OFFICE, sent)
    assert not any("FROM request_origin" in statement for statement in completion[:-1])  # no look-up of its own
    assert [statement.split()[0] for statement in completion] == ["SELECT", "SELECT", "WITH", "WITH"]
    assert "FROM request_origin JOIN user_agent" in completion[-1]
    assert _events_of_task(pg_factory, task_id) == [(known, *OFFICE)]
    with pg_factory() as session:
        assert verify_chain(session).ok


def test_a_completion_from_a_new_browser_appends_after_inserting_its_origin_and_writes_its_riders_once(pg_factory):
    engine = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(pg_factory, engine)
    act(pg_factory, engine, dossier_id)
    sent = _sent(pg_factory.kw["bind"])
    notified = _notifications(pg_factory)
    new_browser = ("10.9.8.7", "Mozilla/5.0 Firefox/133.0 (máy mới của Văn phòng)")
    completion, task_id = _complete_from(pg_factory, engine, dossier_id, new_browser, sent)
    appends = [statement for statement in completion if "INSERT INTO audit_event" in statement]
    assert len(appends) == 2  # the first found no origin and appended nothing; the second carries the new one's id
    assert "INSERT INTO notification" in appends[0] and "INSERT INTO notification" not in appends[1]
    assert "UPDATE human_task" in appends[0] and "UPDATE human_task" not in appends[1]
    assert any(statement.startswith("INSERT INTO request_origin") for statement in completion)
    with pg_factory() as session:
        created = _origin_of(session, *new_browser)
        assert session.get(HumanTask, task_id).state == "completed"
        assert verify_chain(session).ok
    assert created is not None and _events_of_task(pg_factory, task_id) == [(created, *new_browser)]
    assert _notifications(pg_factory) == notified + 1  # the next task's holder, told once


def test_events_of_several_origins_and_of_none_are_appended_in_one_statement(pg_factory):
    pairs = [("10.0.0.1", "Chrome"), ("10.0.0.2", None), (None, "curl/8.5"), ("10.0.0.1", "Chrome")]
    with pg_factory() as session, session.begin():
        for ip, agent in pairs[:3]:  # each pair known
            record_event(session, action="task.complete", object_type="human_task", object_id="0", ip=ip, user_agent=agent)
    sent = _sent(pg_factory.kw["bind"])
    with pg_factory() as session, session.begin():
        session.execute(select(func.count()).select_from(AuditEvent))  # begun: the head is locked by the append
        start = len(sent)
        built = record_events(session, [
            dict(action="task.complete", object_type="human_task", object_id=str(n), ip=ip, user_agent=agent)
            for n, (ip, agent) in enumerate([*pairs, (None, None)])])  # fmt: skip
        appended = sent[start:]
        ids = [event.id for event in built]
    assert len(appended) == 1 and appended[0].count("FROM request_origin") == 3  # three distinct pairs
    with pg_factory() as session:
        expected = [(_origin_of(session, ip, agent), ip, agent) for ip, agent in pairs] + [(None, None, None)]
        stored = [(e.origin_id, e.ip, e.user_agent) for e in (session.get(AuditEvent, i) for i in ids)]
        assert stored == expected and None not in [row[0] for row in expected[:-1]]
        assert verify_chain(session).ok
