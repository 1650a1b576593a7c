"""human_task: the due, claimed, escalation and per-instance indexes hold open tasks only

Once a dossier's chain is finished its ten task rows stay for the record, and each was in six indexes
(1.9 KiB per chain on SQLite). Every query that goes through the due, claimed, escalation and
per-instance indexes asks for open tasks (state = 'ready'), so these four become partial indexes of open
tasks, a small fraction of the table. The inbox index stays whole: quota tallies read completed tasks of
a role at a unit through it. Lookups of an instance's tasks in any state use the unique
(instance_id, task_guid) index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

READY = sa.text("state = 'ready'")
ESCALATED = sa.text("state = 'ready' AND escalated_at IS NOT NULL")
OLD = {
    'ix_human_task_state_due': ['state', 'due_at'],
    'ix_human_task_claimed': ['claimed_by', 'state'],
    'ix_human_task_escalation': ['escalate_to_role', 'escalate_to_unit_id', 'state'],
    'ix_human_task_instance_state': ['instance_id', 'state'],
}
NEW = {
    'ix_human_task_ready_due': (['due_at'], READY),
    'ix_human_task_ready_claimed': (['claimed_by'], READY),
    'ix_human_task_ready_escalated': (['escalate_to_role', 'escalate_to_unit_id'], ESCALATED),
    'ix_human_task_ready_instance': (['instance_id'], READY),
}


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        for name in OLD:
            batch_op.drop_index(name)
        for name, (columns, where) in NEW.items():
            batch_op.create_index(name, columns, unique=False, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        for name in NEW:
            batch_op.drop_index(name)
        for name, columns in OLD.items():
            batch_op.create_index(name, columns, unique=False)
