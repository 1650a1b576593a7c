"""How documents' sha256 digests are stored (migration 0022): 32 bytes, read, written and looked up as hex."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Integer, String, column, inspect, insert, select, table, text
from sqlalchemy.exc import StatementError

from service.db import UTCDateTime, alembic_config, make_engine, make_session_factory
from service.models import Document, GeneratedDocument, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import sample_pdf
from service.operations.documents import upload_document
from service.operations.dossiers import NomineeInput, create_dossier
from service.storage import FileStore
from tests.conftest import FILES
from tests.factories import make_dossier_with_instance
from tests.operations.helpers import assert_head_agrees_with_models, table_indexes
from workflows import Engine, FixedClock

SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
TABLES = ("document", "generated_document")
NOW = datetime(2024, 12, 1, 8, 30, tzinfo=UTC)
# Not a digest as FileStore.put writes it: too short, too long, not hex, uppercase, padded.
HEX = hashlib.sha256(b"0022").hexdigest()
MALFORMED = ["abc123", HEX[:-1], HEX + "0", "g" * 64, HEX.upper(), " " + HEX[1:]]

BEFORE_0022 = "0021"  # the revision 0022 upgrades from
AFTER_0022 = "0022"


def _stored(session: Any, table_name: str, row_id: int) -> tuple[str, bytes]:
    """The column as the database holds it: its type there, and the value without the model's type applied."""
    kind = "typeof(sha256)" if session.bind.dialect.name == "sqlite" else "pg_typeof(sha256)::text"
    found = session.execute(text(f"SELECT {kind}, sha256 FROM {table_name} WHERE id = :id"), {"id": row_id}).one()
    return found[0], bytes(found[1])


def _upload(factory: Any, store: FileStore, data: bytes) -> int:
    """A new dossier of the seeded world, and one document uploaded to it the way a unit clerk does."""
    engine = Engine(FixedClock())
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-vh.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id,
                                 title="Hồ sơ có biên bản", nominees=[NomineeInput("individual", "Đỗ Thị Mai", "GK-XA")])  # fmt: skip
        document = upload_document(session, clerk, store, engine.clock.now(), dossier_id=dossier.id,
                                   kind="meeting_minutes", filename="Biên bản.pdf", data=data)  # fmt: skip
        return document.id


def test_uploaded_and_generated_digests_are_stored_as_32_bytes_and_read_back_as_hex(factory, tmp_path):
    store = FileStore(tmp_path / "files")
    upload, produced = sample_pdf("Bien ban hop binh xet 0022"), sample_pdf("Bao cao tong ket 0022")
    document_id = _upload(factory, store, upload)
    with factory() as session, session.begin():
        generated = GeneratedDocument(kind="report", filename="Báo cáo.pdf", sha256=store.put(produced),
                                      size=len(produced), created_at=NOW)  # fmt: skip
        session.add(generated)
        session.flush()
        generated_id = generated.id
    blob = "blob" if factory.kw["bind"].dialect.name == "sqlite" else "bytea"
    with factory() as session:
        for model, row_id, data in ((Document, document_id, upload), (GeneratedDocument, generated_id, produced)):
            assert _stored(session, model.__tablename__, row_id) == (blob, hashlib.sha256(data).digest())
            digest = session.get(model, row_id).sha256
            assert digest == hashlib.sha256(data).hexdigest() and store.read(digest) == data
        # The demo's uploads, written through the same path when the database was seeded.
        seeded = session.execute(select(Document.id, Document.sha256).where(Document.id != document_id)).all()
        assert len(seeded) > 10
        for row_id, digest in seeded:
            assert _stored(session, "document", row_id) == (blob, bytes.fromhex(digest))
            assert hashlib.sha256(FileStore(FILES).read(digest)).hexdigest() == digest


def test_a_value_that_is_not_a_sha256_digest_is_refused_in_writes_and_lookups(any_db_session):
    dossier_id = make_dossier_with_instance(any_db_session).dossier_id
    for value in ["abc123", HEX[:-1], HEX + "0", "g" * 64, HEX.upper(), f" {HEX}", f"{HEX}\n", HEX[:30] + " " + HEX[30:]]:
        with any_db_session.begin_nested(), pytest.raises(StatementError, match="not a sha256 digest|non-hexadecimal"):
            any_db_session.add(Document(dossier_id=dossier_id, kind="other", filename="x.pdf", size=1, sha256=value,
                                        content_type="application/pdf", uploaded_at=NOW))  # fmt: skip
            any_db_session.flush()
        with any_db_session.begin_nested(), pytest.raises(StatementError, match="not a sha256 digest|non-hexadecimal"):
            any_db_session.add(GeneratedDocument(kind="report", filename="x.pdf", size=1, sha256=value, created_at=NOW))
            any_db_session.flush()
        with pytest.raises(StatementError, match="not a sha256 digest|non-hexadecimal"):
            any_db_session.scalar(select(Document.id).where(Document.sha256 == value))
    assert any_db_session.scalar(select(Document.id)) is None
    assert any_db_session.scalar(select(GeneratedDocument.id)) is None


def test_lookups_by_hex_find_the_documents(factory, tmp_path):
    store = FileStore(tmp_path / "files")
    data = sample_pdf("Bien ban nop hai lan 0022")
    twice = [_upload(factory, store, data), _upload(factory, store, data)]  # the same file in two dossiers
    other = _upload(factory, store, sample_pdf("Bien ban khac 0022"))
    digest = hashlib.sha256(data).hexdigest()
    with factory() as session:
        by_digest = select(Document.id).where(Document.sha256 == digest).order_by(Document.id)
        assert session.scalars(by_digest).all() == twice
        some = select(Document.id).where(Document.sha256.in_([digest, HEX])).order_by(Document.id)
        assert session.scalars(some).all() == twice
        assert session.scalars(select(Document.id).where(Document.sha256 != digest)).all().count(other) == 1
        assert session.scalar(select(Document.id).where(Document.sha256 == HEX)) is None
        # Every seeded document is found by the digest it reads back with.
        for row_id, sha in session.execute(select(Document.id, Document.sha256)).all():
            assert row_id in session.scalars(select(Document.id).where(Document.sha256 == sha)).all()


# --- Migration 0022 --------------------------------------------------------------------------------------


def _rows(url: str, table_name: str) -> list[dict[str, Any]]:
    """Every row as the driver gives it (no column types applied), in id order."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {table_name} ORDER BY id"))]
    engine.dispose()
    return rows


def _schema(url: str) -> dict[str, Any]:
    """Both tables as the database describes them: columns, keys and every index's full definition."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        schema = {
            name: {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
                "pk": found.get_pk_constraint(name),
                "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                                        tuple(fk["referred_columns"])) for fk in found.get_foreign_keys(name)),
            }
            for name in TABLES
        }  # fmt: skip
    engine.dispose()
    for name in TABLES:
        schema[name]["indexes"] = table_indexes(url, name)
    return schema


def _version(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return version


def _generated_as_before_0022(url: str) -> int:
    """A generated document written as the service did before 0022: its digest as hex text."""
    old = table("generated_document", column("id", Integer), column("kind", String), column("filename", String),
                column("sha256", String), column("size", Integer), column("created_at", UTCDateTime()))  # fmt: skip
    data = sample_pdf("Quyet dinh khen thuong 0022")
    engine = make_engine(url)
    with engine.begin() as conn:
        row_id = conn.execute(insert(old).values(kind="decision", filename="Quyết định.pdf", size=len(data),
                                                 sha256=FileStore(FILES).put(data), created_at=NOW)
                              .returning(old.c.id)).scalar_one()  # fmt: skip
    engine.dispose()
    return row_id


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0022_keeps_every_digest_row_and_index_and_undoes_exactly(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), BEFORE_0022)
    generated_id = _generated_as_before_0022(url)
    before, schema = {name: _rows(url, name) for name in TABLES}, _schema(url)
    assert len(before["document"]) > 10 and [row["id"] for row in before["generated_document"]][-1] == generated_id
    for rows in before.values():  # hex text, each naming a stored file
        assert all(hashlib.sha256(FileStore(FILES).read(row["sha256"])).hexdigest() == row["sha256"] for row in rows)
    assert "ix_document_sha256" in schema["document"]["indexes"]

    command.upgrade(alembic_config(url), AFTER_0022)  # 0026 drops ix_document_sha256 later
    after = {name: _rows(url, name) for name in TABLES}
    for name in TABLES:
        assert after[name] == [{**row, "sha256": bytes.fromhex(row["sha256"])} for row in before[name]]
        assert all(isinstance(row["sha256"], bytes) and len(row["sha256"]) == 32 for row in after[name])
    migrated = _schema(url)
    for name in TABLES:  # only the column's type changed; the indexes are the same, on the same column
        assert migrated[name]["indexes"] == schema[name]["indexes"]
        assert migrated[name]["foreign_keys"] == schema[name]["foreign_keys"]
        assert [c for c in migrated[name]["columns"] if c[0] != "sha256"] == \
            [c for c in schema[name]["columns"] if c[0] != "sha256"]  # fmt: skip
    command.upgrade(alembic_config(url), "head")
    assert {name: _rows(url, name) for name in TABLES} == after
    assert_head_agrees_with_models(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for model in (Document, GeneratedDocument):
            rows = before[model.__tablename__]
            assert session.execute(select(model.id, model.sha256).order_by(model.id)).all() == \
                [(row["id"], row["sha256"]) for row in rows]  # fmt: skip
            for row in rows[:5]:  # found by the hex they were stored under
                assert row["id"] in session.scalars(select(model.id).where(model.sha256 == row["sha256"])).all()
    engine.dispose()

    command.downgrade(alembic_config(url), BEFORE_0022)
    assert {name: _rows(url, name) for name in TABLES} == before
    assert _schema(url) == schema
    command.upgrade(alembic_config(url), "head")
    assert {name: _rows(url, name) for name in TABLES} == after
    assert_head_agrees_with_models(url)


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0022_refuses_a_value_that_is_not_lowercase_hex_and_changes_nothing(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), BEFORE_0022)
    targets = {"document": _rows(url, "document")[0]["id"], "generated_document": _generated_as_before_0022(url)}
    before = {name: _rows(url, name) for name in TABLES}
    engine = make_engine(url)
    # PostgreSQL's varchar(64) holds nothing longer, so there only SQLite can have such a value to refuse.
    malformed = [value for value in MALFORMED if len(value) <= 64 or engine.dialect.name == "sqlite"]
    for name, row_id in targets.items():
        for value in malformed:
            with engine.begin() as conn:
                conn.execute(text(f"UPDATE {name} SET sha256 = :value WHERE id = :id"), {"value": value, "id": row_id})
            refused = f"{name} {row_id}: sha256 {value!r} is not 64 lowercase hex characters"
            with pytest.raises(ValueError) as raised:
                command.upgrade(alembic_config(url), "head")
            assert str(raised.value).startswith(refused)
            assert _version(url) == BEFORE_0022
            changed = {other: _rows(url, other) for other in TABLES}
            assert [row["sha256"] for row in changed[name] if row["id"] == row_id] == [value]
            with engine.begin() as conn:  # put the stored value back: nothing else was touched
                original = next(row["sha256"] for row in before[name] if row["id"] == row_id)
                conn.execute(text(f"UPDATE {name} SET sha256 = :value WHERE id = :id"), {"value": original, "id": row_id})
            assert {other: _rows(url, other) for other in TABLES} == before
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    assert _version(url) != BEFORE_0022
    assert_head_agrees_with_models(url)
