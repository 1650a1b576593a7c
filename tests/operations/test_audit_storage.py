"""How the audit trail is stored (migration 0014): 32-byte hashes, no stored predecessor, the same hash values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import DateTime, Integer, String, column, func, insert, select, table, text
from sqlalchemy.exc import DBAPIError

from tests.operations.helpers import schema_differences
from service.db import alembic_config, make_engine, make_session_factory
from service.models import AuditChainHead, AuditEvent
from service.models.audit import GENESIS_HASH
from service.operations.audit import event_hash, record_event, verify_chain

SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]


def _chain(url: str) -> tuple[list[tuple[int, str]], tuple[int | None, str]]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        events = [tuple(row) for row in session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id))]
        head = session.get(AuditChainHead, 1)
        result = (events, (head.last_event_id, head.last_hash))
    engine.dispose()
    return result  # type: ignore[return-value]


def _append_as_schema_0013_did(url: str) -> str:
    """One event written the old way: hex prev_hash and hash columns, the head moved by hand, the time as
    SQLAlchemy's DateTime wrote it (text on SQLite until schema 0018; the value is in UTC)."""
    old_event = table("audit_event", column("id", Integer), column("occurred_at", DateTime(timezone=True)),
                      column("action", String), column("object_type", String), column("object_id", String),
                      column("dossier_id", Integer), column("comment", String), column("prev_hash", String),
                      column("hash", String))  # fmt: skip
    engine = make_engine(url)
    with engine.begin() as conn:
        prev = conn.execute(text("SELECT last_hash FROM audit_chain_head WHERE id = 1")).scalar_one()
        values = {"occurred_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "action": "dossier.edit",
                  "object_type": "dossier", "object_id": "1", "dossier_id": 1,
                  "comment": "Ghi trước khi nâng cấp"}  # fmt: skip
        digest = event_hash(AuditEvent(**values), prev)
        new_id = conn.execute(insert(old_event).values(**values, prev_hash=prev, hash=digest)
                              .returning(old_event.c.id)).scalar_one()  # fmt: skip
        conn.execute(text("UPDATE audit_chain_head SET last_event_id = :id, last_hash = :hash WHERE id = 1"),
                     {"id": new_id, "hash": digest})  # fmt: skip
    engine.dispose()
    return digest


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0014_keeps_every_hash_and_the_chain_verifies_both_ways(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    events, head = _chain(url)
    assert len(events) > 10 and head == events[-1]

    command.downgrade(alembic_config(url), "0013")
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, prev_hash, hash FROM audit_event ORDER BY id")).all()
        assert [(row.id, row.hash) for row in rows] == events
        assert [row.prev_hash for row in rows] == [GENESIS_HASH] + [row.hash for row in rows[:-1]]
        assert conn.execute(text("SELECT last_hash FROM audit_chain_head")).scalar_one() == head[1]
    engine.dispose()
    added = _append_as_schema_0013_did(url)

    command.upgrade(alembic_config(url), "head")
    after, new_head = _chain(url)
    assert after[:-1] == events and after[-1][1] == added and new_head == after[-1]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        result = verify_chain(session)
        assert result.ok and result.checked == len(events) + 1
        assert not schema_differences(session.connection())
    if url.startswith("postgresql"):  # the downgrade disabled the append-only trigger for a moment only
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET comment = 'sửa lén'"))
    engine.dispose()


def test_hashes_are_stored_as_32_bytes_and_read_as_hex(any_db_session):
    event = record_event(any_db_session, action="dossier.edit", object_type="dossier", object_id="5",
                         comment="Đồng ý đề nghị")  # fmt: skip
    stored = any_db_session.execute(text("SELECT hash FROM audit_event WHERE id = :id"), {"id": event.id}).scalar_one()
    assert bytes(stored) == bytes.fromhex(event.hash) and len(stored) == 32
    head = any_db_session.execute(text("SELECT last_hash FROM audit_chain_head WHERE id = 1")).scalar_one()
    assert bytes(head) == bytes.fromhex(event.hash)
    any_db_session.expire_all()
    assert any_db_session.get(AuditEvent, event.id).hash == event.hash == event_hash(event, GENESIS_HASH)


def test_a_value_that_is_not_a_sha256_digest_is_refused(any_db_session):
    record_event(any_db_session, action="dossier.edit", object_type="dossier", object_id="5")
    any_db_session.get(AuditChainHead, 1).last_hash = "abc123"
    with pytest.raises(Exception, match="not a sha256 digest"):
        any_db_session.flush()


def test_deleting_events_names_the_missing_ids_and_an_edit_names_the_hash(sqlite_url):
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    with factory() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    first, second, third = ids[3], ids[4], ids[5]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id IN (:a, :b)"), {"a": first, "b": second})
    with factory() as session:
        result = verify_chain(session)
    assert (result.ok, result.first_broken_id, result.checked) == (False, third, 3)
    assert f"thiếu sự kiện số {first}–{second}" in result.reason
    engine.dispose()


def test_an_event_without_a_dossier_still_shows_in_its_dossier_history(any_db_session):
    """Events from before schema 0003 have no dossier_id: the history finds them by their task or instance."""
    from service.queries.audit import dossier_events

    record_event(any_db_session, action="task.claim", object_type="human_task", object_id="41")
    record_event(any_db_session, action="instance.suspend", object_type="process_instance", object_id="9")
    record_event(any_db_session, action="task.complete", object_type="human_task", object_id="42",
                 after={"dossier_id": 7, "decision": "approve"})  # fmt: skip
    record_event(any_db_session, action="task.claim", object_type="human_task", object_id="43")  # another dossier's
    found = any_db_session.scalars(
        select(AuditEvent.action).where(dossier_events(7, 9, ["41", "42"])).order_by(AuditEvent.id)
    ).all()  # fmt: skip
    assert found == ["task.claim", "instance.suspend", "task.complete"]
    without_dossier = select(func.count()).select_from(AuditEvent).where(AuditEvent.dossier_id.is_(None))
    assert any_db_session.scalar(without_dossier) == 3
