"""human_task: lane dropped (it is always role@level), task_guid stored in 16 bytes

Per completed dossier chain (ten tasks) the task table and its indexes took 3.6 KiB on SQLite. Two
columns held what the row already says or could say shorter: `lane` was always "role@level", both
columns of the same row (workflows.lanes), and `task_guid`, the engine's task UUID, was 36 characters
of text in the row and again in the unique (instance_id, task_guid) index. The guid becomes PostgreSQL's
uuid, or 16 raw bytes (a BLOB) on SQLite; the service still sees the canonical text (service.db
CompactUuid). On SQLite the task table and its indexes now take 3.0 KiB per chain, and the database
grows by 13.6 KiB per chain instead of 14.2 (thidua bench --province, 500 dossiers).

SQLite cannot change a column's type in place, so the table is rebuilt, and notification and
nominee_decision rows refer to its ids. Foreign keys stay enforced: for this transaction they are
checked at commit (PRAGMA defer_foreign_keys), the rows are held in a temporary table while the empty
table is rebuilt (every index, partial index, foreign key and constraint name as it was), and are then
put back with their ids, which settles the references again; a reference left without its task fails the
commit. A temporary index on notification.task_id keeps each of those checks a lookup, not a scan.

A guid that is not a UUID stops the upgrade before anything changes. Written forms other than the
canonical one (uppercase, no hyphens: the engine never wrote them) come back canonical on downgrade.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

HOLD = 'human_task_0019'  # a TEMP table: the held rows never take pages of the database file
CHECK_INDEX = 'ix_notification_task_0019'
LANE = "role || '@' || level"


def _uuid_bytes(value: str | None) -> bytes | None:
    try:
        return None if value is None else uuid.UUID(value).bytes
    except (ValueError, TypeError):
        return None


def _uuid_text(value: bytes | None) -> str | None:
    return None if value is None else str(uuid.UUID(bytes=bytes(value)))


def _register_functions() -> None:
    """SQLite has no uuid functions: lend it Python's, on this migration's connection only."""
    raw = op.get_bind().connection.driver_connection
    raw.create_function('thidua_uuid_bytes', 1, _uuid_bytes, deterministic=True)
    raw.create_function('thidua_uuid_text', 1, _uuid_text, deterministic=True)


def _rebuild_sqlite(change: Callable[[BatchOperations], None], values: dict[str, str]) -> None:
    """Rebuild human_task as `change` says, keeping every row and id; `values` gives the SQL that fills
    a new or changed column from the held row (by column name), the others are copied as they are."""
    conn = op.get_bind()
    # Until this transaction commits or rolls back, then SQLite turns it off itself. Turning it off here
    # would forget the references counted so far instead of checking them.
    conn.exec_driver_sql('PRAGMA defer_foreign_keys = ON')
    op.create_index(CHECK_INDEX, 'notification', ['task_id'], unique=False)
    op.execute(f'CREATE TEMP TABLE {HOLD} AS SELECT * FROM main.human_task')
    # Each row deleted counts the references to it; each row put back below uncounts them.
    op.execute('DELETE FROM human_task')
    with op.batch_alter_table('human_task', recreate='always') as batch_op:
        change(batch_op)
    columns = [column['name'] for column in sa.inspect(conn).get_columns('human_task')]
    select_list = ', '.join(values.get(name, name) for name in columns)
    op.execute(f'INSERT INTO human_task ({", ".join(columns)}) SELECT {select_list} FROM temp.{HOLD} ORDER BY id')
    op.execute(f'DROP TABLE temp.{HOLD}')
    op.drop_index(CHECK_INDEX, 'notification')


def _upgrade_guid_and_lane(batch_op: BatchOperations) -> None:
    batch_op.drop_column('lane')
    batch_op.alter_column('task_guid', type_=sa.LargeBinary(16), existing_type=sa.String(36),
                          existing_nullable=False)  # fmt: skip


def _downgrade_guid_and_lane(batch_op: BatchOperations) -> None:
    batch_op.alter_column('task_guid', type_=sa.String(36), existing_type=sa.LargeBinary(16),
                          existing_nullable=False)  # fmt: skip
    batch_op.add_column(sa.Column('lane', sa.String(128), nullable=False), insert_after='name')


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        _register_functions()
        bad = conn.exec_driver_sql(
            'SELECT id, task_guid FROM human_task WHERE thidua_uuid_bytes(task_guid) IS NULL LIMIT 1'
        ).first()
        if bad is not None:
            raise ValueError(f'human_task {bad[0]}: task_guid {bad[1]!r} is not a UUID')
        _rebuild_sqlite(_upgrade_guid_and_lane, {'task_guid': 'thidua_uuid_bytes(task_guid)'})
    else:
        op.drop_column('human_task', 'lane')
        op.alter_column('human_task', 'task_guid', type_=sa.Uuid(), existing_type=sa.String(36),
                        existing_nullable=False, postgresql_using='task_guid::uuid')  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _register_functions()
        _rebuild_sqlite(_downgrade_guid_and_lane, {'task_guid': 'thidua_uuid_text(task_guid)', 'lane': LANE})
    else:
        op.alter_column('human_task', 'task_guid', type_=sa.String(36), existing_type=sa.Uuid(),
                        existing_nullable=False, postgresql_using='task_guid::text')  # fmt: skip
        op.add_column('human_task', sa.Column('lane', sa.String(128), nullable=True))
        op.execute(f'UPDATE human_task SET lane = {LANE}')
        op.alter_column('human_task', 'lane', existing_type=sa.String(128), nullable=False)
