"""operations/rows.py: one Core statement per row write, the session kept in agreement, locking kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from service.db import make_engine, make_session_factory
from service.models import AuditEvent, Dossier, HumanTask, Nominee, NomineeDecision, ProcessInstance
from service.operations.audit import record_event, verify_chain
from service.operations.rows import insert_row, insert_rows, update_by_id, update_row
from tests.factories import make_dossier_with_instance

NOW = datetime(2024, 12, 1, 8, 30, tzinfo=UTC)
# Task guids are the engine's task UUIDs in canonical form (the column takes no other).
GUID = "5d0c2f7e-8a31-4b6e-9f24-1c7d3e5a9b80"
UNDONE, KEPT = "6e1d3a8f-9b42-4c7f-8a35-2d8e4f6b0c91", "7f2e4b9a-0c53-4d8a-9b46-3e9f5a7c1da2"


@pytest.fixture
def world(empty_db_url):
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        instance = make_dossier_with_instance(session)
        dossier = session.get(Dossier, instance.dossier_id)
        ids = {"dossier": dossier.id, "instance": instance.id, "unit": dossier.unit_id, "clerk": dossier.created_by,
               "nominee": session.scalar(select(Nominee.id).where(Nominee.dossier_id == dossier.id))}  # fmt: skip
    yield factory, ids
    engine.dispose()


def _new_task(session, ids, guid=GUID):
    return insert_row(session, HumanTask, {
        "instance_id": ids["instance"], "task_guid": guid, "bpmn_id": "ward_office_review", "role": "office_clerk",
        "level": "ward", "org_unit_id": ids["unit"], "state": "ready", "created_at": NOW,
    })  # fmt: skip


def test_insert_row_returns_a_persistent_object_with_every_value_and_no_reload(world):
    factory, ids = world
    with factory() as session, session.begin():
        task = _new_task(session, ids)
        assert task.id is not None and task in session
        assert not session.dirty and not session.new  # nothing left for a flush to send
        assert (task.bpmn_id, task.claimed_by, task.due_at) == ("ward_office_review", None, None)
        assert session.get(HumanTask, task.id) is task
        task_id = task.id
    with factory() as session:
        stored = session.get(HumanTask, task_id)
        assert (stored.task_guid, stored.state, stored.created_at) == (GUID, "ready", NOW)


def test_insert_row_refuses_a_missing_required_column(world):
    factory, ids = world
    with factory() as session, session.begin(), pytest.raises(ValueError, match="task_guid"):
        insert_row(session, HumanTask, {"instance_id": ids["instance"], "bpmn_id": "x",
                                        "role": "x", "level": "ward", "org_unit_id": ids["unit"], "created_at": NOW})  # fmt: skip


def test_update_row_writes_now_and_the_loaded_object_agrees(world):
    factory, ids = world
    with factory() as session, session.begin():
        dossier = session.get(Dossier, ids["dossier"])
        assert update_row(session, dossier, {"status": "in_review", "current_step": "ward_office_review"})
        assert dossier.status == "in_review" and dossier not in session.dirty
        # Visible to a query in the same transaction without any flush.
        assert session.scalar(select(Dossier.status).where(Dossier.id == dossier.id)) == "in_review"
    with factory() as session:
        assert session.get(Dossier, ids["dossier"]).current_step == "ward_office_review"


def test_update_row_compare_and_set_lets_only_the_first_writer_win(world):
    factory, ids = world
    with factory() as session, session.begin():
        task_id = _new_task(session, ids).id
    with factory() as first, factory() as second:
        with first.begin():
            mine = first.get(HumanTask, task_id)
        with second.begin():
            theirs = second.get(HumanTask, task_id)
            assert update_row(second, theirs, {"state": "completed", "decision": "approve"}, expect={"state": "ready"})
        with first.begin():
            assert not update_row(first, mine, {"state": "completed", "decision": "reject"}, expect={"state": "ready"})
            assert mine.decision is None  # the loser's object is not changed
    with factory() as session:
        assert session.get(HumanTask, task_id).decision == "approve"


def test_update_row_keeps_the_instance_version_check(world):
    factory, ids = world
    with factory() as first, factory() as second:
        with first.begin():
            mine = first.get(ProcessInstance, ids["instance"])
        with second.begin():
            theirs = second.get(ProcessInstance, ids["instance"])
            update_row(second, theirs, {"error": "Lỗi thử"})
            assert theirs.lock_version == 2
        with pytest.raises(StaleDataError), first.begin():
            update_row(first, mine, {"error": "Lỗi khác"})
    with factory() as session:
        stored = session.get(ProcessInstance, ids["instance"])
        assert (stored.error, stored.lock_version) == ("Lỗi thử", 2)


def test_update_row_flushes_pending_changes_of_the_object_first(world):
    factory, ids = world
    with factory() as session, session.begin():
        instance = session.get(ProcessInstance, ids["instance"])
        instance.error = "Lỗi trước"  # an ORM change not yet flushed (it bumps the version to 2)
        update_row(session, instance, {"end_event": "end_granted"})
        assert instance.lock_version == 3
    with factory() as session:
        stored = session.get(ProcessInstance, ids["instance"])
        assert (stored.error, stored.end_event, stored.lock_version) == ("Lỗi trước", "end_granted", 3)


def test_update_by_id_and_insert_rows_write_whether_or_not_the_row_is_loaded(world):
    factory, ids = world
    with factory() as session, session.begin():
        task_id = _new_task(session, ids).id
        update_by_id(session, Nominee, ids["nominee"], {"outcome": "granted", "outcome_level": "ward"})
        loaded = session.get(Nominee, ids["nominee"])
        update_by_id(session, Nominee, ids["nominee"], {"outcome_level": "district"})
        assert loaded.outcome_level == "district" and loaded not in session.dirty
        insert_rows(session, NomineeDecision, [
            {"nominee_id": ids["nominee"], "human_task_id": task_id, "result": result, "reason": None,
             "decided_by": ids["clerk"], "decided_at": NOW}
            for result in ("approve", "granted")
        ])  # fmt: skip
    with factory() as session:
        assert session.get(Nominee, ids["nominee"]).outcome == "granted"
        results = session.scalars(select(NomineeDecision.result).order_by(NomineeDecision.id)).all()
        assert results == ["approve", "granted"]


def test_a_rolled_back_savepoint_undoes_written_rows_in_the_session_too(world):
    """Bulk approvals give each task a savepoint; one undone must leave no value of it in the session."""
    factory, ids = world
    with factory() as session, session.begin():
        dossier = session.get(Dossier, ids["dossier"])
        before = dossier.status
        with pytest.raises(RuntimeError), session.begin_nested():
            update_row(session, dossier, {"status": "in_review"})
            task = _new_task(session, ids, guid=UNDONE)
            raise RuntimeError("refused")
        assert dossier.status == before  # read again from the database
        assert task not in session
        again = _new_task(session, ids, guid=KEPT)  # may reuse the undone row's id: no clash in the session
        assert again in session
    with factory() as session:
        guids = session.scalars(select(HumanTask.task_guid)).all()
        assert guids == [KEPT]


def test_the_audit_chain_survives_a_rolled_back_savepoint_between_events(world):
    factory, _ = world
    with factory() as session, session.begin():
        record_event(session, action="dossier.edit", object_type="dossier", object_id="1", now=NOW)
        with pytest.raises(RuntimeError), session.begin_nested():
            record_event(session, action="dossier.edit", object_type="dossier", object_id="2", now=NOW)
            raise RuntimeError("refused")
        record_event(session, action="dossier.edit", object_type="dossier", object_id="3", now=NOW)
    with factory() as session:
        assert verify_chain(session).ok
        assert session.scalars(select(AuditEvent.object_id).order_by(AuditEvent.id)).all()[-2:] == ["1", "3"]
