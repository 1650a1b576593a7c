"""Fixtures shared by the operation tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory


@pytest.fixture
def empty_factory(empty_db_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on an empty migrated database (SQLite, then PostgreSQL): commit freely."""
    engine = make_engine(empty_db_url)
    yield make_session_factory(engine)
    engine.dispose()
