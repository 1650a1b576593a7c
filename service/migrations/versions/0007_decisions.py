"""decisions and generated documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 12:18:21.658935
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuing_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuing_unit_id'], ['org_unit.id'], name=op.f('fk_decision_counter_issuing_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_counter')),
    sa.UniqueConstraint('issuing_unit_id', 'year', name=op.f('uq_decision_counter_issuing_unit_id'))
    )
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('issuing_unit_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('signer_name', sa.String(length=255), nullable=False),
    sa.Column('signer_title', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_decision_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_decision_created_by_user_account')),
    sa.ForeignKeyConstraint(['issuing_unit_id'], ['org_unit.id'], name=op.f('fk_decision_issuing_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('issuing_unit_id', 'year', 'seq', name=op.f('uq_decision_issuing_unit_id'))
    )
    op.create_table('decision_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_award_decision_id_decision')),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], name=op.f('fk_decision_award_nominee_id_nominee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_award')),
    sa.UniqueConstraint('nominee_id', name=op.f('uq_decision_award_nominee_id'))
    )
    with op.batch_alter_table('decision_award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_award_decision_id'), ['decision_id'], unique=False)

    op.create_table('generated_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('nominee_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_generated_document_created_by_user_account')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_generated_document_decision_id_decision')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_generated_document_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], name=op.f('fk_generated_document_nominee_id_nominee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_document'))
    )
    with op.batch_alter_table('generated_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generated_document_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_generated_document_dossier_id'), ['dossier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('generated_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generated_document_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_generated_document_decision_id'))

    op.drop_table('generated_document')
    with op.batch_alter_table('decision_award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_award_decision_id'))

    op.drop_table('decision_award')
    op.drop_table('decision')
    op.drop_table('decision_counter')
