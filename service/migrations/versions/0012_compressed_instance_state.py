"""process_instance.state_json (TEXT) becomes state_zlib (zlib-compressed bytes)

The engine state of a finished chain was about 16 KiB of JSON, half of the database growth per
dossier; compressed it is about 2.5 KiB. Rows are converted in batches of 500.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 500


def _convert(source: str, target: str, change) -> None:  # type: ignore[no-untyped-def]
    conn = op.get_bind()
    table = sa.table('process_instance', sa.column('id', sa.Integer), sa.column(source), sa.column(target))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c[source]).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, value in rows:
            conn.execute(sa.update(table).where(table.c.id == row_id).values({target: change(value)}))
        last = rows[-1][0]


def _add(name: str, type_: sa.types.TypeEngine, empty: str) -> None:  # type: ignore[type-arg]
    """Add a NOT NULL column in place. SQLite gets a default for the rows already there (a table rebuild
    would trip the foreign keys of human_task); PostgreSQL adds it nullable and tightens it once filled."""
    if op.get_bind().dialect.name == 'sqlite':
        op.add_column('process_instance', sa.Column(name, type_, nullable=False, server_default=sa.text(empty)))
    else:
        op.add_column('process_instance', sa.Column(name, type_, nullable=True))


def _finish(name: str, type_: sa.types.TypeEngine, dropped: str) -> None:  # type: ignore[type-arg]
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE process_instance DROP COLUMN {dropped}')  # SQLite 3.35+, no rebuild
    else:
        op.alter_column('process_instance', name, existing_type=type_, nullable=False)
        op.drop_column('process_instance', dropped)


def upgrade() -> None:
    _add('state_zlib', sa.LargeBinary(), "x''")
    _convert('state_json', 'state_zlib', lambda text: zlib.compress(text.encode('utf-8'), 1))
    _finish('state_zlib', sa.LargeBinary(), 'state_json')


def downgrade() -> None:
    _add('state_json', sa.Text(), "''")
    _convert('state_zlib', 'state_json', lambda data: zlib.decompress(data).decode('utf-8'))
    _finish('state_json', sa.Text(), 'state_zlib')
