"""service/pg_driver.py: the cursor whose description is built on first use, and psycopg keeping long
statements converted. Both reach into psycopg beyond its documented interface; these tests fail if an
upgrade of psycopg changes what they rely on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import _queries
from sqlalchemy import Engine, event, select, text

from service import pg_driver
from service.db import make_engine, make_session_factory
from service.models import HumanTask
from workflows import Engine as WorkflowEngine
from workflows import FixedClock

from .helpers import act, new_dossier, open_task

_MIXED = text(
    "SELECT 1::integer AS n, 'Nguyễn Văn Á'::text AS name, now() AS at, NULL::numeric(10, 2) AS amount,"
    " true AS ok, '\\x00ff'::bytea AS raw, 'f0e1d2c3-0000-4000-8000-000000000001'::uuid AS guid"
)


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _described(description: Any) -> list[tuple[Any, ...]]:
    return [(c.name, c.type_code, c.display_size, c.internal_size, c.precision, c.scale, c.null_ok, c.type_display)
            for c in description]  # fmt: skip


def test_the_engine_s_cursors_describe_results_as_psycopg_does(pg_engine, postgres_url):
    with pg_engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.cursor_factory is pg_driver.LazyDescriptionCursor
        lazy = raw.cursor()
        assert isinstance(lazy, pg_driver.LazyDescriptionCursor)
        plain = psycopg.Cursor(raw)
        sql = str(_MIXED)
        lazy.execute(sql)
        plain.execute(sql)
        lazy_description, plain_description = lazy.description, plain.description
        assert len(lazy_description) == len(plain_description) == 7
        assert _described(lazy_description) == _described(plain_description)
        assert [c.name for c in lazy_description[1:3]] == ["name", "at"]
        assert lazy_description[-1].name == "guid"
        # A description keeps describing its own result after the cursor has run something else.
        earlier = lazy.description
        lazy.fetchall()
        lazy.execute("SELECT 2 AS other")
        assert [c.name for c in earlier] == ["n", "name", "at", "amount", "ok", "raw", "guid"]
        assert [c.name for c in lazy.description] == ["other"]
        # No rows to describe: None, as psycopg says; `SELECT ;` returns rows of no columns: empty, not None.
        lazy.execute("CREATE TEMPORARY TABLE t (x integer)")
        assert lazy.description is None and plain.execute("CREATE TEMPORARY TABLE u (x integer)").description is None
        lazy.execute("SELECT ;")
        assert lazy.description is not None and len(lazy.description) == 0 and list(lazy.description) == []
        lazy.execute("INSERT INTO t VALUES (1), (2) RETURNING x")
        assert [c.name for c in lazy.description] == ["x"]
        lazy.close()
        plain.close()


def test_sqlalchemy_reads_names_from_the_description_when_nothing_is_cached(pg_engine):
    with pg_engine.connect() as conn:
        textual = conn.exec_driver_sql("SELECT 1 AS một, 'Hà Nội' AS nơi").mappings().one()
        assert dict(textual) == {"một": 1, "nơi": "Hà Nội"}
        row = conn.execute(_MIXED).one()
        assert (row.n, row.name, row.ok, row.amount) == (1, "Nguyễn Văn Á", True, None)


def test_psycopg_keeps_a_long_statement_converted(pg_engine):
    assert _queries.MAX_CACHED_STATEMENT_LENGTH >= pg_driver.LONG_STATEMENT_CHARS
    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= pg_driver.LONG_STATEMENT_PARAMS
    # A statement longer than psycopg's own limits (4,096 characters, 50 parameters), as the audit append is.
    columns = ", ".join(f"%(p{n})s::integer + 0 AS column_with_a_long_name_{n}" for n in range(80))
    sql = f"SELECT {columns} -- {'padding ' * 500}"
    assert len(sql) > 4096
    params = {f"p{n}": n for n in range(80)}
    with pg_engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            hits = _queries._query2pg.cache_info().hits
            cursor.execute(sql, params)
            assert _queries._query2pg.cache_info().hits == hits + 1
            assert cursor.fetchone()[79] == 79


def test_a_completion_s_statements_are_short_enough_to_stay_converted(postgres_url):
    """Every statement of a submission (two audit events) and of an appraisal fits the raised limits."""
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    sent: list[tuple[str, int]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, len(parameters) if isinstance(parameters, dict) else 0))

    workflow = WorkflowEngine(FixedClock())
    dossier_id = new_dossier(factory, workflow)
    event.listen(engine, "before_cursor_execute", seen)
    act(factory, workflow, dossier_id)  # the unit submits: task.complete and dossier.submit
    task = open_task(factory, dossier_id)
    act(factory, workflow, dossier_id, comment="Đủ hồ sơ")  # the ward office approves: the next task, its notifications
    event.remove(engine, "before_cursor_execute", seen)
    appends = [(statement, count) for statement, count in sent if "INSERT INTO audit_event" in statement]
    assert len(appends) >= 2
    assert any(len(statement) > 4096 for statement, _ in appends)  # what psycopg alone would not keep
    for statement, count in appends:
        assert len(statement) <= pg_driver.LONG_STATEMENT_CHARS and count <= pg_driver.LONG_STATEMENT_PARAMS
    with factory() as session:
        assert session.scalar(select(HumanTask.state).where(HumanTask.id == task.id)) == "completed"
    engine.dispose()


def test_only_psycopg_connections_are_tuned():
    class Other:
        cursor_factory = object

    other = Other()
    pg_driver.tune_connection(other)
    assert other.cursor_factory is object
