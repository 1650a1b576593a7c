"""task_reminder: a reminder sent before an open task's forward-by deadline, once per task and deadline

A step without a timer of its own (a unit's draft, a council's vote, a chairman's decision) works to the campaign's
deadline for reaching the next level up (domain.deadlines.forward_by). A few days before that day `thidua worker`
tells the officials holding such a task, in the app and by e-mail (operations.reminders); a row here says it was
done, so the next pass does not send it again, and a campaign whose deadline moves reminds once more of the new day.

A new table with no rows: nothing existing is rewritten, and human_task keeps its width. The downgrade drops the
table (the notifications already sent stay; a worker of the older code sends no reminders).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_reminder',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_task_reminder_task_id_human_task')),
    sa.PrimaryKeyConstraint('task_id', 'deadline', name=op.f('pk_task_reminder'))
    )


def downgrade() -> None:
    op.drop_table('task_reminder')
