"""nominee.person_key: the name's matching key, stored with the name

The eligibility check of an appraisal step (every ward office review) reads the dossier's travelling nominees,
then the year's awards already given to the same people: past_award rows whose recipient_key is the nominee's
name as officials match names (NFC, case-insensitive, single spaces: domain.eligibility.person_key). The key
was computed in Python from the names just read, so the awards took a second query. With the key stored on the
nominee (set whenever the name is, models.Nominee) the awards are joined in the nominees' query: on PostgreSQL a
round trip less per appraisal. A nominee row grows by its key (about the name's length).

Existing rows get the key computed here, as person_key computes it (the rule is copied, not imported: a
migration keeps what it did when it was written). The downgrade drops the column; nothing is refused.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 23:30:00
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def _person_key(name: str) -> str:
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFC', name)).strip().casefold()


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == 'sqlite'
    if sqlite:
        # In place (SQLite's ALTER TABLE): rebuilding the table would drop a table other tables refer to. A NOT
        # NULL column added so needs a default for the rows there; every row gets its key below, and the
        # application always writes one.
        op.execute("ALTER TABLE nominee ADD COLUMN person_key VARCHAR(255) NOT NULL DEFAULT ''")
    else:
        op.add_column('nominee', sa.Column('person_key', sa.String(length=255), nullable=True))
    names = conn.execute(sa.text('SELECT id, full_name FROM nominee')).all()
    if names:
        conn.execute(sa.text('UPDATE nominee SET person_key = :key WHERE id = :id'),
                     [{'id': row_id, 'key': _person_key(name)} for row_id, name in names])  # fmt: skip
    if not sqlite:
        op.alter_column('nominee', 'person_key', existing_type=sa.String(length=255), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE nominee DROP COLUMN person_key')  # in place, as added
    else:
        op.drop_column('nominee', 'person_key')
