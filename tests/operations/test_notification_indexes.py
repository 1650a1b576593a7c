"""A user's notifications are listed newest first and their unread ones counted from indexes, with no sort of
everything the user ever had (migration 0028), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from service.db import MIGRATIONS_DIR, alembic_config, make_engine, make_session_factory
from service.models import Notification, User
from service.operations.notifications import unread_count
from service.queries.notifications import recent_notices
from service.web.notifications import PAGE
from tests.operations.helpers import assert_head_agrees_with_models, indexes_built_to, query_rows, table_indexes
from tests.operations.test_audit_codes import statements

# The revision 0028 follows. When 0028 is re-pointed (down_revision), change this line only.
PREVIOUS = "0027"
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
USERS = 20  # the notifications are shared among this many officials, so that one's are a few of the table's
MANY = 4000  # of which one official's (200) are more than a page: reading them all costs more than the page
EVERY_THIRD_READ = 3


def _give_many_notifications(url: str) -> int:
    """Share MANY notifications among USERS officials (every third one read), the one with a seeded notification
    first; that one's user id.

    On PostgreSQL the table is then vacuumed and analysed, as autovacuum leaves it: the planner knows how
    many rows there are and whose, and the visibility map lets a count answer from the index alone."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        seeded = session.scalars(select(Notification).where(Notification.task_id.is_not(None))
                                 .order_by(Notification.id)).first()  # fmt: skip
        assert seeded is not None
        others = session.scalars(select(User.id).where(User.id != seeded.user_id).order_by(User.id)
                                 .limit(USERS - 1)).all()  # fmt: skip
        users = [seeded.user_id, *others]
        assert len(users) == USERS
        start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        session.execute(insert(Notification), [
            {"user_id": users[n % USERS], "kind": "task", "dossier_id": seeded.dossier_id, "task_id": seeded.task_id,
             "created_at": start + timedelta(minutes=n),
             "read_at": start + timedelta(minutes=n, hours=1) if n % EVERY_THIRD_READ == 0 else None}
            for n in range(MANY)
        ])  # fmt: skip
        user_id = seeded.user_id
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE notification")
    engine.dispose()
    return user_id


def _plans(url: str, user_id: int) -> dict[str, str]:
    """The database's plans for the list and the count, each statement exactly as the application sends it.

    PostgreSQL plans with sequential scans off: on tables this small a full read is cheap, and the question
    is whether an index gives the rows in order, not which plan wins on a test database."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        with statements(engine) as sent:
            recent_notices(session, user_id, PAGE)
        [listing] = [(sql, parameters) for sql, parameters in sent if "FROM notification" in sql]
        with statements(engine) as sent:
            unread_count(session, user_id)
        [count] = sent
        conn = session.connection()
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        else:
            explain = "EXPLAIN QUERY PLAN "
        plans = {name: "\n".join(str(row[-1]) for row in conn.exec_driver_sql(explain + sql, parameters))
                 for name, (sql, parameters) in {"list": listing, "count": count}.items()}  # fmt: skip
    engine.dispose()
    return plans


def _assert_read_from_indexes(url: str, user_id: int) -> None:
    plans = _plans(url, user_id)
    if url.startswith("sqlite"):
        assert "USING INDEX ix_notification_user_newest (user_id=?)" in plans["list"], plans["list"]
        assert "USE TEMP B-TREE" not in plans["list"], plans["list"]
        assert "USING INDEX ix_notification_user_unread (user_id=?)" in plans["count"], plans["count"]
        # A task notice's task (is it still open?) is looked up by its key, per unread notice.
        assert "SEARCH human_task USING INTEGER PRIMARY KEY (rowid=?)" in plans["count"], plans["count"]
    else:
        assert "Index Scan Backward using ix_notification_user_newest" in plans["list"], plans["list"]
        assert "Sort" not in plans["list"], plans["list"]
        # The unread rows through their index (their kind and task are then read: not an index-only scan), each
        # task notice's task by its primary key: never a scan or a hash of the task table.
        assert re.search(r"Index Scan (using|on) ix_notification_user_unread", plans["count"]), plans["count"]
        assert "Index Scan using pk_human_task on human_task" in plans["count"], plans["count"]
        assert "Hash" not in plans["count"] and "Seq Scan" not in plans["count"], plans["count"]


def _shown(url: str, user_id: int) -> tuple[list[int], int]:
    """The ids the notifications page lists and the header's unread count."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        shown = ([row.id for row in recent_notices(session, user_id, PAGE)], unread_count(session, user_id))
    engine.dispose()
    return shown


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_the_list_walks_the_newest_first_index_and_the_count_reads_the_unread_index(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    user_id = _give_many_notifications(url)
    _assert_read_from_indexes(url, user_id)
    rows = query_rows(url, f"SELECT id, read_at FROM notification WHERE user_id = {user_id} ORDER BY id DESC")
    assert PAGE < len(rows) < MANY // 10
    assert _shown(url, user_id) == ([row["id"] for row in rows[:PAGE]], sum(row["read_at"] is None for row in rows))


def _stored(url: str) -> list[dict[str, Any]]:
    return query_rows(url, "SELECT * FROM notification ORDER BY id")


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0028_replaces_the_read_index_and_puts_it_back(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    user_id = _give_many_notifications(url)
    stored, shown = _stored(url), _shown(url, user_id)
    at_head = table_indexes(url, "notification")
    assert at_head == indexes_built_to(url, "head", tmp_path, "notification")
    unread = at_head["ix_notification_user_unread"]
    assert "WHERE" in unread.upper() and "read_at IS NULL" in unread

    command.downgrade(alembic_config(url), PREVIOUS)
    # Undone exactly: the indexes of a database never upgraded past PREVIOUS, and every row as it was.
    before = table_indexes(url, "notification")
    assert before == indexes_built_to(url, PREVIOUS, tmp_path, "notification")
    assert "ix_notification_user_read" in before and "ix_notification_user_newest" not in before
    assert _stored(url) == stored
    # What 0028 is for: before it, no index gives one user's notifications newest first. SQLite sorts all of the
    # user's; PostgreSQL sorts them too, or (its choice with the page's joins) walks every user's notifications
    # newest first and filters them by user, which reads the others' as well.
    listing = _plans(url, user_id)["list"]
    if url.startswith("sqlite"):
        assert "USE TEMP B-TREE FOR ORDER BY" in listing, listing
    else:
        walks_everyone = "Index Scan Backward using pk_notification" in listing and "Filter: (user_id =" in listing
        assert "Sort" in listing or walks_everyone, listing
        assert "ix_notification_user_newest" not in listing, listing

    command.upgrade(alembic_config(url), "head")
    assert table_indexes(url, "notification") == at_head
    assert_head_agrees_with_models(url)
    assert _stored(url) == stored and _shown(url, user_id) == shown
    _assert_read_from_indexes(url, user_id)


def test_migration_0028_tests_start_from_the_revision_it_follows():
    """PREVIOUS is what the migration names as its predecessor (re-pointed at merge: change PREVIOUS too)."""
    migration = MIGRATIONS_DIR / "versions" / "0028_notification_newest_first_index.py"
    assert f"down_revision = '{PREVIOUS}'" in migration.read_text(encoding="utf-8")
