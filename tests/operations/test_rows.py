"""operations/rows.py: one Core statement per row write, the session kept in agreement, locking kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, inspect, select
from sqlalchemy.orm.exc import StaleDataError

from service.db import make_engine, make_session_factory
from service.models import AuditChainHead, AuditEvent, Dossier, HumanTask, Nominee, NomineeDecision, ProcessInstance
from service.operations.audit import record_event, record_events, verify_chain
from service.operations.rows import (current_row, insert_objects, insert_row, insert_rows, loaded_row, update_by_id,
                                    update_row, update_then_insert)
from tests.factories import make_dossier_with_instance

NOW = datetime(2024, 12, 1, 8, 30, tzinfo=UTC)
# Task guids are the engine's task UUIDs in canonical form (the column takes no other).
GUID = "5d0c2f7e-8a31-4b6e-9f24-1c7d3e5a9b80"
UNDONE, KEPT = "6e1d3a8f-9b42-4c7f-8a35-2d8e4f6b0c91", "7f2e4b9a-0c53-4d8a-9b46-3e9f5a7c1da2"


def _world(url):
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        instance = make_dossier_with_instance(session)
        dossier = session.get(Dossier, instance.dossier_id)
        ids = {"dossier": dossier.id, "instance": instance.id, "unit": dossier.unit_id, "clerk": dossier.created_by,
               "nominee": session.scalar(select(Nominee.id).where(Nominee.dossier_id == dossier.id))}  # fmt: skip
    yield factory, ids
    engine.dispose()


@pytest.fixture
def world(empty_db_url):
    yield from _world(empty_db_url)


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


@contextmanager
def _read_before_another_update(factory, instance_id: int, change: dict) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    """A session that read the instance, and the instance as it read it, after a second session updated the
    row with `change` (update_row); with the second session's object."""
    with factory() as mine, factory() as theirs:
        with mine.begin():
            stale = mine.get(ProcessInstance, instance_id)
        with theirs.begin():
            updated = theirs.get(ProcessInstance, instance_id)
            update_row(theirs, updated, change)
        yield mine, stale, updated


def test_update_row_keeps_the_instance_version_check(world):
    factory, ids = world
    with _read_before_another_update(factory, ids["instance"], {"error": "Lỗi thử"}) as (first, mine, theirs):
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


GUIDS = ["8a3f5c0b-1d64-4e9b-8c57-4fa06b8d2eb3", "9b406d1c-2e75-4fac-9d68-50b17c9e3fc4", "ac517e2d-3f86-4abd-8e79-61c28daf40d5"]


def _statements(factory):
    """The first word of each statement the engine behind `factory` sends from now on (SQLite's BEGIN left out)."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):
        if not statement.startswith("BEGIN"):
            sent.append(statement.split()[0].upper())

    event.listen(factory.kw["bind"], "before_cursor_execute", seen)
    return sent


def test_insert_objects_sends_one_insert_and_gives_ids_in_the_order_given(world):
    factory, ids = world
    tasks = [HumanTask(instance_id=ids["instance"], task_guid=guid, bpmn_id=f"step_{n}", role="office_clerk",
                       level="ward", org_unit_id=ids["unit"], state="ready", created_at=NOW)
             for n, guid in enumerate(GUIDS)]  # fmt: skip
    sent = _statements(factory)
    with factory() as session, session.begin():
        assert insert_objects(session, tasks) is tasks
        assert sent == ["INSERT"]
        assert tasks[0].id < tasks[1].id < tasks[2].id
        assert all(task in session for task in tasks) and not session.dirty and not session.new
        assert [session.get(HumanTask, task.id) for task in tasks] == tasks  # no query: already in the session
        assert sent == ["INSERT"] and tasks[1].claimed_by is None
        stored = {task.id: task.bpmn_id for task in tasks}
    with factory() as session:
        rows = session.execute(select(HumanTask.id, HumanTask.bpmn_id, HumanTask.task_guid).order_by(HumanTask.id))
        assert [(row.id, row.bpmn_id, row.task_guid) for row in rows] == [
            (task_id, bpmn_id, guid) for (task_id, bpmn_id), guid in zip(stored.items(), GUIDS, strict=True)]


def test_insert_objects_refuses_mixed_classes_or_columns_before_sending_anything(world):
    factory, ids = world
    task = HumanTask(instance_id=ids["instance"], task_guid=GUIDS[0], bpmn_id="a", role="office_clerk", level="ward",
                     org_unit_id=ids["unit"], state="ready", created_at=NOW)  # fmt: skip
    other = HumanTask(instance_id=ids["instance"], task_guid=GUIDS[1], bpmn_id="b", role="office_clerk", level="ward",
                      org_unit_id=ids["unit"], state="ready", created_at=NOW, id=9_000)  # an id given, the other's not
    event_row = AuditEvent(action="dossier.edit", object_type="dossier", object_id="1", occurred_at=NOW, hash="0" * 64)
    sent = _statements(factory)
    with factory() as session, session.begin():
        with pytest.raises(ValueError, match="one class"):
            insert_objects(session, [task, event_row])
        with pytest.raises(ValueError, match="same columns"):
            insert_objects(session, [task, other])
        assert sent == []


def test_record_events_appends_in_order_with_one_insert_and_one_head_update(world):
    factory, _ = world
    sent = _statements(factory)
    with factory() as session, session.begin():
        events = record_events(session, [
            dict(action="dossier.edit", object_type="dossier", object_id=str(n), now=NOW, comment=f"Lần {n}: sửa tên")
            for n in (1, 2, 3)])  # fmt: skip
        if session.get_bind().dialect.name == "postgresql":
            assert sent == ["WITH"]  # the head locked, the rows, the head moved: one statement
        else:
            assert sent == ["SELECT", "INSERT", "UPDATE"]  # the head locked, the rows, the head moved
        assert events[0].id < events[1].id < events[2].id
        assert session.get(AuditChainHead, 1).last_event_id == events[2].id
    with factory() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.object_id, e.comment) for e in rows[-3:]] == [(str(n), f"Lần {n}: sửa tên") for n in (1, 2, 3)]
        assert verify_chain(session).ok


def test_record_events_with_an_unknown_action_sends_nothing(world):
    factory, _ = world
    sent = _statements(factory)
    with factory() as session, session.begin(), pytest.raises(ValueError):
        record_events(session, [dict(action="dossier.edit", object_type="dossier", object_id="1", now=NOW),
                                dict(action="dossier.teleport", object_type="dossier", object_id="1", now=NOW)])  # fmt: skip
    assert sent == []


def test_a_completion_reads_whether_the_instance_has_another_open_task(world):
    """rows_for_completion tells apply_outcome whether to read the open rows again (parallel steps only)."""
    from service.operations.tasks import rows_for_completion

    factory, ids = world
    with factory() as session, session.begin():
        first, second = _new_task(session, ids, guid=GUIDS[0]), _new_task(session, ids, guid=GUIDS[1])
        assert rows_for_completion(session, first.id).others_open is True
        assert rows_for_completion(session, second.id).others_open is True
        update_row(session, second, {"state": "completed"})
        assert rows_for_completion(session, first.id).others_open is False
        update_row(session, first, {"state": "completed"})
        update_row(session, second, {"state": "ready"})
        assert rows_for_completion(session, second.id).others_open is False


def _row_values(session, cls, pk):
    """Every column of a row by attribute name, read with Core (as a direct_sql statement would)."""
    keys = [prop.key for prop in inspect(cls).column_attrs]
    row = session.execute(select(*(getattr(cls, key) for key in keys)).where(inspect(cls).primary_key[0] == pk)).one()
    return dict(zip(keys, row, strict=True))


def test_loaded_row_makes_the_session_s_object_as_the_orm_s_loading_does(world):
    factory, ids = world
    with factory() as session, session.begin():
        values = _row_values(session, ProcessInstance, ids["instance"])
        assert inspect(ProcessInstance).identity_key_from_primary_key([ids["instance"]]) not in session.identity_map
        instance = loaded_row(session, ProcessInstance, values)
        # A persistent object of the session, clean (nothing to flush), holding the row; the same object for the key.
        assert instance in session and not session.dirty and not session.new
        assert (instance.id, instance.status, instance.lock_version) == (ids["instance"], "running", values["lock_version"])
        assert session.get(ProcessInstance, ids["instance"]) is instance
        # Its relationships load as usual.
        assert instance.dossier_id == ids["dossier"]
        # It writes like any loaded object (the version check included).
        update_row(session, instance, {"status": "suspended"})
    with factory() as session:
        assert session.get(ProcessInstance, ids["instance"]).status == "suspended"


def test_loaded_row_keeps_what_the_session_holds_and_fills_only_expired_attributes(world):
    factory, ids = world
    with factory() as session, session.begin():
        held = session.get(Dossier, ids["dossier"])
        held.title = "Tiêu đề chưa lưu"  # a change not yet flushed: the ORM's loading keeps it, so must this
        values = {**_row_values(session, Dossier, ids["dossier"]), "title": "cũ"}
        assert loaded_row(session, Dossier, values) is held and held.title == "Tiêu đề chưa lưu"
        session.expire(held, ["status"])
        assert loaded_row(session, Dossier, {**values, "status": "draft"}) is held
        assert "status" not in inspect(held).expired_attributes and held.status == "draft"


def test_current_row_gives_a_held_object_every_value_of_the_row_read_now(world):
    factory, ids = world
    with factory() as session:
        with session.begin():
            held = session.get(Dossier, ids["dossier"])
            old_title = held.title
        with factory() as other, other.begin():  # another writer changes the row meanwhile
            other.get(Dossier, ids["dossier"]).title = "Đổi bởi người khác"
        with session.begin():
            # Sessions keep their objects across transactions: loaded_row (as the ORM's loading) keeps what it holds,
            # current_row takes the row's values as they are now.
            values = _row_values(session, Dossier, ids["dossier"])
            assert loaded_row(session, Dossier, values) is held and held.title == old_title
            assert current_row(session, Dossier, values) is held and held.title == "Đổi bởi người khác"
            assert not session.dirty  # taken as the row's committed state: nothing to flush
    with factory() as session, session.begin():
        values = _row_values(session, Dossier, ids["dossier"])
        fresh = current_row(session, Dossier, values)  # not held: as loaded_row
        assert fresh in session and fresh.title == "Đổi bởi người khác" and not session.dirty


@pytest.fixture
def pg_world(empty_postgres_url):
    """update_then_insert's statement is PostgreSQL's (SQLite has no UPDATE inside WITH)."""
    yield from _world(empty_postgres_url)


NEW_GUID, OTHER_GUID = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"


def _task_values(ids, guid):
    return {"instance_id": ids["instance"], "task_guid": guid, "bpmn_id": "ward_office_review", "role": "office_clerk",
            "level": "ward", "org_unit_id": ids["unit"], "state": "ready", "created_at": NOW}  # fmt: skip


def test_update_then_insert_writes_both_rows_in_one_statement_as_the_session_s_clean_objects(pg_world):
    factory, ids = pg_world
    sent = []
    event.listen(factory.kw["bind"], "before_cursor_execute", lambda *args: sent.append(args[2]))
    with factory() as session, session.begin():
        instance = session.get(ProcessInstance, ids["instance"])
        version = instance.lock_version
        start = len(sent)
        task = update_then_insert(session, instance, {"status": "suspended"}, HumanTask(**_task_values(ids, NEW_GUID)))
        assert len(sent) - start == 1 and sent[-1].lstrip().startswith("WITH")
        assert task.id is not None and task in session and not session.dirty and not session.new
        assert (instance.status, instance.lock_version) == ("suspended", version + 1)
        assert task.claimed_by is None  # a column it was not given: the row's default, carried without a reload
    with factory() as session:
        assert session.get(ProcessInstance, ids["instance"]).lock_version == version + 1
        stored = session.get(HumanTask, task.id)
        assert (stored.task_guid, stored.state, stored.instance_id) == (NEW_GUID, "ready", ids["instance"])


def test_update_then_insert_writes_nothing_when_the_row_moved_on_since_it_was_read(pg_world):
    factory, ids = pg_world
    with _read_before_another_update(factory, ids["instance"], {"status": "suspended"}) as (mine, stale, _):
        with pytest.raises(StaleDataError), mine.begin():
            update_then_insert(mine, stale, {"status": "completed"}, HumanTask(**_task_values(ids, OTHER_GUID)))
    with factory() as session:
        assert session.get(ProcessInstance, ids["instance"]).status == "suspended"
        assert session.scalar(select(HumanTask.id).where(HumanTask.task_guid == OTHER_GUID)) is None
