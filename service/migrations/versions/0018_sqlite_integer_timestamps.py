"""SQLite: every UTC time stored as integer microseconds since 1970-01-01 UTC instead of text

SQLAlchemy's SQLite DateTime wrote each time as 26 characters of text ('2026-03-01 01:00:00.000000').
A completed dossier chain writes about 65 of them (19 audit events; 10 tasks, each created and
completed, some due; 10 notifications; 6 nominee decisions; 4 documents; the dossier and the instance),
and the audit time index (19) and the inbox index (due_at) hold them again. As integers they take 8
bytes, 18 fewer each: the province benchmark's growth per completed chain (500 dossiers) went from
14.17 KiB to 12.77 KiB. The service (UTCDateTime in service/db.py) now writes integers; this converts
the text already stored, exactly (seconds from strftime('%s'), microseconds from the six fraction
digits), and the downgrade writes back the text SQLAlchemy wrote, character for character.

The columns stay declared DATETIME: that is NUMERIC affinity, which keeps integers integers, so no table
is rebuilt. Only text values are converted (and only integers back), so a row the new service wrote
before the upgrade is left alone. A value that is not in the form SQLAlchemy wrote stops the upgrade,
naming it, rather than being guessed at. Freed space is reused by later rows; VACUUM returns it to the
file system. Audit hashes cover the datetime, not its stored form, so every chain still verifies.

The columns are listed here rather than read from the models, so this revision keeps doing what it did
when the models change. PostgreSQL (timestamptz) is left as it is.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# Every UTCDateTime column at revision 0017.
COLUMNS = {
    'api_token': ('created_at', 'expires_at', 'last_used_at'),
    'audit_event': ('occurred_at',),
    'campaign': ('created_at',),
    'certificate_layout': ('updated_at',),
    'decision': ('created_at',),
    'document': ('uploaded_at',),
    'dossier': ('created_at', 'updated_at'),
    'generated_document': ('created_at',),
    'human_task': ('due_at', 'escalated_at', 'claimed_at', 'completed_at', 'created_at'),
    'job': ('run_after', 'lease_expires_at', 'created_at', 'finished_at'),
    'nominee_decision': ('decided_at',),
    'notification': ('created_at', 'read_at'),
    'org_unit': ('created_at',),
    'org_unit_name': ('created_at',),
    'process_definition': ('created_at',),
    'process_instance': ('next_timer_at', 'created_at', 'updated_at'),
    'process_version': ('deployed_at',),
    'registration': ('registered_at',),
    'user_account': ('created_at',),
}

# SQLAlchemy wrote 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC); the form without a fraction is accepted too.
# A value is in that form when its first 19 characters, turned into seconds since 1970 and printed back,
# come back unchanged (so no month 13, no 30 February, no hour 24) and what follows is nothing or a point
# and six digits.
WELL_FORMED = (
    "strftime('%Y-%m-%d %H:%M:%S', CAST(strftime('%s', substr({c}, 1, 19)) AS INTEGER), 'unixepoch')"
    " IS substr({c}, 1, 19)"
    " AND (length({c}) = 19 OR (length({c}) = 26 AND substr({c}, 20) GLOB '.[0-9][0-9][0-9][0-9][0-9][0-9]'))"
)
TO_MICROSECONDS = (
    "CAST(strftime('%s', substr({c}, 1, 19)) AS INTEGER) * 1000000"
    " + CASE WHEN length({c}) = 26 THEN CAST(substr({c}, 21) AS INTEGER) ELSE 0 END"
)
# Floor division, so that a time before 1970 (a negative number) comes back right too.
FRACTION = '(({c} % 1000000) + 1000000) % 1000000'
TO_TEXT = (
    f"strftime('%Y-%m-%d %H:%M:%S', ({{c}} - {FRACTION}) / 1000000, 'unixepoch') || '.' || "
    f"printf('%06d', {FRACTION})"
)


def _columns() -> list[tuple[str, str]]:
    return [(table, column) for table, columns in COLUMNS.items() for column in columns]


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        return
    for table, column in _columns():
        odd = conn.exec_driver_sql(
            f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND typeof({column}) != 'integer' "
            f"AND NOT (typeof({column}) = 'text' AND {WELL_FORMED.format(c=column)}) LIMIT 1"
        ).first()
        if odd is not None:
            raise RuntimeError(f'{table}.{column} of row {odd[0]} holds {odd[1]!r}, not a time as SQLAlchemy '
                               'wrote it (YYYY-MM-DD HH:MM:SS.ffffff); correct it and upgrade again')  # fmt: skip
        conn.exec_driver_sql(
            f"UPDATE {table} SET {column} = {TO_MICROSECONDS.format(c=column)} WHERE typeof({column}) = 'text'"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        return
    for table, column in _columns():
        conn.exec_driver_sql(
            f"UPDATE {table} SET {column} = {TO_TEXT.format(c=column)} WHERE typeof({column}) = 'integer'"
        )
