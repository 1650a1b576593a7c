"""prepare_completion: on SQLite a completion's engine step runs in the reading transaction before it.

What is stored must be exactly what complete_task alone stores, whatever happens between the two
transactions; the engine is a real one, `Counting` only counts the steps it really computes.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.db import READ_OPTIONS, WRITE_OPTIONS, make_engine, make_session_factory
from service.errors import Conflict, InvalidInput
from service.models import AuditEvent, Dossier, HumanTask, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.instance_admin import suspend_instance
from service.operations.tasks import complete_task, prepare_completion
from service.queries.eligibility import unconfirmed_keys
from workflows import Engine, FixedClock, Outcome

from .helpers import act, new_dossier, open_task, owner_username


class Counting(Engine):
    def __init__(self) -> None:
        super().__init__(FixedClock())
        self.computed = 0

    def _complete(self, *args: Any) -> Outcome:
        self.computed += 1
        return super()._complete(*args)


def reading(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions whose transactions only read, as a web request's are (BEGIN deferred on SQLite)."""
    return make_session_factory(factory.kw["bind"].execution_options(**READ_OPTIONS))


def prepare(factory: sessionmaker[Session], engine: Engine, dossier_id: int, decision: str | None = None,
            comment: str | None = None) -> tuple[int, str, str | None, set[str], bool]:  # fmt: skip
    """What a request does first: read the open task and, on SQLite, compute its step ahead."""
    task = open_task(factory, dossier_id)
    assert task is not None
    decision = decision or ("submit" if task.bpmn_id == "unit_prepare" else "approve")
    username = owner_username(factory, task)
    with reading(factory)() as session, session.begin():
        ticks = unconfirmed_keys(session, session.get(Dossier, dossier_id))
        prepared = prepare_completion(session, actor_for(session, username), engine, task.id, decision, comment,
                                      confirmed=ticks)  # fmt: skip
    return task.id, username, decision, ticks, prepared


def complete(factory: sessionmaker[Session], engine: Engine, task_id: int, username: str, decision: str | None,
             ticks: set[str], comment: str | None = None) -> None:  # fmt: skip
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, username), engine, task_id, decision, comment, confirmed=ticks)


def stored(factory: sessionmaker[Session], dossier_id: int) -> dict[str, Any]:
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        return {
            "tasks": session.execute(select(HumanTask.bpmn_id, HumanTask.state, HumanTask.decision, HumanTask.role)
                                     .where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)).all(),
            "actions": session.scalars(select(AuditEvent.action).where(AuditEvent.dossier_id == dossier_id)
                                       .order_by(AuditEvent.id)).all(),
            "status": (instance.status, instance.end_event, session.get(Dossier, dossier_id).status),
        }  # fmt: skip


def test_a_chain_completed_with_steps_prepared_ahead_stores_what_one_without_stores(factory):
    engine = Counting()
    plain, ahead = new_dossier(factory, engine), new_dossier(factory, engine)
    while open_task(factory, plain) is not None:
        act(factory, engine, plain)
    on_sqlite = factory.kw["bind"].dialect.name == "sqlite"
    completions = 0
    while open_task(factory, ahead) is not None:
        task_id, username, decision, ticks, prepared = prepare(factory, engine, ahead)
        assert prepared is on_sqlite  # PostgreSQL: nothing is computed ahead
        computed = engine.computed
        complete(factory, engine, task_id, username, decision, ticks)
        # the writing transaction never ran the engine on SQLite: it got the prepared step back
        assert engine.computed == computed + (0 if on_sqlite else 1)
        completions += 1
    assert completions == 10
    assert stored(factory, ahead) == stored(factory, plain)
    assert stored(factory, ahead)["status"][::2] == ("completed", "granted")
    with factory() as session:
        assert verify_chain(session).ok


def test_a_colleague_completing_the_task_meanwhile_wins_and_the_prepared_step_is_never_stored(factory):
    engine = Counting()
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submitted: at the ward office's review
    task_id, username, decision, ticks, _ = prepare(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "return", "Thiếu bản tóm tắt thành tích")  # a colleague returns it meanwhile
    events = _event_count(factory)
    with pytest.raises(Conflict):
        complete(factory, engine, task_id, username, decision, ticks)
    assert _event_count(factory) == events
    assert [row[0] for row in stored(factory, dossier_id)["tasks"]] == ["unit_prepare", "ward_office_review",
                                                                         "unit_prepare"]  # fmt: skip


def test_an_instance_suspended_meanwhile_is_refused_as_always(factory):
    engine = Counting()
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task_id, username, decision, ticks, _ = prepare(factory, engine, dossier_id)
    with factory() as session, session.begin():
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Kiểm tra lại hồ sơ")
    with pytest.raises(Conflict, match="tạm dừng"):
        complete(factory, engine, task_id, username, decision, ticks)
    assert open_task(factory, dossier_id).bpmn_id == "ward_office_review"


def test_bad_input_is_left_to_the_completion_to_refuse_and_nothing_is_written(factory):
    engine = Counting()
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    events = _event_count(factory)
    task_id, username, _, ticks, prepared = prepare(factory, engine, dossier_id, "return")  # no reason given
    assert prepared is False and engine._prepared == {} and _event_count(factory) == events
    with pytest.raises(InvalidInput):
        complete(factory, engine, task_id, username, "return", ticks)
    assert _event_count(factory) == events


def test_preparing_takes_no_write_lock(sqlite_url):
    """While a reading transaction prepares a step, another official's completion is written at once."""
    db = make_engine(sqlite_url)
    factory = make_session_factory(db)
    engine = Counting()
    waiting, other = new_dossier(factory, engine), new_dossier(factory, engine)
    act(factory, engine, waiting)
    task = open_task(factory, waiting)
    done = threading.Event()
    with reading(factory)() as session, session.begin():
        ticks = unconfirmed_keys(session, session.get(Dossier, waiting))
        assert prepare_completion(session, actor_for(session, owner_username(factory, task)), engine, task.id,
                                  "approve", confirmed=ticks)  # fmt: skip
        writer = threading.Thread(target=lambda: (act(factory, engine, other), done.set()))
        writer.start()
        writer.join(timeout=20)
        assert done.is_set(), "the other completion waited for the reading transaction"
    assert open_task(factory, other).bpmn_id == "ward_office_review"
    db.dispose()


def on_sqlite(factory: sessionmaker[Session]) -> bool:
    return bool(factory.kw["bind"].dialect.name == "sqlite")


def _event_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_in_one_session_the_writing_transaction_reads_the_rows_afresh(factory):
    """A web request prepares in its reading transaction and completes in its writing one, in the same
    session (whose objects outlive a transaction): what changed in between must be seen, not the rows
    as the reading transaction loaded them. (prepare_completion also takes the rows it read out of the
    session, so this does not depend on when they are garbage-collected or on how SQLAlchemy treats a
    versioned row it loads again.)"""
    engine = Counting()
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    username = owner_username(factory, task)
    request = reading(factory)()
    try:
        request.begin()
        actor = actor_for(request, username)
        ticks = unconfirmed_keys(request, request.get(Dossier, dossier_id))
        request.commit()  # the ticks were read as the page showed them
        request.begin()
        assert prepare_completion(request, actor, engine, task.id, "approve", confirmed=ticks) is on_sqlite(factory)
        # Whatever is still in the session stays there as long as something refers to it (the identity map
        # holds objects weakly): here everything, as a reference cycle not yet collected would.
        kept = list(request.identity_map.values())
        request.commit()
        with factory() as session, session.begin():  # meanwhile an admin suspends the dossier's instance
            instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))
            suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Kiểm tra lại hồ sơ")
        with request.begin():
            request.connection(execution_options=WRITE_OPTIONS)  # as web.context.transaction() does
            with pytest.raises(Conflict, match="tạm dừng"):  # the instance as it is now, not as prepared
                complete_task(request, actor, engine, task.id, "approve", confirmed=ticks)
    finally:
        request.close()
    assert open_task(factory, dossier_id).bpmn_id == "ward_office_review" and kept is not None
