"""Audit pages with a date window: exactly the window's events, newest first by time (then id), pages without
gaps or repeats, each read off the time index from the window's end however far back the window lies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from service.db import make_engine
from service.models import AuditEvent
from service.operations.audit import record_event, verify_chain
from service.queries.audit import VN, AuditFilter, audit_page, page_ids
from tests.operations.test_task_indexes import _plan


def _when(number: int) -> datetime:
    """Six hours apart, but every seventh event eighteen hours late (after the next two in time: the caller's
    clock, not the chain's order) and every fifth at the same time as the one before it (ties)."""
    base = datetime(2024, 3, 1, 12, tzinfo=UTC)
    hours = 6 * (number - 1 if number % 5 == 0 else number) + (18 if number % 7 == 0 else 0)
    return base + timedelta(hours=hours)


def _all_pages(session, filters: AuditFilter, size: int) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    before = None
    while True:
        page = audit_page(session, filters, before_id=before, size=size)
        if not page:
            return seen
        seen.extend(row.event.id for row in page)
        before = page[-1].event.id


def test_a_date_window_pages_through_exactly_its_events(factory) -> None:
    with factory() as session, session.begin():
        for number in range(130):
            record_event(session, action="dossier.edit", object_type="dossier", object_id=str(number), now=_when(number))
    window = AuditFilter(date_from=date(2024, 3, 5), date_to=date(2024, 3, 20), action="dossier.edit")
    start = datetime(2024, 3, 5, tzinfo=VN)
    end = datetime(2024, 3, 21, tzinfo=VN)
    with factory() as session:
        ours = [e for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.edit"))
                if start <= e.occurred_at < end]  # fmt: skip
        expected = [e.id for e in sorted(ours, key=lambda e: (e.occurred_at, e.id), reverse=True)]
        assert expected != sorted(expected, reverse=True)  # the data does put time and id in different orders
        assert len({e.occurred_at for e in ours}) < len(ours)  # and has ties
        for size in (17, 1, 200):
            assert _all_pages(session, window, size) == expected and 40 < len(expected) < 130
        # Without the action filter other events of the seeded data may fall in the window: ours all appear, in
        # their order, and the whole list is in time order.
        seen = _all_pages(session, AuditFilter(date_from=window.date_from, date_to=window.date_to), 17)
        assert [i for i in seen if i in set(expected)] == expected and len(seen) == len(set(seen))
        times = {e.id: e.occurred_at for e in session.scalars(select(AuditEvent).where(AuditEvent.id.in_(seen)))}
        assert [(times[i], i) for i in seen] == sorted(((times[i], i) for i in seen), reverse=True)
        # A cursor naming no event ends the pages; no error.
        assert audit_page(session, window, before_id=10**9) == []
        assert verify_chain(session).ok


def test_a_window_and_its_next_page_are_read_off_the_time_index_on_sqlite(sqlite_url: str) -> None:
    window = AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        cursor = conn.scalar(select(AuditEvent.id).limit(1))
        for statement in (page_ids(window), page_ids(window, before_id=cursor)):
            plan = _plan(conn, statement)
            assert "INDEX ix_audit_event_occurred_at (occurred_at>? AND occurred_at<?)" in plan, plan
            assert "SCAN audit_event" not in plan and "TEMP B-TREE" not in plan, plan  # newest first, no sort
    engine.dispose()


@pytest.mark.postgres
def test_a_window_long_ago_is_read_off_the_time_index_on_postgresql(postgres_url: str) -> None:
    # Many newer events after a day long ago: ordered by id the planner walked the primary key back through all
    # of them; ordered by time it reads the day's end off the (occurred_at, id) index.
    engine = make_engine(postgres_url)
    try:
        _check_plans(engine)
    finally:
        engine.dispose()


def _check_plans(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(text("""INSERT INTO audit_event (occurred_at, action, object_type, object_id, hash)
                             SELECT timestamptz '2025-01-01 00:00+00' + n * interval '1 minute', 1, 1, n::text,
                                    decode(md5(n::text) || md5(n::text), 'hex')
                             FROM generate_series(1, 20000) AS n"""))  # fmt: skip
        conn.execute(text("ANALYZE audit_event"))
    day = AuditFilter(date_from=date(2025, 1, 2), date_to=date(2025, 1, 2))
    with engine.connect() as conn:
        cursor = conn.scalar(page_ids(day, size=1))
        for statement in (page_ids(day), page_ids(day, before_id=cursor)):
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            plan = " | ".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            # (the cursor's own time is looked up by the primary key, one row)
            assert "Scan Backward using ix_audit_event_occurred_at_id" in plan, plan
            assert "Scan Backward using pk_audit_event" not in plan, plan
