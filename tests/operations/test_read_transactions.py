"""On PostgreSQL the web app's read transactions (`READ_OPTIONS`) cannot write; writing ones
(`WRITE_OPTIONS`, what web.context.transaction asks for) can, on the same session. A long read
(`snapshot_scope`) holds no write lock and sees one snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from service.db import READ_OPTIONS, WRITE_OPTIONS, make_engine, make_session_factory, session_scope, snapshot_scope
from service.models import OrgUnit
from tests.factories import make_org_tree


def test_a_read_transaction_refuses_writes_and_a_writing_one_after_it_succeeds(empty_postgres_url: str) -> None:
    engine = make_engine(empty_postgres_url)
    factory = make_session_factory(engine)
    try:
        with factory(bind=engine.execution_options(**READ_OPTIONS)) as session:
            assert session.scalar(select(func.count()).select_from(OrgUnit)) == 0
            with pytest.raises(DBAPIError, match="read-only transaction"):
                make_org_tree(session, code_prefix="RO-")
            session.rollback()
            with session.begin():
                session.connection(execution_options=WRITE_OPTIONS)
                make_org_tree(session, code_prefix="RW-")
            # Its next read transaction is read-only again.
            assert session.scalar(select(func.count()).select_from(OrgUnit)) > 0
            with pytest.raises(DBAPIError, match="read-only transaction"):
                make_org_tree(session, code_prefix="RO2-")
            session.rollback()
        with factory() as session:
            codes = set(session.scalars(select(OrgUnit.code)))
        assert codes and all(code.startswith("RW-") for code in codes)
    finally:
        engine.dispose()


def test_sessions_without_options_write_as_before(empty_db_url: str) -> None:
    """CLI commands, workers and the bench use sessions without options: writing transactions."""
    engine = make_engine(empty_db_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            make_org_tree(session, code_prefix="CLI-")
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(OrgUnit)) > 0
    finally:
        engine.dispose()


def test_a_snapshot_scope_lets_writers_go_on_and_does_not_see_their_rows(empty_db_url: str) -> None:
    """`thidua audit verify` walks the whole chain in snapshot_scope: a writer commits meanwhile (on SQLite
    session_scope's BEGIN IMMEDIATE would make it wait for the walk), and the walk still sees the database as
    it was when it began (on PostgreSQL's default READ COMMITTED it would see the new rows halfway)."""
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    try:
        with snapshot_scope(factory) as reading:
            before = reading.scalar(select(func.count()).select_from(OrgUnit))
            # Another engine writes and commits while the snapshot is open. A held write lock would make it
            # wait: on SQLite its busy timeout is cut to 1 s, so that waiting fails the test instead.
            writer = make_engine(empty_db_url)
            if writer.dialect.name == "sqlite":
                event.listen(writer, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=1000"))
            try:
                with session_scope(make_session_factory(writer)) as writing:
                    make_org_tree(writing, code_prefix="SNAP-")
            finally:
                writer.dispose()
            assert reading.scalar(select(func.count()).select_from(OrgUnit)) == before
            if engine.dialect.name == "postgresql":
                assert reading.scalar(text("SHOW transaction_isolation")) == "repeatable read"
                assert reading.scalar(text("SHOW transaction_read_only")) == "on"
        with session_scope(factory) as session:
            assert session.scalar(select(func.count()).select_from(OrgUnit)) > before
    finally:
        engine.dispose()
