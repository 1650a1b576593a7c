"""process_instance.state_zlib: states rewritten with the preset dictionary v1 (format byte 0x01)

A finished chain's state was 2.6 KB of plain zlib (migration 0012), so on SQLite each instance row had a
4 KiB page to itself; with the preset dictionary built from the shipped chain it is about 1.8 KB and two
rows share a page. The service reads both formats; this rewrites the old rows so that existing databases
shrink too, and the downgrade writes plain zlib back (migration 0012's downgrade reads only that). The
text of every state comes back byte for byte. Rows are converted in batches of 500.

The format is written out here rather than imported from service.db, so this revision keeps doing what
it did when the service's current format changes; the dictionary file itself never changes (its sha256
is checked). The service later writes format 2 (byte 0x02, dictionary v2, no schema change): the
upgrade leaves such rows as they are, and the downgrade writes them back as plain zlib too, their text
byte for byte.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 20:00:00
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BATCH = 500
FORMAT_V1 = b'\x01'
DICTIONARY_V1 = Path(__file__).resolve().parents[2] / 'state_dictionary_v1.bin'
DICTIONARY_V1_SHA256 = 'b604cbd26b7eac8913cdf77bd09646ffaf78ff1ad5b3f445a96edaf931a8ed69'
FORMAT_V2 = b'\x02'
DICTIONARY_V2 = Path(__file__).resolve().parents[2] / 'state_dictionary_v2.bin'
DICTIONARY_V2_SHA256 = 'aab93f63f9a2e5a346679998dfdb7322bb304bd955f9719c029b7585d83edb99'
LEVEL = 5


def _dictionary(path: Path = DICTIONARY_V1, sha256: str = DICTIONARY_V1_SHA256) -> bytes:
    dictionary = path.read_bytes()
    if hashlib.sha256(dictionary).hexdigest() != sha256:
        raise RuntimeError(f'{path} has changed; states written with it could no longer be read')
    return dictionary


def _convert(change: Callable[[bytes], bytes | None]) -> None:
    """Apply change to every state; it returns None for a state already in the wanted format."""
    conn = op.get_bind()
    table = sa.table('process_instance', sa.column('id', sa.Integer), sa.column('state_zlib', sa.LargeBinary))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.state_zlib).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, value in rows:
            changed = change(bytes(value))
            if changed is not None:
                conn.execute(sa.update(table).where(table.c.id == row_id).values(state_zlib=changed))
        last = rows[-1][0]


def upgrade() -> None:
    dictionary = _dictionary()

    def to_v1(data: bytes) -> bytes | None:
        if data[:1] in (FORMAT_V1, FORMAT_V2):
            return None
        compressor = zlib.compressobj(LEVEL, zdict=dictionary)
        return FORMAT_V1 + compressor.compress(zlib.decompress(data)) + compressor.flush()

    _convert(to_v1)


def downgrade() -> None:
    dictionaries = {FORMAT_V1: _dictionary(), FORMAT_V2: _dictionary(DICTIONARY_V2, DICTIONARY_V2_SHA256)}

    def to_plain(data: bytes) -> bytes | None:
        dictionary = dictionaries.get(data[:1])
        if dictionary is None:
            return None
        decompressor = zlib.decompressobj(zdict=dictionary)
        raw = decompressor.decompress(data[1:])
        if not decompressor.eof or decompressor.unused_data:
            raise zlib.error('instance state is truncated or followed by stray bytes')
        return zlib.compress(raw, 1)

    _convert(to_plain)
