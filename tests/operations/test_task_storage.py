"""How inbox task rows are stored (migration 0019): no lane column, the engine's task guid in 16 bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from service.db import alembic_config, canonical_uuid, make_engine, make_session_factory
from service.models import Dossier, HumanTask, ProcessInstance
from service.operations.rows import insert_row
from tests.factories import make_dossier_with_instance
from tests.operations.helpers import (
    assert_head_agrees_with_models, query_rows, task_references, task_rows, task_table_schema,
)  # fmt: skip

NOW = datetime(2024, 12, 1, 8, 30, tzinfo=UTC)
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
GUID = "0f8c3a2e-5b1d-4c7e-9a60-3d2f1e0b9c84"
OTHER = "a1b2c3d4-e5f6-4789-8abc-def012345678"
NOT_CANONICAL = [
    "g-1",  # not a UUID at all
    GUID.upper(),  # the same UUID, other spellings: uuid.UUID() takes them, the column does not
    GUID.replace("-", ""),
    "{" + GUID + "}",
    f"urn:uuid:{GUID}",
    uuid.UUID(GUID),  # not text
    "",
]


def _new_task(session, instance_id: int, guid: Any) -> HumanTask:  # type: ignore[no-untyped-def]
    unit_id = session.scalar(select(Dossier.unit_id).join(ProcessInstance).where(ProcessInstance.id == instance_id))
    return insert_row(session, HumanTask, {
        "instance_id": instance_id, "task_guid": guid, "bpmn_id": "ward_office_review", "role": "office_clerk",
        "level": "ward", "org_unit_id": unit_id, "state": "ready", "created_at": NOW,
    })  # fmt: skip


@pytest.fixture
def instance(empty_db_url):  # type: ignore[no-untyped-def]
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        instance_id = make_dossier_with_instance(session).id
    yield factory, instance_id
    engine.dispose()


def test_canonical_uuid_takes_the_canonical_text_only():
    assert canonical_uuid(GUID) == uuid.UUID(GUID)
    for value in NOT_CANONICAL:
        with pytest.raises(ValueError, match="not a UUID in canonical form"):
            canonical_uuid(value)


def test_the_guid_reads_back_as_the_same_text_and_is_stored_in_16_bytes(instance):
    factory, instance_id = instance
    with factory() as session, session.begin():
        task_id = _new_task(session, instance_id, GUID).id
    with factory() as session:
        assert session.get(HumanTask, task_id).task_guid == GUID
        assert session.scalar(select(HumanTask.task_guid)) == GUID
        if session.bind.dialect.name == "sqlite":
            stored = session.execute(text("SELECT typeof(task_guid), task_guid FROM human_task")).one()
            assert stored == ("blob", uuid.UUID(GUID).bytes)
        else:
            stored = session.execute(text("SELECT pg_typeof(task_guid)::text, pg_column_size(task_guid), "
                                          "task_guid::text FROM human_task")).one()  # fmt: skip
            assert stored == ("uuid", 16, GUID)


def test_lookups_by_guid_go_through_the_type(instance):
    factory, instance_id = instance
    with factory() as session, session.begin():
        first, second = _new_task(session, instance_id, GUID).id, _new_task(session, instance_id, OTHER).id
    with factory() as session:
        by_guid = select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        assert session.scalar(by_guid.where(HumanTask.task_guid == GUID)) == first
        some = by_guid.where(HumanTask.task_guid.in_([OTHER, GUID, None])).order_by(HumanTask.id)
        assert session.scalars(some).all() == [first, second]
        assert session.scalars(by_guid.where(HumanTask.task_guid != GUID)).all() == [second]
        unknown = str(uuid.UUID(int=1))
        assert session.scalar(by_guid.where(HumanTask.task_guid == unknown)) is None


def test_a_guid_not_in_canonical_form_is_refused_in_writes_and_lookups(instance):
    factory, instance_id = instance
    for value in NOT_CANONICAL:
        with factory() as session, session.begin(), pytest.raises(StatementError, match="not a UUID in canonical form"):
            _new_task(session, instance_id, value)
        with factory() as session, pytest.raises(StatementError, match="not a UUID in canonical form"):
            session.scalar(select(HumanTask.id).where(HumanTask.task_guid == value))
    with factory() as session:
        assert session.scalar(select(HumanTask.id)) is None


def test_one_guid_per_instance_still(instance):
    factory, instance_id = instance
    with factory() as session, session.begin():
        _new_task(session, instance_id, GUID)
    with factory() as session, session.begin(), pytest.raises(IntegrityError, match="uq_human_task_instance_id|UNIQUE"):
        _new_task(session, instance_id, GUID)


def test_the_lane_is_not_stored():
    assert "lane" not in HumanTask.__table__.c


# --- Migration 0019 --------------------------------------------------------------------------------------

def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in names}


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0019_keeps_every_task_and_reference_and_undoes_exactly(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    sqlite = url.startswith("sqlite")
    command.downgrade(alembic_config(url), "0018")
    before, schema, references = task_rows(url), task_table_schema(url), task_references(url)
    # The seeded dossiers' tasks, open and done, with notifications and nominee decisions pointing at them.
    assert len(before) > 5 and {row["state"] for row in before} == {"ready", "completed"}
    assert {kind for kind, _, task_id in references if task_id is not None} == {"n", "d"}
    assert all(row["lane"] == f"{row['role']}@{row['level']}" for row in before)  # what lets 0019 drop it
    assert all(canonical_uuid(row["task_guid"]) for row in before)

    command.upgrade(alembic_config(url), "head")
    after = task_rows(url)
    if sqlite:  # the rebuilt table keeps the column order (0023 drops the name too)
        assert list(after[0]) == [name for name in before[0] if name not in ("lane", "name")]
    assert [_without(row, "task_guid") for row in after] \
        == [_without(row, "task_guid", "lane", "name") for row in before]  # fmt: skip
    stored = [uuid.UUID(row["task_guid"]) for row in before]  # 16 raw bytes on SQLite, PostgreSQL's uuid
    assert [row["task_guid"] for row in after] == [guid.bytes if sqlite else guid for guid in stored]
    assert task_references(url) == references
    assert_head_agrees_with_models(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        tasks = session.scalars(select(HumanTask).order_by(HumanTask.id)).all()
        assert [(task.id, task.task_guid, f"{task.role}@{task.level}") for task in tasks] \
            == [(row["id"], row["task_guid"], row["lane"]) for row in before]  # fmt: skip
        for task in tasks:  # the lookup by the engine's task id finds each migrated row
            found = select(HumanTask.id).where(HumanTask.instance_id == task.instance_id,
                                               HumanTask.task_guid == task.task_guid)  # fmt: skip
            assert session.scalar(found) == task.id
    engine.dispose()

    command.downgrade(alembic_config(url), "0018")
    assert task_rows(url) == before
    assert task_table_schema(url) == schema
    assert task_references(url) == references
    command.upgrade(alembic_config(url), "head")
    assert_head_agrees_with_models(url)


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0019_refuses_a_guid_that_is_not_a_uuid_and_changes_nothing(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), "0018")
    engine = make_engine(url)
    with engine.begin() as conn:
        task_id = conn.execute(text("SELECT min(id) FROM human_task")).scalar_one()
        conn.execute(text("UPDATE human_task SET task_guid = 'g-1' WHERE id = :id"), {"id": task_id})
    engine.dispose()
    before = task_rows(url)
    refused = f"human_task {task_id}: task_guid 'g-1' is not a UUID" if url.startswith("sqlite") else "type uuid"
    with pytest.raises((ValueError, DBAPIError), match=refused):
        command.upgrade(alembic_config(url), "head")
    assert query_rows(url, "SELECT version_num FROM alembic_version") == [{"version_num": "0018"}]
    assert task_rows(url) == before
