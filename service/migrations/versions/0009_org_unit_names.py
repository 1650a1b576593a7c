"""org unit name history (renames, mergers, abolished levels keep past names readable)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_unit_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_org_unit_name_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit_name'))
    )
    op.create_index('ix_org_unit_name_unit', 'org_unit_name', ['org_unit_id', 'valid_to'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_org_unit_name_unit', table_name='org_unit_name')
    op.drop_table('org_unit_name')
