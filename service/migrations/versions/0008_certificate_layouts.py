"""certificate layouts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 12:26:38.189941
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_layout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuing_unit_id', sa.Integer(), nullable=False),
    sa.Column('page_width_mm', sa.Double(), nullable=False),
    sa.Column('page_height_mm', sa.Double(), nullable=False),
    sa.Column('fields_json', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issuing_unit_id'], ['org_unit.id'], name=op.f('fk_certificate_layout_issuing_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], name=op.f('fk_certificate_layout_updated_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_layout')),
    sa.UniqueConstraint('issuing_unit_id', name=op.f('uq_certificate_layout_issuing_unit_id'))
    )


def downgrade() -> None:
    op.drop_table('certificate_layout')
