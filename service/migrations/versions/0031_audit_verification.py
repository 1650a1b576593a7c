"""audit_verification: the audit trail's verifications asked for on the audit page, and what each found

An auditor (or an admin) asks on the audit page for the checks `thidua audit verify` runs: the hash chain, then
each council's and chairman's nominee decision row against its step's task.complete event. A background job
(`thidua worker`) runs them; this table keeps who asked and when, the job, and the result: events checked,
the chain intact or the first broken event (and why), the decision rows edited, deleted and added, the steps
decided before the trail carried decisions, the first disagreements in words, or the job's error.

At most one verification is pending: a partial unique index on `state` where it is 'pending' refuses a second
row, two requests at the same moment included. The downgrade drops the table; nothing is refused (the audit
events of each request and result stay in the chain).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.create_table('audit_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'done', 'failed', name='verificationstate', native_enum=False, length=32), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('events_checked', sa.Integer(), nullable=True),
    sa.Column('chain_ok', sa.Boolean(), nullable=True),
    sa.Column('first_broken_event_id', sa.Integer(), nullable=True),
    sa.Column('broken_reason', sa.Text(), nullable=True),
    sa.Column('decisions_checked', sa.Integer(), nullable=True),
    sa.Column('decisions_edited', sa.Integer(), nullable=True),
    sa.Column('decisions_deleted', sa.Integer(), nullable=True),
    sa.Column('decisions_added', sa.Integer(), nullable=True),
    sa.Column('unrecorded_steps', sa.Integer(), nullable=True),
    sa.Column('problems_json', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_audit_verification_job_id_job')),
    sa.ForeignKeyConstraint(['requested_by'], ['user_account.id'], name=op.f('fk_audit_verification_requested_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verification'))
    )  # fmt: skip
    op.create_index('uq_audit_verification_pending', 'audit_verification', ['state'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)  # fmt: skip


def downgrade() -> None:
    op.drop_index('uq_audit_verification_pending', table_name='audit_verification')
    op.drop_table('audit_verification')
