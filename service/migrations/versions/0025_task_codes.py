"""human_task: role, level, state, decision and escalate_to_role stored as SMALLINT codes instead of texts

A completed dossier chain leaves ten task rows, and each repeated short texts: its role ("council_secretary"),
level ("district"), state ("completed"), decision ("approve") and, on a step with a deadline, the role the
task escalates to; role and state once more in ix_human_task_inbox. Each is now a code from a fixed registry
(the copy below; the service's is service/models/task_codes.py, whose Coded columns translate both ways, so
Python code and SQL expressions still use the texts). Roles have the codes of the audit registry (migration
0024), so a role has one code wherever it is stored. On SQLite a code under 128 takes one byte in the row and
in the index. The partial indexes of open tasks said `state = 'ready'`; they now say `state = 1`, the code of
"ready", which is what a query binds when it asks for ready tasks.

The registry is append-only: a code is never reused or renumbered. This migration keeps its own copy as the
registry was when it was written (a migration never imports the models): a later version that adds an entry
writes its new code without a migration, and then only this downgrade cannot turn that code back into text;
it refuses then, as the upgrade refuses a stored text this copy lacks. Both refusals come before anything is
changed and name the value and a task's id.

Upgrade: on PostgreSQL the four partial indexes are dropped, one ALTER TABLE converts the five columns in
place (USING a CASE of the registry, which rebuilds ix_human_task_inbox), and the partial indexes are created
again with the code. On SQLite, which cannot change a column's type, the table is rebuilt as 0019 and 0023
rebuilt it: the rows are held in a temporary table while the empty table is rebuilt with the new types
(every index, foreign key and constraint name as it was; the partial indexes with the code), then put back
with their ids and their codes; foreign keys stay enforced, checked at commit (PRAGMA defer_foreign_keys).
The downgrade writes the exact texts back the same ways.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

# The registries as they were when this migration was written (service/models/task_codes.py, and ROLES of
# service/models/audit_codes.py): never edit them.
ROLES = {
    'unit_clerk': 1, 'unit_head': 2, 'office_clerk': 3, 'council_member': 4, 'council_secretary': 5,
    'chairman': 6, 'noi_vu': 7, 'ban_tdkt': 8, 'admin': 9, 'auditor': 10,
}
LEVELS = {'unit': 1, 'ward': 2, 'district': 3, 'province': 4}
STATES = {'ready': 1, 'completed': 2, 'cancelled': 3}
DECISIONS = {'submit': 1, 'withdraw': 2, 'approve': 3, 'return': 4, 'reject': 5}
# column, registry, nullable; every one was a VARCHAR(32) before this revision
COLUMNS = (
    ('role', ROLES, False),
    ('level', LEVELS, False),
    ('state', STATES, False),
    ('escalate_to_role', ROLES, True),
    ('decision', DECISIONS, True),
)
TEXT_TYPE = sa.String(length=32)
_SAFE = re.compile(r'^[a-z_]+$')  # every text above: written into the SQL as a literal

HOLD = 'human_task_0025'  # a TEMP table: the held rows never take pages of the database file
CHECK_INDEX = 'ix_notification_task_0025'


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    assert _SAFE.match(value), value
    return f"'{value}'"


def _case(column: str, pairs: list[tuple[str, int]] | list[tuple[int, str]]) -> str:
    """The column's value mapped through pairs; NULL stays NULL."""
    return f'CASE {column} ' + ' '.join(f'WHEN {_literal(a)} THEN {_literal(b)}' for a, b in pairs) + ' END'


def _pairs(registry: dict[str, int], to_codes: bool) -> list[tuple[str, int]] | list[tuple[int, str]]:
    return list(registry.items()) if to_codes else [(code, text) for text, code in registry.items()]


def _open_task_indexes(ready: str) -> dict[str, tuple[list[str], str]]:
    """The partial indexes of open tasks (migration 0016), their WHERE comparing state with `ready`."""
    return {
        'ix_human_task_ready_due': (['due_at'], f'state = {ready}'),
        'ix_human_task_ready_claimed': (['claimed_by'], f'state = {ready}'),
        'ix_human_task_ready_escalated': (['escalate_to_role', 'escalate_to_unit_id'],
                                          f'state = {ready} AND escalated_at IS NOT NULL'),
        'ix_human_task_ready_instance': (['instance_id'], f'state = {ready}'),
    }  # fmt: skip


def _refuse_unknown(to_codes: bool) -> None:
    """Stop before any change if a stored value has no counterpart in the registries above."""
    conn = op.get_bind()
    for column, registry, _ in COLUMNS:
        known = ', '.join(_literal(v) for v in (registry if to_codes else registry.values()))
        bad = conn.exec_driver_sql(
            f'SELECT id, {column} FROM human_task WHERE {column} NOT IN ({known}) ORDER BY id LIMIT 1'
        ).first()
        if bad is None:
            continue
        if to_codes:
            raise ValueError(
                f'human_task {bad[0]}: {column} {bad[1]!r} has no code in the registry of migration 0025, so '
                'it could not be stored as one; nothing was changed. Give it the next unused code in '
                'service/models/task_codes.py (roles: service/models/audit_codes.py) and in this migration\'s '
                'copy, then upgrade again'
            )
        raise ValueError(
            f'human_task {bad[0]}: {column} code {bad[1]!r} is not in the registry of migration 0025 (a later '
            'version added it), so its text cannot be written back; nothing was changed. Downgrade with '
            'the version that wrote it'
        )


def _convert(to_codes: bool) -> None:
    conn = op.get_bind()
    as_text, as_code = _literal('ready'), _literal(STATES['ready'])
    old_ready, new_ready = (as_text, as_code) if to_codes else (as_code, as_text)
    for name in _open_task_indexes(old_ready):
        op.drop_index(name, table_name='human_task')
    if conn.dialect.name == 'sqlite':
        _rebuild_sqlite(to_codes)
    elif to_codes:
        op.execute('ALTER TABLE human_task ' + ', '.join(
            f'ALTER COLUMN {column} TYPE SMALLINT USING ({_case(column, _pairs(registry, True))})::smallint'
            for column, registry, _ in COLUMNS))
    else:
        op.execute('ALTER TABLE human_task ' + ', '.join(
            f'ALTER COLUMN {column} TYPE VARCHAR({TEXT_TYPE.length}) USING {_case(column, _pairs(registry, False))}'
            for column, registry, _ in COLUMNS))
    for name, (columns, where) in _open_task_indexes(new_ready).items():
        condition = sa.text(where)
        op.create_index(name, 'human_task', columns, unique=False, sqlite_where=condition, postgresql_where=condition)


def _rebuild_sqlite(to_codes: bool) -> None:
    """Rebuild human_task with the columns' new types, keeping every row and id, each value converted."""
    conn = op.get_bind()
    # Until this transaction commits or rolls back, then SQLite turns it off itself. Turning it off here
    # would forget the references counted so far instead of checking them.
    conn.exec_driver_sql('PRAGMA defer_foreign_keys = ON')
    op.create_index(CHECK_INDEX, 'notification', ['task_id'], unique=False)
    op.execute(f'CREATE TEMP TABLE {HOLD} AS SELECT * FROM main.human_task')
    # Each row deleted counts the references to it; each row put back below uncounts them.
    op.execute('DELETE FROM human_task')
    with op.batch_alter_table('human_task', recreate='always') as batch_op:
        for column, _, nullable in COLUMNS:
            old, new = (TEXT_TYPE, sa.SmallInteger()) if to_codes else (sa.SmallInteger(), TEXT_TYPE)
            batch_op.alter_column(column, type_=new, existing_type=old, existing_nullable=nullable)
    converted = {column: _case(f'h.{column}', _pairs(registry, to_codes)) for column, registry, _ in COLUMNS}
    columns = [column['name'] for column in sa.inspect(conn).get_columns('human_task')]
    select_list = ', '.join(converted.get(name, f'h.{name}') for name in columns)
    op.execute(f'INSERT INTO human_task ({", ".join(columns)}) '
               f'SELECT {select_list} FROM temp.{HOLD} AS h ORDER BY h.id')  # fmt: skip
    op.execute(f'DROP TABLE temp.{HOLD}')
    op.drop_index(CHECK_INDEX, 'notification')


def upgrade() -> None:
    _refuse_unknown(to_codes=True)
    _convert(to_codes=True)


def downgrade() -> None:
    _refuse_unknown(to_codes=False)
    _convert(to_codes=False)
