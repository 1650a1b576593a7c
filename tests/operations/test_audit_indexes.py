"""Every filter of the auditor's page reads an index, newest first, never the whole audit table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from service.db import alembic_config, make_engine, make_session_factory
from service.models import AuditEvent, RoleAssignment, User
from service.operations.audit import record_events, verify_chain
from service.queries.audit import Accounts, AuditFilter, _query, audit_page, page_ids
from tests.operations.helpers import assert_head_agrees_with_models, indexes_built_to, query_rows, table_indexes
from tests.operations.test_task_indexes import _plan

# On SQLite each is (column) alone: its entries end with the id, which orders them (migration 0029).
FILTERS = {
    "unit": (AuditFilter(unit_id=7), "ix_audit_event_actor_unit"),
    "dossier": (AuditFilter(dossier_id=7), "ix_audit_event_dossier"),
    "action": (AuditFilter(action="task.complete"), "ix_audit_event_action"),
    "actor": (AuditFilter(actor="nobody.here"), "ix_audit_event_actor"),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_a_filtered_page_is_read_off_its_index(sqlite_url: str, name: str) -> None:
    filters, index = FILTERS[name]
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        plan = _plan(conn, _query(filters).order_by(AuditEvent.id.desc()).limit(50))
    engine.dispose()
    assert f"INDEX {index} (" in plan, plan
    assert "SCAN audit_event" not in plan.replace(f"USING INDEX {index}", "").replace(f"USING COVERING INDEX {index}", "")
    assert "TEMP B-TREE" not in plan  # newest first straight off the index: no sort of every match


def test_a_date_window_picks_its_ids_from_the_time_index_without_reading_rows(sqlite_url: str) -> None:
    # (A window open on one side SQLite reads newest first off the table itself, stopping after the page.)
    window = AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        plan = _plan(conn, page_ids(window))
        # With another filter too, some index still gives the ids (which one is the planner's choice).
        combined = [_plan(conn, page_ids(replace(window, **extra)))
                    for extra in ({"action": "task.complete"}, {"actor": "nobody.here"}, {"dossier_id": 7})]  # fmt: skip
    engine.dispose()
    # Without the name joins the page's ids come from the index alone, not from every row of the window. (The
    # next pages walk back from the cursor, an id inside the window, by the primary key.)
    assert "COVERING INDEX ix_audit_event_occurred_at (" in plan, plan
    assert all("SCAN audit_event" not in other and "INDEX ix_audit_event_" in other for other in combined), combined


def test_the_actor_filter_matches_the_username_and_nobody_else(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with make_session_factory(engine)() as session:
        someone = session.scalar(select(User).join(AuditEvent, AuditEvent.actor_id == User.id).limit(1))
        page = audit_page(session, AuditFilter(actor=someone.username))
        assert page and {row.event.actor_id for row in page} == {someone.id}
        assert {row.actor_username for row in page} == {someone.username}
        assert audit_page(session, AuditFilter(actor="nobody.here")) == []
    engine.dispose()


def _several(ids: list[int]) -> AuditFilter:
    """The filter a part of a name matching these accounts gives (read_filter)."""
    return AuditFilter(actor="part", accounts=Accounts(tuple(ids), tuple(f"user{n}" for n in ids)))


def test_several_accounts_page_off_the_actor_index_one_range_each_on_sqlite(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        ids = list(conn.scalars(select(User.id).order_by(User.id).limit(5)))
        cursor = conn.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        plans = [_plan(conn, page_ids(_several(ids))), _plan(conn, page_ids(_several(ids), before_id=cursor))]
        # With another filter too, some index still gives each account's ids (which one is the planner's choice).
        combined = _plan(conn, page_ids(replace(_several(ids), action="task.complete")))
    engine.dispose()
    for plan in plans:
        assert plan.count("COVERING INDEX ix_audit_event_actor (actor_id=?") == len(ids), plan
        assert "SCAN audit_event" not in plan, plan
    assert combined.count("SEARCH audit_event USING INDEX ix_audit_event_") == len(ids), combined
    assert "SCAN audit_event" not in combined, combined


@pytest.mark.postgres
def test_several_accounts_page_off_the_actor_index_one_range_each_on_postgresql(postgres_url: str) -> None:
    # Accounts that did nothing among 20,000 events of others: as one IN list PostgreSQL walked the primary key back
    # through every event; one range of the (actor_id, id) index each reads at most a page of each.
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as conn:
            busy = list(conn.scalars(select(User.id).order_by(User.id).limit(20)))
            idle = list(conn.execute(insert(User).returning(User.id), [
                dict(username=f"idle-{n}", full_name="Không làm gì", password_hash="-") for n in range(30)
            ]).scalars())  # fmt: skip
            conn.execute(text("""INSERT INTO audit_event (occurred_at, actor_id, action, object_type, object_id, hash)
                                 SELECT timestamptz '2025-01-01 00:00+00' + n * interval '1 minute',
                                        (ARRAY[:busy])[1 + n % 20], 1, 1, n::text,
                                        decode(md5(n::text) || md5(n::text), 'hex')
                                 FROM generate_series(1, 20000) AS n""").bindparams(busy=busy))  # fmt: skip
            conn.execute(text("ANALYZE audit_event"))
        with engine.connect() as conn:
            cursor = conn.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
            for filters, before in ((_several(idle), None), (_several(idle), cursor),
                                    (_several(idle + busy[:3]), None)):
                compiled = page_ids(filters, before_id=before).compile(engine, compile_kwargs={"literal_binds": True})
                plan = " | ".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
                assert plan.count("Scan Backward using ix_audit_event_actor_id") == len(filters.accounts.ids), plan
                assert "pk_audit_event" not in plan and "Seq Scan" not in plan, plan
    finally:
        engine.dispose()


def test_several_accounts_page_like_an_in_list_newest_first(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with make_session_factory(engine)() as session:
        ids = list(session.scalars(select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()))
        everyone = list(session.scalars(select(AuditEvent.id).where(AuditEvent.actor_id.in_(ids))
                                        .order_by(AuditEvent.id.desc())))  # fmt: skip
        assert len(ids) > 2 and len(everyone) > 6
        seen, before = [], None
        while page := [row.event.id for row in audit_page(session, _several(ids), before_id=before, size=4)]:
            seen, before = seen + page, page[-1]
        assert seen == everyone
    engine.dispose()


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0020_adds_and_removes_the_unit_index(request: pytest.FixtureRequest, url_fixture: str) -> None:
    url = request.getfixturevalue(url_fixture)

    def indexes() -> set[str]:
        return set(table_indexes(url, "audit_event"))

    # Its name at head on each database (migration 0029 rebuilt it on SQLite without the id).
    at_head = "ix_audit_event_actor_unit" if url.startswith("sqlite") else "ix_audit_event_actor_unit_id_id"
    assert at_head in indexes()
    command.downgrade(alembic_config(url), "0019")
    assert not {name for name in indexes() if name.startswith("ix_audit_event_actor_unit")}
    command.upgrade(alembic_config(url), "head")
    assert at_head in indexes()


# --- Migration 0029: on SQLite the newest-first indexes without the id -----------------------------------

PREVIOUS = "0028"  # the revision 0029 follows; when 0029 is re-pointed (down_revision), change this line only
NEWEST_FIRST_ON_SQLITE = {"ix_audit_event_actor", "ix_audit_event_action", "ix_audit_event_dossier",
                          "ix_audit_event_actor_unit", "ix_audit_event_occurred_at"}  # fmt: skip
WITH_THE_ID = {"ix_audit_event_actor_id", "ix_audit_event_action_id", "ix_audit_event_dossier_id_id",
               "ix_audit_event_actor_unit_id_id", "ix_audit_event_occurred_at_id"}  # fmt: skip
EVENTS = 3000


def _fill(url: str) -> None:
    """EVENTS more events through the chain, spread over the demo's officials, units, dossiers and actions."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        users = session.execute(select(User.id, RoleAssignment.org_unit_id).join(RoleAssignment)).all()
        actions = ["task.complete", "task.claim", "document.upload", "dossier.submit"]
        start = datetime(2026, 3, 1, 1, tzinfo=UTC)
        record_events(session, [
            dict(action=actions[n % 4], object_type="human_task", object_id=str(n), actor=users[n % len(users)][0],
                 actor_unit_id=users[n % len(users)][1], dossier_id=n % 97 + 1, now=start + timedelta(minutes=n))
            for n in range(EVENTS)
        ])  # fmt: skip
    engine.dispose()


def _pages(url: str) -> dict[str, list[int]]:
    """The ids of the auditor's first two pages under each filter (the second from the first's cursor)."""
    engine = make_engine(url)
    filters = {"all": AuditFilter(), "action": AuditFilter(action="task.complete"), "dossier": AuditFilter(dossier_id=5),
               "unit": AuditFilter(unit_id=7), "month": AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))}
    pages = {}
    with make_session_factory(engine)() as session:
        for name, chosen in filters.items():
            first = [row.event.id for row in audit_page(session, chosen, size=20)]
            second = [row.event.id for row in audit_page(session, chosen, before_id=first[-1], size=20)] if first else []
            pages[name] = first + second
        assert verify_chain(session).ok
    engine.dispose()
    return pages


def _index_bytes(url: str, names: set[str]) -> int:
    rows = query_rows(url, "SELECT name, sum(pgsize) AS size FROM dbstat GROUP BY name")
    return sum(row["size"] for row in rows if row["name"] in names)


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0029_rebuilds_the_sqlite_indexes_without_the_id_and_back(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    _fill(url)
    pages, at_head = _pages(url), table_indexes(url, "audit_event")
    assert at_head == indexes_built_to(url, "head", tmp_path, "audit_event")
    assert len(pages["all"]) == 40 and len(pages["action"]) == 40 and pages["month"]
    on_sqlite = url.startswith("sqlite")
    if on_sqlite:
        assert NEWEST_FIRST_ON_SQLITE <= set(at_head) and not WITH_THE_ID & set(at_head)
        slim = _index_bytes(url, NEWEST_FIRST_ON_SQLITE)

    command.downgrade(alembic_config(url), PREVIOUS)
    before = table_indexes(url, "audit_event")
    assert before == indexes_built_to(url, PREVIOUS, tmp_path, "audit_event")
    assert _pages(url) == pages
    if on_sqlite:
        assert WITH_THE_ID <= set(before) and not NEWEST_FIRST_ON_SQLITE & set(before)
        # What 0029 is for: the same rows in the same order, from smaller indexes.
        assert _index_bytes(url, WITH_THE_ID) > slim
    else:
        assert before == at_head  # PostgreSQL needs the id in the index to read a filter's rows in order

    command.upgrade(alembic_config(url), "head")
    assert table_indexes(url, "audit_event") == at_head
    assert _pages(url) == pages
    assert_head_agrees_with_models(url)
