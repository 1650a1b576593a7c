"""The audit trail is a hash chain: tampering is detected, and PostgreSQL refuses edits outright."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from service.models import AuditEvent
from service.models.audit_codes import ACTIONS
from service.operations.audit import event_hash, record_event, verify_chain


def test_seeded_chain_verifies(factory):
    with factory() as session:
        result = verify_chain(session)
        assert result.ok and result.checked == session.scalar(select(func.count()).select_from(AuditEvent)) > 0


def test_events_chain_on_each_other_and_keep_vietnamese_exact(factory):
    with factory() as session, session.begin():
        first = record_event(session, action="dossier.edit", object_type="dossier", object_id="1",
                             comment="Trả lại bổ sung: thiếu trích ngang")  # fmt: skip
        second = record_event(session, action="dossier.edit", object_type="dossier", object_id="1")
        assert second.hash == event_hash(second, first.hash)
    with factory() as session:
        stored = session.get(AuditEvent, first.id)
        assert stored.comment == "Trả lại bổ sung: thiếu trích ngang"
        assert verify_chain(session).ok


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit_event SET comment = 'sửa lén' WHERE id = :id", "mã băm"),
        ("DELETE FROM audit_event WHERE id = :id", "liên kết"),
    ],
)
def test_raw_sql_tampering_is_caught_at_the_first_broken_event(sqlite_url, statement, reason):
    from service.db import make_engine, make_session_factory

    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    with factory() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    victim = ids[len(ids) // 2]
    with engine.begin() as conn:
        conn.execute(text(statement), {"id": victim})
    with factory() as session:
        result = verify_chain(session)
    expected = victim if "UPDATE" in statement else ids[ids.index(victim) + 1]
    assert not result.ok and result.first_broken_id == expected and reason in result.reason
    engine.dispose()


def test_deleting_the_newest_event_is_caught(sqlite_url):
    from service.db import make_engine, make_session_factory

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)"))
    with make_session_factory(engine)() as session:
        assert not verify_chain(session).ok
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_event SET comment = 'x'", "DELETE FROM audit_event",
                                       "TRUNCATE audit_event CASCADE"])  # fmt: skip
def test_postgresql_refuses_to_change_audit_rows(postgres_url, statement):
    from service.db import make_engine

    engine = make_engine(postgres_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _make_audit_fail(engine, dialect: str) -> None:
    """A real database failure on the audit insert of task completions (no mocks)."""
    complete = ACTIONS["task.complete"]  # the action is stored as its code (schema 0024)
    with engine.begin() as conn:
        if dialect == "sqlite":
            conn.execute(text(f"CREATE TRIGGER audit_down BEFORE INSERT ON audit_event WHEN NEW.action = {complete} "
                              "BEGIN SELECT RAISE(ABORT, 'audit storage failed'); END"))  # fmt: skip
        else:
            conn.execute(text("CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                              f"IF NEW.action = {complete} THEN RAISE EXCEPTION 'audit storage failed'; END IF; "
                              "RETURN NEW; END $$"))  # fmt: skip
            conn.execute(text("CREATE TRIGGER audit_down BEFORE INSERT ON audit_event FOR EACH ROW "
                              "EXECUTE FUNCTION audit_down()"))  # fmt: skip


def test_when_the_audit_write_fails_the_decision_is_rolled_back(db_url):
    from service.db import make_engine, make_session_factory
    from service.models import Dossier, HumanTask, ProcessInstance
    from workflows import Engine, FixedClock

    from .helpers import act, new_dossier, open_task

    db = make_engine(db_url)
    factory = make_session_factory(db)
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    with factory() as session:
        state_before = session.scalar(select(ProcessInstance.state_json).where(ProcessInstance.dossier_id == dossier_id))
    _make_audit_fail(db, db.dialect.name)
    with pytest.raises(DBAPIError, match="audit storage failed"):
        act(factory, engine, dossier_id, "approve", "Đủ hồ sơ")
    with factory() as session:
        assert session.get(HumanTask, task.id).state == "ready"
        assert session.get(Dossier, dossier_id).current_step == "ward_office_review"
        assert session.scalar(select(ProcessInstance.state_json)
                              .where(ProcessInstance.dossier_id == dossier_id)) == state_before  # fmt: skip
        assert verify_chain(session).ok
    db.dispose()


@pytest.mark.postgres
def test_chain_stays_one_line_under_concurrent_writers_on_postgresql(postgres_url):
    import threading

    from service.db import make_engine, make_session_factory

    db = make_engine(postgres_url, pool_size=10)
    factory = make_session_factory(db)
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        barrier.wait()
        try:
            for item in range(25):
                with factory() as session, session.begin():
                    record_event(session, action="dossier.edit", object_type="dossier", object_id=str(number),
                                 comment=f"luồng {number}, lần {item}")  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with factory() as session:
        # Each event is checked against the row before it: two events appended on the same head (a fork)
        # would fail verification at the second.
        result = verify_chain(session)
        assert result.ok and result.checked == before + 200
    db.dispose()


def test_first_event_hangs_off_the_genesis_hash_and_moves_the_head(any_db_session):
    from service.models import AuditChainHead
    from service.models.audit import GENESIS_HASH
    from tests.factories import make_org_tree, make_user

    tree = make_org_tree(any_db_session)
    clerk = make_user(any_db_session, "vp.phulam", "office_clerk", tree.ward, full_name="Lê Thị Hoa")
    first = record_event(any_db_session, action="dossier.create", object_type="dossier", object_id="7",
                         actor=clerk.id, actor_role="office_clerk", actor_unit_id=tree.ward.id,
                         after={"title": "Hồ sơ đề nghị khen thưởng"})  # fmt: skip
    second = record_event(any_db_session, action="dossier.submit", object_type="dossier", object_id="7")
    head = any_db_session.get(AuditChainHead, 1)
    assert first.hash == event_hash(first, GENESIS_HASH) and second.hash == event_hash(second, first.hash)
    assert (head.last_event_id, head.last_hash) == (second.id, second.hash)
    result = verify_chain(any_db_session)
    assert result.ok and result.checked == 2


def test_a_session_that_appended_before_chains_after_events_others_appended_since(factory):
    """Sessions keep their objects across transactions (expire_on_commit=False): the chain head a session read
    when it last appended must not be what its next append chains after, once another writer has moved it."""
    first, other = factory(), factory()
    try:
        with first.begin():
            record_event(first, action="dossier.edit", object_type="dossier", object_id="1", comment="lần đầu")
        with other.begin():
            record_event(other, action="dossier.edit", object_type="dossier", object_id="2", comment="người khác")
        with first.begin():
            again = record_event(first, action="dossier.edit", object_type="dossier", object_id="3", comment="lần sau")
            stored_before = first.scalars(select(AuditEvent).where(AuditEvent.id < again.id)
                                          .order_by(AuditEvent.id.desc()).limit(1)).one()  # fmt: skip
            assert again.hash == event_hash(again, stored_before.hash)
    finally:
        first.close()
        other.close()
    with factory() as session:
        assert verify_chain(session).ok
