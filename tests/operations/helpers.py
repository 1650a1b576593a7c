"""Helpers for operation tests: act as a demo user in one transaction, as a request would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine as SqlEngine, event, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from service.db import Base, alembic_config, make_engine
from service.models import Dossier, HumanTask, OrgUnit
from service.models.dialect_indexes import indexes_built_on
from service.models.task_codes import TASK_DECISION_CODES, TASK_LEVEL_CODES, TASK_ROLE_CODES, TASK_STATE_CODES
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents, username_for
from service.storage import FileStore
from tests.conftest import FILES, _admin_conninfo, _create_database, _drop_database
from tests.factories import make_dossier_with_instance
from service.operations.dossiers import NomineeInput, create_dossier
from service.queries.eligibility import unconfirmed_keys
from service.operations.tasks import CompletionResult, complete_task, open_task_for
from workflows import Engine


def new_dossier(factory: sessionmaker[Session], engine: Engine, award: str = "BK-TINH",
                unit_code: str = "HN-HD-PL-TP", campaign: str = "TEST-PL-ALL") -> int:  # fmt: skip
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(
            session, actor_for(session, username_for(unit_code, "unit_clerk")), engine, campaign_code=campaign,
            unit_id=unit.id, title="Đề nghị khen thưởng năm 2024",
            nominees=[NomineeInput("individual", "Nguyễn Văn Ánh", award, "Công chức Tư pháp - Hộ tịch")],
        )  # fmt: skip
        clerk = actor_for(session, username_for(unit_code, "unit_clerk"))
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        return dossier.id


def open_task(factory: sessionmaker[Session], dossier_id: int) -> HumanTask | None:
    with factory() as session:
        task = open_task_for(session, dossier_id)
        if task is not None:
            session.expunge(task)
        return task


def owner_username(factory: sessionmaker[Session], task: HumanTask) -> str:
    with factory() as session:
        unit = session.get(OrgUnit, task.org_unit_id)
        return username_for(unit.code, task.role)


def act(factory: sessionmaker[Session], engine: Engine, dossier_id: int, decision: str | None = None,
        comment: str | None = None, username: str | None = None) -> CompletionResult:  # fmt: skip
    """Complete the dossier's open task as the user holding its role (or `username`)."""
    task = open_task(factory, dossier_id)
    assert task is not None, "no open task"
    decision = decision or ("submit" if task.bpmn_id == "unit_prepare" else "approve")
    with factory() as session, session.begin():
        actor = actor_for(session, username or owner_username(factory, task))
        # The reviewer ticks what no record decides (eligibility is tested on its own).
        ticks = unconfirmed_keys(session, session.get(Dossier, dossier_id))
        return complete_task(session, actor, engine, task.id, decision, comment, confirmed=ticks)


def dossier(factory: sessionmaker[Session], dossier_id: int) -> Dossier:
    with factory() as session:
        found = session.get(Dossier, dossier_id)
        session.expunge(found)
        return found


def instance_id_in(factory: sessionmaker[Session]) -> int:
    """Commit the smallest world with a running instance (tests.factories) and return the instance's id."""
    with factory() as session, session.begin():
        return make_dossier_with_instance(session).id


def table_indexes(url: str, table: str) -> dict[str, str]:
    """The indexes of a table as the database has them: name -> definition (SQL text; '' for SQLite's own)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table"
        else:
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
        found = conn.execute(text(query), {"table": table}).all()
    engine.dispose()
    return {name: sql or "" for name, sql in found}


def indexes_built_to(url: str, revision: str, tmp_path: Path, table: str) -> dict[str, str]:
    """A table's indexes as the migrations up to `revision` build them on a new database of the same kind as url's."""
    if url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / f'built-to-{revision}.sqlite3'}"
        command.upgrade(alembic_config(fresh), revision)
        return table_indexes(fresh, table)
    name = f"{_admin_conninfo()[1]}_{revision}_{uuid.uuid4().hex[:10]}"
    try:
        fresh = _create_database(name)
        command.upgrade(alembic_config(fresh), revision)
        return table_indexes(fresh, table)
    finally:
        _drop_database(name)


# --- Migrations of the task table: rows, references and schema as the database has them ----------------

TASK_REFERENCES = "SELECT 'n', id, task_id FROM notification UNION ALL SELECT 'd', id, human_task_id FROM nominee_decision"


def query_rows(url: str, sql: str) -> list[dict[str, Any]]:
    """Rows as the driver gives them (no column types applied), as dicts by column name."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(text(sql))]
    engine.dispose()
    return rows


# The task columns stored as codes from migration 0025 on, with their registries.
CODED_TASK_COLUMNS = {"role": TASK_ROLE_CODES, "level": TASK_LEVEL_CODES, "state": TASK_STATE_CODES,
                      "escalate_to_role": TASK_ROLE_CODES, "decision": TASK_DECISION_CODES}  # fmt: skip


def task_rows(url: str) -> list[dict[str, Any]]:
    """Every task row as stored, except that the coded columns are read as their texts at any revision
    (codes from 0025 on), so the tests of earlier migrations compare the same values at head."""
    rows = query_rows(url, "SELECT * FROM human_task ORDER BY id")
    for row in rows:
        for name, registry in CODED_TASK_COLUMNS.items():
            if isinstance(row.get(name), int):
                row[name] = registry.text(row[name])
    return rows


def task_references(url: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row.values()) for row in query_rows(url, TASK_REFERENCES))


def task_table_schema(url: str) -> dict[str, Any]:
    """human_task as the database describes it: columns, keys, constraints and every index's full definition."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        columns = [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns("human_task")]
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'human_task'"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'human_task'"
            columns.sort()  # PostgreSQL adds a column at the end; SQLite's rebuild puts it back in its place
        schema = {
            "columns": columns,
            "pk": found.get_pk_constraint("human_task"),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                                    tuple(fk["referred_columns"])) for fk in found.get_foreign_keys("human_task")),
            "unique": found.get_unique_constraints("human_task"),
            "indexes": sorted((name, sql or "") for name, sql in conn.execute(text(query))),
            "references": sorted((table, fk["name"]) for table in ("notification", "nominee_decision")
                                 for fk in found.get_foreign_keys(table) if fk["referred_table"] == "human_task"),
        }  # fmt: skip
    engine.dispose()
    return schema


def schema_differences(conn: Connection) -> list[Any]:
    """What alembic finds between the database and the models, types included; the models' indexes that only
    the other kind of database builds (service/models/dialect_indexes.py) are not expected here."""
    context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "include_object": indexes_built_on(conn.dialect.name)})  # fmt: skip
    return compare_metadata(context, Base.metadata)


def assert_head_agrees_with_models(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        assert schema_differences(conn) == []
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


@contextmanager
def statements(engine: SqlEngine) -> Iterator[list[str]]:
    """The SQL statements sent on `engine` inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
