"""audit_event: action, object_type and actor_role stored as SMALLINT codes instead of their texts

A completed dossier chain writes about 19 audit events, and each repeated three short texts: its action
("task.complete", about 13 bytes, and again in ix_audit_event_action_id), its object type ("human_task")
and its actor's role ("council_secretary"). Each is now a code from a fixed registry (the copy below; the
service's is service/models/audit_codes.py, whose Coded type translates both ways so Python code and SQL
expressions still use the texts). On SQLite a code under 128 takes one byte in the row and in the index.
The province benchmark's growth per completed chain on SQLite (`thidua bench --province
--province-dossiers 200 --task-rows 0 --province-audit-events 0`) went from 10.96 KiB to 10.22 KiB.

The hashes do not change: an event's hash covers the texts, as the service reads them back, so chains
written before this revision verify after it and after a downgrade.

The registry is append-only: a code is never reused or renumbered. This migration keeps its own copy as
the registry was when it was written (a migration never imports the models): a later version that adds
an entry writes its new code without a migration, and then only this downgrade cannot turn that code back
into text; it refuses then, as the upgrade refuses a stored text this copy lacks. Both refusals come
before anything is changed and name the value and an event's id.

Upgrade: on PostgreSQL one ALTER TABLE converts the three columns in place (USING a CASE of the registry)
and rebuilds the indexes holding them; ALTER TABLE fires no row trigger, so audit_event's append-only
trigger stays enabled throughout. On SQLite, which cannot change a column's type, an UPDATE writes each
code in place (audit_event has no trigger on SQLite), then the table is rebuilt by batch with the new
types, keeping every id, index (the partial ix_audit_event_object too), foreign key and constraint name;
the copy casts the codes to integers. The downgrade writes the exact texts back the same ways.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# The registry as it was when this migration was written (service/models/audit_codes.py): never edit it.
ACTIONS = {
    'auth.login': 1, 'auth.login_failed': 2, 'auth.login_throttled': 3, 'auth.logout': 4,
    'user.create': 5, 'user.activate': 6, 'user.deactivate': 7, 'role.grant': 8, 'role.revoke': 9, 'role.end': 10,
    'org.create': 11, 'org.rename': 12, 'org.move': 13, 'org.merge': 14, 'org.abolish_level': 15,
    'campaign.import': 16, 'campaign.edit': 17, 'campaign.register': 18, 'bpmn.deploy': 19,
    'dossier.create': 20, 'dossier.edit': 21, 'dossier.submit': 22, 'dossier.status': 23,
    'document.upload': 24, 'document.download': 25, 'document.generate': 26,
    'task.claim': 27, 'task.unclaim': 28, 'task.assign': 29, 'task.reassign': 30, 'task.complete': 31,
    'task.escalate': 32, 'eligibility.confirm': 33,
    'instance.end': 34, 'instance.cancel': 35, 'instance.suspend': 36, 'instance.resume': 37,
    'instance.migrate': 38,
    'decision.issue': 39, 'certificate_layout.edit': 40, 'records.import': 41, 'records.add': 42,
    'export.nominees': 43, 'audit.export': 44,
}
OBJECT_TYPES = {
    'user': 1, 'org_unit': 2, 'org_level': 3, 'campaign': 4, 'process_version': 5, 'dossier': 6,
    'generated_document': 7, 'human_task': 8, 'process_instance': 9, 'decision': 10, 'records': 11, 'audit': 12,
}
ROLES = {
    'unit_clerk': 1, 'unit_head': 2, 'office_clerk': 3, 'council_member': 4, 'council_secretary': 5,
    'chairman': 6, 'noi_vu': 7, 'ban_tdkt': 8, 'admin': 9, 'auditor': 10,
}
# column, registry, its type before this revision, nullable
COLUMNS = (
    ('action', ACTIONS, sa.String(length=64), False),
    ('object_type', OBJECT_TYPES, sa.String(length=64), False),
    ('actor_role', ROLES, sa.String(length=32), True),
)
_SAFE = re.compile(r'^[a-z_.]+$')  # every text above: written into the SQL as a literal


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    assert _SAFE.match(value), value
    return f"'{value}'"


def _case(column: str, pairs: list[tuple[str, int]] | list[tuple[int, str]]) -> str:
    """The column's value mapped through pairs; NULL stays NULL."""
    return f'CASE {column} ' + ' '.join(f'WHEN {_literal(a)} THEN {_literal(b)}' for a, b in pairs) + ' END'


def _refuse_unknown(to_codes: bool) -> None:
    """Stop before any change if a stored value has no counterpart in the registry above."""
    conn = op.get_bind()
    for column, registry, _, _ in COLUMNS:
        known = ', '.join(_literal(v) for v in (registry if to_codes else registry.values()))
        bad = conn.exec_driver_sql(
            f'SELECT id, {column} FROM audit_event WHERE {column} NOT IN ({known}) ORDER BY id LIMIT 1'
        ).first()
        if bad is None:
            continue
        if to_codes:
            raise ValueError(
                f'audit_event {bad[0]}: {column} {bad[1]!r} has no code in the registry of migration 0024, so '
                'it could not be stored as one; nothing was changed. Give it the next unused code in '
                'service/models/audit_codes.py and in this migration\'s copy, then upgrade again'
            )
        raise ValueError(
            f'audit_event {bad[0]}: {column} code {bad[1]!r} is not in the registry of migration 0024 (a later '
            'version added it), so its text cannot be written back; nothing was changed. Downgrade with '
            'the version that wrote it'
        )


def _retype_sqlite(to_codes: bool) -> None:
    """Rebuild the table with the columns' new declared types; the copy casts the values already converted."""
    with op.batch_alter_table('audit_event', recreate='always') as batch_op:
        for column, _, text_type, nullable in COLUMNS:
            old, new = (text_type, sa.SmallInteger()) if to_codes else (sa.SmallInteger(), text_type)
            batch_op.alter_column(column, type_=new, existing_type=old, existing_nullable=nullable)


def upgrade() -> None:
    _refuse_unknown(to_codes=True)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('UPDATE audit_event SET ' + ', '.join(
            f'{column} = {_case(column, list(registry.items()))}' for column, registry, _, _ in COLUMNS))
        _retype_sqlite(to_codes=True)
    else:
        op.execute('ALTER TABLE audit_event ' + ', '.join(
            f'ALTER COLUMN {column} TYPE SMALLINT USING ({_case(column, list(registry.items()))})::smallint'
            for column, registry, _, _ in COLUMNS))


def downgrade() -> None:
    _refuse_unknown(to_codes=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('UPDATE audit_event SET ' + ', '.join(
            f'{column} = {_case(column, [(c, t) for t, c in registry.items()])}' for column, registry, _, _ in COLUMNS))
        _retype_sqlite(to_codes=False)
    else:
        op.execute('ALTER TABLE audit_event ' + ', '.join(
            f'ALTER COLUMN {column} TYPE VARCHAR({text_type.length}) '
            f'USING {_case(column, [(c, t) for t, c in registry.items()])}'
            for column, registry, text_type, _ in COLUMNS))
