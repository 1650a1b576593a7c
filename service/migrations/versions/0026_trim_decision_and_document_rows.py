"""nominee_decision without level and step; document.sha256 without its index

nominee_decision (six rows per completed chain: a council vote and a chairman's decision per nominee)
repeated two texts of the human_task row each decision was made in, which it already points to by
human_task_id: the step (human_task.bpmn_id, such as "ward_chairman_decide") and its level ("ward").
record_step wrote both from that task, and nothing else writes decisions; readers now join the task.

ix_document_sha256 indexed the digest of every uploaded file (about four per chain), but nothing looks a
document up by its digest: downloads go by the document's id, and the files' clean-up (thidua files gc)
reads the whole column.

Together with shorter task.complete and document.upload audit events (service code, no migration: old
events keep the JSON their hashes cover), the province benchmark's growth per completed chain on SQLite
(`thidua bench --province --province-dossiers 300 --task-rows 0 --province-audit-events 0`) went from
9.73 KiB to 9.09 KiB (nominee_decision 0.41 -> 0.24 KiB per chain, ix_document_sha256 0.19 -> 0,
audit_event 3.53 -> 3.24).

Upgrade: every decision's step and level must be its task's; the first one that is not (or whose task
row is missing) stops the upgrade before anything changes, naming it, since dropping the columns would
lose what it says. On SQLite the table is rebuilt by batch, packing the rows without the two columns and
keeping every id, index, foreign key and constraint name (no other table refers to nominee_decision); on
PostgreSQL the columns are dropped in place. The downgrade writes both back from each decision's task,
exactly as record_step wrote them, and creates the index again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# human_task.level as a code -> the level's text: since 0025 the task's level is stored as a code. A copy of
# 0025's level codes (never imported: a migration must not change when the registry does); a stored text
# (a schema before 0025) is its own text.
TASK_LEVEL_TEXTS: dict[int, str] = {1: 'unit', 2: 'ward', 3: 'district', 4: 'province'}
LEVELS = ('unit', 'ward', 'district', 'province')

DECISION_TASKS = 'FROM nominee_decision AS d JOIN human_task AS h ON h.id = d.human_task_id'


def _level_text(stored: object) -> str:
    """A task's stored level as the text nominee_decision.level held (and record_step wrote)."""
    text = stored if isinstance(stored, str) else TASK_LEVEL_TEXTS.get(stored) if isinstance(stored, int) else None
    if text not in LEVELS:
        raise ValueError(f'human_task.level {stored!r} is not a level this migration knows; '
                         'add its code to TASK_LEVEL_TEXTS')  # fmt: skip
    return str(text)


def _refuse_orphans() -> None:
    orphan = op.get_bind().execute(sa.text(
        'SELECT d.id, d.human_task_id FROM nominee_decision AS d LEFT JOIN human_task AS h ON h.id = d.human_task_id'
        ' WHERE h.id IS NULL ORDER BY d.id LIMIT 1'
    )).first()  # fmt: skip
    if orphan is not None:
        raise ValueError(f'nominee_decision {orphan[0]}: its task {orphan[1]} does not exist, so its step and '
                         'level cannot be read from it')  # fmt: skip


def _refuse_what_the_task_does_not_say() -> None:
    """Stop before any change at the first decision whose step or level differs from its task's."""
    conn = op.get_bind()
    _refuse_orphans()
    step = conn.execute(sa.text(
        f'SELECT d.id, d.step, h.bpmn_id {DECISION_TASKS} WHERE d.step <> h.bpmn_id ORDER BY d.id LIMIT 1'
    )).first()  # fmt: skip
    if step is not None:
        raise ValueError(f"nominee_decision {step[0]}: step {step[1]!r} is not its task's ({step[2]!r}); "
                         'dropping the column would lose it')  # fmt: skip
    # A few distinct pairs, compared here: the task's level may be stored as a code (TASK_LEVEL_TEXTS).
    for level, task_level in conn.execute(sa.text(f'SELECT DISTINCT d.level, h.level {DECISION_TASKS}')).all():
        if level != _level_text(task_level):
            first = conn.execute(sa.text(f'SELECT min(d.id) {DECISION_TASKS} WHERE d.level = :level'
                                         ' AND h.level = :task'), {'level': level, 'task': task_level}).scalar()  # fmt: skip
            raise ValueError(f"nominee_decision {first}: level {level!r} is not its task's "
                             f'({_level_text(task_level)!r}); dropping the column would lose it')  # fmt: skip


def upgrade() -> None:
    _refuse_what_the_task_does_not_say()
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('nominee_decision', recreate='always') as batch_op:
            batch_op.drop_column('level')
            batch_op.drop_column('step')
    else:
        op.drop_column('nominee_decision', 'level')
        op.drop_column('nominee_decision', 'step')
    op.drop_index('ix_document_sha256', table_name='document')


def downgrade() -> None:
    conn = op.get_bind()
    _refuse_orphans()
    stored = conn.execute(sa.text(f'SELECT DISTINCT h.level {DECISION_TASKS}')).scalars().all()
    texts = {value: _level_text(value) for value in stored}  # refuses an unknown level before any change
    op.create_index('ix_document_sha256', 'document', ['sha256'], unique=False)
    level, step = sa.String(length=16), sa.String(length=128)
    # Nullable first, filled from the tasks, then NOT NULL as 0005 made them; on SQLite in their places.
    if conn.dialect.name == 'sqlite':
        with op.batch_alter_table('nominee_decision', recreate='always') as batch_op:
            batch_op.add_column(sa.Column('level', level, nullable=True), insert_after='human_task_id')
            batch_op.add_column(sa.Column('step', step, nullable=True), insert_after='level')
    else:
        op.add_column('nominee_decision', sa.Column('level', level, nullable=True))
        op.add_column('nominee_decision', sa.Column('step', step, nullable=True))
    op.execute('UPDATE nominee_decision SET step = '
               '(SELECT h.bpmn_id FROM human_task AS h WHERE h.id = nominee_decision.human_task_id)')  # fmt: skip
    for value, text in texts.items():
        conn.execute(sa.text('UPDATE nominee_decision SET level = :text WHERE human_task_id IN'
                             ' (SELECT id FROM human_task WHERE level = :stored)'),
                     {'text': text, 'stored': value})  # fmt: skip
    with op.batch_alter_table('nominee_decision') as batch_op:  # SQLite rebuilds, PostgreSQL alters in place
        batch_op.alter_column('level', existing_type=level, nullable=False)
        batch_op.alter_column('step', existing_type=step, nullable=False)
