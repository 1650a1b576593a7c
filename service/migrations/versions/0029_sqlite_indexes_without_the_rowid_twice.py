"""SQLite: the newest-first indexes without the id they already end with

Five indexes read the audit trail's rows newest first: by actor, action, dossier, the actor's unit and
time (0014, 0020). They were (column, id) on both databases. On
PostgreSQL that is what gives the rows in id order. On SQLite every index entry of a rowid table already
ends with the rowid, and `id INTEGER PRIMARY KEY` is the rowid: (column, id) stored each id twice. (column)
alone gives the same rows in the same order and serves the same plans (`column = ? ORDER BY id DESC`, the
cursor `id < ?`, the date window's ids), about 4 bytes less per entry once the tables are large: at 20,000
dossier chains (380,000 audit events) 0.35 KiB per chain of the 8.17 KiB the database grew by.

On SQLite the five are rebuilt with one column under names without the `_id` of the id
(service/models/dialect_indexes.py); on PostgreSQL nothing changes. Only indexes change, so nothing is
refused either way; the downgrade builds the two-column indexes again.

The notifications' (user_id, id) from 0028 stays: beside it is the unread rows' partial index on (user_id),
and with two one-column indexes on user_id SQLite's planner counted the unread ones through the full index,
reading every notification's row. With about ten notifications per chain it was worth some 30 bytes.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 08:30:00
"""

from __future__ import annotations

from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

# table, column, the (column, id) index's name, the (column) index's name
NEWEST_FIRST = [
    ('audit_event', 'actor_id', 'ix_audit_event_actor_id', 'ix_audit_event_actor'),
    ('audit_event', 'action', 'ix_audit_event_action_id', 'ix_audit_event_action'),
    ('audit_event', 'dossier_id', 'ix_audit_event_dossier_id_id', 'ix_audit_event_dossier'),
    ('audit_event', 'actor_unit_id', 'ix_audit_event_actor_unit_id_id', 'ix_audit_event_actor_unit'),
    ('audit_event', 'occurred_at', 'ix_audit_event_occurred_at_id', 'ix_audit_event_occurred_at'),
]


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    if not _on_sqlite():
        return
    for table, column, with_id, without_id in NEWEST_FIRST:
        op.drop_index(with_id, table_name=table)
        op.create_index(without_id, table, [column], unique=False)


def downgrade() -> None:
    if not _on_sqlite():
        return
    for table, column, with_id, without_id in NEWEST_FIRST:
        op.drop_index(without_id, table_name=table)
        op.create_index(with_id, table, [column, 'id'], unique=False)
