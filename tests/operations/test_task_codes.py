"""A task's role, level, state, decision and escalation role are stored as small integer codes (migration 0025);
Python code and SQL expressions use the texts, the open-task indexes compare with the code of "ready"."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Integer, String, Text, column, func, insert, select, table, text
from sqlalchemy.exc import StatementError

from service.db import CompactUuid, UTCDateTime, alembic_config, make_engine, make_session_factory
from service.domain.actors import Actor
from service.domain.dossier_status import DECISIONS_NEEDING_REASON
from service.errors import DefinitionRejected, InvalidInput
from service.models import HumanTask, HumanTaskState, Level, ProcessInstance, ProcessVersion
from service.models.audit_codes import ROLES
from service.models.task_codes import (
    TASK_DECISIONS, TASK_LEVELS, TASK_ROLE_CODES, TASK_STATES,
)  # fmt: skip
from service.operations.definitions import check_definition, deploy_definition, instance_definition
from tests.conftest import _admin_conninfo, _create_database, _drop_database
from tests.operations.test_audit_codes import statements
from tests.operations.helpers import (
    CODED_TASK_COLUMNS, act, assert_head_agrees_with_models, new_dossier, open_task, query_rows, task_references,
    task_rows, task_table_schema,
)  # fmt: skip
from workflows import LEVELS, TASK_ROLES, Engine, FixedClock

REPO = Path(__file__).resolve().parents[2]
CHAIN = REPO / "bpmn" / "commendation_chain.bpmn"
# The revision 0025 follows. When 0025 is re-pointed (down_revision), change this line only.
PREVIOUS = "0024"
MIGRATION = REPO / "service" / "migrations" / "versions" / "0025_task_codes.py"
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
EMPTY = ["empty_sqlite_url", pytest.param("empty_postgres_url", marks=pytest.mark.postgres)]
CODED = tuple(CODED_TASK_COLUMNS)  # role, level, state, escalate_to_role, decision


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0025", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- The registries ------------------------------------------------------------------------------------


def test_every_value_a_task_row_can_take_has_a_code():
    assert set(TASK_LEVELS) == set(LEVELS) == {level.value for level in Level}
    assert set(TASK_STATES) == {state.value for state in HumanTaskState}
    assert TASK_ROLES <= set(TASK_ROLE_CODES)  # lanes and escalation targets are parsed against TASK_ROLES
    assert dict(TASK_ROLE_CODES) == ROLES  # a role has the same code in human_task and audit_event
    offered = {d.value for step in check_definition(CHAIN.read_bytes()).steps.values() for d in step.decisions}
    assert offered == set(TASK_DECISIONS)  # every decision the shipped process offers, and no other
    assert DECISIONS_NEEDING_REASON <= set(TASK_DECISIONS)


@pytest.mark.parametrize("registry", [TASK_LEVELS, TASK_STATES, TASK_DECISIONS], ids=["levels", "states", "decisions"])
def test_each_text_has_its_own_small_positive_code(registry):
    codes = list(registry.values())
    assert len(set(codes)) == len(codes) and all(isinstance(c, int) and 1 <= c <= 32767 for c in codes)


def test_the_migration_keeps_its_own_copy_and_no_code_was_renumbered():
    migration = _migration()
    assert migration.down_revision == PREVIOUS
    source = MIGRATION.read_text(encoding="utf-8")
    assert "import service" not in source and "from service" not in source  # self-contained
    for copy, registry in ((migration.ROLES, ROLES), (migration.LEVELS, TASK_LEVELS),
                           (migration.STATES, TASK_STATES), (migration.DECISIONS, TASK_DECISIONS)):  # fmt: skip
        # The service may add texts after the migration was written, never change a code it has.
        assert copy.items() <= registry.items()
        assert len(copy) >= 3


# --- Writing and reading -------------------------------------------------------------------------------


def test_a_chain_stores_codes_and_reads_texts(db_url):
    """The seeded database's tasks, written by the service: codes in the rows, texts through the models."""
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        tasks = session.scalars(select(HumanTask).order_by(HumanTask.id)).all()
        raw = session.execute(text(f"SELECT {', '.join(CODED)} FROM human_task ORDER BY id")).all()
        assert len(tasks) > 5 and {t.state for t in tasks} == {"ready", "completed"}
        assert {t.decision for t in tasks if t.state == "completed"} >= {"submit", "approve"}
        assert any(t.escalate_to_role for t in tasks)
        assert [tuple(r) for r in raw] == [
            tuple(None if getattr(t, name) is None else registry[getattr(t, name)]
                  for name, registry in CODED_TASK_COLUMNS.items()) for t in tasks
        ]  # fmt: skip
        # GROUP BY on a coded column gives texts back.
        by_state = dict(session.execute(select(HumanTask.state, func.count()).group_by(HumanTask.state)).all())
        assert by_state == {"ready": sum(t.state == "ready" for t in tasks),
                            "completed": sum(t.state == "completed" for t in tasks)}  # fmt: skip
        returned = session.scalars(select(HumanTask.id).where(HumanTask.decision.in_(["return", "reject"]))).all()
        assert returned == [t.id for t in tasks if t.decision in ("return", "reject")]
    engine.dispose()


RAW_TASK = table("human_task", column("id", Integer), column("instance_id", Integer),
                 column("task_guid", CompactUuid()), column("bpmn_id", String), column("role", Integer),
                 column("level", Integer), column("org_unit_id", Integer), column("state", Integer),
                 column("escalate_to_role", Integer), column("decision", Integer),
                 column("created_at", UTCDateTime()))  # fmt: skip


def _a_task(session: Any) -> HumanTask:
    return session.scalars(select(HumanTask).order_by(HumanTask.id).limit(1)).one()


def test_an_unknown_text_is_refused_when_written_or_compared_and_an_unknown_code_when_read(factory):
    with factory() as session:
        task = _a_task(session)
        values = {"instance_id": task.instance_id, "task_guid": str(uuid.uuid4()), "bpmn_id": "ward_office_review",
                  "role": "office_clerk", "level": "ward", "org_unit_id": task.org_unit_id, "state": "ready",
                  "created_at": datetime(2026, 3, 2, tzinfo=UTC)}  # fmt: skip
        for field, wrong in (("role", "clerk"), ("level", "commune"), ("state", "paused"), ("decision", "defer")):
            with pytest.raises(StatementError, match=f"unknown task {field} '{wrong}'") as raised:
                session.execute(insert(HumanTask), [{**values, field: wrong}])
            assert isinstance(raised.value.orig, ValueError)
            session.rollback()
        with pytest.raises(StatementError, match="unknown task state 'open'"):
            session.scalars(select(HumanTask.id).where(HumanTask.state == "open")).all()
        session.rollback()
        count = session.scalar(select(func.count()).select_from(HumanTask))
    with factory() as session, session.begin():  # as a newer version with a longer registry would write it
        newer = session.execute(insert(RAW_TASK).values(
            instance_id=values["instance_id"], task_guid=str(uuid.uuid4()), bpmn_id="ward_office_review", role=3,
            level=2, org_unit_id=values["org_unit_id"], state=1, decision=99,
            created_at=values["created_at"]).returning(RAW_TASK.c.id)).scalar_one()  # fmt: skip
    with factory() as session:
        with pytest.raises(ValueError, match="human_task holds decision code 99, which this version does not know"):
            session.get(HumanTask, newer)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(HumanTask)) == count + 1


def test_a_process_offering_a_decision_without_a_code_is_refused_at_deploy(empty_factory):
    xml = CHAIN.read_text(encoding="utf-8").replace("unit_prepare_decision == 'withdraw'",
                                                    "unit_prepare_decision == 'defer'")  # fmt: skip
    assert "'defer'" in xml
    with empty_factory() as session:
        versions = session.scalar(select(func.count()).select_from(ProcessVersion))
        with pytest.raises(DefinitionRejected) as refused:
            deploy_definition(session, Actor(None, "test"), xml.encode("utf-8"))
        session.rollback()
        assert [p.element_id for p in refused.value.details["problems"]] == ["unit_prepare"]
        assert "quyết định 'defer' không thuộc danh mục quyết định của hệ thống" in str(refused.value)
        assert session.scalar(select(func.count()).select_from(ProcessVersion)) == versions


def test_a_decision_at_a_step_that_offers_none_is_stored_only_if_it_has_a_code(factory):
    """The engine checks a decision only at a step that offers some: elsewhere an unknown one is refused by the
    service, with a message and before anything is written, instead of failing when the row is written."""
    xml = CHAIN.read_text(encoding="utf-8")
    for offered, condition in (("submit", "target_level != 'none'"), ("withdraw", "target_level == 'none'")):
        xml = xml.replace(f"unit_prepare_decision == '{offered}'", condition)
    engine = Engine(FixedClock())
    with factory() as session, session.begin():
        deploy_definition(session, Actor(None, "test"), xml.encode("utf-8"))
    dossier_id = new_dossier(factory, engine)
    task = open_task(factory, dossier_id)
    with factory() as session:
        assert instance_definition(session, session.get(ProcessInstance, task.instance_id)).steps[
            "unit_prepare"].decisions == ()  # fmt: skip
    with pytest.raises(InvalidInput, match="Quyết định 'defer' không hợp lệ ở bước này."):
        act(factory, engine, dossier_id, "defer")
    assert open_task(factory, dossier_id).id == task.id  # still waiting, nothing written
    act(factory, engine, dossier_id, "submit")
    with factory() as session:
        assert session.get(HumanTask, task.id).decision == "submit"


@pytest.mark.postgres
def test_postgresql_reads_open_tasks_through_the_partial_indexes(postgres_url):
    """The indexes' WHERE says state = 1; the service binds the code of "ready", and the planner matches them."""
    engine = make_engine(postgres_url)
    ready = select(HumanTask.id).where(HumanTask.instance_id == 1, HumanTask.state == "ready")
    claimed = select(HumanTask.id).where(HumanTask.claimed_by == 1, HumanTask.state == "ready")
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a few seeded rows: make the planner show its indexes
        for query in (ready, claimed):
            with statements(engine) as sent:
                conn.execute(query).all()
            [(statement, parameters)] = sent
            assert TASK_STATES["ready"] in parameters.values() and "ready" not in parameters.values()
            plan = " | ".join(conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
            # Only an index whose WHERE the planner proved from the query can be used: one of the open-task
            # indexes (with a few rows it may pick either of them for the claimed query).
            assert "Index Scan using ix_human_task_ready_" in plan or "Bitmap Index Scan on ix_human_task_ready_" \
                in plan, plan  # fmt: skip
    engine.dispose()


# --- Migration 0025 ------------------------------------------------------------------------------------

# human_task as it is before 0025 (schema 0023-0024): the coded columns hold texts.
OLD_TASK = table("human_task", column("id", Integer), column("instance_id", Integer),
                 column("task_guid", CompactUuid()), column("bpmn_id", String), column("role", String),
                 column("level", String), column("org_unit_id", Integer), column("state", String),
                 column("escalate_to_role", String), column("escalate_to_unit_id", Integer),
                 column("decision", String), column("comment", Text), column("created_at", UTCDateTime()))  # fmt: skip


def _stored(url: str) -> list[dict[str, Any]]:
    """Every task row exactly as the database holds it (codes or texts), in id order."""
    return query_rows(url, "SELECT * FROM human_task ORDER BY id")


def _revision(url: str) -> str:
    return str(query_rows(url, "SELECT version_num FROM alembic_version")[0]["version_num"])


def _add_tasks_before_0025(url: str, **override: Any) -> list[int]:
    """Tasks written as the service did before 0025 (texts in the row), together holding every text of the
    migration's registries in each column that can take it, NULLs too."""
    migration = _migration()
    roles, levels = list(migration.ROLES), list(migration.LEVELS)
    states, decisions = list(migration.STATES), [*migration.DECISIONS, None]
    engine = make_engine(url)
    with engine.begin() as conn:
        instance_id = conn.execute(select(func.min(OLD_TASK.c.instance_id))).scalar_one()
        unit_id = conn.execute(select(func.min(OLD_TASK.c.org_unit_id))).scalar_one()
        rows = [{"instance_id": instance_id, "task_guid": str(uuid.uuid4()), "bpmn_id": f"step_{n}", "role": role,
                 "level": levels[n % len(levels)], "org_unit_id": unit_id, "state": states[n % len(states)],
                 "escalate_to_role": escalation, "escalate_to_unit_id": None if escalation is None else unit_id,
                 "decision": decisions[n % len(decisions)], "comment": "Đồng ý đề nghị",
                 "created_at": datetime(2026, 3, 2, 8, n, tzinfo=UTC), **override}
                for n, (role, escalation) in enumerate(zip([*roles, roles[0]], [None, *roles], strict=True))
                ]  # fmt: skip
        ids = [conn.execute(insert(OLD_TASK).values(**row).returning(OLD_TASK.c.id)).scalar_one() for row in rows]
    engine.dispose()
    return ids


def _schema_built_to(url: str, revision: str, tmp_path: Path) -> dict[str, Any]:
    """human_task as the migrations up to `revision` build it on a new database of the same kind."""
    if url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / f'built-to-{revision}.sqlite3'}"
        command.upgrade(alembic_config(fresh), revision)
        return task_table_schema(fresh)
    name = f"{_admin_conninfo()[1]}_{revision}_{uuid.uuid4().hex[:10]}"
    try:
        fresh = _create_database(name)
        command.upgrade(alembic_config(fresh), revision)
        return task_table_schema(fresh)
    finally:
        _drop_database(name)


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0025_keeps_every_task_and_reference_both_ways(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    at_head_schema = _schema_built_to(url, "head", tmp_path)
    assert task_table_schema(url) == at_head_schema
    seeded, references = task_rows(url), task_references(url)
    assert len(seeded) > 5 and {kind for kind, _, task_id in references if task_id is not None} == {"n", "d"}

    command.downgrade(alembic_config(url), PREVIOUS)
    # Undone exactly: the schema (columns, keys, every index with its full definition, the references to the
    # table) of a database never upgraded past PREVIOUS, and every task's texts as they were.
    before_schema = task_table_schema(url)
    assert before_schema == _schema_built_to(url, PREVIOUS, tmp_path)
    assert _stored(url) == seeded
    assert task_references(url) == references
    added = _add_tasks_before_0025(url)
    before = _stored(url)
    assert len(before) == len(seeded) + len(added) == len(seeded) + 11

    command.upgrade(alembic_config(url), "head")
    stored = _stored(url)
    assert all(isinstance(row[name], int) for row in stored for name in CODED if row[name] is not None)
    assert task_rows(url) == before  # every row's codes are those of its texts; ids and the rest unchanged
    assert task_table_schema(url) == at_head_schema  # every index kept, the partial ones comparing with the code
    assert task_references(url) == references
    assert_head_agrees_with_models(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():  # the service reads and goes on writing
        tasks = session.scalars(select(HumanTask).where(HumanTask.id.in_(added)).order_by(HumanTask.id)).all()
        assert [tuple(getattr(t, name) for name in CODED) for t in tasks] \
            == [tuple(row[name] for name in CODED) for row in before[-len(added):]]  # fmt: skip
        assert session.scalars(select(HumanTask.id).where(HumanTask.id.in_(added), HumanTask.state == "ready")
                               .order_by(HumanTask.id)).all() == added[::3]  # fmt: skip
        tasks[0].decision, tasks[0].state = "withdraw", "completed"
    engine.dispose()
    changed = {**before[-len(added)], "decision": "withdraw", "state": "completed"}

    command.downgrade(alembic_config(url), PREVIOUS)
    assert _stored(url) == [changed if row["id"] == added[0] else row for row in before]
    assert task_table_schema(url) == before_schema
    assert task_references(url) == references
    command.upgrade(alembic_config(url), "head")
    assert task_table_schema(url) == at_head_schema
    assert_head_agrees_with_models(url)


@pytest.mark.parametrize("url_fixture", SEEDED)
@pytest.mark.parametrize(("field", "value"), [("role", "President"), ("level", "commune"), ("state", "paused"),
                                              ("escalate_to_role", "mayor"), ("decision", "defer")])  # fmt: skip
def test_migration_0025_refuses_a_text_without_a_code_and_changes_nothing(request, url_fixture, field, value):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), PREVIOUS)
    odd = _add_tasks_before_0025(url, **{field: value})
    rows, schema = _stored(url), task_table_schema(url)

    with pytest.raises(ValueError, match=f"human_task {odd[0]}: {field} '{value}' has no code"):
        command.upgrade(alembic_config(url), "head")
    assert _revision(url) == PREVIOUS
    assert task_table_schema(url) == schema and _stored(url) == rows


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0025_downgrade_refuses_a_code_it_does_not_know_and_changes_nothing(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    # At 0025 itself, so that what is undone before it (once later revisions exist) is not part of the test:
    # on PostgreSQL a refused downgrade undoes them too, on SQLite it does not.
    command.downgrade(alembic_config(url), "0025")
    engine = make_engine(url)
    with engine.begin() as conn:  # a code a later version added
        task = conn.execute(select(RAW_TASK).order_by(RAW_TASK.c.id).limit(1)).one()
        newer = conn.execute(insert(RAW_TASK).values(
            instance_id=task.instance_id, task_guid=str(uuid.uuid4()), bpmn_id="ward_office_review", role=3, level=2,
            org_unit_id=task.org_unit_id, state=2, decision=77, created_at=datetime(2026, 3, 2, tzinfo=UTC),
        ).returning(RAW_TASK.c.id)).scalar_one()  # fmt: skip
    engine.dispose()
    rows, schema = _stored(url), task_table_schema(url)

    with pytest.raises(ValueError, match=f"human_task {newer}: decision code 77 is not in the registry"):
        command.downgrade(alembic_config(url), PREVIOUS)
    assert _revision(url) == "0025"
    assert task_table_schema(url) == schema and _stored(url) == rows
