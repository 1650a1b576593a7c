"""Audit events keep their user agent text once per distinct text (migration 0021); the hashes cover the text as before."""

from __future__ import annotations

import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, Integer, String, Text, column, event, insert, inspect, select, table, text
from sqlalchemy.exc import DBAPIError

from tests.operations.helpers import schema_differences
from service.db import UTCDateTime, alembic_config, make_engine, make_session_factory
from service.models import AuditEvent, RequestOrigin, UserAgent
from service.models.audit import GENESIS_HASH, Sha256Digest
from service.operations.audit import REQUEST_ORIGIN, event_hash, record_event, user_agent_row, verify_chain
from tests.conftest import _admin_conninfo, _create_database, _drop_database
from tests.operations.old_audit import walk_old_chain

SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
CHROMIUM = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 "
            "Safari/537.36")  # fmt: skip
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
# Decomposed (NFD) Vietnamese: stored as sent, hashed in NFC, as the text column was.
DECOMPOSED = unicodedata.normalize("NFD", "Mozilla/5.0 (X11; Linux x86_64) Trình duyệt thử nghiệm")
LONG = "Mozilla/5.0 " + "x" * 600


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block (SQLite's BEGIN IMMEDIATE left out)."""
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _note(session, user_agent: str | None = None, **kwargs: Any) -> AuditEvent:  # type: ignore[no-untyped-def]
    return record_event(session, action="dossier.edit", object_type="dossier", object_id="1", user_agent=user_agent,
                        **kwargs)  # fmt: skip


def _agents(session) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in session.execute(select(UserAgent.id, UserAgent.text).order_by(UserAgent.id))]


def _stored_agent_ids(session, ids: list[int]) -> list[int | None]:  # type: ignore[no-untyped-def]
    """The user agent id each event refers to (through its request origin, schema 0027)."""
    rows = session.execute(select(AuditEvent.id, RequestOrigin.user_agent_id).outerjoin(AuditEvent.origin)
                           .where(AuditEvent.id.in_(ids))).all()  # fmt: skip
    return [dict(rows)[event_id] for event_id in ids]


# --- Writing ----------------------------------------------------------------------------------------------


def test_one_text_is_stored_once_however_many_events_carry_it(empty_factory):
    with empty_factory() as session, session.begin():
        first = [_note(session, CHROMIUM) for _ in range(4)]
    origin = REQUEST_ORIGIN.set(("10.20.30.40", CHROMIUM))  # as every event of a web request gets it
    try:
        with empty_factory() as session, session.begin():
            second = [_note(session) for _ in range(3)]
    finally:
        REQUEST_ORIGIN.reset(origin)
    events = first + second
    with empty_factory() as session:
        assert _agents(session) == [(first[0].origin.user_agent_id, CHROMIUM)]
        assert _stored_agent_ids(session, [e.id for e in events]) == [first[0].origin.user_agent_id] * 7
        assert [session.get(AuditEvent, e.id).user_agent for e in events] == [CHROMIUM] * 7
        assert verify_chain(session).ok
        assert "user_agent" not in {c["name"] for c in inspect(session.connection()).get_columns("audit_event")}


def test_different_texts_get_a_row_each_and_no_text_gets_none(empty_factory):
    with empty_factory() as session, session.begin():
        events = [_note(session, ua) for ua in (CHROMIUM, None, FIREFOX, CHROMIUM, "", DECOMPOSED, FIREFOX)]
        assert [e.user_agent for e in events] == [CHROMIUM, None, FIREFOX, CHROMIUM, None, DECOMPOSED, FIREFOX]
    with empty_factory() as session:
        agents = _agents(session)
        assert [agent_text for _, agent_text in agents] == [CHROMIUM, FIREFOX, DECOMPOSED]
        ids = {agent_text: agent_id for agent_id, agent_text in agents}
        assert _stored_agent_ids(session, [e.id for e in events]) == [
            ids[CHROMIUM], None, ids[FIREFOX], ids[CHROMIUM], None, ids[DECOMPOSED], ids[FIREFOX]]  # fmt: skip
        result = verify_chain(session)
        assert result.ok and result.checked == 7


def test_a_long_text_is_cut_at_500_characters_as_before(empty_factory):
    with empty_factory() as session, session.begin():
        stored = _note(session, LONG)
        again = _note(session, LONG[:500] + "something else after the cut")
    assert stored.user_agent == LONG[:500] and stored.origin_id == again.origin_id
    with empty_factory() as session:
        assert _agents(session) == [(stored.origin.user_agent_id, LONG[:500])]
        assert verify_chain(session).ok


def test_the_hash_covers_the_text_exactly_as_the_text_column_did():
    """The digest the service computed before 0021, when user_agent was a column (taken from revision 0020's code)."""
    fields = {"occurred_at": datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC), "actor_id": 7,
              "actor_role": "office_clerk", "actor_unit_id": 3, "action": "task.complete",
              "object_type": "human_task", "object_id": "42", "after_json": '{"decision":"approve"}',
              "comment": "Đồng ý", "ip": "10.20.30.40", "dossier_id": 5}  # fmt: skip
    ip = fields.pop("ip")  # both kept in a request_origin row since 0027, and hashed as before
    with_agent = AuditEvent(**fields, origin=RequestOrigin(ip=ip, agent=UserAgent(text=DECOMPOSED)))
    assert event_hash(with_agent, GENESIS_HASH) == "343189bec3faa1a9bf838aff9a460358a4187fc656323c2ff05d4b25111a2b25"
    assert event_hash(AuditEvent(**fields, origin=RequestOrigin(ip=ip)), GENESIS_HASH) \
        == "90004a1198a72574ee1bc87d12f1f9c50d22c8bfb167384dbeeb2eacf1c54cc8"  # fmt: skip


def test_a_transaction_looks_a_text_up_once_not_once_per_event(empty_factory):
    with empty_factory() as session, session.begin():
        _note(session, FIREFOX)  # a text the database has, but this transaction has not seen
    with empty_factory() as session, session.begin():
        _note(session)  # the chain head is locked once per transaction: leave it out of the counts
        engine = session.get_bind()
        with statements(engine) as plain:
            _note(session)
        with statements(engine) as known:
            _note(session, FIREFOX)
        with statements(engine) as again:
            for _ in range(5):
                _note(session, FIREFOX)
        with statements(engine) as new_text:
            _note(session, CHROMIUM)
    # The event's INSERT and the head's UPDATE; on PostgreSQL one statement locks the head, inserts, moves it.
    on_postgresql = engine.dialect.name == "postgresql"
    assert len(plain) == (1 if on_postgresql else 2)
    # And the look-up of its origin by the text (schema 0027), which on PostgreSQL the append statement makes.
    assert len(known) == (len(plain) if on_postgresql else len(plain) + 1)
    assert len(again) == 5 * len(plain)
    # A browser never seen: the origin's look-up finds nothing, then the text's look-up and INSERT ... ON
    # CONFLICT DO NOTHING, the origin's, the event and the head. On PostgreSQL the append statement finds no
    # origin and appends nothing; the head is locked, the origin looked up again and inserted (new rows are
    # inserted with the head locked), and a second append statement carries its id.
    assert len(new_text) == (8 if on_postgresql else 7)


def test_a_text_inserted_in_a_savepoint_that_rolls_back_is_inserted_again(empty_factory):
    """Bulk approval undoes one task's savepoint and goes on: the next event must not point at the undone row."""
    with empty_factory() as session, session.begin():
        before = _note(session)
        nested = session.begin_nested()
        _note(session, CHROMIUM)
        nested.rollback()
        kept = _note(session, CHROMIUM)
    with empty_factory() as session:
        assert _agents(session) == [(kept.origin.user_agent_id, CHROMIUM)]
        assert session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all() == [before.id, kept.id]
        assert verify_chain(session).ok


def test_a_text_inserted_in_a_transaction_that_rolls_back_is_inserted_again(empty_factory):
    with empty_factory() as session:
        with pytest.raises(RuntimeError), session.begin():
            _note(session, FIREFOX)
            raise RuntimeError("the request failed")
        with session.begin():  # the same session, as a worker keeps it for its next job
            kept = _note(session, FIREFOX)
    with empty_factory() as session:
        assert _agents(session) == [(kept.origin.user_agent_id, FIREFOX)]
        assert verify_chain(session).ok


# --- Verifying --------------------------------------------------------------------------------------------


def test_verify_chain_reads_a_batch_of_texts_in_one_query(empty_factory):
    with empty_factory() as session, session.begin():
        for number in range(60):  # 45 texts: loading them one by one would take 45 queries
            _note(session, None if number % 4 == 3 else f"{FIREFOX} #{number}")
    with empty_factory() as session:
        with statements(session.get_bind()) as sent:
            result = verify_chain(session, batch=25)
        assert result.ok and result.checked == 60
    # Four pages of events (25, 25, 10, none), one query for the origins (with their texts) of each page that
    # has events, the head.
    assert len([sql for sql in sent if "FROM request_origin LEFT OUTER JOIN user_agent" in sql]) == 3
    assert len(sent) == 4 + 3 + 1, sent


def test_editing_a_user_agent_text_breaks_the_chain_at_the_first_event_using_it(empty_factory):
    with empty_factory() as session, session.begin():
        events = [_note(session, ua) for ua in (None, CHROMIUM, FIREFOX, None, FIREFOX)]
    engine = empty_factory.kw["bind"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # refused otherwise; a superuser can still do it
            conn.execute(text("ALTER TABLE user_agent DISABLE TRIGGER user_agent_append_only"))
        conn.execute(text("UPDATE user_agent SET text = :forged WHERE text = :text"),
                     {"forged": FIREFOX.replace("140.0", "141.0"), "text": FIREFOX})  # fmt: skip
    with empty_factory() as session:
        result = verify_chain(session)
    assert (result.ok, result.first_broken_id, result.checked) == (False, events[2].id, 2)
    assert "mã băm" in result.reason


@pytest.mark.postgres
@pytest.mark.parametrize(("statement", "refused"), [
    ("UPDATE user_agent SET text = 'sửa lén'", "user_agent is append-only"),
    ("DELETE FROM user_agent", "user_agent is append-only"),
    ("TRUNCATE user_agent CASCADE", "audit_event is append-only"),
])  # fmt: skip
def test_postgresql_refuses_to_change_user_agent_rows(empty_postgres_url, statement, refused):
    engine = make_engine(empty_postgres_url)
    with make_session_factory(engine)() as session, session.begin():
        _note(session, CHROMIUM)
    with pytest.raises(DBAPIError, match=refused), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM user_agent")).scalars().all() == [CHROMIUM]
    engine.dispose()


# --- Two writers of a new text at once (PostgreSQL) --------------------------------------------------------


def _wait_for_lock_wait(engine: Engine, seconds: float = 10.0) -> None:
    """Until another session of this database waits on a lock (the second INSERT of the same text)."""
    deadline = time.monotonic() + seconds
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")  # fmt: skip
    with engine.connect() as conn:
        while conn.execute(query).scalar_one() == 0:
            assert time.monotonic() < deadline, "the second insert never waited for the first"
            time.sleep(0.02)
            conn.rollback()


@pytest.mark.postgres
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_two_transactions_inserting_the_same_new_text_both_succeed_with_one_row(empty_postgres_url, first_ends):
    engine = make_engine(empty_postgres_url)
    factory = make_session_factory(engine)
    found: dict[str, Any] = {}

    def second() -> None:
        try:
            with factory() as session, session.begin():
                found["second"] = user_agent_row(session, CHROMIUM).id
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            found["error"] = exc

    with factory() as session:
        session.begin()
        found["first"] = user_agent_row(session, CHROMIUM).id  # inserted, not yet committed
        writer = threading.Thread(target=second)
        writer.start()
        _wait_for_lock_wait(engine)  # the second has looked, found nothing and waits in its INSERT
        if first_ends == "commit":
            session.commit()
        else:
            session.rollback()
        writer.join(10)
    assert not writer.is_alive() and "error" not in found, found.get("error")
    with factory() as session:
        assert _agents(session) == [(found["second"], CHROMIUM)]
    if first_ends == "commit":
        assert found["second"] == found["first"]
    engine.dispose()


@pytest.mark.postgres
def test_concurrent_requests_from_a_new_browser_all_write_their_events(empty_postgres_url):
    engine = make_engine(empty_postgres_url)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def request(number: int) -> None:
        try:
            start.wait()
            with factory() as session, session.begin():
                for _ in range(3):
                    _note(session, FIREFOX if number % 2 else CHROMIUM)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writers = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert errors == []
    with factory() as session:
        assert sorted(agent_text for _, agent_text in _agents(session)) == sorted([CHROMIUM, FIREFOX])
        result = verify_chain(session)
        assert result.ok and result.checked == 12
    engine.dispose()


# --- Migration 0021 ---------------------------------------------------------------------------------------

OLD_EVENT = table("audit_event", column("id", Integer), column("occurred_at", UTCDateTime()),
                  column("actor_id", Integer), column("actor_role", String), column("actor_unit_id", Integer),
                  column("action", String), column("object_type", String), column("object_id", String),
                  column("before_json", Text), column("after_json", Text), column("comment", Text),
                  column("ip", String), column("user_agent", String), column("dossier_id", Integer),
                  column("hash", Sha256Digest()))  # fmt: skip
OLD_HEAD = table("audit_chain_head", column("id", Integer), column("last_event_id", Integer),
                 column("last_hash", Sha256Digest()))  # fmt: skip


def _as_event(values: dict[str, Any]) -> AuditEvent:
    """A row of the schema before 0021 (by column name) as a transient event, so event_hash can check it."""
    values = {name: value for name, value in values.items() if name != "hash"}
    agent, ip = values.pop("user_agent"), values.pop("ip")
    return AuditEvent(**values, origin=RequestOrigin(ip=ip, agent=None if agent is None else UserAgent(text=agent)))


def _append_as_schema_0020_did(url: str, user_agents: list[str | None]) -> None:
    """Events with the text in their own user_agent column, chained on the head, as the service wrote them."""
    engine = make_engine(url)
    with engine.begin() as conn:
        prev = conn.execute(select(OLD_HEAD.c.last_hash)).scalar_one()
        when = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        for number, user_agent in enumerate(user_agents):
            values = {"occurred_at": when + timedelta(minutes=number), "actor_id": None, "actor_role": "office_clerk",
                      "actor_unit_id": None, "action": "task.claim", "object_type": "human_task",
                      "object_id": str(number), "before_json": None, "after_json": None, "comment": None,
                      "ip": "10.20.30.40", "user_agent": user_agent, "dossier_id": None}  # fmt: skip
            digest = event_hash(_as_event(values), prev)
            new_id = conn.execute(insert(OLD_EVENT).values(**values, hash=digest).returning(OLD_EVENT.c.id)).scalar_one()
            prev = digest
        conn.execute(OLD_HEAD.update().values(last_event_id=new_id, last_hash=prev))
    engine.dispose()


def _old_rows(url: str) -> list[Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(OLD_EVENT).order_by(OLD_EVENT.c.id)).all()
    engine.dispose()
    return rows


def _verify_as_schema_0020(url: str) -> int:
    """Walk the chain as it is stored before 0021 (the text in each row); the number of events, all linked."""
    return walk_old_chain(url, _old_rows(url), _as_event)


def _audit_schema(url: str) -> dict[str, Any]:
    """audit_event as the database describes it: columns (in order on SQLite), keys, indexes' full definitions."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        columns = [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns("audit_event")]
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_event'"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_event'"
            columns.sort()  # PostgreSQL adds a column at the end; SQLite's rebuild puts it back in its place
        schema = {
            "columns": columns,
            "pk": found.get_pk_constraint("audit_event"),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                                   for fk in found.get_foreign_keys("audit_event")),
            "indexes": sorted((name, sql or "") for name, sql in conn.execute(text(query))),
            "tables": sorted(found.get_table_names()),
        }  # fmt: skip
        if engine.dialect.name == "postgresql":
            schema["triggers"] = sorted(conn.execute(text(
                "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal")).all())
            schema["functions"] = sorted(conn.execute(text("SELECT proname FROM pg_proc WHERE proname LIKE '%refuse%'"))
                                         .scalars())  # fmt: skip
    engine.dispose()
    return schema


def _schema_built_to_0020(dialect: str, tmp_path: Path) -> dict[str, Any]:
    """audit_event as the migrations up to 0020 build it, on a database that never saw 0021."""
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'built-to-0020.sqlite3'}"
        command.upgrade(alembic_config(url), "0020")
        return _audit_schema(url)
    name = f"{_admin_conninfo()[1]}_0020_{uuid.uuid4().hex[:10]}"
    try:
        url = _create_database(name)
        command.upgrade(alembic_config(url), "0020")
        return _audit_schema(url)
    finally:
        _drop_database(name)


def _at_head_verifies(url: str, events: int) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        result = verify_chain(session)
        assert result.ok and result.checked == events
        with session.connection() as conn:
            assert schema_differences(conn) == []
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0021_keeps_every_hash_verifying_both_ways(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), "0020")
    schema = _audit_schema(url)
    # Undone exactly: the schema (on SQLite the column order too) of a database never upgraded past 0020.
    assert schema == _schema_built_to_0020("sqlite" if url.startswith("sqlite") else "postgresql", tmp_path)
    assert "user_agent" not in schema["tables"]
    # Events written before the upgrade: texts shared, one alone, some events with none.
    old_agents = [CHROMIUM, None, FIREFOX, CHROMIUM, DECOMPOSED, None, CHROMIUM, LONG[:500]]
    _append_as_schema_0020_did(url, old_agents)
    before = _old_rows(url)
    assert _verify_as_schema_0020(url) == len(before) > len(old_agents)  # the seeded dossiers' events too

    command.upgrade(alembic_config(url), "head")
    _at_head_verifies(url, len(before))
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        # One row per distinct text, numbered in the order of first use; every event points at its text.
        assert [agent_text for _, agent_text in _agents(session)] == [CHROMIUM, FIREFOX, DECOMPOSED, LONG[:500]]
        migrated = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.id, e.hash, e.user_agent) for e in migrated] == [(r.id, r.hash, r.user_agent) for r in before]
    origin = REQUEST_ORIGIN.set(("10.20.30.41", FIREFOX))
    try:  # the service goes on writing, reusing the migrated texts and adding new ones
        with make_session_factory(engine)() as session, session.begin():
            added = [_note(session), _note(session, "curl/8.11.1"), _note(session, None)]
    finally:
        REQUEST_ORIGIN.reset(origin)
    assert [e.user_agent for e in added] == [FIREFOX, "curl/8.11.1", FIREFOX]
    with make_session_factory(engine)() as session:
        assert len(_agents(session)) == 5
    engine.dispose()
    _at_head_verifies(url, len(before) + 3)

    command.downgrade(alembic_config(url), "0020")
    after = _old_rows(url)
    assert after[:len(before)] == before  # every row exactly as it was, the text back in its column
    assert [row.user_agent for row in after[len(before):]] == [FIREFOX, "curl/8.11.1", FIREFOX]
    assert _verify_as_schema_0020(url) == len(before) + 3
    assert _audit_schema(url) == schema
    command.upgrade(alembic_config(url), "head")
    _at_head_verifies(url, len(before) + 3)
    if url.startswith("postgresql"):  # the migration disabled audit_event's trigger for its UPDATE only
        engine = make_engine(url)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET comment = NULL"))
        engine.dispose()
