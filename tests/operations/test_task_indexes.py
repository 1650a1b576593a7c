"""The open-task indexes (migration 0016) hold ready tasks only, and the queries for ready tasks use them."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select

from service.db import alembic_config, make_engine
from service.domain.actors import Actor
from service.models import HumanTask
from service.models.task_codes import TASK_STATES
from service.queries.inbox import actionable_task_ids
from tests.operations.helpers import table_indexes
from tests.operations.test_audit_codes import statements

OPEN_INDEXES = {"ix_human_task_ready_due", "ix_human_task_ready_claimed", "ix_human_task_ready_escalated",
                "ix_human_task_ready_instance"}  # fmt: skip


def _plan(conn, statement) -> str:  # type: ignore[no-untyped-def]
    """SQLite's plan for the statement exactly as the application sends it: its texts bound as their codes."""
    with statements(conn.engine) as sent:
        conn.execute(statement).all()
    [(sql, parameters)] = sent
    assert "ready" not in parameters  # the code of "ready" (1) was sent, as the partial indexes' WHERE says
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
    return " | ".join(row[3] for row in rows)


def test_queries_for_ready_tasks_use_the_open_task_indexes(sqlite_url):
    engine = make_engine(sqlite_url)
    chairman = Actor(1, "chủ tịch", frozenset({("chairman", 3)}))
    with engine.connect() as conn:
        assert "USING INDEX ix_human_task_ready_escalated" in _plan(conn, actionable_task_ids(chairman))
        assert "ix_human_task_inbox" in _plan(conn, actionable_task_ids(chairman))
        ready = select(HumanTask.id).where(HumanTask.instance_id == 1, HumanTask.state == "ready")
        assert "ix_human_task_ready_instance" in _plan(conn, ready)
        claimed = select(HumanTask.id).where(HumanTask.claimed_by == 1, HumanTask.state == "ready")
        assert "ix_human_task_ready_claimed" in _plan(conn, claimed)
        done = select(HumanTask.id).where(HumanTask.instance_id == 1, HumanTask.state == "completed")
        assert "sqlite_autoindex_human_task_1" in _plan(conn, done)  # any state: the unique (instance, guid) index
    engine.dispose()


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0016_round_trip_leaves_the_open_task_indexes_partial(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), "0015")
    command.upgrade(alembic_config(url), "head")
    definitions = table_indexes(url, "human_task")
    assert OPEN_INDEXES <= set(definitions)
    # Their WHERE compares state with the code of "ready" (migration 0025), as a query binds it.
    ready = f"state = {TASK_STATES['ready']}"
    assert all(ready in definitions[name] and "WHERE" in definitions[name].upper() for name in OPEN_INDEXES)
    assert "WHERE" not in definitions["ix_human_task_inbox"].upper()
