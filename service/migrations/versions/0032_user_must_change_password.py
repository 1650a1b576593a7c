"""user_account.must_change_password: a password an admin has reset must be changed at the next sign-in

An admin who resets a forgotten password types a temporary one (service/operations/users.py reset_password);
the user must then choose their own before anything else: while this flag is set every page but the password
page and sign-out leads to the password page, and the JSON API refuses with 403. The user's own change clears it.

The column is NOT NULL with a server default of false, so existing users and rows inserted without it are
unaffected. On SQLite both ways are plain ALTER TABLE statements (ADD COLUMN; DROP COLUMN, SQLite 3.35 and
later): the table is not rebuilt, so the many foreign keys that refer to user_account are never touched. The
downgrade drops the column, and with it any pending forced change (those users keep the temporary password).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('user_account', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))  # fmt: skip


def downgrade() -> None:
    op.drop_column('user_account', 'must_change_password')
