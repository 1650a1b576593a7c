"""records

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:01:04.574437
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('index_code', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('bloc', sa.String(length=128), nullable=True),
    sa.Column('classification', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_index_result_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_result')),
    sa.UniqueConstraint('org_unit_id', 'year', 'index_code', name=op.f('uq_index_result_org_unit_id'))
    )
    op.create_table('past_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=255), nullable=False),
    sa.Column('recipient_key', sa.String(length=255), nullable=False),
    sa.Column('recipient_kind', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('award_name', sa.String(length=255), nullable=False),
    sa.Column('award_form_code', sa.String(length=64), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decision_number', sa.String(length=64), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_past_award_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_past_award'))
    )
    with op.batch_alter_table('past_award', schema=None) as batch_op:
        batch_op.create_index('ix_past_award_name_year', ['recipient_key', 'year'], unique=False)

    op.create_table('yearly_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=255), nullable=False),
    sa.Column('person_key', sa.String(length=255), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_yearly_rating_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yearly_rating')),
    sa.UniqueConstraint('person_key', 'org_unit_id', 'year', name=op.f('uq_yearly_rating_person_key'))
    )
    with op.batch_alter_table('yearly_rating', schema=None) as batch_op:
        batch_op.create_index('ix_yearly_rating_name', ['person_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('yearly_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_yearly_rating_name')

    op.drop_table('yearly_rating')
    with op.batch_alter_table('past_award', schema=None) as batch_op:
        batch_op.drop_index('ix_past_award_name_year')

    op.drop_table('past_award')
    op.drop_table('index_result')
