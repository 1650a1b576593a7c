"""campaigns as data

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:49:24.683018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_award_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('award_form_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('subject_types_json', sa.Text(), nullable=False),
    sa.Column('required_documents_json', sa.Text(), nullable=True),
    sa.Column('criteria_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['award_form_id'], ['award_form.id'], name=op.f('fk_campaign_award_form_award_form_id_award_form')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_award_form_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_award_form')),
    sa.UniqueConstraint('campaign_id', 'award_form_id', name=op.f('uq_campaign_award_form_campaign_id'))
    )
    with op.batch_alter_table('campaign_award_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_award_form_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('campaign_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('params_json', sa.Text(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_rule_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_rule')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_campaign_rule_campaign_id'))
    )
    with op.batch_alter_table('campaign_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_rule_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_registration_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_registration_org_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['registered_by'], ['user_account.id'], name=op.f('fk_registration_registered_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('campaign_id', 'org_unit_id', name=op.f('uq_registration_campaign_id'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('period_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registration_required', sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column('registration_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('receipt_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('receipt_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadlines_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('council_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=500), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('council_json')
        batch_op.drop_column('deadlines_json')
        batch_op.drop_column('receipt_to')
        batch_op.drop_column('receipt_from')
        batch_op.drop_column('registration_deadline')
        batch_op.drop_column('registration_required')
        batch_op.drop_column('period_to')
        batch_op.drop_column('period_from')
        batch_op.drop_column('theme')

    op.drop_table('registration')
    with op.batch_alter_table('campaign_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_rule_campaign_id'))

    op.drop_table('campaign_rule')
    with op.batch_alter_table('campaign_award_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_award_form_campaign_id'))

    op.drop_table('campaign_award_form')
