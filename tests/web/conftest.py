"""HTTP fixtures: an app on a fresh SQLite file with the shipped BPMN and demo data, and a login helper."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.app_factory import build_app
from service.config import Config
from service.db import make_engine, make_session_factory, session_scope, upgrade_schema
from service.domain.actors import Actor
from service.operations.definitions import deploy_definition
from service.operations.demo import load_demo
from service.storage import FileStore
from tests.conftest import FILES
from workflows import FixedClock

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu-thử"


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("http-template") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_schema(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        deploy_definition(session, Actor(None, "test"), (REPO / "bpmn" / "commendation_chain.bpmn").read_bytes())
        load_demo(session, PASSWORD, FileStore(FILES))
    engine.dispose()
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app(demo_db_template: Path, tmp_path: Path, clock: FixedClock) -> Flask:
    db = tmp_path / "app.sqlite3"
    shutil.copy(demo_db_template, db)
    config = Config.for_tests(database_url=f"sqlite:///{db}", instance_dir=tmp_path)
    return build_app(config, clock=clock)


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
