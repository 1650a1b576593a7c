"""Every filter of the auditor's page reads an index, newest first, never the whole audit table."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command

from service.db import alembic_config, make_engine
from service.models import AuditEvent
from service.queries.audit import AuditFilter, _query
from tests.operations.helpers import table_indexes
from tests.operations.test_task_indexes import _plan

FILTERS = {
    "unit": (AuditFilter(unit_id=7), "ix_audit_event_actor_unit_id_id"),
    "dossier": (AuditFilter(dossier_id=7), "ix_audit_event_dossier_id_id"),
    "action": (AuditFilter(action="task.complete"), "ix_audit_event_action_id"),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_a_filtered_page_is_read_off_its_index(sqlite_url: str, name: str) -> None:
    filters, index = FILTERS[name]
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        plan = _plan(conn, _query(filters).order_by(AuditEvent.id.desc()).limit(50))
    engine.dispose()
    assert index in plan
    assert "SCAN audit_event" not in plan.replace(f"USING INDEX {index}", "").replace(f"USING COVERING INDEX {index}", "")
    assert "TEMP B-TREE" not in plan  # newest first straight off the index: no sort of every match


def test_a_date_window_picks_its_ids_from_the_time_index(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    window = AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    with engine.connect() as conn:
        plan = _plan(conn, _query(window).with_only_columns(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(50))
    engine.dispose()
    assert "ix_audit_event_occurred_at_id" in plan


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0020_adds_and_removes_the_unit_index(request: pytest.FixtureRequest, url_fixture: str) -> None:
    url = request.getfixturevalue(url_fixture)

    def indexes() -> set[str]:
        return set(table_indexes(url, "audit_event"))

    assert "ix_audit_event_actor_unit_id_id" in indexes()
    command.downgrade(alembic_config(url), "0019")
    assert "ix_audit_event_actor_unit_id_id" not in indexes()
    command.upgrade(alembic_config(url), "head")
    assert "ix_audit_event_actor_unit_id_id" in indexes()
