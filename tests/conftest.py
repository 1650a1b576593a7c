"""Shared fixtures: seeded and empty SQLite/PostgreSQL databases (copied from templates), rolled-back sessions."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory, session_scope, upgrade_schema
from service.domain.actors import Actor
from service.operations.definitions import deploy_definition
from service.operations.campaigns import import_campaign, read_campaign_file
from service.operations.demo import load_demo
from service.storage import FileStore
from workflows import Engine as WorkflowEngine, FixedClock

REPO = Path(__file__).resolve().parents[1]
CHAIN = REPO / "bpmn" / "commendation_chain.bpmn"
TEST_CAMPAIGN = REPO / "tests" / "data" / "test-campaign-all-levels.yaml"
DEMO_PASSWORD = "mật-khẩu-thử"
# Uploaded files are content-addressed, so one folder can serve every test database of a run.
FILES = Path(os.environ.get("THIDUA_TEST_FILES", "/tmp/thidua-test-files"))
POSTGRES_URL = os.environ.get("THIDUA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/thidua_test")


def seed(url: str, files: Path) -> None:
    """Schema by migrations, the shipped chain deployed, the demo org, users, campaigns and dossiers."""
    upgrade_schema(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        deploy_definition(session, Actor(None, "test"), CHAIN.read_bytes(), filename=CHAIN.name)
        load_demo(session, DEMO_PASSWORD, FileStore(files))
        spec = read_campaign_file(TEST_CAMPAIGN.read_text(encoding="utf-8"), TEST_CAMPAIGN.name)
        import_campaign(session, Actor(None, "test"), spec, datetime.now(UTC))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "seeded.sqlite3"
    seed(f"sqlite:///{path}", FILES)
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def _admin_conninfo() -> tuple[str, str]:
    """(conninfo of the maintenance database, name of the test database) from POSTGRES_URL."""
    base, _, name = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    return f"{base}/postgres", name


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    admin, name = _admin_conninfo()
    template = f"{name}_template_{os.getpid()}"  # two test runs on one server never share a template
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - make test starts PostgreSQL
        pytest.fail(f"PostgreSQL is not reachable at {admin}: {exc}. Run 'make test' (it starts it).")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{template}"')
    url = POSTGRES_URL.rpartition("/")[0] + f"/{template}"
    seed(url, FILES)
    yield template
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    admin, name = _admin_conninfo()
    database = f"{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{postgres_template}"')
    yield POSTGRES_URL.rpartition("/")[0] + f"/{database}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A freshly seeded database: every test using it runs on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


# --- Empty databases: the migrated schema and nothing else (but the audit chain head row) ---------------
# For persistence tests that build their own rows with tests/factories.py.

# A test that asks for any of these runs against PostgreSQL, so it carries the `postgres` marker by itself.
POSTGRES_FIXTURES = frozenset({"postgres_template", "postgres_url", "empty_postgres_template", "empty_postgres_url",
                               "postgres_session"})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def empty_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-empty") / "empty.sqlite3"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def empty_sqlite_url(empty_sqlite_template: Path, tmp_path: Path) -> str:
    """A per-test copy of a freshly migrated SQLite file: commit freely."""
    target = tmp_path / "empty.sqlite3"
    shutil.copy(empty_sqlite_template, target)
    return f"sqlite:///{target}"


def _create_database(name: str, template: str | None = None) -> str:
    admin, _ = _admin_conninfo()
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - make test starts PostgreSQL
        pytest.fail(f"PostgreSQL is not reachable at {admin}: {exc}. Run 'make test' (it starts it).")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return POSTGRES_URL.rpartition("/")[0] + f"/{name}"


def _drop_database(name: str) -> None:
    with psycopg.connect(_admin_conninfo()[0], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def empty_postgres_template() -> Iterator[str]:
    """Name of a database migrated once per test run (per process, so parallel runs never share it)."""
    name = f"{_admin_conninfo()[1]}_empty_{os.getpid()}"
    upgrade_schema(_create_database(name))
    yield name
    _drop_database(name)


@pytest.fixture
def empty_postgres_url(empty_postgres_template: str) -> Iterator[str]:
    """A per-test copy of the migrated PostgreSQL database: commit freely."""
    name = f"{_admin_conninfo()[1]}_e{uuid.uuid4().hex[:10]}"
    url = _create_database(name, template=empty_postgres_template)
    yield url
    _drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty migrated database, once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"empty_{request.param}_url"))


@contextmanager
def _rolled_back_session(engine: Engine) -> Iterator[Session]:
    """SQLAlchemy 2.0's recipe: the test's commits become savepoints of one outer transaction rolled back."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def sqlite_session(empty_sqlite_url: str) -> Iterator[Session]:
    engine = make_engine(empty_sqlite_url)
    with _rolled_back_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session")
def _postgres_rollback_engine(empty_postgres_template: str) -> Iterator[Engine]:
    # One database for every rolled-back session of the run; a copy, so the template stays unconnected.
    name = f"{_admin_conninfo()[1]}_rb_{os.getpid()}"
    engine = make_engine(_create_database(name, template=empty_postgres_template))
    yield engine
    engine.dispose()
    _drop_database(name)


@pytest.fixture
def postgres_session(_postgres_rollback_engine: Engine) -> Iterator[Session]:
    with _rolled_back_session(_postgres_rollback_engine) as session:
        yield session


@pytest.fixture
def session(sqlite_session: Session) -> Session:
    """The default: an empty migrated SQLite database, everything rolled back after the test."""
    return sqlite_session


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_session(request: pytest.FixtureRequest) -> Session:
    """A rolled-back session on an empty migrated database: the test runs on SQLite and on PostgreSQL."""
    session: Session = request.getfixturevalue(f"{request.param}_session")
    return session


@pytest.fixture
def clock() -> FixedClock:
    """A fixed clock for the workflow engine and the app (tests move it by hand)."""
    return FixedClock()


@pytest.fixture
def engine(clock: FixedClock) -> WorkflowEngine:
    """The workflow engine on the fixed clock (a module needing another engine defines its own)."""
    return WorkflowEngine(clock)
