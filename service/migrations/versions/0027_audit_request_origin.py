"""audit_event: the request's IP address and user agent stored once per pair, in request_origin

Every audit event a web request writes keeps the client's IP address (a text of 11-15 characters for
IPv4, in the row) and its user agent (an id into user_agent since 0021). An official works from a handful
of (address, browser) pairs, and a completed dossier chain writes about 19 events: now each distinct pair is
one row of `request_origin` (id, ip, user_agent_id) and an event refers to it by `origin_id`, an integer of
one or two bytes on SQLite. Either half may be missing (an event given a user agent but no address, or an
address but no user agent); an event with neither (CLI, jobs) has no origin (NULL), and no origin row holds
neither (a CHECK). NULLs are distinct in a unique index, so each pair is kept unique by three indexes: the
pair, the address of the rows without a user agent, the user agent of the rows without an address.

The hashes do not change: an event's hash still covers the address and the user agent text, so chains
written before this revision verify after it and after a downgrade, and editing a request_origin row breaks
the chain at the first event that refers to it. On PostgreSQL request_origin rows, like user_agent's and
audit_event's, cannot be updated or deleted. Every stored pair converts (the columns keep their types), so
nothing is refused either way.

Upgrade: one request_origin row per distinct pair (ids in the order of first use), then each event's id
(three set-based UPDATEs, one per kind of pair, each joining on equal columns so that a large table is
joined by hash or index, not row by row), then the two columns go. On SQLite the table is rebuilt once,
keeping every id, index (the partial index on object too), foreign key and constraint name, origin_id in
the place of ip. On PostgreSQL the UPDATE that sets the id also clears ip and user_agent_id, so the live rows
no longer hold them once the columns are dropped; audit_event's append-only trigger is disabled for this
transaction only, as in 0014 and 0021. Downgrade puts every address and user agent id back exactly (on
SQLite in the columns' old places, after comment) and drops the table; user_agent stays.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

FK_AGENT = 'fk_audit_event_user_agent_id_user_agent'
FK_ORIGIN = 'fk_audit_event_origin_id_request_origin'
# Which origin row an event's (ip, user_agent_id) is, by the kind of pair: equalities only (never
# IS NOT DISTINCT FROM, which PostgreSQL can join only row by row).
PAIRS = (
    'origin.ip = audit_event.ip AND origin.user_agent_id = audit_event.user_agent_id',
    'origin.ip = audit_event.ip AND audit_event.user_agent_id IS NULL AND origin.user_agent_id IS NULL',
    'origin.user_agent_id = audit_event.user_agent_id AND audit_event.ip IS NULL AND origin.ip IS NULL',
)


def _without_append_only_trigger(statements: list[str]) -> None:
    """Run UPDATEs of audit_event: PostgreSQL's trigger refuses them, so it is off for those statements only."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    for statement in statements:
        op.execute(statement)
    if postgresql:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.create_table('request_origin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('ip IS NOT NULL OR user_agent_id IS NOT NULL',
                           name=op.f('ck_request_origin_ip_or_user_agent')),
        sa.ForeignKeyConstraint(['user_agent_id'], ['user_agent.id'],
                                name=op.f('fk_request_origin_user_agent_id_user_agent')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_origin')),
        sa.UniqueConstraint('ip', 'user_agent_id', name=op.f('uq_request_origin_ip_user_agent_id')),
    )  # fmt: skip
    no_agent, no_ip = sa.text('user_agent_id IS NULL'), sa.text('ip IS NULL')
    op.create_index('uq_request_origin_ip_without_user_agent', 'request_origin', ['ip'], unique=True,
                    sqlite_where=no_agent, postgresql_where=no_agent)  # fmt: skip
    op.create_index('uq_request_origin_user_agent_without_ip', 'request_origin', ['user_agent_id'], unique=True,
                    sqlite_where=no_ip, postgresql_where=no_ip)  # fmt: skip
    if not sqlite:
        op.execute(
            """
            CREATE FUNCTION request_origin_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'request_origin is append-only: % refused', TG_OP;
            END $$;
            """
        )
        op.execute('CREATE TRIGGER request_origin_append_only BEFORE UPDATE OR DELETE ON request_origin '
                   'FOR EACH ROW EXECUTE FUNCTION request_origin_refuse_change()')  # fmt: skip
    op.execute('INSERT INTO request_origin (ip, user_agent_id) SELECT ip, user_agent_id FROM audit_event '
               'WHERE ip IS NOT NULL OR user_agent_id IS NOT NULL '
               'GROUP BY ip, user_agent_id ORDER BY min(id)')  # fmt: skip
    op.add_column('audit_event', sa.Column('origin_id', sa.Integer(), nullable=True))
    _without_append_only_trigger([
        'UPDATE audit_event SET origin_id = origin.id, ip = NULL, user_agent_id = NULL FROM request_origin AS origin '
        f'WHERE audit_event.origin_id IS NULL AND {pair}'
        for pair in PAIRS
    ])  # fmt: skip
    if sqlite:
        with op.batch_alter_table('audit_event', recreate='always',
                                  partial_reordering=[('comment', 'origin_id', 'dossier_id', 'hash')]) as batch_op:
            batch_op.drop_constraint(FK_AGENT, type_='foreignkey')
            batch_op.drop_column('ip')
            batch_op.drop_column('user_agent_id')
            batch_op.create_foreign_key(FK_ORIGIN, 'request_origin', ['origin_id'], ['id'])
    else:
        op.drop_constraint(FK_AGENT, 'audit_event', type_='foreignkey')
        op.drop_column('audit_event', 'ip')
        op.drop_column('audit_event', 'user_agent_id')
        # Added after the UPDATE: one check of the whole table instead of one per updated row.
        op.create_foreign_key(FK_ORIGIN, 'audit_event', 'request_origin', ['origin_id'], ['id'])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('audit_event', sa.Column('ip', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('user_agent_id', sa.Integer(), nullable=True))
    _without_append_only_trigger([
        'UPDATE audit_event SET ip = origin.ip, user_agent_id = origin.user_agent_id FROM request_origin AS origin '
        'WHERE origin.id = audit_event.origin_id'
    ])  # fmt: skip
    if sqlite:
        with op.batch_alter_table('audit_event', recreate='always',
                                  partial_reordering=[('comment', 'ip', 'user_agent_id', 'dossier_id', 'hash')]
                                  ) as batch_op:  # fmt: skip
            batch_op.drop_constraint(FK_ORIGIN, type_='foreignkey')
            batch_op.drop_column('origin_id')
            batch_op.create_foreign_key(FK_AGENT, 'user_agent', ['user_agent_id'], ['id'])
    else:
        op.drop_constraint(FK_ORIGIN, 'audit_event', type_='foreignkey')
        op.drop_column('audit_event', 'origin_id')
        op.create_foreign_key(FK_AGENT, 'audit_event', 'user_agent', ['user_agent_id'], ['id'])
    op.drop_table('request_origin')
    if not sqlite:
        op.execute('DROP FUNCTION request_origin_refuse_change()')
