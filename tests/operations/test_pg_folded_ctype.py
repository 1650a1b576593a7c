"""The audit filter's case folding (db.folded) on a PostgreSQL database created with the "C" ctype, where lower()
folds ASCII letters only: folded() still folds Vietnamese capitals (ICU's root collation)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import func, literal, select

from service.db import fold_text, folded, make_engine
from tests.conftest import POSTGRES_URL, _admin_conninfo

pytestmark = pytest.mark.postgres


@pytest.fixture
def c_ctype_url():
    admin, base = _admin_conninfo()
    name = f"{base}_cctype_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"""CREATE DATABASE "{name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'""")
    yield POSTGRES_URL.rpartition("/")[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("typed", ["ĐÔNG Á", "Nguyễn Thị Ánh", "PHƯỜNG PHÚ LÃM", "Ỷ LAN"])
def test_folded_folds_vietnamese_capitals_in_a_c_ctype_database(c_ctype_url, typed):
    engine = make_engine(c_ctype_url)
    try:
        with engine.connect() as conn:
            plain = conn.scalar(select(func.lower(literal(typed))))
            assert plain != fold_text(typed)  # the database's own lower() leaves the capitals: what folded() avoids
            assert conn.scalar(select(folded(literal(typed)))) == fold_text(typed)
            assert conn.scalar(select(folded(literal(typed)).like(f"%{fold_text(typed)[1:]}%"))) is True
    finally:
        engine.dispose()
