"""notification: (user_id, id) for the newest-first list, and the unread rows' own index for the count

The notifications page lists a user's newest 100 notifications (`recent_notices`: user_id = ?, ORDER BY id
DESC, LIMIT), and every page's header counts the unread ones (`unread_count`: user_id = ? AND read_at IS
NULL). The only index was (user_id, read_at) from 0010: it finds the user's rows in read_at order, so the
list read every notification the user ever had and sorted them to keep 100 (SQLite: USE TEMP B-TREE FOR
ORDER BY; PostgreSQL: a Sort over all of them). Now:

- ix_notification_user_newest (user_id, id): the list walks the user's rows backwards from the newest and
  stops after the page, however many older ones there are.
- ix_notification_user_unread (user_id) WHERE read_at IS NULL: the count reads the unread rows only, from
  the index (no table row: the WHERE says what read_at is); once read, a row leaves it. Marking all read
  finds its rows through it too.

(user_id, read_at) goes: each query has its own index. One covering index (user_id, id, read_at) would be
a little smaller while every notification is unread, but the count would then read every notification the
user ever had on every page, the cost this revision removes from the list. The province benchmark reads
no notification, so there the unread index holds every row (its largest): with 10 notifications per chain,
(user_id, read_at) took 0.13 KiB per chain and the two new indexes take 0.25 KiB, and the database grows
7.67 KiB per chain instead of 7.56 (`thidua bench --province --province-dossiers 300 --task-rows 0
--province-audit-events 0` on SQLite). One covering index would have kept it at about 7.57.

Only indexes change, so nothing is refused either way; the downgrade builds (user_id, read_at) again.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

UNREAD = sa.text('read_at IS NULL')


def upgrade() -> None:
    op.create_index('ix_notification_user_newest', 'notification', ['user_id', 'id'], unique=False)
    op.create_index('ix_notification_user_unread', 'notification', ['user_id'], unique=False,
                    sqlite_where=UNREAD, postgresql_where=UNREAD)  # fmt: skip
    op.drop_index('ix_notification_user_read', table_name='notification')


def downgrade() -> None:
    op.create_index('ix_notification_user_read', 'notification', ['user_id', 'read_at'], unique=False)
    op.drop_index('ix_notification_user_unread', table_name='notification')
    op.drop_index('ix_notification_user_newest', table_name='notification')
