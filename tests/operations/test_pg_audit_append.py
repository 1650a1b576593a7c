"""PostgreSQL appends audit events in one statement (operations/audit.py).

Up to _HASHED_BY_DATABASE_MAX events the statement hashes them itself after the head it locks: one statement
whoever appended before, and Python checks each hash it returns. A larger batch (or a database not in UTF-8) is
hashed in Python after a guess of the head, each engine's last view of it: a wrong guess (another process appended,
or this transaction's append rolled back) costs one more statement. Neither way may fork the chain, lose an event
or put ids out of chain order.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory
from service.models import AuditChainHead, AuditEvent
from service.operations import audit
from service.operations.audit import record_event, record_events, verify_chain

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


@pytest.fixture
def two_processes(empty_postgres_url: str) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two engines on one database, as two processes would have: each keeps its own guess of the head."""
    engines = [make_engine(empty_postgres_url), make_engine(empty_postgres_url)]
    yield make_session_factory(engines[0]), make_session_factory(engines[1])
    for engine in engines:
        engine.dispose()


def _sent(engine: Engine) -> list[str]:
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    return sent


def _note(session: Session, n: int) -> AuditEvent:
    return record_event(session, action="dossier.edit", object_type="dossier", object_id=str(n), now=NOW,
                        comment=f"Lần {n}")  # fmt: skip


def _chain(factory: sessionmaker[Session]) -> tuple[list[str], AuditChainHead]:
    with factory() as session:
        assert verify_chain(session).ok
        ids_and_objects = session.execute(select(AuditEvent.id, AuditEvent.object_id).order_by(AuditEvent.id)).all()
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_event_id == ids_and_objects[-1][0]
        return [object_id for _, object_id in ids_and_objects], head


def test_an_append_is_one_statement_whoever_moved_the_head(two_processes):
    first, second = two_processes
    sent_first, sent_second = _sent(first.kw["bind"]), _sent(second.kw["bind"])
    with first() as session, session.begin():
        _note(session, 1)
        _note(session, 2)
    assert sent_first == ["WITH", "WITH"]
    with second() as session, session.begin():
        _note(session, 3)  # this engine has not seen events 1 and 2: the head it locks is what it hashes after
    assert sent_second == ["WITH"]
    with first() as session, session.begin():
        _note(session, 4)  # the other process moved the head
        _note(session, 5)
    assert sent_first == ["WITH"] * 4
    assert _chain(first)[0] == ["1", "2", "3", "4", "5"]


def test_an_append_after_one_rolled_back_is_one_statement(two_processes):
    factory, _ = two_processes
    with factory() as session, session.begin():
        _note(session, 1)
    with factory() as session:
        session.begin()
        _note(session, 2)
        session.rollback()
    sent = _sent(factory.kw["bind"])
    with factory() as session, session.begin():
        kept = _note(session, 3)
    assert sent == ["WITH"]
    objects, head = _chain(factory)
    assert objects == ["1", "3"] and head.last_event_id == kept.id


def _batch(first: int, count: int) -> list[dict[str, Any]]:
    return [dict(action="dossier.edit", object_type="dossier", object_id=str(n), now=NOW)
            for n in range(first, first + count)]  # fmt: skip


@pytest.mark.parametrize("utf8", [True, False])
def test_a_large_batch_is_hashed_here_after_a_guess_and_a_wrong_guess_costs_a_statement(two_processes, monkeypatch, utf8):
    """Above _HASHED_BY_DATABASE_MAX events the statement is the guessing one; for a database not in UTF-8
    (forced here) every append is."""
    first, second = two_processes
    if not utf8:
        monkeypatch.setattr(audit, "_hashes_utf8", lambda session, pool: False)
    large = audit._HASHED_BY_DATABASE_MAX + 1
    sent_first, sent_second = _sent(first.kw["bind"]), _sent(second.kw["bind"])
    with first() as session, session.begin():
        record_events(session, _batch(1, large))  # an empty chain: the first guess (no event, genesis) holds
        record_events(session, _batch(100, 2))  # hashed by PostgreSQL in UTF-8; else after a right guess
    assert sent_first == ["WITH", "WITH"]
    with second() as session, session.begin():
        record_events(session, _batch(200, 2))  # this engine has seen nothing: a guess would be wrong
    assert sent_second == (["WITH"] if utf8 else ["WITH", "WITH"])
    with first() as session, session.begin():
        record_events(session, _batch(300, large))  # the other engine moved the head: this guess is wrong
    assert sent_first == ["WITH"] * 4
    objects, _ = _chain(first)
    assert objects == [str(n) for n in [*range(1, 1 + large), 100, 101, 200, 201, *range(300, 300 + large)]]


def test_postgresql_hashes_every_text_as_python_does(two_processes):
    """Vietnamese in both normal forms, quotes, backslashes, control characters, emoji, NUL (dropped): the hash the
    statement computes must be the one verify_chain recomputes (the append itself refuses a differing one)."""
    factory, _ = two_processes
    texts = ["Nguyễn Văn Thử", unicodedata.normalize("NFD", "Trần Thị Hoà, Phòng Nội vụ"), 'nói "được" \\ ổn',
             "dòng 1\ndòng 2\t\u0001", "🎖️ Bằng khen", "a\x00b", ""]  # fmt: skip
    with factory() as session, session.begin():
        record_events(session, [dict(action="dossier.edit", object_type="dossier", object_id="1", now=NOW, comment=text,
                                     after={"tên": text, "số": [1, 2.5, None, True]}) for text in texts])  # fmt: skip
    with factory() as session:
        assert verify_chain(session).ok
        stored = session.scalars(select(AuditEvent.comment).order_by(AuditEvent.id)).all()
    assert stored == [unicodedata.normalize("NFC", t.replace("\x00", "")) for t in texts]


def test_a_savepoint_rolled_back_inside_the_transaction(two_processes):
    """A bulk approval undoes one task's savepoint and goes on: the events after it follow the events before it."""
    factory, _ = two_processes
    with factory() as session, session.begin():
        _note(session, 1)
        nested = session.begin_nested()
        _note(session, 2)
        nested.rollback()
        record_events(session, [dict(action="dossier.edit", object_type="dossier", object_id=str(n), now=NOW)
                                for n in (3, 4)])  # fmt: skip
        head = session.get(AuditChainHead, 1)
        assert head is not None
        kept = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert head.last_event_id == kept[-1].id and head.last_hash == kept[-1].hash
    assert _chain(factory)[0] == ["1", "3", "4"]


def test_a_head_read_before_the_append_shows_where_the_chain_ends(two_processes):
    factory, _ = two_processes
    with factory() as session, session.begin():
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_event_id is None
        events = record_events(session, [dict(action="dossier.edit", object_type="dossier", object_id=str(n), now=NOW)
                                          for n in (1, 2, 3)])  # fmt: skip
        assert [e.id for e in events] == sorted(e.id for e in events)
        assert head.last_event_id == events[-1].id and head.last_hash == events[-1].hash
        assert not session.dirty  # nothing left for a flush to send again
    assert _chain(factory)[0] == ["1", "2", "3"]


def test_two_processes_appending_at_once_keep_one_chain(two_processes):
    factories = two_processes
    rounds = 15
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def append(factory: sessionmaker[Session], worker: int) -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                with factory() as session, session.begin():
                    record_events(session, [dict(action="dossier.edit", object_type="dossier",
                                                 object_id=f"{worker}-{n}-{k}", now=NOW) for k in range(1 + n % 3)])  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=append, args=(factories[w % 2], w)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    objects, _ = _chain(factories[0])
    assert len(objects) == 4 * sum(1 + n % 3 for n in range(rounds))
    for worker in range(4):  # each transaction's events are consecutive and in the order given
        mine = [o for o in objects if o.startswith(f"{worker}-")]
        assert mine == [f"{worker}-{n}-{k}" for n in range(rounds) for k in range(1 + n % 3)]
        for n in range(rounds):
            at = objects.index(f"{worker}-{n}-0")
            assert objects[at:at + 1 + n % 3] == [f"{worker}-{n}-{k}" for k in range(1 + n % 3)]


def test_a_hash_from_postgresql_that_python_does_not_compute_fails_the_append(two_processes, monkeypatch):
    factory, _ = two_processes
    with factory() as session, session.begin():
        _note(session, 1)
    monkeypatch.setattr(audit, "_hash_after", lambda prefix, prev_hash: "f" * 64)  # Python's hash, made to differ
    with pytest.raises(RuntimeError, match="not the one Python computes"), factory() as session, session.begin():
        _note(session, 2)
    monkeypatch.undo()
    objects, _ = _chain(factory)
    assert objects == ["1"]
