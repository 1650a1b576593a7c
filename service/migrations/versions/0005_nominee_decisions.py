"""per-nominee decisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 11:56:39.436863
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nominee_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('human_task_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=128), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('members_present', sa.Integer(), nullable=True),
    sa.Column('council_size', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_nominee_decision_decided_by_user_account')),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_task.id'], name=op.f('fk_nominee_decision_human_task_id_human_task')),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], name=op.f('fk_nominee_decision_nominee_id_nominee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominee_decision'))
    )
    with op.batch_alter_table('nominee_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominee_decision_nominee_id'), ['nominee_id'], unique=False)
        batch_op.create_index('ix_nominee_decision_task', ['human_task_id'], unique=False)

    with op.batch_alter_table('nominee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_level', sa.String(length=16), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('nominee', schema=None) as batch_op:
        batch_op.drop_column('outcome_level')

    with op.batch_alter_table('nominee_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_nominee_decision_task')
        batch_op.drop_index(batch_op.f('ix_nominee_decision_nominee_id'))

    op.drop_table('nominee_decision')
