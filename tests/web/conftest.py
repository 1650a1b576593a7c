"""HTTP fixtures: an app on a fresh SQLite file with the shipped BPMN and demo data, and a login helper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import select

from service.app_factory import build_app
from service.config import Config
from service.models import OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.storage import FileStore
from tests.conftest import FILES, seed
from workflows import FixedClock

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu-thử"


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("http-template") / "demo.sqlite3"
    seed(f"sqlite:///{path}", FILES)
    return path


@pytest.fixture
def app(demo_db_template: Path, tmp_path: Path, clock: FixedClock) -> Flask:
    db = tmp_path / "app.sqlite3"
    shutil.copy(demo_db_template, db)
    # Uploaded files of the seeded template live in FILES; the app must find them there.
    config = replace(Config.for_tests(database_url=f"sqlite:///{db}", instance_dir=tmp_path), upload_dir=FILES)
    return build_app(config, clock=clock)


# For a test module that also runs on PostgreSQL: `app = pytest.fixture(params=EACH_DATABASE, name="app")(
# app_on_each_database)` there makes its `app` (and `client`) the SQLite one, then the same seeded data on PostgreSQL.
EACH_DATABASE = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def app_on_each_database(request: pytest.FixtureRequest, app: Flask, tmp_path: Path,
                         clock: FixedClock) -> Iterator[Flask]:  # fmt: skip
    """The web tests' app (SQLite), or the same seeded data served from PostgreSQL."""
    if request.param == "sqlite":
        yield app
        return
    url = str(request.getfixturevalue("postgres_url"))
    config = replace(Config.for_tests(database_url=url, instance_dir=tmp_path / "pg"), upload_dir=FILES)
    served = build_app(config, clock=clock)
    yield served
    served.extensions["thidua.db_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """flaskr's AuthActions: log in and out as a demo user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        token = csrf_from(self.client.get("/auth/login").get_data(as_text=True))
        return self.client.post("/auth/login", data={"username": username, "password": password, "_csrf": token})

    def logout(self):  # type: ignore[no-untyped-def]
        token = csrf_from(self.client.get("/inbox/").get_data(as_text=True))
        return self.client.post("/auth/logout", data={"_csrf": token})

    def token(self, path: str = "/inbox/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


def submit_dossiers(app, count: int, unit_code: str = "HN-HD-PL-TC") -> list[int]:
    """Dossiers of one unit, submitted to the ward office; returns their open task ids."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    task_ids = []
    for number in range(count):
        with factory() as session, session.begin():
            clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
            unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
            dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id,
                                     title=f"Hồ sơ số {number + 1}",
                                     nominees=[NomineeInput("individual", f"Người số {number + 1}", "GK-XA")])  # fmt: skip
            attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
            task = open_task_for(session, dossier.id)
            complete_task(session, clerk, engine, task.id, "submit")
            task_ids.append(open_task_for(session, dossier.id).id)
    return task_ids
