"""audit page indexes: (action, id), (dossier_id, id) and (occurred_at, id)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 01:20:00
"""

from __future__ import annotations

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filtering by action or by dossier and paging newest first: with the id in the index the page is read
    # off the index backwards; with the column alone PostgreSQL sorted every matching event (0.4 s at 1M).
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action')
        batch_op.drop_index('ix_audit_event_dossier_id')
        batch_op.create_index('ix_audit_event_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_dossier_id_id', ['dossier_id', 'id'], unique=False)
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.create_index('ix_audit_event_occurred_at_id', ['occurred_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_occurred_at_id')
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)
        batch_op.drop_index('ix_audit_event_dossier_id_id')
        batch_op.drop_index('ix_audit_event_action_id')
        batch_op.create_index('ix_audit_event_dossier_id', ['dossier_id'], unique=False)
        batch_op.create_index('ix_audit_event_action', ['action'], unique=False)
