"""The audit trail is a hash chain: tampering is detected, and PostgreSQL refuses edits outright."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from service.models import AuditEvent
from service.operations.audit import record_event, verify_chain


def test_seeded_chain_verifies(factory):
    with factory() as session:
        result = verify_chain(session)
        assert result.ok and result.checked == session.scalar(select(func.count()).select_from(AuditEvent)) > 0


def test_events_chain_on_each_other_and_keep_vietnamese_exact(factory):
    with factory() as session, session.begin():
        first = record_event(session, action="test.note", object_type="dossier", object_id="1",
                             comment="Trả lại bổ sung: thiếu trích ngang")  # fmt: skip
        second = record_event(session, action="test.note", object_type="dossier", object_id="1")
        assert second.prev_hash == first.hash
    with factory() as session:
        stored = session.get(AuditEvent, first.id)
        assert stored.comment == "Trả lại bổ sung: thiếu trích ngang"
        assert verify_chain(session).ok


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit_event SET comment = 'sửa lén' WHERE id = :id", "mã băm"),
        ("DELETE FROM audit_event WHERE id = :id", "liên kết"),
    ],
)
def test_raw_sql_tampering_is_caught_at_the_first_broken_event(sqlite_url, statement, reason):
    from service.db import make_engine, make_session_factory

    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    with factory() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    victim = ids[len(ids) // 2]
    with engine.begin() as conn:
        conn.execute(text(statement), {"id": victim})
    with factory() as session:
        result = verify_chain(session)
    expected = victim if "UPDATE" in statement else ids[ids.index(victim) + 1]
    assert not result.ok and result.first_broken_id == expected and reason in result.reason
    engine.dispose()


def test_deleting_the_newest_event_is_caught(sqlite_url):
    from service.db import make_engine, make_session_factory

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)"))
    with make_session_factory(engine)() as session:
        assert not verify_chain(session).ok
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_event SET comment = 'x'", "DELETE FROM audit_event",
                                       "TRUNCATE audit_event CASCADE"])  # fmt: skip
def test_postgresql_refuses_to_change_audit_rows(postgres_url, statement):
    from service.db import make_engine

    engine = make_engine(postgres_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()
