"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL, with the locks we rely on."""

from __future__ import annotations

import json
import zlib

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.orm.exc import StaleDataError

from service.db import (STATE_FORMAT_V1, STATE_FORMAT_V2, Base, alembic_config, decompress_state, make_engine,
                        make_session_factory)
from service.models import AuditChainHead, ProcessInstance
from service.models.audit import GENESIS_HASH
from tests.operations.helpers import instance_id_in, schema_differences
from tests.operations.chain_states import province_chain_states




def test_migrations_create_every_model_table(empty_factory):
    with empty_factory() as session:
        tables = set(inspect(session.connection()).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_migrations_and_models_agree_column_for_column(empty_factory):
    with empty_factory() as session:
        assert schema_differences(session.connection()) == []


def test_migration_creates_the_audit_chain_head_at_genesis(empty_factory):
    with empty_factory() as session:
        head = session.get(AuditChainHead, 1)
        assert (head.last_event_id, head.last_hash) == (None, GENESIS_HASH)
        assert session.scalars(select(AuditChainHead)).all() == [head]


@pytest.mark.postgres
def test_instance_state_is_compressed_bytes_on_postgresql_never_json(empty_postgres_url):
    # jsonb reorders keys and SpiffWorkflow then silently loses task data on restore.
    engine = make_engine(empty_postgres_url)
    with engine.connect() as conn:
        columns = dict(conn.execute(text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'process_instance'"
        )).all())  # fmt: skip
    engine.dispose()
    assert columns["state_zlib"] == "bytea" and "state_json" not in columns


def test_instance_state_is_stored_compressed(empty_factory):
    state = json.dumps({"tasks": {f"guid-{i}": {"state": 64, "task_spec": f"bước {i}", "data": {}} for i in range(200)}})
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = state
    with empty_factory() as session:
        stored = session.execute(text("SELECT state_zlib FROM process_instance WHERE id = :id"), {"id": instance_id}).scalar_one()
        assert decompress_state(stored) == state
        assert len(stored) * 5 < len(state.encode("utf-8"))


def _assert_state_at_head(url: str, instance_id: int, state: str) -> None:
    """At head the instance's state reads back as `state` and the schema is what the models say."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.get(ProcessInstance, instance_id).state_json == state
        with session.connection() as conn:
            assert not schema_differences(conn)
    engine.dispose()


@pytest.mark.parametrize("url_fixture", ["empty_sqlite_url", pytest.param("empty_postgres_url", marks=pytest.mark.postgres)])
def test_migration_0012_keeps_every_state_byte_for_byte_both_ways(request, url_fixture):
    from alembic import command

    from service.db import alembic_config

    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    state = '{"z": 1, "a": {"ý kiến": "Đồng ý đề nghị"}, "m": [3, 1, 2]}'
    instance_id = instance_id_in(factory)
    with factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = state
    engine.dispose()
    command.downgrade(alembic_config(url), "0011")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT state_json FROM process_instance WHERE id = :id"), {"id": instance_id}).scalar_one() == state
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    _assert_state_at_head(url, instance_id, state)


@pytest.mark.parametrize("url_fixture", ["empty_sqlite_url", pytest.param("empty_postgres_url", marks=pytest.mark.postgres)])
def test_migration_0017_rewrites_states_with_the_dictionary_and_back_byte_for_byte(request, url_fixture):
    from alembic import command

    from service.db import alembic_config

    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # A running instance waiting at the district council, as migration 0012 stored it (plain zlib).
    state = province_chain_states()[5].replace('"TD-2026"', '"Thi đua yêu nước: Đồng ý đề nghị"')
    old = zlib.compress(state.encode("utf-8"), 1)
    instance_id = instance_id_in(factory)
    with factory() as session, session.begin():
        session.execute(text("UPDATE process_instance SET state_zlib = :data WHERE id = :id"), {"data": old, "id": instance_id})
    engine.dispose()

    def stored() -> bytes:
        return _stored_state(url, instance_id)

    command.downgrade(alembic_config(url), "0016")
    assert stored() == old  # nothing to undo for a row never rewritten
    command.upgrade(alembic_config(url), "head")
    rewritten = stored()
    assert rewritten[:1] == STATE_FORMAT_V1 and len(rewritten) < len(old)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.get(ProcessInstance, instance_id).state_json == state
    engine.dispose()
    command.downgrade(alembic_config(url), "0016")
    plain = stored()
    assert plain[:1] == b"\x78" and zlib.decompress(plain).decode("utf-8") == state
    # A row the new service wrote before the database was upgraded is left as it is.
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE process_instance SET state_zlib = :data WHERE id = :id"), {"data": rewritten, "id": instance_id})
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    assert stored() == rewritten
    _assert_state_at_head(url, instance_id, state)


@pytest.mark.parametrize("url_fixture", ["empty_sqlite_url", pytest.param("empty_postgres_url", marks=pytest.mark.postgres)])
def test_migration_0017_downgrade_writes_format_2_states_back_as_plain_zlib(request, url_fixture):
    from alembic import command

    from service.db import alembic_config

    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # The compact state (format 2) the service writes now, of an instance waiting at the district council.
    state = province_chain_states()[5].replace('"TD-2026"', '"Thi đua yêu nước: Đồng ý đề nghị"')
    instance_id = instance_id_in(factory)
    with factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = state
    with factory() as session:
        query = text("SELECT state_zlib FROM process_instance WHERE id = :id")
        assert bytes(session.execute(query, {"id": instance_id}).scalar_one())[:1] == STATE_FORMAT_V2
    engine.dispose()
    command.downgrade(alembic_config(url), "0016")
    plain = _stored_state(url, instance_id)
    assert plain[:1] == b"\x78" and zlib.decompress(plain).decode("utf-8") == state
    command.upgrade(alembic_config(url), "head")  # 0017 writes it in format 1; the service reads that too
    _assert_state_at_head(url, instance_id, state)


def _stored_state(url: str, instance_id: int) -> bytes:
    """The instance's state column as stored (whatever format), read on a connection of its own."""
    engine = make_engine(url)
    with engine.connect() as conn:
        data = bytes(conn.execute(text("SELECT state_zlib FROM process_instance WHERE id = :id"),
                                  {"id": instance_id}).scalar_one())  # fmt: skip
    engine.dispose()
    return data


def test_instance_state_text_comes_back_byte_for_byte(empty_factory):
    state = '{"z": 1, "a": {"ý kiến": "Đồng ý đề nghị"}, "m": [3, 1, 2]}'
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as session, session.begin():
        session.get(ProcessInstance, instance_id).state_json = state
    with empty_factory() as session:
        assert session.get(ProcessInstance, instance_id).state_json == state


def test_second_writer_of_an_instance_gets_stale_data_error(empty_factory):
    instance_id = instance_id_in(empty_factory)
    with empty_factory() as first, empty_factory() as second:
        # Each loads the row in its own transaction, as two requests do; expire_on_commit=False keeps
        # the loaded version on the object after the read transaction ends.
        with first.begin():
            mine = first.get(ProcessInstance, instance_id)
        with second.begin():
            theirs = second.get(ProcessInstance, instance_id)
            theirs.state_json = '{"winner": "second"}'
        assert theirs.lock_version == 2
        with pytest.raises(StaleDataError), first.begin():
            mine.state_json = '{"winner": "first"}'
    with empty_factory() as session:
        stored = session.get(ProcessInstance, instance_id)
        assert (stored.state_json, stored.lock_version) == ('{"winner": "second"}', 2)


@pytest.mark.postgres
def test_overlapping_transactions_on_postgresql_leave_one_winner(empty_postgres_url):
    engine = make_engine(empty_postgres_url)
    factory = make_session_factory(engine)
    instance_id = instance_id_in(factory)
    with factory() as first, factory() as second:
        first.begin()
        mine = first.get(ProcessInstance, instance_id)  # first's transaction stays open throughout
        with second.begin():
            second.get(ProcessInstance, instance_id).error = "Lỗi thử"
        mine.error = "Lỗi khác"
        with pytest.raises(StaleDataError):
            first.flush()
        first.rollback()
    with factory() as session:
        assert session.get(ProcessInstance, instance_id).error == "Lỗi thử"
    engine.dispose()


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0030_keys_every_existing_nominee_by_its_name_and_drops_the_key_again(request, url_fixture):
    from service.domain.eligibility import person_key

    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), "0029")
    engine = make_engine(url)
    with engine.begin() as conn:
        assert "person_key" not in {c["name"] for c in inspect(conn).get_columns("nominee")}
        first = conn.execute(text("SELECT min(id) FROM nominee")).scalar()
        # A name as a form may have sent it before NFC was applied: decomposed, spaced, upper case.
        conn.execute(text("UPDATE nominee SET full_name = :name WHERE id = :id"),
                     {"name": "  TRA\u0302\u0300N   thị Hương ", "id": first})  # fmt: skip
        names = dict(conn.execute(text("SELECT id, full_name FROM nominee")).all())
    engine.dispose()
    assert len(names) > 3
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, person_key FROM nominee")).all())
        column = next(c for c in inspect(conn).get_columns("nominee") if c["name"] == "person_key")
    engine.dispose()
    assert keys == {nominee_id: person_key(name) for nominee_id, name in names.items()}
    assert keys[first] == "trần thị hương" and column["nullable"] is False
    command.downgrade(alembic_config(url), "0029")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert "person_key" not in {c["name"] for c in inspect(conn).get_columns("nominee")}
        assert dict(conn.execute(text("SELECT id, full_name FROM nominee")).all()) == names
    engine.dispose()
