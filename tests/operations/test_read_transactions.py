"""Read transactions cannot write, on SQLite (query_only) and PostgreSQL (READ ONLY); writing ones can.

The web app reads through `READ_OPTIONS` and writes only inside `transaction()` (`WRITE_OPTIONS`), so a
change made anywhere else fails instead of being committed or silently rolled back with its audit event.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.db import READ_OPTIONS, WRITE_OPTIONS, make_engine, make_session_factory
from service.models import OrgUnit
from tests.factories import make_org_tree


def test_a_read_transaction_refuses_writes_and_a_writing_one_after_it_succeeds(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    try:
        with factory(bind=engine.execution_options(**READ_OPTIONS)) as session:
            assert session.scalar(select(func.count()).select_from(OrgUnit)) == 0
            with pytest.raises(DBAPIError, match="(?i)read.?only|readonly"):
                make_org_tree(session, code_prefix="RO-")
                session.flush()
            session.rollback()
            # The same session, asked for a writing transaction, writes (web.context.transaction does this).
            with session.begin():
                session.connection(execution_options=WRITE_OPTIONS)
                make_org_tree(session, code_prefix="RW-")
            # And its next read transaction is read-only again.
            assert session.scalar(select(func.count()).select_from(OrgUnit)) > 0
            with pytest.raises(DBAPIError, match="(?i)read.?only|readonly"):
                make_org_tree(session, code_prefix="RO2-")
                session.flush()
            session.rollback()
        with factory() as session:
            codes = set(session.scalars(select(OrgUnit.code)))
        assert codes and all(code.startswith("RW-") for code in codes)
    finally:
        engine.dispose()


def test_a_plain_session_writes_as_before(empty_db_url: str) -> None:
    """CLI commands, workers and the bench use sessions without options: writing transactions."""
    engine = make_engine(empty_db_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            make_org_tree(session, code_prefix="CLI-")
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(OrgUnit)) > 0
    finally:
        engine.dispose()
