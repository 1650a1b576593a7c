"""audit hashes as 32 bytes; prev_hash, the unique index on hash and the actor/time index dropped

Per completed dossier chain (19 events) the audit trail was 10.4 KiB of the 22.6 KiB a chain adds to
SQLite: every event stored its own hash and its predecessor's as 64 hex characters, with a unique index
on the hash. Now the hash is 32 bytes and the predecessor is the previous row's hash (verification has
always walked in id order); the hash values themselves are unchanged, so existing chains still verify.
The unique index found nothing (no query looks an event up by hash, and the head row lock is what keeps
the chain from forking). The (actor_id, occurred_at) index becomes (actor_id, id): the auditor's actor
filter pages by id. The (object_type, object_id) index keeps only the events without a dossier_id, the
only ones a dossier's history looks up by object.

On PostgreSQL the row triggers that keep audit_event append-only do not fire on ALTER TABLE; the
downgrade, which has to UPDATE every row to restore prev_hash, disables them for its own transaction.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

GENESIS = '0' * 64
NO_DOSSIER = sa.text('dossier_id IS NULL')


def _register_unhex() -> None:
    """SQLite before 3.41 has no unhex(): lend it Python's, on this migration's connection only."""
    raw = op.get_bind().connection.driver_connection
    raw.create_function('thidua_unhex', 1, lambda value: None if value is None else bytes.fromhex(value),
                        deterministic=True)  # fmt: skip


def _hex_to_bytes_sqlite(table: str, column: str, drop: tuple[str, ...] = ()) -> None:
    """Fill a bytes copy of the column, then rebuild the table with the copy under the old name."""
    op.add_column(table, sa.Column(f'{column}_bytes', sa.LargeBinary(), nullable=True))
    op.execute(f'UPDATE {table} SET {column}_bytes = thidua_unhex({column})')
    with op.batch_alter_table(table, recreate='always') as batch_op:
        for name in drop:
            batch_op.drop_constraint(name, type_='unique')
        batch_op.drop_column(column)
        batch_op.alter_column(f'{column}_bytes', new_column_name=column, existing_type=sa.LargeBinary(),
                              nullable=False)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_actor_time')
        batch_op.drop_index('ix_audit_event_object')
    if op.get_bind().dialect.name == 'sqlite':
        _register_unhex()
        op.execute('ALTER TABLE audit_event DROP COLUMN prev_hash')  # SQLite 3.35+
        _hex_to_bytes_sqlite('audit_event', 'hash', drop=('uq_audit_event_hash',))
        _hex_to_bytes_sqlite('audit_chain_head', 'last_hash')
    else:
        op.drop_constraint('uq_audit_event_hash', 'audit_event', type_='unique')
        op.drop_column('audit_event', 'prev_hash')
        op.alter_column('audit_event', 'hash', type_=sa.LargeBinary(), existing_type=sa.String(64),
                        existing_nullable=False, postgresql_using="decode(hash, 'hex')")  # fmt: skip
        op.alter_column('audit_chain_head', 'last_hash', type_=sa.LargeBinary(), existing_type=sa.String(64),
                        existing_nullable=False, postgresql_using="decode(last_hash, 'hex')")  # fmt: skip
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_id', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False,
                              sqlite_where=NO_DOSSIER, postgresql_where=NO_DOSSIER)  # fmt: skip


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    to_hex = 'lower(hex({}))' if sqlite else "encode({}, 'hex')"
    if not sqlite:
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index('ix_audit_event_actor_id')
    for table, column in (('audit_event', 'hash'), ('audit_chain_head', 'last_hash')):
        op.add_column(table, sa.Column(f'{column}_hex', sa.String(64), nullable=True))
        op.execute(f'UPDATE {table} SET {column}_hex = {to_hex.format(column)}')
    op.add_column('audit_event', sa.Column('prev_hash', sa.String(64), nullable=True))
    # Each event's predecessor was the chain head when it was appended: the previous row's hash.
    op.execute(
        "UPDATE audit_event SET prev_hash = linked.prev FROM ("
        f"SELECT id, lag(hash_hex, 1, '{GENESIS}') OVER (ORDER BY id) AS prev FROM audit_event"
        ") AS linked WHERE linked.id = audit_event.id"
    )
    for table, column in (('audit_event', 'hash'), ('audit_chain_head', 'last_hash')):
        with op.batch_alter_table(table, recreate='always' if sqlite else 'auto') as batch_op:
            batch_op.drop_column(column)
            batch_op.alter_column(f'{column}_hex', new_column_name=column, existing_type=sa.String(64),
                                  nullable=False)  # fmt: skip
            if table == 'audit_event':
                batch_op.alter_column('prev_hash', existing_type=sa.String(64), nullable=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_audit_event_hash', ['hash'])
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_event_actor_time', ['actor_id', 'occurred_at'], unique=False)
    if not sqlite:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')
