"""service/direct_sql.py: a Core statement run straight on the driver stores and reads what session.execute
would, in the session's transaction, seen by SQLAlchemy's cursor events, with SQLAlchemy's exceptions.
Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from service import direct_sql
from service.models import HumanTask, OrgUnit, User
from tests.factories import make_dossier_with_instance

TASKS = HumanTask.__table__
GUID = "0b7c9f3e-2a41-4c5d-9e8f-1a2b3c4d5e6f"
DUE = datetime(2026, 12, 31, 16, 59, 59, 123456, tzinfo=UTC)

_INSERT = (insert(TASKS).values({c: bindparam(f"v_{c.key}") for c in TASKS.c if c.key != "id"})
           .returning(TASKS.c.id))  # fmt: skip
_READ = select(*TASKS.c, literal_column("1").label("one")).where(TASKS.c.id == bindparam("task_id"))
_CLAIM = (update(TASKS).where(TASKS.c.id == bindparam("task_id"), TASKS.c.claimed_by.is_(None))
          .values(claimed_by=bindparam("user_id"), claimed_at=bindparam("at")))  # fmt: skip
# A parameter used twice and one with a value in the statement itself.
_BY_ROLE_TWICE = select(func.count()).select_from(TASKS).where(
    (TASKS.c.role == bindparam("role")) | (TASKS.c.escalate_to_role == bindparam("role")),
    TASKS.c.level == bindparam("level", value="ward", type_=TASKS.c.level.type),
)


def _values(instance: Any, unit_id: int, **changes: Any) -> dict[str, Any]:
    values = {"instance_id": instance.id, "task_guid": GUID, "bpmn_id": "ward_review", "role": "office_clerk",
              "level": "ward", "org_unit_id": unit_id, "state": "ready", "due_at": DUE, "escalated_at": None,
              "escalate_to_role": None, "escalate_to_unit_id": None, "claimed_by": None, "claimed_at": None,
              "completed_by": None, "completed_at": None, "decision": None, "comment": "Xã Phú Lâm – đủ hồ sơ",
              "created_at": DUE}  # fmt: skip
    values.update(changes)
    return {f"v_{k}": v for k, v in values.items()}


def test_what_it_writes_and_reads_is_what_sqlalchemy_writes_and_reads(any_db_session):
    session = any_db_session
    instance = make_dossier_with_instance(session)
    unit_id = session.scalar(select(OrgUnit.id).limit(1))
    task_id = direct_sql.execute(session, _INSERT, _values(instance, unit_id)).scalar()
    assert isinstance(task_id, int)
    by_sqlalchemy = session.execute(_READ, {"task_id": task_id}).one()
    row = direct_sql.execute(session, _READ, {"task_id": task_id}).first()
    assert tuple(row) == tuple(by_sqlalchemy)  # the coded role/level/state, the UUID, the UTC time, Vietnamese text
    assert (row.task_guid, row.role, row.state, row.due_at, row.comment, row.one) == (
        GUID, "office_clerk", "ready", DUE, "Xã Phú Lâm – đủ hồ sơ", 1)
    # And the other way round: a row SQLAlchemy wrote reads back the same through the driver.
    other = session.execute(_INSERT, _values(instance, unit_id, task_guid=GUID.replace("0b", "1c", 1),
                                             role="chairman", escalate_to_role="office_clerk")).scalar()  # fmt: skip
    assert tuple(direct_sql.execute(session, _READ, {"task_id": other}).first()) == tuple(
        session.execute(_READ, {"task_id": other}).one())
    assert direct_sql.execute(session, _BY_ROLE_TWICE, {"role": "office_clerk"}).scalar() == 2
    assert direct_sql.execute(session, _READ, {"task_id": -1}).first() is None
    # No parameters at all: a statement whose parameters all have values in it.
    assert direct_sql.execute(session, select(func.count()).select_from(TASKS).where(TASKS.c.id > 0)).scalar() == 2


def test_rowcount_and_the_session_s_transaction(any_db_session):
    session = any_db_session
    instance = make_dossier_with_instance(session)
    unit_id = session.scalar(select(OrgUnit.id).limit(1))
    task_id = direct_sql.execute(session, _INSERT, _values(instance, unit_id)).scalar()
    user_id = session.scalar(select(User.id).limit(1))
    claimed = direct_sql.execute(session, _CLAIM, {"task_id": task_id, "user_id": user_id, "at": DUE})
    assert claimed.rowcount == 1 and claimed.all() == [] and claimed.first() is None
    # The session sees the change: the same transaction.
    assert session.execute(select(HumanTask.claimed_by, HumanTask.claimed_at).where(HumanTask.id == task_id)).one() == (
        user_id, DUE)
    assert direct_sql.execute(session, _CLAIM, {"task_id": task_id, "user_id": user_id, "at": DUE}).rowcount == 0
    savepoint = session.begin_nested()
    direct_sql.execute(session, update(TASKS).where(TASKS.c.id == bindparam("task_id")).values(comment=bindparam("c")),
                       {"task_id": task_id, "c": "tạm"})  # fmt: skip
    savepoint.rollback()
    assert session.execute(select(HumanTask.comment).where(HumanTask.id == task_id)).scalar() == "Xã Phú Lâm – đủ hồ sơ"


def test_pending_changes_are_flushed_first(any_db_session):
    session = any_db_session
    instance = make_dossier_with_instance(session)
    instance.status = "completed"  # pending in the session, not yet sent
    read = select(literal_column("status")).select_from(instance.__table__).where(instance.__table__.c.id == bindparam("i"))
    assert direct_sql.execute(session, read, {"i": instance.id}).scalar() == "completed"


def test_cursor_events_see_each_statement(any_db_session):
    session = any_db_session
    instance = make_dossier_with_instance(session)
    unit_id = session.scalar(select(OrgUnit.id).limit(1))
    engine = session.get_bind().engine
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        seen.append(("before", statement.split()[0]))

    def after(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        seen.append(("after", statement.split()[0]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        direct_sql.execute(session, _INSERT, _values(instance, unit_id))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert seen == [("before", "INSERT"), ("after", "INSERT")]


def test_errors_are_sqlalchemy_s_and_change_nothing(any_db_session):
    session = any_db_session
    instance = make_dossier_with_instance(session)
    unit_id = session.scalar(select(OrgUnit.id).limit(1))
    direct_sql.execute(session, _INSERT, _values(instance, unit_id))
    count = select(func.count()).select_from(TASKS)
    before = session.execute(count).scalar()
    # A value the column's type refuses, before anything is sent: StatementError, as session.execute raises.
    with pytest.raises(StatementError, match="not a UUID in canonical form"):
        direct_sql.execute(session, _INSERT, _values(instance, unit_id, task_guid="G-1"))
    with pytest.raises(StatementError):
        direct_sql.execute(session, _READ, {})  # a parameter missing
    # The database refusing the row (the same guid twice in an instance): IntegrityError.
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError):
        direct_sql.execute(session, _INSERT, _values(instance, unit_id))
    savepoint.rollback()
    assert session.execute(count).scalar() == before


def test_a_statement_that_needs_sqlalchemy_at_execution_is_refused():
    expanding = select(TASKS.c.id).where(TASKS.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="expanding or literal parameter"):
        direct_sql._compile(expanding, _sqlite_dialect())  # noqa: SLF001
    defaulted = insert(OrgUnit.__table__).values(code=bindparam("code"), name=bindparam("name"), level=bindparam("level"))
    with pytest.raises(ValueError, match="Python-side defaults"):
        direct_sql._compile(defaulted, _sqlite_dialect())  # noqa: SLF001


def _sqlite_dialect() -> Any:
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()

