"""audit_event: each user agent text stored once, in a user_agent table, and referred to by id

Every audit event a web request writes keeps the client's user agent (service/web/context.py). A
browser's is 100-120 bytes and the same on each of the ~19 events of a completed dossier chain: about
2 KiB of repeated text per chain, in the audit rows (no index holds it). Now each distinct text is one row
of `user_agent` (id, text; unique) and an event refers to it by `user_agent_id`, an integer of one or two
bytes on SQLite and four on PostgreSQL. On SQLite the province benchmark's growth per completed chain
(`thidua bench --province --scale tiny --province-dossiers 200`, whose calls carry a 101-byte Chromium
user agent) went from 13.58 KiB to 11.58 KiB. The cost: a transaction's first event with a user agent
looks the text up by its unique index (one query per transaction, not per event: service.operations.audit),
and a text never seen before is inserted; the user_agent table holds one short row per browser version.

The hashes do not change: an event's hash still covers the user agent text, so chains written before this
revision verify after it and after a downgrade, and editing a user_agent row breaks the chain at the first
event that refers to it. On PostgreSQL user_agent rows, like audit_event's, cannot be updated or deleted.

Upgrade: one user_agent row per distinct text (ids in the order of first use), then each event's id, then
the text column goes. On SQLite the table is rebuilt once, keeping every id, index (the partial index on
object too), foreign key and constraint name. On PostgreSQL the UPDATE that sets the id also clears the
text, so the live rows no longer hold it once the column is dropped (their old versions are space VACUUM
lets later rows reuse); audit_event's append-only trigger is disabled for this transaction only, as in
0014. Downgrade puts every text back exactly (on SQLite in the column's old place, after ip) and drops the
table.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

FK = 'fk_audit_event_user_agent_id_user_agent'


def _without_append_only_trigger(statement: str) -> None:
    """Run an UPDATE of audit_event: PostgreSQL's trigger refuses one, so it is off for that statement only."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    op.execute(statement)
    if postgresql:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.create_table('user_agent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_agent')),
        sa.UniqueConstraint('text', name=op.f('uq_user_agent_text')),
    )  # fmt: skip
    if not sqlite:
        op.execute(
            """
            CREATE FUNCTION user_agent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'user_agent is append-only: % refused', TG_OP;
            END $$;
            """
        )
        op.execute('CREATE TRIGGER user_agent_append_only BEFORE UPDATE OR DELETE ON user_agent '
                   'FOR EACH ROW EXECUTE FUNCTION user_agent_refuse_change()')  # fmt: skip
    op.execute('INSERT INTO user_agent (text) SELECT user_agent FROM audit_event WHERE user_agent IS NOT NULL '
               'GROUP BY user_agent ORDER BY min(id)')  # fmt: skip
    op.add_column('audit_event', sa.Column('user_agent_id', sa.Integer(), nullable=True))
    _without_append_only_trigger(
        'UPDATE audit_event SET user_agent_id = agent.id, user_agent = NULL FROM user_agent AS agent '
        'WHERE agent.text = audit_event.user_agent'
    )
    if sqlite:
        with op.batch_alter_table('audit_event', recreate='always',
                                  partial_reordering=[('ip', 'user_agent_id', 'dossier_id', 'hash')]) as batch_op:
            batch_op.drop_column('user_agent')
            batch_op.create_foreign_key(FK, 'user_agent', ['user_agent_id'], ['id'])
    else:
        op.drop_column('audit_event', 'user_agent')
        # Added after the UPDATE: one check of the whole table instead of one per updated row.
        op.create_foreign_key(FK, 'audit_event', 'user_agent', ['user_agent_id'], ['id'])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('audit_event', sa.Column('user_agent', sa.String(length=500), nullable=True))
    _without_append_only_trigger(
        'UPDATE audit_event SET user_agent = agent.text FROM user_agent AS agent '
        'WHERE agent.id = audit_event.user_agent_id'
    )
    if sqlite:
        with op.batch_alter_table('audit_event', recreate='always',
                                  partial_reordering=[('ip', 'user_agent', 'dossier_id', 'hash')]) as batch_op:
            batch_op.drop_constraint(FK, type_='foreignkey')
            batch_op.drop_column('user_agent_id')
    else:
        op.drop_constraint(FK, 'audit_event', type_='foreignkey')
        op.drop_column('audit_event', 'user_agent_id')
    op.drop_table('user_agent')
    if not sqlite:
        op.execute('DROP FUNCTION user_agent_refuse_change()')
