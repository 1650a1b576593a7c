"""human_task.name dropped: a task's name is its step's name in the BPMN of its instance's version

Every task row repeated its step's name ("Thẩm định hồ sơ (Văn phòng UBND phường/xã)", about 50 bytes
of UTF-8), ten rows per completed dossier chain. The name is fixed by the instance's process version and
the task's bpmn_id, and versions never change: the service now reads it from the version's Definition,
cached per process (service/queries/step_names.py). On SQLite the task table and its indexes now take
2.1 KiB per chain instead of 2.6, and the database grows by 13.0 KiB per completed chain instead of
13.6 (thidua bench --province, 200 dossiers).

On SQLite the table is rebuilt, as 0019 rebuilt it, so the rows are packed without the column: foreign
keys stay enforced, checked at commit (PRAGMA defer_foreign_keys); the rows are held in a temporary table
while the empty table is rebuilt (every index, partial index, foreign key and constraint name as it was),
then put back with their ids, which settles the notification and nominee_decision references again. On
PostgreSQL the column is dropped in place (old rows give their bytes back as they are rewritten).

The downgrade writes each task's name back from the BPMN XML stored on its instance's process_version
row: the name attribute, stripped, of the <userTask> with that id among the direct children of the
document's first <process> not marked isExecutable="false" (the first of all if every one is), read with
the standard library's ElementTree: where workflows.diagram.read_process finds a step's name. The XML was
checked by the hardened parser when it was deployed. A task whose step its version's XML does not have
(one cut short before its instance moved to a version without that step) stops the downgrade before
anything changes, naming the task.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

HOLD = 'human_task_0023'  # a TEMP table: the held rows never take pages of the database file
NAMES = 'step_name_0023'  # TEMP: (version_id, bpmn_id) -> name, for the downgrade
CHECK_INDEX = 'ix_notification_task_0023'
BPMN = '{http://www.omg.org/spec/BPMN/20100524/MODEL}'


def _rebuild_sqlite(change: Callable[[BatchOperations], None], values: dict[str, str] | None = None,
                    joins: str = '') -> None:  # fmt: skip
    """Rebuild human_task as `change` says, keeping every row and id. The held rows are read as `h`, with
    `joins` after them; `values` gives the SQL that fills a new column (by name), the others are copied."""
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
    select_list = ', '.join((values or {}).get(name, f'h.{name}') for name in columns)
    op.execute(f'INSERT INTO human_task ({", ".join(columns)}) '
               f'SELECT {select_list} FROM temp.{HOLD} AS h {joins} ORDER BY h.id')  # fmt: skip
    op.execute(f'DROP TABLE temp.{HOLD}')
    op.drop_index(CHECK_INDEX, 'notification')


def _drop_name(batch_op: BatchOperations) -> None:
    batch_op.drop_column('name')


def _add_name(batch_op: BatchOperations) -> None:
    batch_op.add_column(sa.Column('name', sa.String(500), nullable=False), insert_after='bpmn_id')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(_drop_name)
    else:
        op.drop_column('human_task', 'name')


def _user_task_names(xml: str) -> dict[str, str]:
    """{bpmn id: name} of the user tasks of a stored BPMN document, as workflows.diagram reads them."""
    root = ElementTree.fromstring(xml.encode('utf-8'))  # the bytes deployed: the XML declaration still holds
    processes = root.findall(f'{BPMN}process')
    executable = [p for p in processes if p.get('isExecutable', 'true').lower() != 'false'] or processes
    if not executable:
        return {}
    return {node.get('id') or '': (node.get('name') or '').strip()
            for node in executable[0] if node.tag == f'{BPMN}userTask'}  # fmt: skip


def _step_names() -> list[dict[str, object]]:
    """One row per (version, step) that a task is at, with the step's name; refuse any step left unnamed."""
    conn = op.get_bind()
    steps = conn.execute(sa.text(
        'SELECT i.version_id, h.bpmn_id, min(h.id) AS task_id FROM human_task AS h'
        ' JOIN process_instance AS i ON i.id = h.instance_id GROUP BY i.version_id, h.bpmn_id'
        ' ORDER BY i.version_id, h.bpmn_id'
    )).all()  # fmt: skip
    names: dict[int, dict[str, str]] = {}
    rows = []
    for version_id, bpmn_id, task_id in steps:
        if version_id not in names:
            xml = conn.execute(sa.text('SELECT bpmn_xml FROM process_version WHERE id = :id'),
                               {'id': version_id}).scalar()  # fmt: skip
            names[version_id] = _user_task_names(xml) if xml is not None else {}
        if bpmn_id not in names[version_id]:
            raise ValueError(f'human_task {task_id}: process version {version_id} has no user task {bpmn_id!r}, '
                             'so there is no name to write back for it')
        rows.append({'version_id': version_id, 'bpmn_id': bpmn_id, 'name': names[version_id][bpmn_id]})
    return rows


def downgrade() -> None:
    rows = _step_names()  # before anything changes
    op.execute(f'CREATE TEMP TABLE {NAMES} (version_id INTEGER NOT NULL, bpmn_id VARCHAR(128) NOT NULL,'
               ' name VARCHAR(500) NOT NULL, PRIMARY KEY (version_id, bpmn_id))')  # fmt: skip
    if rows:
        op.get_bind().execute(sa.text(f'INSERT INTO {NAMES} (version_id, bpmn_id, name) '
                                      'VALUES (:version_id, :bpmn_id, :name)'), rows)  # fmt: skip
    if op.get_bind().dialect.name == 'sqlite':
        # A LEFT JOIN: a row without its name fails the NOT NULL column instead of being left out.
        _rebuild_sqlite(_add_name, {'name': 'n.name'},
                        'LEFT JOIN main.process_instance AS i ON i.id = h.instance_id'
                        f' LEFT JOIN temp.{NAMES} AS n ON n.version_id = i.version_id AND n.bpmn_id = h.bpmn_id')
        op.execute(f'DROP TABLE temp.{NAMES}')
    else:
        op.add_column('human_task', sa.Column('name', sa.String(500), nullable=True))
        op.execute(f'UPDATE human_task AS h SET name = n.name FROM process_instance AS i, {NAMES} AS n'
                   ' WHERE i.id = h.instance_id AND n.version_id = i.version_id AND n.bpmn_id = h.bpmn_id')
        op.alter_column('human_task', 'name', existing_type=sa.String(500), nullable=False)
        op.execute(f'DROP TABLE {NAMES}')
