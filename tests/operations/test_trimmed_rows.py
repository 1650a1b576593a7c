"""Rows trimmed by migration 0026: a nominee decision reads its step and level from its task, documents have
no digest index, and new task.complete and document.upload events leave out what the event already says."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from service.db import alembic_config, make_engine
from service.models import AuditEvent, Document, HumanTask, NomineeDecision, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.audit import record_event, verify_chain
from service.operations.demo import sample_pdf
from service.operations.documents import upload_document
from service.queries.audit import AuditFilter, audit_page, audit_rows
from service.queries.dossier_view import dossier_view
from service.queries.instances import instance_history
from service.storage import FileStore
from tests.conftest import _admin_conninfo, _create_database, _drop_database
from tests.operations.helpers import act, assert_head_agrees_with_models, open_task, query_rows, table_indexes
from tests.operations.test_nominee_outcomes import mixed
from workflows import Engine, FixedClock

# The revision 0026 follows. When 0026 is re-pointed (down_revision), change this line only.
PREVIOUS = "0025"
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
CLERK = "hn-hd-pl-tp.unit_clerk"


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


def _chain_through(factory: Any, engine: Engine) -> tuple[int, dict[str, int]]:
    """A dossier of three nominees (a ward, a district and a province award) taken through every level."""
    dossier_id, ids = mixed(factory, engine)
    while open_task(factory, dossier_id):
        act(factory, engine, dossier_id)
    return dossier_id, ids


# --- nominee_decision: step and level are the task's --------------------------------------------------


def test_each_decision_reads_its_step_and_level_from_its_task(factory, engine):
    dossier_id, ids = _chain_through(factory, engine)
    names = {nominee_id: name for name, nominee_id in ids.items()}
    with factory() as session:
        decided = session.execute(
            select(NomineeDecision.nominee_id, HumanTask.level, HumanTask.bpmn_id, NomineeDecision.result)
            .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
            .where(NomineeDecision.nominee_id.in_(ids.values())).order_by(NomineeDecision.id)
        ).all()  # fmt: skip
    by_step: dict[tuple[str, str], dict[str, str]] = {}
    for nominee_id, level, step, result in decided:
        by_step.setdefault((level, step), {})[names[nominee_id]] = result
    assert by_step == {
        ("ward", "ward_council_vote"): {"Nguyễn Văn Xã": "approve", "Bộ phận Tư pháp - Hộ tịch": "approve",
                                        "Trần Thị Huyện": "approve"},
        ("ward", "ward_chairman_decide"): {"Nguyễn Văn Xã": "granted", "Bộ phận Tư pháp - Hộ tịch": "approve",
                                           "Trần Thị Huyện": "approve"},
        ("district", "district_council_vote"): {"Bộ phận Tư pháp - Hộ tịch": "approve", "Trần Thị Huyện": "approve"},
        ("district", "district_chairman_decide"): {"Bộ phận Tư pháp - Hộ tịch": "approve", "Trần Thị Huyện": "granted"},
        ("province", "province_council_vote"): {"Bộ phận Tư pháp - Hộ tịch": "approve"},
        ("province", "province_chairman_decide"): {"Bộ phận Tư pháp - Hộ tịch": "granted"},
    }  # fmt: skip
    assert {c.name for c in NomineeDecision.__table__.columns}.isdisjoint({"level", "step"})


# --- Audit events: the new shapes, and the old ones still read ------------------------------------------


def _events(session: Any, dossier_id: int, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.dossier_id == dossier_id, AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_new_task_complete_and_upload_events_say_only_what_the_event_does_not(factory, engine, tmp_path):
    dossier_id, ids = mixed(factory, engine)  # its sample documents uploaded as a clerk does
    store = FileStore(tmp_path / "files")
    with factory() as session, session.begin():
        clerk = actor_for(session, CLERK)
        old_minutes = session.scalar(select(Document.id).where(Document.dossier_id == dossier_id,
                                                               Document.kind == "meeting_minutes"))  # fmt: skip
        replacing = upload_document(session, clerk, store, engine.clock.now(), dossier_id=dossier_id,
                                    kind="meeting_minutes", filename="Biên bản mới.pdf", data=sample_pdf("Moi 0026"))  # fmt: skip
        replacing_id, replacing_sha = replacing.id, replacing.sha256
    act(factory, engine, dossier_id)  # the unit submits
    act(factory, engine, dossier_id)  # the ward office approves
    with factory() as session:
        uploads = _events(session, dossier_id, "document.upload")
        documents = {d.id: d for d in session.scalars(select(Document).where(Document.dossier_id == dossier_id))}
        shapes = [json.loads(e.after_json) for e in uploads]
        for shape in shapes[:-1]:  # the samples: of the dossier, or of one nominee; none replaced anything
            document = documents[shape["document_id"]]
            expected = {"document_id": document.id, "kind": document.kind, "filename": document.filename,
                        "sha256": document.sha256, "size": document.size}  # fmt: skip
            if document.nominee_id is not None:
                expected["nominee_id"] = document.nominee_id
            assert shape == expected
        assert any("nominee_id" in shape for shape in shapes) and any("nominee_id" not in s for s in shapes)
        assert shapes[-1] == {"document_id": replacing_id, "kind": "meeting_minutes", "filename": "Biên bản mới.pdf",
                              "sha256": replacing_sha, "size": documents[replacing_id].size, "replaces": [old_minutes]}  # fmt: skip
        assert all(e.dossier_id == dossier_id and e.object_id == str(dossier_id) for e in uploads)

        completed = _events(session, dossier_id, "task.complete")
        assert [json.loads(e.after_json) for e in completed] == [
            {"decision": "submit", "step": "unit_prepare"}, {"decision": "approve", "step": "ward_office_review"}]
        assert all(e.object_type == "human_task" for e in completed)
        # Still the dossier's: its history, the auditor's dossier filter, and the chain covers the column.
        history = dossier_view(session, engine, dossier_id).history
        assert [e["after"] for e in history if e["action"] == "task.complete"] == \
            [json.loads(e.after_json) for e in completed]  # fmt: skip
        page = audit_page(session, AuditFilter(dossier_id=dossier_id, action="task.complete"))
        assert [row.event.id for row in page] == [e.id for e in reversed(completed)]
        result = verify_chain(session)
        assert result.ok, result
    assert set(ids.values()) >= {documents[s["document_id"]].nominee_id for s in shapes if "nominee_id" in s}


def test_events_written_in_the_old_shapes_still_read_filter_and_verify(factory, engine):
    """Events before 0026 keep the JSON their hashes cover: the dossier in task.complete's JSON as well as in
    its column, and a null nominee and an empty replaces list in document.upload."""
    dossier_id, _ = mixed(factory, engine)
    act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        task = session.scalar(select(HumanTask).where(HumanTask.bpmn_id == "unit_prepare")
                              .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                              .where(ProcessInstance.dossier_id == dossier_id))  # fmt: skip
        # As the service wrote them before: the task's event took its dossier_id from the JSON.
        old_complete = record_event(
            session, action="task.complete", object_type="human_task", object_id=str(task.id), actor_role="unit_clerk",
            after={"dossier_id": dossier_id, "step": "unit_prepare", "decision": "submit"}, comment="Bản cũ",
        ).id  # fmt: skip
        old_upload = record_event(
            session, action="document.upload", object_type="dossier", object_id=str(dossier_id), actor_role="unit_clerk",
            after={"document_id": 1, "kind": "other", "nominee_id": None, "filename": "Tờ trình.pdf", "replaces": [],
                   "sha256": "ab" * 32, "size": 10},
        ).id  # fmt: skip
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        old = {e.id: e for e in session.scalars(select(AuditEvent).where(AuditEvent.id.in_([old_complete, old_upload])))}
        assert old[old_complete].dossier_id == dossier_id == old[old_upload].dossier_id
        assert old[old_complete].after_json == '{"decision":"submit","dossier_id":%d,"step":"unit_prepare"}' % dossier_id
        assert json.loads(old[old_upload].after_json)["replaces"] == []
        for history in (dossier_view(session, engine, dossier_id).history, instance_history(session, instance)):
            shown = {(e["action"], e["comment"]): e["after"] for e in history}
            assert shown[("task.complete", "Bản cũ")] == {"dossier_id": dossier_id, "step": "unit_prepare",
                                                           "decision": "submit"}  # fmt: skip
            assert shown[("task.complete", None)] == {"step": "unit_prepare", "decision": "submit"}  # the new one
            assert [e["after"]["nominee_id"] for e in history if e["action"] == "document.upload"
                    and "replaces" in e["after"]] == [None]  # fmt: skip
        filtered = [row.event.id for row in audit_rows(session, AuditFilter(dossier_id=dossier_id, action="task.complete"))]
        assert filtered == sorted(filtered) and old_complete in filtered and len(filtered) == 2
        assert old_upload in [row.event.id for row in audit_rows(session, AuditFilter(dossier_id=dossier_id,
                                                                                         action="document.upload"))]
        result = verify_chain(session)
        assert result.ok, result


# --- Migration 0026 ---------------------------------------------------------------------------------------


def _decisions(url: str) -> list[dict[str, Any]]:
    return query_rows(url, "SELECT * FROM nominee_decision ORDER BY id")


def _task_steps(url: str) -> dict[int, tuple[str, str]]:
    """Each task's level and step as the service reads them at head (the level through its column type)."""
    engine = make_engine(url)
    with Session(engine) as session:
        found = {row.id: (str(row.level), row.bpmn_id) for row in session.execute(
            select(HumanTask.id, HumanTask.level, HumanTask.bpmn_id))}  # fmt: skip
    engine.dispose()
    return found


def _schema(url: str) -> dict[str, Any]:
    """nominee_decision and document as the database describes them: columns, keys and every index in full."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        schema: dict[str, Any] = {}
        for name in ("nominee_decision", "document"):
            columns = [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)]
            schema[name] = {
                # PostgreSQL adds a column at the end; SQLite's rebuild puts it back in its place.
                "columns": sorted(columns) if engine.dialect.name == "postgresql" else columns,
                "pk": found.get_pk_constraint(name),
                "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                                        tuple(fk["referred_columns"])) for fk in found.get_foreign_keys(name)),
            }  # fmt: skip
    engine.dispose()
    for name in schema:
        schema[name]["indexes"] = table_indexes(url, name)
    return schema


def _schema_built_to(url: str, revision: str, tmp_path: Path) -> dict[str, Any]:
    """Both tables as the migrations up to `revision` build them on a new database of the same kind."""
    if url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / f'built-to-{revision}.sqlite3'}"
        command.upgrade(alembic_config(fresh), revision)
        return _schema(fresh)
    name = f"{_admin_conninfo()[1]}_{revision}_{uuid.uuid4().hex[:10]}"
    try:
        fresh = _create_database(name)
        command.upgrade(alembic_config(fresh), revision)
        return _schema(fresh)
    finally:
        _drop_database(name)


def _revision(url: str) -> str:
    return str(query_rows(url, "SELECT version_num FROM alembic_version")[0]["version_num"])


def test_migration_0026_writes_step_and_level_back_and_drops_them_again(factory, engine, db_url, tmp_path):
    url = db_url
    _chain_through(factory, engine)
    factory.kw["bind"].dispose()  # nothing of the fixture's holds a connection while tables are rebuilt
    at_head, tasks, head_schema = _decisions(url), _task_steps(url), _schema(url)
    assert len(at_head) >= 12 and "level" not in at_head[0] and "step" not in at_head[0]
    assert "ix_document_sha256" not in head_schema["document"]["indexes"]
    assert head_schema == _schema_built_to(url, "head", tmp_path)

    command.downgrade(alembic_config(url), PREVIOUS)
    # Undone exactly: the schema of a database never upgraded past PREVIOUS (the index too), and each
    # decision's step and level as record_step wrote them, from its task.
    before, schema = _decisions(url), _schema(url)
    assert schema == _schema_built_to(url, PREVIOUS, tmp_path)
    assert "ix_document_sha256" in schema["document"]["indexes"]
    assert [(row["level"], row["step"]) for row in before] == [tasks[row["human_task_id"]] for row in at_head]
    assert [{k: v for k, v in row.items() if k not in ("level", "step")} for row in before] == at_head
    if url.startswith("sqlite"):  # back in their places, after the task, as 0005 made them
        assert list(before[0])[2:6] == ["human_task_id", "level", "step", "result"]

    command.upgrade(alembic_config(url), "head")
    assert _decisions(url) == at_head and _schema(url) == head_schema
    assert_head_agrees_with_models(url)
    command.downgrade(alembic_config(url), PREVIOUS)
    assert _decisions(url) == before and _schema(url) == schema
    command.upgrade(alembic_config(url), "head")
    assert _decisions(url) == at_head
    assert_head_agrees_with_models(url)


@pytest.mark.parametrize("url_fixture", SEEDED)
@pytest.mark.parametrize(("column", "value"), [("step", "ward_office_review"), ("level", "district")])
def test_migration_0026_refuses_a_decision_its_task_does_not_say_and_changes_nothing(request, url_fixture, column,
                                                                                    value):  # fmt: skip
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), PREVIOUS)
    decisions = _decisions(url)
    assert len(decisions) >= 2 and {row["level"] for row in decisions} == {"ward"}  # the seeded ward decisions
    odd = decisions[-1]["id"]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE nominee_decision SET {column} = :value WHERE id = :id"), {"value": value, "id": odd})
    engine.dispose()
    rows, schema = _decisions(url), _schema(url)

    with pytest.raises(ValueError, match=f"nominee_decision {odd}: {column} '{value}' is not its task's"):
        command.upgrade(alembic_config(url), "head")
    assert _revision(url) == PREVIOUS
    assert _decisions(url) == rows and _schema(url) == schema


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0026_downgrade_refuses_a_task_level_it_does_not_know_and_changes_nothing(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    # At 0026 itself, so that what is undone before it (once later revisions exist) is not part of the test.
    command.downgrade(alembic_config(url), "0026")
    task_id = _decisions(url)[0]["human_task_id"]
    engine = make_engine(url)
    with engine.begin() as conn:  # a level, or a level's code, this migration has no text for
        conn.execute(text("UPDATE human_task SET level = :value WHERE id = :id"), {"value": "7", "id": task_id})
    engine.dispose()
    rows, schema = _decisions(url), _schema(url)

    with pytest.raises(ValueError, match=re.escape("human_task.level ") + "'?7'? is not a level this migration knows"):
        command.downgrade(alembic_config(url), PREVIOUS)
    assert _revision(url) == "0026"
    assert _decisions(url) == rows and _schema(url) == schema
