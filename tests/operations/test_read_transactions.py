"""On PostgreSQL the web app's read transactions (`READ_OPTIONS`) cannot write; writing ones
(`WRITE_OPTIONS`, what web.context.transaction asks for) can, on the same session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from service.db import READ_OPTIONS, WRITE_OPTIONS, make_engine, make_session_factory
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
