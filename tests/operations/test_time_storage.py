"""How UTC times are stored (migration 0018): integer microseconds since 1970 on SQLite, timestamptz on
PostgreSQL. The same aware datetimes come back, to the microsecond, and queries compare and sort them."""

from __future__ import annotations

import calendar
import importlib.util
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Boolean, DateTime, Integer, String, column, func, insert, select, table, text, update
from sqlalchemy.exc import StatementError

from service.db import MIGRATIONS_DIR, Base, UTCDateTime, alembic_config, make_engine, make_session_factory
from service.models import ApiToken, AuditEvent, HumanTask, Job, JobStatus, Notification, User
from service.models.audit import GENESIS_HASH, Sha256Digest
from service.operations.audit import event_hash, record_event, verify_chain
from service.operations.jobs import JobContext, claim, drain, enqueue
from service.operations.notifications import mark_read
from service.operations.timers import fire_due_timers
from service.operations.tokens import check_token, issue_token, record_token_use
from service.queries.audit import VN
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task, schema_differences

VN_ZONE = timezone(timedelta(hours=7))
# Written in both forms a time can take: aware in UTC and in Vietnam's zone, with and without microseconds.
TIMES = [
    datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
    datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=VN_ZONE),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 8, 1, tzinfo=UTC),  # past 32-bit seconds
    datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # just before the epoch: a negative number
]


def _microseconds(moment: datetime) -> int:
    """µs since 1970 computed apart from the service's code: whole seconds from the calendar, then the fraction."""
    return calendar.timegm(moment.astimezone(UTC).timetuple()) * 1_000_000 + moment.microsecond


def _events(session, moments: list[datetime], action: str = "dossier.edit") -> list[int]:  # type: ignore[no-untyped-def]
    return [record_event(session, action=action, object_type="dossier", object_id=str(n), now=moment).id
            for n, moment in enumerate(moments)]  # fmt: skip


def test_times_come_back_to_the_microsecond_as_aware_utc(any_db_session):
    ids = _events(any_db_session, TIMES)
    any_db_session.expire_all()
    for event_id, moment in zip(ids, TIMES, strict=True):
        read = any_db_session.get(AuditEvent, event_id).occurred_at
        assert read == moment and read.tzinfo is UTC
        assert any_db_session.scalar(select(AuditEvent.occurred_at).where(AuditEvent.id == event_id)) == moment
    if any_db_session.get_bind().dialect.name == "sqlite":
        stored = any_db_session.execute(text("SELECT typeof(occurred_at), occurred_at FROM audit_event WHERE id IN "
                                             f"({', '.join(map(str, ids))}) ORDER BY id")).all()  # fmt: skip
        assert [tuple(row) for row in stored] == [("integer", _microseconds(moment)) for moment in TIMES]
        assert stored[0][1] == 1_772_326_800_000_000 and stored[-1][1] == -1


def test_the_first_and_last_datetime_fit(any_db_session):
    first, last = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    ids = _events(any_db_session, [first, last])
    any_db_session.expire_all()
    assert [any_db_session.get(AuditEvent, i).occurred_at for i in ids] == [first, last]


def test_a_naive_datetime_is_refused_when_written_and_when_compared(any_db_session):
    any_db_session.add(Job(kind="probe", run_after=datetime(2026, 3, 1), created_at=datetime.now(UTC)))
    with pytest.raises(StatementError, match="naive datetime"):
        any_db_session.flush()
    any_db_session.rollback()
    with pytest.raises(StatementError, match="naive datetime"):
        any_db_session.scalars(select(Job).where(Job.run_after <= datetime(2026, 3, 1))).all()


def test_order_ranges_min_and_max_follow_the_times(any_db_session):
    shuffled = [TIMES[i] for i in (3, 0, 4, 1, 2)]
    ids = dict(zip(_events(any_db_session, shuffled), shuffled, strict=True))
    mine = select(AuditEvent.id).where(AuditEvent.action == "dossier.edit")
    in_order = any_db_session.scalars(mine.order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    assert [ids[i] for i in in_order] == sorted(shuffled)
    # 2026-03-01 08:00 in Vietnam is 01:00 UTC: the bound is compared as a time, not as its digits.
    start, end = datetime(2026, 3, 1, 8, 0, tzinfo=VN_ZONE), datetime(2026, 3, 1, 8, 0, 0, 123457, tzinfo=VN_ZONE)
    window = any_db_session.scalars(mine.where(AuditEvent.occurred_at >= start, AuditEvent.occurred_at < end)).all()
    assert sorted(ids[i] for i in window) == [TIMES[0], TIMES[1]]
    before_epoch = any_db_session.scalars(mine.where(AuditEvent.occurred_at < datetime(1970, 1, 1, tzinfo=UTC))).all()
    assert [ids[i] for i in before_epoch] == [TIMES[4]]
    # The last microsecond of 1999 in UTC is 06:59:59.999999 on 1 January 2000 in Vietnam.
    last_of_1999 = datetime(2000, 1, 1, 6, 59, 59, 999999, tzinfo=VN)
    for first, found in ((last_of_1999 + timedelta(microseconds=1), [TIMES[0], TIMES[1]]),
                         (last_of_1999, [TIMES[2], TIMES[0], TIMES[1]])):  # fmt: skip
        between = mine.where(AuditEvent.occurred_at.between(first, datetime(2030, 1, 1, tzinfo=VN)))
        assert sorted(ids[i] for i in any_db_session.scalars(between)) == found
    extremes = select(func.min(AuditEvent.occurred_at), func.max(AuditEvent.occurred_at))
    lowest, highest = any_db_session.execute(extremes.where(AuditEvent.action == "dossier.edit")).one()
    assert (lowest, highest) == (min(TIMES), max(TIMES)) and lowest.tzinfo is UTC


def test_the_worker_claims_exactly_the_jobs_that_are_due(any_db_session):
    now = datetime(2026, 3, 1, 8, 0, tzinfo=VN_ZONE)
    due = [enqueue(any_db_session, "probe", run_after=now - timedelta(microseconds=d)).id for d in (1, 0)]
    enqueue(any_db_session, "probe", run_after=now + timedelta(microseconds=1))
    assert sorted(claim(any_db_session, "w", now=now)) == sorted(due)


def test_a_value_that_is_not_integer_microseconds_is_refused_when_read(sqlite_session):
    [event_id] = _events(sqlite_session, [TIMES[0]])
    set_raw = text("UPDATE audit_event SET occurred_at = :value WHERE id = :id")
    read = select(AuditEvent.occurred_at).where(AuditEvent.id == event_id)
    sqlite_session.execute(set_raw, {"value": "2026-03-01 01:00:00.000000", "id": event_id})
    with pytest.raises(ValueError, match="upgraded to 0018"):
        sqlite_session.scalar(read)
    sqlite_session.execute(set_raw, {"value": 2**62, "id": event_id})
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        sqlite_session.scalar(read)


def test_a_statement_with_literal_times_finds_the_stored_integers(sqlite_session):
    ids = _events(sqlite_session, TIMES)
    query = select(AuditEvent.id).where(AuditEvent.id.in_(ids), AuditEvent.occurred_at >= TIMES[1])
    sql = str(query.compile(sqlite_session.get_bind(), compile_kwargs={"literal_binds": True}))
    assert str(_microseconds(TIMES[1])) in sql
    assert sorted(sqlite_session.scalars(text(sql))) == [ids[1], ids[3]]  # TIMES[0] is 0.123456 s earlier


def test_moving_a_stored_time_by_one_microsecond_breaks_the_audit_chain(sqlite_session):
    ids = _events(sqlite_session, TIMES)
    assert verify_chain(sqlite_session).ok
    sqlite_session.execute(text("UPDATE audit_event SET occurred_at = occurred_at + 1 WHERE id = :id"), {"id": ids[2]})
    sqlite_session.expire_all()
    result = verify_chain(sqlite_session)
    assert (result.ok, result.first_broken_id) == (False, ids[2])


def _time_columns() -> dict[str, tuple[str, ...]]:
    """Every UTCDateTime column of the models, by table."""
    tables = Base.metadata.sorted_tables
    found = {t.name: tuple(c.name for c in t.columns if isinstance(c.type, UTCDateTime)) for t in tables}
    return {name: columns for name, columns in found.items() if columns}


def _pairs(columns: dict[str, tuple[str, ...]]) -> set[tuple[str, str]]:
    return {(name, column) for name, names in columns.items() for column in names}


def test_every_time_a_workload_writes_on_sqlite_is_an_integer(sqlite_url):
    """A chain to the end, an escalation by the timer, a token, a job and a read notice: no time is left as text."""
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    clock = FixedClock()
    finished = new_dossier(factory, Engine(clock))
    while open_task(factory, finished) is not None:
        act(factory, Engine(clock), finished)
    waiting = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), waiting)  # now at the ward office with a 10-day timer
    with factory() as session, session.begin():
        assert fire_due_timers(session, Engine(FixedClock(clock.advance(days=11)))).escalations >= 1
        user = session.scalars(select(User).order_by(User.id)).first()
        issued = issue_token(session, user, clock.now())
        check = check_token(session, issued.token, clock.now())
        record_token_use(session, check, clock.now())
        issued_id = check.token_id
        enqueue(session, "no_such_kind", max_attempts=1)
        reader = session.scalars(select(Notification.user_id)).first()
        assert mark_read(session, reader, None, clock.now()) > 0
    drain(factory, "w", JobContext())
    with factory() as session:
        assert session.scalar(select(Job.status)) == JobStatus.FAILED
        assert session.scalar(select(func.count()).where(HumanTask.escalated_at.is_not(None))) >= 1
        assert session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == issued_id)) is not None
    engine.dispose()
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        kinds = {(name, col): dict(conn.execute(f"SELECT typeof({col}), count(*) FROM {name} GROUP BY 1").fetchall())
                 for name, columns in _time_columns().items() for col in columns}  # fmt: skip
    assert {key: found for key, found in kinds.items() if set(found) - {"integer", "null"}} == {}
    written = {key for key, found in kinds.items() if found.get("integer")}
    assert {("audit_event", "occurred_at"), ("human_task", "due_at"), ("human_task", "escalated_at"),
            ("human_task", "completed_at"), ("job", "finished_at"), ("notification", "read_at"),
            ("api_token", "last_used_at"), ("process_instance", "next_timer_at")} <= written  # fmt: skip


# --- Migration 0018 ----------------------------------------------------------------------------------------

def _migration_0018():  # type: ignore[no-untyped-def]
    path = MIGRATIONS_DIR / "versions" / "0018_sqlite_integer_timestamps.py"
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The tables as the service wrote them at revision 0017: SQLAlchemy's DateTime, text on SQLite.
OLD_USER = table("user_account", column("id", Integer), column("username", String), column("full_name", String),
                 column("password_hash", String), column("is_active", Boolean),
                 column("created_at", DateTime(timezone=True)))  # fmt: skip
OLD_TOKEN = table("api_token", column("id", Integer), column("user_id", Integer), column("token_hash", String),
                  column("created_at", DateTime(timezone=True)), column("expires_at", DateTime(timezone=True)),
                  column("last_used_at", DateTime(timezone=True)))  # fmt: skip
OLD_EVENT = table("audit_event", column("id", Integer), column("occurred_at", DateTime(timezone=True)),
                  column("action", String), column("object_type", String), column("object_id", String),
                  column("hash", Sha256Digest()))  # fmt: skip
OLD_HEAD = table("audit_chain_head", column("id", Integer), column("last_event_id", Integer),
                 column("last_hash", Sha256Digest()))  # fmt: skip


def _at_0017(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0017")
    return url


def _raw(url: str, query: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(query).fetchall()


RAW_TIMES = ("SELECT 'user_account', id, created_at FROM user_account UNION ALL SELECT 'api_token', id, "
             "created_at || '|' || expires_at || '|' || coalesce(last_used_at, '-') FROM api_token UNION ALL "
             "SELECT 'audit_event', id, occurred_at FROM audit_event ORDER BY 1, 2")  # fmt: skip


def test_migration_0018_turns_text_times_into_microseconds_exactly_and_back(tmp_path):
    url = _at_0017(tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        # The old UTCDateTime handed SQLite's DateTime the naive UTC time; DateTime writes the same text
        # from an aware UTC one (it ignores the zone).
        user = conn.execute(insert(OLD_USER).values(username="cu", full_name="Cũ", password_hash="!", is_active=True,
                                                    created_at=TIMES[2]).returning(OLD_USER.c.id)).scalar_one()
        conn.execute(insert(OLD_TOKEN).values(user_id=user, token_hash="a" * 64, created_at=TIMES[0],
                                              expires_at=TIMES[1].astimezone(UTC), last_used_at=None))  # fmt: skip
        prev = GENESIS_HASH
        for number, moment in enumerate(TIMES):
            values = {"occurred_at": moment.astimezone(UTC), "action": "dossier.edit", "object_type": "dossier",
                      "object_id": str(number)}  # fmt: skip
            prev = event_hash(AuditEvent(**values), prev)
            last = conn.execute(insert(OLD_EVENT).values(**values, hash=prev).returning(OLD_EVENT.c.id)).scalar_one()
        conn.execute(update(OLD_HEAD).where(OLD_HEAD.c.id == 1).values(last_event_id=last, last_hash=prev))
    engine.dispose()
    # One more token whose times were written without a fraction (by hand; SQLAlchemy always wrote six digits).
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("INSERT INTO api_token (user_id, token_hash, created_at, expires_at) "
                     f"VALUES ({user}, '{'b' * 64}', '2026-03-01 01:00:00', '2026-03-01 13:00:00')")  # fmt: skip
    before = _raw(url, RAW_TIMES)
    assert ("user_account", user, "1999-12-31 23:59:59.999999") in before
    assert ("audit_event", 5, "1969-12-31 23:59:59.999999") in before

    command.upgrade(alembic_config(url), "head")  # 0018, and the later revisions the models expect
    assert _raw(url, "SELECT DISTINCT typeof(occurred_at) FROM audit_event") == [("integer",)]
    assert _raw(url, "SELECT occurred_at FROM audit_event ORDER BY id") == [(_microseconds(m),) for m in TIMES]
    assert _raw(url, "SELECT created_at, expires_at, last_used_at FROM api_token ORDER BY id") == [
        (_microseconds(TIMES[0]), _microseconds(TIMES[1]), None),
        (1_772_326_800_000_000, 1_772_370_000_000_000, None),
    ]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.get(User, user).created_at == TIMES[2]
        assert [e.occurred_at for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == TIMES
        tokens = session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
        assert [(t.created_at, t.expires_at, t.last_used_at) for t in tokens] == [
            (TIMES[0], TIMES[1], None),
            (datetime(2026, 3, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, 13, tzinfo=UTC), None),
        ]
        result = verify_chain(session)
        assert result.ok and result.checked == len(TIMES)
        assert not schema_differences(session.connection())
    engine.dispose()

    command.downgrade(alembic_config(url), "0017")
    after = _raw(url, RAW_TIMES)
    # SQLAlchemy's own text comes back character for character; the hand-written one gains its six zeros.
    by_hand = "2026-03-01 01:00:00|2026-03-01 13:00:00|-"
    as_written = "2026-03-01 01:00:00.000000|2026-03-01 13:00:00.000000|-"
    assert after == [row if row[2] != by_hand else (*row[:2], as_written) for row in before] and after != before
    assert _raw(url, "SELECT DISTINCT typeof(occurred_at) FROM audit_event") == [("text",)]


def test_migration_0018_stops_at_a_time_it_cannot_read_and_changes_nothing(tmp_path):
    url = _at_0017(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("INSERT INTO user_account (username, full_name, password_hash, is_active, created_at) VALUES "
                     "('a', 'A', '!', 1, '2026-03-01 01:00:00.000000'), "
                     "('b', 'B', '!', 1, '2026-02-30 01:00:00.000000')")  # 30 February
    with pytest.raises(RuntimeError, match=r"user_account.created_at of row 2 holds '2026-02-30 01:00:00.000000'"):
        command.upgrade(alembic_config(url), "0018")
    assert _raw(url, "SELECT version_num FROM alembic_version") == [("0017",)]
    assert _raw(url, "SELECT typeof(created_at) FROM user_account") == [("text",), ("text",)]


def test_migration_0018_lists_every_time_column(tmp_path):
    url = _at_0017(tmp_path)
    tables = [name for (name,) in _raw(url, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    declared = {(name, row[1]) for name in tables for row in _raw(url, f"PRAGMA table_info({name})")
                if row[2] == "DATETIME"}  # fmt: skip
    # The models' time columns of the tables there at 0017 (a later table, such as 0031's, is created in integers).
    modelled = {(name, column) for name, column in _pairs(_time_columns()) if name in tables}
    assert _pairs(_migration_0018().COLUMNS) == declared == modelled


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0018_round_trip_keeps_every_time_of_a_seeded_database(request, url_fixture):
    url = request.getfixturevalue(url_fixture)

    def every_time() -> dict[tuple[str, str, tuple[object, ...]], datetime | None]:
        # Each row by its primary key (an id, or the columns of a composite key such as task_reminder's).
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                found = {}
                for name, columns in _time_columns().items():
                    key = list(Base.metadata.tables[name].primary_key.columns)
                    for c in columns:
                        for row in conn.execute(select(*key, Base.metadata.tables[name].c[c])):
                            found[(name, c, tuple(row[:-1]))] = row[-1]
        finally:
            engine.dispose()
        return found

    times = every_time()
    assert len([t for t in times.values() if t is not None]) > 100
    command.downgrade(alembic_config(url), "0017")
    if url.startswith("sqlite"):
        # What the service at 0017 reads: SQLAlchemy's text, naive UTC.
        engine = make_engine(url)
        with engine.connect() as conn:
            events = table("audit_event", column("id", Integer), column("occurred_at", DateTime()))
            old = dict(conn.execute(select(events.c.id, events.c.occurred_at)).all())
        engine.dispose()
        assert old == {key[2][0]: value.replace(tzinfo=None) for key, value in times.items() if key[0] == "audit_event"}
    command.upgrade(alembic_config(url), "head")
    assert every_time() == times
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert verify_chain(session).ok
    engine.dispose()


def test_the_audit_page_windows_are_local_days(any_db_session):
    """The auditor picks Vietnamese calendar days: 23:30 UTC on 1 March is already 2 March in Vietnam."""
    from service.queries.audit import AuditFilter, audit_page

    late, early = datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 1, 16, 59, 59, 999999, tzinfo=UTC)
    ids = _events(any_db_session, [late, early])
    day = AuditFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2), action="dossier.edit")
    page = audit_page(any_db_session, day)
    assert [row.event.id for row in page] == [ids[0]]
