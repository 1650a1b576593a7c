"""audit_event: an index for the auditor's unit filter, (actor_unit_id, id)

The audit page filters by the unit the actor acted for and shows the newest events first. Without an
index the query read the table newest first until it had a page: cheap for a busy ward, but a unit with
few or no events meant reading every row (100-150 ms at a million events on SQLite, measured with
`thidua bench --province --province-dossiers 100 --task-rows 0 --province-audit-events 1000000`). With
the id in the index the page is read off it, as for the actor, action and dossier filters (0011). It
costs about 0.3 KiB per completed chain on SQLite.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 22:00:00
"""

from __future__ import annotations

from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_actor_unit_id_id', 'audit_event', ['actor_unit_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_actor_unit_id_id', table_name='audit_event')
