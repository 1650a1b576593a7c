"""Shared fixtures: seeded SQLite and PostgreSQL databases (copied from a template per test), clocks."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory, session_scope, upgrade_schema
from service.domain.actors import Actor
from service.operations.definitions import deploy_definition
from service.operations.campaigns import import_campaign, read_campaign_file
from service.operations.demo import load_demo
from service.storage import FileStore

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
