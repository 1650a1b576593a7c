"""An audit event's action, object type and actor role are stored as small integer codes (migration 0024);
Python code and SQL expressions use the texts, the hashes cover the texts, and the chain verifies both ways."""

from __future__ import annotations

import ast
import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, Integer, String, Text, column, event, func, insert, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import CompileError, DBAPIError, StatementError

from tests.operations.helpers import schema_differences
from service.db import UTCDateTime, alembic_config, make_engine, make_session_factory
from service.models import AuditChainHead, AuditEvent, RequestOrigin, UserAgent
from service.models.audit import GENESIS_HASH, Sha256Digest
from service.models.audit_codes import (
    ACTION_CODES, ACTIONS, OBJECT_TYPES, ROLES, CodeRegistry,
)  # fmt: skip
from service.models.org import Role
from service.operations.audit import event_hash, record_event, verify_chain
from service.queries.audit import AuditFilter, _query, audit_page, audit_rows, dossier_events, known_actions
from tests.conftest import _admin_conninfo, _create_database, _drop_database
from tests.operations.test_audit_user_agents import _audit_schema
from tests.operations.old_audit import OLD_AGENT, OLD_HEAD, old_event, old_rows, verify_old_chain
from workflows import TASK_ROLES

REPO = Path(__file__).resolve().parents[2]
# The revision 0024 follows. When 0024 is re-pointed (down_revision), change this line only.
PREVIOUS = "0023"
MIGRATION = REPO / "service" / "migrations" / "versions" / "0024_audit_codes.py"
SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
EMPTY = ["empty_sqlite_url", pytest.param("empty_postgres_url", marks=pytest.mark.postgres)]
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0024", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and their parameters, as sent) inside the block; SQLite's BEGIN left out."""
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _raw(session: Any, event_id: int) -> tuple[Any, ...]:
    return tuple(session.execute(text("SELECT action, object_type, actor_role FROM audit_event WHERE id = :id"),
                                 {"id": event_id}).one())  # fmt: skip


# --- The registry --------------------------------------------------------------------------------------


@pytest.mark.parametrize("registry", [ACTIONS, OBJECT_TYPES, ROLES], ids=["actions", "object_types", "roles"])
def test_each_text_has_its_own_small_positive_code(registry):
    codes = list(registry.values())
    assert len(set(codes)) == len(codes) and all(isinstance(c, int) and 1 <= c <= 32767 for c in codes)
    assert len(registry) >= 10


def test_a_registry_with_a_code_given_twice_or_out_of_range_is_refused():
    with pytest.raises(ValueError, match="code 3 given twice: 'a.one' and 'a.two'"):
        CodeRegistry("action", {"a.one": 3, "a.two": 3})
    for bad in (0, 32768, "4"):
        with pytest.raises(ValueError, match="not an integer from 1 to 32767"):
            CodeRegistry("action", {"a.one": bad})


def test_every_role_an_actor_can_hold_has_a_code():
    assert set(ROLES) == {role.value for role in Role}
    assert TASK_ROLES <= set(ROLES)


def test_the_migration_keeps_its_own_copy_and_no_code_was_renumbered():
    migration = _migration()
    assert migration.down_revision == PREVIOUS
    source = MIGRATION.read_text(encoding="utf-8")
    assert "import service" not in source and "from service" not in source  # self-contained
    for copy, registry in ((migration.ACTIONS, ACTIONS), (migration.OBJECT_TYPES, OBJECT_TYPES),
                           (migration.ROLES, ROLES)):  # fmt: skip
        # The service may add texts after the migration was written, never change a code it has.
        assert copy.items() <= registry.items()
        assert len(copy) >= 10


def _is_url_for(node: ast.expr) -> bool:
    """A page's form address (`action=url_for(...)` given to a template), not an audit action."""
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "url_for"


def _values_written_by(root: Path) -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
    """Every text given to an event's action, object type or role in the source, and the places that give a
    value computed at run time (file, keyword, expression)."""
    found: dict[str, set[str]] = {"action": set(), "object_type": set(), "actor_role": set()}
    computed: set[tuple[str, str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(root.parent))
        # A function with a parameter named `action` (instance_admin._switch_status): the texts its callers pass.
        takes_action = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and "action" in (names := [a.arg for a in node.args.args]):
                takes_action[node.name] = names.index("action")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in takes_action and len(node.args) > takes_action[name]:
                    value = node.args[takes_action[name]]
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found["action"].add(value.value)
                for keyword in node.keywords:
                    if keyword.arg not in found or _is_url_for(keyword.value):
                        continue
                    texts = [n.value for n in ast.walk(keyword.value)
                             if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip
                    found[keyword.arg].update(texts)
                    if not texts:
                        computed.add((where, keyword.arg, ast.unparse(keyword.value)))
            # The benchmarks' fillers pick from a list: actions = ["task.complete", ...]
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "actions" for t in node.targets):
                found["action"].update(n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant))
    return found, computed


def test_every_action_object_type_and_role_the_service_writes_has_a_code():
    found, computed = _values_written_by(REPO / "service")
    actions = found["action"]
    assert {"task.complete", "instance.suspend", "instance.resume", "auth.login_failed", "user.deactivate",
            "campaign.edit", "dossier.status"} <= actions  # fmt: skip
    assert len(actions) >= 40, "the scan found too little to prove anything"
    assert actions - set(ACTIONS) == set()
    assert found["object_type"] - set(OBJECT_TYPES) == set() and len(found["object_type"]) >= 10
    assert found["actor_role"] - set(ROLES) == set() and found["actor_role"]
    # The values only known at run time: a task's role (a lane's role, one of TASK_ROLES, checked above), an
    # official's role (a Role), record_event's own parameters, the benchmarks' list (scanned above) and the
    # instance admin's action (its callers' texts, scanned above). A new place must be checked and added here.
    assert computed == {
        ("service/bench_province.py", "action", "actions[number % len(actions)]"),
        ("service/bench_province.py", "actor_role", "who.role"),
        ("service/benchmark.py", "action", "actions[number % len(actions)]"),
        ("service/operations/assignments.py", "actor_role", "task.role"),
        ("service/operations/audit.py", "action", "action"),
        ("service/operations/audit.py", "actor_role", "actor_role"),
        ("service/operations/audit.py", "object_type", "object_type"),
        ("service/operations/instance_admin.py", "action", "action"),
        ("service/operations/tasks.py", "actor_role", "task.role"),
    }


# --- Writing and reading -------------------------------------------------------------------------------


def test_texts_are_stored_as_small_integers_and_read_back_as_texts(empty_factory):
    with empty_factory() as session, session.begin():
        complete = record_event(session, action="task.complete", object_type="human_task", object_id="42",
                                actor_role="council_secretary", after={"decision": "approve"})  # fmt: skip
        export = record_event(session, action="audit.export", object_type="audit", object_id="csv")
    engine = empty_factory.kw["bind"]
    with empty_factory() as session:
        assert _raw(session, complete.id) == (31, 8, 5) == (
            ACTIONS["task.complete"], OBJECT_TYPES["human_task"], ROLES["council_secretary"])  # fmt: skip
        assert _raw(session, export.id) == (44, 12, None)
        if engine.dialect.name == "sqlite":
            kinds = session.execute(text("SELECT DISTINCT typeof(action), typeof(object_type) FROM audit_event")).all()
            assert kinds == [("integer", "integer")]
            declared = session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'audit_event'")).scalar_one()
            assert "action SMALLINT NOT NULL" in declared and "actor_role SMALLINT," in declared
        else:
            types = dict(session.execute(text(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'audit_event' "
                "AND column_name IN ('action', 'object_type', 'actor_role')")).all())  # fmt: skip
            assert types == {"action": "smallint", "object_type": "smallint", "actor_role": "smallint"}
        loaded = session.get(AuditEvent, complete.id)
        assert (loaded.action, loaded.object_type, loaded.actor_role) == ("task.complete", "human_task",
                                                                          "council_secretary")  # fmt: skip
        rows = session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.object_type, AuditEvent.actor_role)
                               .order_by(AuditEvent.id)).all()  # fmt: skip
        assert [tuple(r) for r in rows] == [(complete.id, "task.complete", "human_task", "council_secretary"),
                                            (export.id, "audit.export", "audit", None)]  # fmt: skip
        by_text = select(AuditEvent.id).order_by(AuditEvent.id)
        assert session.scalars(by_text.where(AuditEvent.action == "audit.export")).all() == [export.id]
        assert session.scalars(by_text.where(AuditEvent.action.in_(["task.complete", "audit.export"]))).all() \
            == [complete.id, export.id]  # fmt: skip
        assert session.scalars(by_text.where(AuditEvent.actor_role.is_(None))).all() == [export.id]
        assert session.scalars(by_text.where(AuditEvent.object_type != "audit")).all() == [complete.id]
        assert verify_chain(session).ok and loaded.hash == event_hash(loaded, GENESIS_HASH)


def test_a_core_insert_with_texts_stores_codes_as_the_benchmark_fillers_do(empty_factory):
    with empty_factory() as session, session.begin():
        head = session.get(AuditChainHead, 1)
        prev, batch = head.last_hash, []
        for number, (action, role) in enumerate([("task.claim", "office_clerk"), ("auth.login", None)]):
            filled = AuditEvent(occurred_at=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(seconds=number), actor_id=None,
                                actor_role=role, action=action, object_type="dossier", object_id=str(number),
                                dossier_id=number + 1)  # fmt: skip
            filled.hash = prev = event_hash(filled, prev)
            batch.append({c: getattr(filled, c) for c in (
                "occurred_at", "actor_id", "actor_role", "action", "object_type", "object_id", "hash", "dossier_id")})
        ids = session.execute(insert(AuditEvent).returning(AuditEvent.id), batch).scalars().all()
        head.last_event_id, head.last_hash = ids[-1], prev
    with empty_factory() as session:
        assert [_raw(session, i) for i in ids] == [(27, 6, 3), (1, 6, None)]
        assert verify_chain(session).ok


@pytest.mark.parametrize(("field", "value"), [("action", "test.note"), ("object_type", "nominee"),
                                              ("actor_role", "president")])  # fmt: skip
def test_an_unknown_text_is_refused_before_anything_is_written(empty_factory, field, value):
    given = {"action": "dossier.edit", "object_type": "dossier", "actor_role": "unit_clerk", field: value}
    engine = empty_factory.kw["bind"]
    with empty_factory() as session, session.begin():
        kept = record_event(session, action="dossier.edit", object_type="dossier", object_id="1",
                            actor_role="unit_clerk")  # fmt: skip
        with statements(engine) as sent, pytest.raises(ValueError, match=f"unknown audit .*'{value}'"):
            record_event(session, object_id="2", user_agent=FIREFOX, **given)
        assert sent == []  # not even the chain head's lock or the user agent's look-up
    with empty_factory() as session:
        assert session.scalars(select(AuditEvent.id)).all() == [kept.id]
        assert session.scalars(select(UserAgent.text)).all() == []
        assert session.scalars(select(RequestOrigin.id)).all() == []
        assert session.get(AuditChainHead, 1).last_event_id == kept.id
        assert verify_chain(session).ok


def test_an_unknown_text_is_refused_by_a_core_insert_and_in_a_comparison(empty_factory):
    values = {"occurred_at": datetime(2026, 3, 2, tzinfo=UTC), "action": "task.complet", "object_type": "human_task",
              "object_id": "1", "hash": "ab" * 32}  # fmt: skip
    with empty_factory() as session:
        with pytest.raises(StatementError, match="unknown audit action 'task.complet'") as raised:
            session.execute(insert(AuditEvent), [values])
        assert isinstance(raised.value.orig, ValueError)
        session.rollback()
        with pytest.raises(StatementError, match="unknown audit object type 'humantask'"):
            session.scalars(select(AuditEvent.id).where(AuditEvent.object_type == "humantask")).all()
        session.rollback()
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_a_statement_rendered_with_its_values_inline_carries_codes(dialect):
    query = select(AuditEvent.id).where(AuditEvent.action == "task.complete", AuditEvent.actor_role.in_(["noi_vu"]))
    rendered = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    assert "audit_event.action = 31" in rendered and "audit_event.actor_role IN (7)" in rendered
    with pytest.raises(CompileError) as raised:
        select(AuditEvent.id).where(AuditEvent.action == "task").compile(dialect=dialect,
                                                                         compile_kwargs={"literal_binds": True})
    cause = raised.value.__cause__
    assert isinstance(cause, ValueError) and "unknown audit action 'task'" in str(cause)


RAW_EVENT = table("audit_event", column("id", Integer), column("occurred_at", UTCDateTime()),
                  column("actor_role", Integer), column("action", Integer), column("object_type", Integer),
                  column("object_id", String), column("hash", Sha256Digest()))  # fmt: skip


def test_a_code_this_version_does_not_know_is_refused_when_read(empty_factory):
    engine = empty_factory.kw["bind"]
    with engine.begin() as conn:  # as a newer version with a longer registry would write it
        new_id = conn.execute(insert(RAW_EVENT).values(
            occurred_at=datetime(2026, 3, 2, tzinfo=UTC), actor_role=None, action=999, object_type=6, object_id="1",
            hash="ab" * 32).returning(RAW_EVENT.c.id)).scalar_one()  # fmt: skip
    with empty_factory() as session:
        with pytest.raises(ValueError, match="action code 999, which this version does not know"):
            session.get(AuditEvent, new_id)
        session.rollback()
        assert session.scalars(select(AuditEvent.object_type)).all() == ["dossier"]


# --- The auditor's page --------------------------------------------------------------------------------


def test_the_auditors_page_lists_filters_and_exports_by_text(empty_factory):
    written = [("task.complete", "human_task"), ("audit.export", "audit"), ("auth.login", "user"),
               ("task.complete", "human_task")]  # fmt: skip
    with empty_factory() as session, session.begin():
        ids = [record_event(session, action=a, object_type=o, object_id=str(n)).id for n, (a, o) in enumerate(written)]
    with empty_factory() as session:
        # By name, not by code (by code it would be auth.login 1, task.complete 31, audit.export 44).
        assert known_actions(session) == ["audit.export", "auth.login", "task.complete"]
        page = audit_page(session, AuditFilter(action="task.complete"))
        assert [(r.event.id, r.event.action, r.event.object_type) for r in page] == [
            (ids[3], "task.complete", "human_task"), (ids[0], "task.complete", "human_task")]  # fmt: skip
        # An action typed into the address that has no code matches nothing (no error page).
        assert audit_page(session, AuditFilter(action="no.such")) == []
        assert list(audit_rows(session, AuditFilter(action="no.such"))) == []
        assert [(r.event.action, r.event.object_type) for r in audit_rows(session, AuditFilter())] == written


def _plan_as_sent(engine: Engine, query: Any) -> tuple[Any, str]:
    """Run the query as the service does, then ask SQLite for the plan of exactly what was sent."""
    with statements(engine) as sent, make_session_factory(engine)() as session:
        session.execute(query).all()
    [(statement, parameters)] = [s for s in sent if "FROM audit_event" in s[0]]
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return parameters, " | ".join(row[3] for row in rows)


def test_the_action_filter_and_the_dossier_history_bind_codes_and_read_their_indexes(sqlite_url):
    engine = make_engine(sqlite_url)
    parameters, plan = _plan_as_sent(engine, _query(AuditFilter(action="task.complete"))
                                     .order_by(AuditEvent.id.desc()).limit(50))  # fmt: skip
    assert ACTION_CODES["task.complete"] in parameters and "task.complete" not in parameters
    assert "INDEX ix_audit_event_action (" in plan and "TEMP B-TREE" not in plan
    parameters, plan = _plan_as_sent(engine, select(AuditEvent.id).where(dossier_events(7, 9, ["41", "42"])))
    assert OBJECT_TYPES["human_task"] in parameters and OBJECT_TYPES["process_instance"] in parameters
    assert "ix_audit_event_object" in plan
    engine.dispose()


# --- Migration 0024 ------------------------------------------------------------------------------------

# audit_event as it is before 0024 (schema 0021-0023): the three columns hold texts.
OLD_EVENT = table("audit_event", column("id", Integer), column("occurred_at", UTCDateTime()),
                  column("actor_id", Integer), column("actor_role", String), column("actor_unit_id", Integer),
                  column("action", String), column("object_type", String), column("object_id", String),
                  column("before_json", Text), column("after_json", Text), column("comment", Text),
                  column("ip", String), column("user_agent_id", Integer), column("dossier_id", Integer),
                  column("hash", Sha256Digest()))  # fmt: skip
TEXTS = ("action", "object_type", "actor_role")


def _old_rows(url: str) -> list[Any]:
    """Every event as stored before 0024, with its user agent's text, in id order."""
    return old_rows(url, OLD_EVENT)


def _verify_before_0024(url: str) -> int:
    """Walk the chain as stored before 0024 (texts in the rows); the number of events, all linked."""
    return verify_old_chain(url, OLD_EVENT)


def _append_before_0024(url: str) -> None:
    """Events written as the service did before 0024: the texts in the row, chained on the head."""
    engine = make_engine(url)
    with engine.begin() as conn:
        agent = conn.execute(insert(OLD_AGENT).values(text=FIREFOX).returning(OLD_AGENT.c.id)).scalar_one()
        prev = conn.execute(select(OLD_HEAD.c.last_hash)).scalar_one()
        when = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        for number, (action, object_type, role) in enumerate([
            ("task.complete", "human_task", "council_secretary"), ("auth.login_failed", "user", None),
            ("instance.suspend", "process_instance", "admin"), ("records.import", "records", "auditor"),
            ("org.abolish_level", "org_level", None), ("document.generate", "generated_document", "chairman"),
        ]):  # fmt: skip
            values = {"occurred_at": when + timedelta(minutes=number), "actor_id": None, "actor_role": role,
                      "actor_unit_id": None, "action": action, "object_type": object_type, "object_id": str(number),
                      "before_json": None, "after_json": '{"decision":"approve"}', "comment": "Đồng ý đề nghị",
                      "ip": "10.20.30.40", "user_agent_id": agent if number % 2 else None,
                      "dossier_id": None}  # fmt: skip
            agent_text = FIREFOX if number % 2 else None
            digest = event_hash(old_event({**values, "agent_text": agent_text}), prev)
            new_id = conn.execute(insert(OLD_EVENT).values(**values, hash=digest).returning(OLD_EVENT.c.id))\
                .scalar_one()  # fmt: skip
            prev = digest
        conn.execute(OLD_HEAD.update().values(last_event_id=new_id, last_hash=prev))
    engine.dispose()


def _schema_built_to(url: str, revision: str, tmp_path: Path) -> dict[str, Any]:
    """audit_event as the migrations up to `revision` build it on a new database of the same kind."""
    if url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / f'built-to-{revision}.sqlite3'}"
        command.upgrade(alembic_config(fresh), revision)
        return _audit_schema(fresh)
    name = f"{_admin_conninfo()[1]}_{revision}_{uuid.uuid4().hex[:10]}"
    try:
        fresh = _create_database(name)
        command.upgrade(alembic_config(fresh), revision)
        return _audit_schema(fresh)
    finally:
        _drop_database(name)


def _at_head(url: str) -> list[tuple[Any, ...]]:
    """At head: the chain verifies, the schema is the models', the codes are the registry's; every event's
    id, texts and hash."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        result = verify_chain(session)
        assert result.ok and result.checked == len(events), result
        raw = session.execute(text("SELECT action, object_type, actor_role FROM audit_event ORDER BY id")).all()
        assert [tuple(r) for r in raw] == [
            (ACTIONS[e.action], OBJECT_TYPES[e.object_type], None if e.actor_role is None else ROLES[e.actor_role])
            for e in events
        ]  # fmt: skip
        with session.connection() as conn:
            assert schema_differences(conn) == []
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        found = [(e.id, e.action, e.object_type, e.actor_role, e.hash) for e in events]
    engine.dispose()
    return found


def _revision(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(found)


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_migration_0024_keeps_every_text_and_hash_both_ways(request, url_fixture, tmp_path):
    url = request.getfixturevalue(url_fixture)
    at_head_schema = _schema_built_to(url, "head", tmp_path)
    assert _audit_schema(url) == at_head_schema
    seeded = _at_head(url)
    assert len(seeded) > 10

    command.downgrade(alembic_config(url), PREVIOUS)
    # Undone exactly: the schema (column order, indexes with their full definitions, keys, triggers) of a
    # database never upgraded past PREVIOUS, and every event's texts and hash as they were.
    before_schema = _audit_schema(url)
    assert before_schema == _schema_built_to(url, PREVIOUS, tmp_path)
    assert [(r.id, r.action, r.object_type, r.actor_role, r.hash) for r in _old_rows(url)] == seeded
    _append_before_0024(url)
    before = _old_rows(url)
    assert _verify_before_0024(url) == len(before) == len(seeded) + 6

    command.upgrade(alembic_config(url), "head")
    migrated = _at_head(url)
    assert migrated == [(r.id, r.action, r.object_type, r.actor_role, r.hash) for r in before]
    assert _audit_schema(url) == at_head_schema  # every index kept, the partial one with its WHERE
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():  # the service goes on writing
        record_event(session, action="task.claim", object_type="human_task", object_id="7", actor_role="noi_vu")
    engine.dispose()
    assert len(_at_head(url)) == len(before) + 1

    command.downgrade(alembic_config(url), PREVIOUS)
    after = _old_rows(url)
    assert after[:len(before)] == before  # every row exactly as it was
    assert [(r.action, r.object_type, r.actor_role) for r in after[len(before):]] == [("task.claim", "human_task",
                                                                                       "noi_vu")]  # fmt: skip
    assert _verify_before_0024(url) == len(before) + 1
    assert _audit_schema(url) == before_schema
    command.upgrade(alembic_config(url), "head")
    assert len(_at_head(url)) == len(before) + 1
    if url.startswith("postgresql"):  # the migration never turned audit_event's append-only trigger off
        engine = make_engine(url)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET comment = NULL"))
        engine.dispose()


@pytest.mark.parametrize("url_fixture", EMPTY)
@pytest.mark.parametrize(("field", "value"), [("action", "test.note"), ("object_type", "nominee"),
                                              ("actor_role", "President")])  # fmt: skip
def test_migration_0024_refuses_a_text_without_a_code_and_changes_nothing(request, url_fixture, field, value):
    url = request.getfixturevalue(url_fixture)
    command.downgrade(alembic_config(url), PREVIOUS)
    _append_before_0024(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        values = {"occurred_at": datetime(2026, 3, 2, tzinfo=UTC), "action": "dossier.edit", "object_type": "dossier",
                  "actor_role": None, "object_id": "1", "hash": "ab" * 32, field: value}  # fmt: skip
        odd = [conn.execute(insert(OLD_EVENT).values(**values).returning(OLD_EVENT.c.id)).scalar_one()
               for _ in range(2)]  # fmt: skip
    engine.dispose()
    rows, schema = _old_rows(url), _audit_schema(url)

    with pytest.raises(ValueError, match=f"audit_event {odd[0]}: {field} '{value}' has no code"):
        command.upgrade(alembic_config(url), "head")
    assert _revision(url) == PREVIOUS
    assert _audit_schema(url) == schema and _old_rows(url) == rows


@pytest.mark.parametrize("url_fixture", EMPTY)
def test_migration_0024_downgrade_refuses_a_code_it_does_not_know_and_changes_nothing(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        record_event(session, action="task.claim", object_type="human_task", object_id="7", actor_role="noi_vu")
    engine.dispose()
    # At 0024 itself, so that what is undone before it (once later revisions exist) is not part of the test:
    # on PostgreSQL a refused downgrade undoes them too, on SQLite it does not.
    command.downgrade(alembic_config(url), "0024")
    engine = make_engine(url)
    with engine.begin() as conn:  # a code a later version added
        newer = conn.execute(insert(RAW_EVENT).values(
            occurred_at=datetime(2026, 3, 2, tzinfo=UTC), actor_role=77, action=27, object_type=8, object_id="1",
            hash="ab" * 32).returning(RAW_EVENT.c.id)).scalar_one()  # fmt: skip
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
    engine.dispose()
    schema = _audit_schema(url)

    with pytest.raises(ValueError, match=f"audit_event {newer}: actor_role code 77 is not in the registry"):
        command.downgrade(alembic_config(url), PREVIOUS)
    assert _revision(url) == "0024"
    assert _audit_schema(url) == schema
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM audit_event ORDER BY id")).all() == stored
    engine.dispose()
