"""document.sha256 and generated_document.sha256 stored as 32 bytes instead of 64 hex characters

Every uploaded file (about four per dossier) and every PDF the system produces is stored under its
sha256, and its row kept that digest as 64 characters of hex text; a document's was in its row and again
in ix_document_sha256. Now both columns hold the 32 bytes the hex spells, as the audit trail's hashes do
since 0014 (Sha256Digest in service/models/audit.py): the service still reads and writes the lowercase
hex, and a lookup by hex still goes through the index. On SQLite the document table and that index
take 0.68 KiB per completed chain instead of 0.94, and the database grows by 13.30 KiB per chain instead
of 13.56 (thidua bench --province, 200 dossiers, four documents each; no generated PDFs there).

Each stored value must be 64 lowercase hex characters (what FileStore.put returns); any other value
stops the upgrade before anything changes, naming its row, rather than being stored as something else.
PostgreSQL changes the type in place (decode(..., 'hex'); the index is rebuilt with it). SQLite cannot
change a column's type: the values are converted in place first (a BLOB stays a BLOB in a column of text
affinity), then each table is rebuilt by batch with its rows, ids, indexes and foreign keys as they were;
no other table refers to these two, so no reference has to be checked again. The downgrade writes the
lowercase hex back, character for character.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = ('document', 'generated_document')
# A value the upgrade refuses: anything but 64 lowercase hex characters.
MALFORMED = {
    'sqlite': "typeof(sha256) != 'text' OR length(sha256) != 64 OR sha256 GLOB '*[^0-9a-f]*'",
    'postgresql': "sha256 !~ '^[0-9a-f]{64}$'",
}


def _register_unhex() -> None:
    """SQLite before 3.41 has no unhex(): lend it Python's, on this migration's connection only."""
    raw = op.get_bind().connection.driver_connection
    raw.create_function('thidua_unhex', 1, lambda value: None if value is None else bytes.fromhex(value),
                        deterministic=True)  # fmt: skip


def _refuse_malformed() -> None:
    conn = op.get_bind()
    for table in TABLES:
        bad = conn.exec_driver_sql(
            f'SELECT id, sha256 FROM {table} WHERE {MALFORMED[conn.dialect.name]} ORDER BY id LIMIT 1'
        ).first()
        if bad is not None:
            raise ValueError(f'{table} {bad[0]}: sha256 {bad[1]!r} is not 64 lowercase hex characters; '
                             'correct it and upgrade again')  # fmt: skip


def _retype_sqlite(table: str, type_: sa.types.TypeEngine, existing_type: sa.types.TypeEngine) -> None:
    """Rebuild the table with the column's new declared type. The values are already converted: the copy
    casts them to the new type's affinity, which leaves a BLOB a BLOB and text text."""
    with op.batch_alter_table(table, recreate='always') as batch_op:
        batch_op.alter_column('sha256', type_=type_, existing_type=existing_type, existing_nullable=False)


def upgrade() -> None:
    _refuse_malformed()
    if op.get_bind().dialect.name == 'sqlite':
        _register_unhex()
        for table in TABLES:
            op.execute(f'UPDATE {table} SET sha256 = thidua_unhex(sha256)')
            _retype_sqlite(table, sa.LargeBinary(), sa.String(64))
    else:
        for table in TABLES:
            op.alter_column(table, 'sha256', type_=sa.LargeBinary(), existing_type=sa.String(64),
                            existing_nullable=False, postgresql_using="decode(sha256, 'hex')")  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for table in TABLES:
            op.execute(f'UPDATE {table} SET sha256 = lower(hex(sha256))')
            _retype_sqlite(table, sa.String(64), sa.LargeBinary())
    else:
        for table in TABLES:
            op.alter_column(table, 'sha256', type_=sa.String(64), existing_type=sa.LargeBinary(),
                            existing_nullable=False, postgresql_using="encode(sha256, 'hex')")  # fmt: skip
