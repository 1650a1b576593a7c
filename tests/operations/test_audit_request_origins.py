"""Audit events keep their request's IP address and user agent as one request_origin id (migration 0027);
the hashes cover the address and the text as before, and the chain verifies both ways."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Integer, String, Text, column, insert, inspect, select, table, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from service.db import MIGRATIONS_DIR, UTCDateTime, alembic_config, make_engine, make_session_factory
from service.models import AuditEvent, RequestOrigin, UserAgent
from service.models.audit import GENESIS_HASH, Sha256Digest
from service.models.audit_codes import ACTION_CODES, OBJECT_TYPE_CODES, ROLE_CODES, Coded
from service.operations.audit import REQUEST_ORIGIN, event_hash, origin_row, record_event, user_agent_row, verify_chain
from service.queries.audit import AuditFilter, audit_rows
from tests.operations.helpers import assert_head_agrees_with_models
from tests.conftest import _admin_conninfo, _create_database, _drop_database
from tests.operations.test_audit_user_agents import _audit_schema, _wait_for_lock_wait, statements
from tests.operations.old_audit import OLD_AGENT, OLD_HEAD, old_event, old_rows, verify_old_chain

# The revision 0027 follows. When 0027 is re-pointed (down_revision), change this line only.
PREVIOUS = "0026"
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
CHROMIUM = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 "
            "Safari/537.36")  # fmt: skip
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
OFFICE, HOME = "10.20.30.40", "2001:db8:85a3::8a2e:370:7334"


def _note(session, ip: str | None = None, user_agent: str | None = None) -> AuditEvent:  # type: ignore[no-untyped-def]
    return record_event(session, action="dossier.edit", object_type="dossier", object_id="1", ip=ip,
                        user_agent=user_agent)  # fmt: skip


def _origins(session) -> list[tuple[int, str | None, str | None]]:  # type: ignore[no-untyped-def]
    """Every request_origin row: id, address, user agent text."""
    query = select(RequestOrigin.id, RequestOrigin.ip, UserAgent.text).outerjoin(RequestOrigin.agent)
    return [tuple(row) for row in session.execute(query.order_by(RequestOrigin.id))]


# --- Writing ----------------------------------------------------------------------------------------------


def test_each_pair_is_stored_once_and_an_event_with_neither_has_no_origin(empty_factory):
    pairs = [(OFFICE, CHROMIUM), (None, None), (OFFICE, CHROMIUM), (OFFICE, None), (None, FIREFOX), (HOME, CHROMIUM),
             (OFFICE, None), (None, FIREFOX), (HOME, FIREFOX)]  # fmt: skip
    with empty_factory() as session, session.begin():
        first = [_note(session, ip, agent) for ip, agent in pairs]
    origin = REQUEST_ORIGIN.set((OFFICE, CHROMIUM))  # as every event of a web request gets it
    try:
        with empty_factory() as session, session.begin():  # a later transaction reuses the stored pairs
            second = [_note(session), _note(session, HOME, FIREFOX), _note(session, None, FIREFOX)]
    finally:
        REQUEST_ORIGIN.reset(origin)
    assert [(e.ip, e.user_agent) for e in second] == [(OFFICE, CHROMIUM), (HOME, FIREFOX), (OFFICE, FIREFOX)]
    events = first + second
    with empty_factory() as session:
        origins = _origins(session)
        assert [(ip, agent) for _, ip, agent in origins] == [
            (OFFICE, CHROMIUM), (OFFICE, None), (None, FIREFOX), (HOME, CHROMIUM), (HOME, FIREFOX), (OFFICE, FIREFOX)]
        ids = {(ip, agent): origin_id for origin_id, ip, agent in origins}
        stored = dict(session.execute(select(AuditEvent.id, AuditEvent.origin_id)).all())
        expected = pairs + [(OFFICE, CHROMIUM), (HOME, FIREFOX), (OFFICE, FIREFOX)]
        assert [stored[e.id] for e in events] == [ids.get(pair) for pair in expected]
        assert stored[first[1].id] is None
        assert [(session.get(AuditEvent, e.id).ip, session.get(AuditEvent, e.id).user_agent) for e in events] \
            == expected  # fmt: skip
        result = verify_chain(session)
        assert result.ok and result.checked == len(events)
        columns = {c["name"] for c in inspect(session.connection()).get_columns("audit_event")}
        assert "origin_id" in columns and not columns & {"ip", "user_agent_id", "user_agent"}


def test_the_hash_covers_the_address_and_text_exactly_as_the_columns_did():
    """Digests the service computed when ip was a column (revision 0024's code; 0021's test has more)."""
    fields = {"occurred_at": datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC), "actor_id": 7,
              "actor_role": "office_clerk", "actor_unit_id": 3, "action": "task.complete",
              "object_type": "human_task", "object_id": "42", "after_json": '{"decision":"approve"}',
              "comment": "Đồng ý", "dossier_id": 5}  # fmt: skip
    neither = AuditEvent(**fields)
    assert event_hash(neither, GENESIS_HASH) == event_hash(AuditEvent(**fields, origin=RequestOrigin()), GENESIS_HASH)
    digests = {event_hash(AuditEvent(**fields, origin=RequestOrigin(ip=ip, agent=agent)), GENESIS_HASH)
               for ip in (None, "", OFFICE) for agent in (None, UserAgent(text=FIREFOX))}  # fmt: skip
    assert len(digests) == 6  # no address, an empty one and an address hash apart, with or without a text
    with_address = AuditEvent(**fields, origin=RequestOrigin(ip=OFFICE))
    assert event_hash(with_address, GENESIS_HASH) == "90004a1198a72574ee1bc87d12f1f9c50d22c8bfb167384dbeeb2eacf1c54cc8"


def test_a_transaction_looks_a_pair_up_once_and_a_known_pair_in_one_query(empty_factory):
    with empty_factory() as session, session.begin():
        _note(session, OFFICE, FIREFOX)
        _note(session, OFFICE)
    with empty_factory() as session, session.begin():
        _note(session)  # the chain head is locked once per transaction: leave it out of the counts
        engine = session.get_bind()
        with statements(engine) as plain:
            _note(session)
        with statements(engine) as known:
            _note(session, OFFICE, FIREFOX)
        with statements(engine) as known_address:
            _note(session, OFFICE)
        with statements(engine) as again:
            for _ in range(3):
                _note(session, OFFICE, FIREFOX)
                _note(session, OFFICE)
        with statements(engine) as new_address:
            _note(session, HOME, FIREFOX)
    # The event's INSERT and the head's UPDATE; on PostgreSQL one statement locks the head, inserts, moves it.
    on_postgresql = engine.dialect.name == "postgresql"
    assert len(plain) == (1 if on_postgresql else 2)
    # And the origin's look-up (by the text, joined), which on PostgreSQL the append statement makes itself.
    assert len(known) == len(known_address) == (len(plain) if on_postgresql else len(plain) + 1)
    assert "JOIN user_agent" in known[0] and "user_agent.text =" in known[0]
    assert "request_origin.user_agent_id IS NULL" in known_address[0]
    assert len(again) == 6 * len(plain)
    # A known text from a new address: the pair's look-up, the text's, the pair's by id, its INSERT ... ON
    # CONFLICT DO NOTHING, the event and the head. On PostgreSQL the append statement finds no pair and appends
    # nothing; the head is locked, the pair looked up again and inserted (a new pair is inserted with the head
    # locked: origin_row says why), and a second append statement carries its id.
    assert len(new_address) == (7 if on_postgresql else 6)


def test_an_origin_inserted_in_a_savepoint_that_rolls_back_is_inserted_again(empty_factory):
    """Bulk approval undoes one task's savepoint and goes on: the next event must not point at the undone row."""
    with empty_factory() as session, session.begin():
        _note(session, None, CHROMIUM)  # the text is committed; the pair below is not
    with empty_factory() as session, session.begin():
        for pair in ((OFFICE, CHROMIUM), (HOME, FIREFOX)):  # a new pair of a known text, a pair of a new text
            nested = session.begin_nested()
            _note(session, *pair)
            nested.rollback()
        kept = [_note(session, OFFICE, CHROMIUM), _note(session, HOME, FIREFOX)]
    with empty_factory() as session:
        origins = _origins(session)
        assert [(ip, agent) for _, ip, agent in origins] == [(None, CHROMIUM), (OFFICE, CHROMIUM), (HOME, FIREFOX)]
        assert [e.origin_id for e in kept] == [origins[1][0], origins[2][0]]
        result = verify_chain(session)
        assert result.ok and result.checked == 3


def test_an_origin_inserted_in_a_transaction_that_rolls_back_is_inserted_again(empty_factory):
    with empty_factory() as session:
        with pytest.raises(RuntimeError), session.begin():
            _note(session, OFFICE)
            raise RuntimeError("the request failed")
        with session.begin():  # the same session, as a worker keeps it for its next job
            kept = _note(session, OFFICE)
    with empty_factory() as session:
        assert _origins(session) == [(kept.origin_id, OFFICE, None)]
        assert verify_chain(session).ok


def test_the_database_keeps_each_pair_unique_with_or_without_its_halves(empty_factory):
    engine = empty_factory.kw["bind"]
    with engine.begin() as conn:
        agent = conn.execute(insert(UserAgent).values(text=FIREFOX).returning(UserAgent.id)).scalar_one()
        pairs = [(OFFICE, agent), (OFFICE, None), (None, agent), ("", None), (HOME, agent)]
        conn.execute(insert(RequestOrigin), [{"ip": ip, "user_agent_id": agent_id} for ip, agent_id in pairs])
    for ip, agent_id in [*pairs, (None, None)]:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(RequestOrigin).values(ip=ip, user_agent_id=agent_id))
    with empty_factory() as session:
        assert len(_origins(session)) == len(pairs)


def test_editing_an_origin_breaks_the_chain_at_the_first_event_using_it(empty_factory):
    with empty_factory() as session, session.begin():
        events = [_note(session, ip, agent) for ip, agent in
                  ((None, None), (OFFICE, CHROMIUM), (HOME, CHROMIUM), (None, None), (HOME, CHROMIUM))]  # fmt: skip
    engine = empty_factory.kw["bind"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # refused otherwise; a superuser can still do it
            conn.execute(text("ALTER TABLE request_origin DISABLE TRIGGER request_origin_append_only"))
        conn.execute(text("UPDATE request_origin SET ip = '10.20.30.99' WHERE ip = :ip"), {"ip": HOME})
    with empty_factory() as session:
        result = verify_chain(session)
    assert (result.ok, result.first_broken_id, result.checked) == (False, events[2].id, 2)
    assert "mã băm" in result.reason


@pytest.mark.postgres
@pytest.mark.parametrize(("statement", "refused"), [
    ("UPDATE request_origin SET ip = '10.0.0.1'", "request_origin is append-only"),
    ("DELETE FROM request_origin", "request_origin is append-only"),
    ("TRUNCATE request_origin CASCADE", "audit_event is append-only"),
])  # fmt: skip
def test_postgresql_refuses_to_change_request_origin_rows(empty_postgres_url, statement, refused):
    engine = make_engine(empty_postgres_url)
    with make_session_factory(engine)() as session, session.begin():
        _note(session, OFFICE, CHROMIUM)
    with pytest.raises(DBAPIError, match=refused), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT ip FROM request_origin")).scalars().all() == [OFFICE]
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("pair", [(OFFICE, None), (None, FIREFOX), (OFFICE, FIREFOX)])
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_two_transactions_inserting_the_same_new_pair_both_succeed_with_one_row(empty_postgres_url, pair, first_ends):
    """Each kind of pair is kept unique by its own index (a partial one when a half is missing): the second
    INSERT waits on it, then does nothing (the first committed) or inserts (it rolled back)."""
    engine = make_engine(empty_postgres_url)
    factory = make_session_factory(engine)
    if pair[1] is not None:
        with factory() as session, session.begin():
            user_agent_row(session, pair[1])  # the text is there: both wait on the pair's index, not the text's
    found: dict[str, Any] = {}

    def second() -> None:
        try:
            with factory() as session, session.begin():
                found["second"] = origin_row(session, *pair).id
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            found["error"] = exc

    with factory() as session:
        session.begin()
        found["first"] = origin_row(session, *pair).id  # inserted, not yet committed
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
        assert [row for row in _origins(session) if row[1] == pair[0]] == [(found["second"], *pair)]
    if first_ends == "commit":
        assert found["second"] == found["first"]
    engine.dispose()


# --- Reading ----------------------------------------------------------------------------------------------


def test_verify_chain_and_the_export_read_a_batch_of_origins_in_one_query(empty_factory):
    with empty_factory() as session, session.begin():
        # 43 pairs: loading them one by one would take 43 queries
        events = [_note(session, None if number % 4 == 3 else f"10.0.0.{number}", FIREFOX if number % 3 else None)
                  for number in range(55)]  # fmt: skip
    with empty_factory() as session:
        engine = session.get_bind()
        with statements(engine) as verifying:
            result = verify_chain(session, batch=25)
        assert result.ok and result.checked == 55
    with empty_factory() as session, statements(engine) as exporting:
        exported = [(row.event.id, row.event.ip, row.event.user_agent)
                    for row in audit_rows(session, AuditFilter(), batch=25)]  # fmt: skip
    assert exported == [(e.id, e.ip, e.user_agent) for e in events]
    # Three pages with events (25, 25, 5): one query for each page's origins, each with its text.
    for sent in (verifying, exporting):
        assert len([sql for sql in sent if "FROM request_origin LEFT OUTER JOIN user_agent" in sql]) == 3
        assert len([sql for sql in sent if "request_origin" in sql]) == 3


# --- Migration 0027 ---------------------------------------------------------------------------------------

# audit_event as it is before 0027 (schema 0024-0026): the address and the user agent's id in each row.
OLD_EVENT = table("audit_event", column("id", Integer), column("occurred_at", UTCDateTime()),
                  column("actor_id", Integer), column("actor_role", Coded(ROLE_CODES)),
                  column("actor_unit_id", Integer), column("action", Coded(ACTION_CODES)),
                  column("object_type", Coded(OBJECT_TYPE_CODES)), column("object_id", String),
                  column("before_json", Text), column("after_json", Text), column("comment", Text),
                  column("ip", String), column("user_agent_id", Integer), column("dossier_id", Integer),
                  column("hash", Sha256Digest()))  # fmt: skip
# Pairs as the events written before 0027 carry them: shared, alone, halves missing, an empty address, none.
OLD_PAIRS = [(OFFICE, CHROMIUM), (None, None), (OFFICE, CHROMIUM), (OFFICE, None), (None, FIREFOX),
             (HOME, CHROMIUM), (OFFICE, None), ("", None), (None, FIREFOX), (HOME, FIREFOX), (OFFICE, CHROMIUM),
             (None, None)]  # fmt: skip


def _old_rows(url: str) -> list[Any]:
    """Every event as stored before 0027, with its user agent's text, in id order."""
    return old_rows(url, OLD_EVENT)


def _verify_before_0027(url: str) -> int:
    """Walk the chain as stored before 0027 (the address in each row); the number of events, all linked."""
    return verify_old_chain(url, OLD_EVENT)


def _append_before_0027(url: str) -> None:
    """Events written as the service did before 0027: the address and user agent id in the row, chained on the head."""
    engine = make_engine(url)
    with engine.begin() as conn:
        agents = {agent_text: conn.execute(insert(OLD_AGENT).values(text=agent_text).returning(OLD_AGENT.c.id))
                  .scalar_one() for agent_text in (FIREFOX, CHROMIUM)}  # fmt: skip
        prev = conn.execute(select(OLD_HEAD.c.last_hash)).scalar_one()
        when = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        for number, (ip, agent_text) in enumerate(OLD_PAIRS):
            values = {"occurred_at": when + timedelta(minutes=number), "actor_id": None, "actor_role": "office_clerk",
                      "actor_unit_id": None, "action": "task.claim", "object_type": "human_task",
                      "object_id": str(number), "before_json": None, "after_json": None, "comment": "Nhận việc",
                      "ip": ip, "user_agent_id": agents.get(agent_text), "dossier_id": None}  # fmt: skip
            digest = event_hash(old_event({**values, "agent_text": agent_text}), prev)
            new_id = conn.execute(insert(OLD_EVENT).values(**values, hash=digest).returning(OLD_EVENT.c.id))\
                .scalar_one()  # fmt: skip
            prev = digest
        conn.execute(OLD_HEAD.update().values(last_event_id=new_id, last_hash=prev))
    engine.dispose()


def _origin_schema(url: str) -> dict[str, Any]:
    """request_origin as the database describes it: columns, keys, checks, every index's full definition."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'request_origin'"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'request_origin'"
        schema = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns("request_origin")],
            "pk": found.get_pk_constraint("request_origin"),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                                   for fk in found.get_foreign_keys("request_origin")),
            "unique": found.get_unique_constraints("request_origin"),
            "checks": sorted((c["name"], c["sqltext"]) for c in found.get_check_constraints("request_origin")),
            "indexes": sorted((name, sql or "") for name, sql in conn.execute(text(query))),
        }  # fmt: skip
    engine.dispose()
    return schema


def _schemas_built_to(url: str, revision: str, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """audit_event and request_origin (None if there is none) as the migrations up to `revision` build them on a
    new database of the same kind."""

    def describe(fresh: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        audit = _audit_schema(fresh)
        return audit, _origin_schema(fresh) if "request_origin" in audit["tables"] else None

    if url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / f'built-to-{revision}.sqlite3'}"
        command.upgrade(alembic_config(fresh), revision)
        return describe(fresh)
    name = f"{_admin_conninfo()[1]}_{revision}_{uuid.uuid4().hex[:10]}"
    try:
        fresh = _create_database(name)
        command.upgrade(alembic_config(fresh), revision)
        return describe(fresh)
    finally:
        _drop_database(name)


def _at_head(url: str) -> list[tuple[Any, ...]]:
    """At head: the chain verifies and the schema is the models'; every event's id, address, text and hash."""
    assert_head_agrees_with_models(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        result = verify_chain(session)
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert result.ok and result.checked == len(events), result
        found = [(e.id, e.ip, e.user_agent, e.hash) for e in events]
    engine.dispose()
    return found


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0027_keeps_every_address_text_and_hash_both_ways(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    at_head = (_audit_schema(url), _origin_schema(url))
    assert at_head == _schemas_built_to(url, "head", tmp_path)
    seeded = _at_head(url)
    assert len(seeded) > 10

    command.downgrade(alembic_config(url), PREVIOUS)
    # Undone exactly: the schema (column order, indexes with their full definitions, keys, triggers) of a
    # database never upgraded past PREVIOUS, and every event's address, text and hash as they were.
    before_schema = _audit_schema(url)
    assert (before_schema, None) == _schemas_built_to(url, PREVIOUS, tmp_path)
    assert "request_origin" not in before_schema["tables"]
    assert [(r.id, r.ip, r.agent_text, r.hash) for r in _old_rows(url)] == seeded
    _append_before_0027(url)
    before = _old_rows(url)
    assert _verify_before_0027(url) == len(before) == len(seeded) + len(OLD_PAIRS)

    command.upgrade(alembic_config(url), "head")
    assert _at_head(url) == [(r.id, r.ip, r.agent_text, r.hash) for r in before]
    assert (_audit_schema(url), _origin_schema(url)) == at_head  # every index kept, the partial ones with their WHERE
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        # One row per distinct pair, numbered in the order of first use; an event with neither has none.
        used = list(dict.fromkeys((r.ip, r.agent_text) for r in before if (r.ip, r.agent_text) != (None, None)))
        origins = _origins(session)
        assert [(ip, agent) for _, ip, agent in origins] == used
        assert [(OFFICE, CHROMIUM), (OFFICE, None), (None, FIREFOX), (HOME, CHROMIUM), ("", None), (HOME, FIREFOX)] \
            == used[-6:]  # fmt: skip
        ids = {(ip, agent): origin_id for origin_id, ip, agent in origins}
        stored = session.execute(text("SELECT id, origin_id FROM audit_event ORDER BY id")).all()
        assert [tuple(row) for row in stored] == [(r.id, ids.get((r.ip, r.agent_text))) for r in before]
    origin = REQUEST_ORIGIN.set((HOME, FIREFOX))
    try:  # the service goes on writing, reusing the migrated pairs and adding new ones
        with make_session_factory(engine)() as session, session.begin():
            added = [_note(session), _note(session, OFFICE), _note(session, "10.1.1.1", "curl/8.11.1")]
    finally:
        REQUEST_ORIGIN.reset(origin)
    with make_session_factory(engine)() as session, session.begin():
        added.append(_note(session, OFFICE))
    assert [added[0].origin_id, added[3].origin_id] == [ids[(HOME, FIREFOX)], ids[(OFFICE, None)]]
    with make_session_factory(engine)() as session:
        assert len(_origins(session)) == len(origins) + 2
    engine.dispose()
    assert len(_at_head(url)) == len(before) + 4

    command.downgrade(alembic_config(url), PREVIOUS)
    after = _old_rows(url)
    assert after[:len(before)] == before  # every row exactly as it was, the address and the id back in their columns
    assert [(r.ip, r.agent_text) for r in after[len(before):]] == [
        (HOME, FIREFOX), (OFFICE, FIREFOX), ("10.1.1.1", "curl/8.11.1"), (OFFICE, None)]  # fmt: skip
    assert _verify_before_0027(url) == len(before) + 4
    assert _audit_schema(url) == before_schema
    command.upgrade(alembic_config(url), "head")
    assert len(_at_head(url)) == len(before) + 4
    if url.startswith("postgresql"):  # the migration disabled audit_event's trigger for its UPDATEs only
        engine = make_engine(url)
        with pytest.raises(DBAPIError, match="audit_event is append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET comment = NULL"))
        engine.dispose()


def test_migration_0027_tests_start_from_the_revision_it_follows():
    """PREVIOUS is what the migration names as its predecessor (re-pointed at merge: change PREVIOUS too)."""
    migration = MIGRATIONS_DIR / "versions" / "0027_audit_request_origin.py"
    assert f"down_revision = '{PREVIOUS}'" in migration.read_text(encoding="utf-8")
