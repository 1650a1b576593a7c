"""notification.text dropped: the sentence is built from the kind, the task's name and the dossier's title

Every notice repeated the task's name and the dossier's title (about 110 bytes) once per recipient:
1.85 KiB per completed chain on SQLite, for ten notices. Its four sentences now live in
service/domain/notices.py and are built when a notice is shown or mailed. The downgrade writes the
sentences back from the current task names and dossier titles; a notice of how a dossier ended (kinds
`granted` and `not_granted`, added later without a revision of their own) gets its sentence from the kind.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TASK = "coalesce((SELECT name FROM human_task WHERE human_task.id = notification.task_id), '')"
DOSSIER = "coalesce((SELECT title FROM dossier WHERE dossier.id = notification.dossier_id), '')"


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE notification DROP COLUMN text')  # SQLite 3.35+, no rebuild
    else:
        op.drop_column('notification', 'text')


def downgrade() -> None:
    op.add_column('notification', sa.Column('text', sa.Text(), nullable=True))
    op.execute(
        "UPDATE notification SET text = CASE kind"
        f" WHEN 'returned' THEN 'Hồ sơ “' || {DOSSIER} || '” bị trả lại để bổ sung.'"
        f" WHEN 'escalation' THEN 'Quá hạn: ' || {TASK} || ' — hồ sơ “' || {DOSSIER} || '” chưa được xử lý đúng hạn.'"
        f" WHEN 'assigned' THEN 'Bạn được giao việc: ' || {TASK} || ' — hồ sơ “' || {DOSSIER} || '”.'"
        # How a dossier ended (kinds added after this revision, with no task): the sentence from the kind alone,
        # as service/domain/notices.py shows it without the nominees' fates, not a "new task" with no name.
        f" WHEN 'granted' THEN 'Hồ sơ “' || {DOSSIER} || '” đã được khen thưởng.'"
        f" WHEN 'not_granted' THEN 'Hồ sơ “' || {DOSSIER} || '” không được khen thưởng.'"
        f" ELSE 'Việc mới: ' || {TASK} || ' — hồ sơ “' || {DOSSIER} || '”.' END"
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=False)
