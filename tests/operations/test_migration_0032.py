"""Migration 0032 adds user_account.must_change_password (NOT NULL, server default false) and its downgrade drops it,
on SQLite and on PostgreSQL: every user and every row that refers to one is kept both ways."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Boolean, String, column, inspect, table, update

from service.db import UTCDateTime, alembic_config, make_engine
from service.models import User
from tests.operations.helpers import assert_head_agrees_with_models, query_rows

USERS = "SELECT id, username, password_hash, is_active FROM user_account ORDER BY id"
REFERENCES = ("SELECT (SELECT count(*) FROM role_assignment) AS roles, (SELECT count(*) FROM audit_event) AS events, "
              "(SELECT count(*) FROM api_token) AS tokens")  # fmt: skip
# user_account as 0031 left it
OLD_USER = table("user_account", column("username", String), column("full_name", String),
                 column("password_hash", String), column("is_active", Boolean), column("created_at", UTCDateTime()))


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {column["name"] for column in inspect(conn).get_columns("user_account")}
    engine.dispose()
    return found


def test_migration_0032_round_trip_keeps_every_user(factory, db_url):
    with factory() as session, session.begin():
        session.execute(update(User).where(User.username == "hn-hd-pl.office_clerk").values(must_change_password=True))
    factory.kw["bind"].dispose()
    users, references = query_rows(db_url, USERS), query_rows(db_url, REFERENCES)
    assert len(users) > 10

    command.downgrade(alembic_config(db_url), "0031")
    assert "must_change_password" not in _columns(db_url)
    assert query_rows(db_url, USERS) == users and query_rows(db_url, REFERENCES) == references
    engine = make_engine(db_url)
    with engine.begin() as conn:  # a user added by the older version, which knows no flag
        conn.execute(OLD_USER.insert().values(username="cu.nguoi.dung", full_name="Người dùng cũ", password_hash="x",
                                              is_active=True, created_at=datetime(2026, 12, 7, tzinfo=UTC)))
    engine.dispose()

    command.upgrade(alembic_config(db_url), "head")
    assert_head_agrees_with_models(db_url)
    flags = {row["username"]: row["must_change_password"]
             for row in query_rows(db_url, "SELECT username, must_change_password FROM user_account")}  # fmt: skip
    assert len(flags) == len(users) + 1
    assert not any(flags.values())  # the downgrade dropped the pending change; every user starts without one
    assert query_rows(db_url, REFERENCES) == references
