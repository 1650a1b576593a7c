"""PostgreSQL connections in the pool: one that died while idle is replaced before use; one handed back a
moment ago is used without asking the server first (no round trip per transaction)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import service.db as db_module
from service.db import make_engine

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def pg_engine(postgres_url):
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _pings(engine, monkeypatch):
    counted: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_conn):
        counted.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return counted


def _backend(engine) -> int:
    with engine.connect() as conn:
        pid = conn.execute(text("select pg_backend_pid()")).scalar_one()
        conn.commit()
        return pid


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_engine, monkeypatch):
    pings = _pings(pg_engine, monkeypatch)
    first = _backend(pg_engine)
    assert [_backend(pg_engine) for _ in range(5)] == [first] * 5  # the same connection, reused
    assert pings == []


def test_a_connection_that_died_while_idle_is_replaced_before_the_transaction(pg_engine, postgres_url, monkeypatch):
    pings = _pings(pg_engine, monkeypatch)
    dead = _backend(pg_engine)
    killer = make_engine(postgres_url)
    with killer.connect() as conn:
        assert conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": dead}).scalar_one() is True
        conn.commit()
    killer.dispose()
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)  # as if it had sat in the pool for a while
    replaced = _backend(pg_engine)  # no error: the ping found it dead and the pool connected anew
    assert replaced != dead and len(pings) == 1
