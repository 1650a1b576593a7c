"""campaign.config_sha256: the digest of a campaign's award-form and rule rows

Set by import_campaign; campaign settings are then read once per process per digest instead of on
every task completion. Campaigns imported before this revision have none (read every time, as
before) until they are imported again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('campaign', sa.Column('config_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE campaign DROP COLUMN config_sha256')
    else:
        op.drop_column('campaign', 'config_sha256')
