"""How a request's reads end: on PostgreSQL READ ONLY and with COMMIT (never ROLLBACK, which would make
psycopg forget the connection's prepared statements); on SQLite with ROLLBACK. Either way a change made
outside transaction() is never kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from service.app_factory import build_app
from service.config import Config
from service.models import OrgUnit
from service.web.context import get_session
from tests.conftest import FILES
from tests.web.conftest import Auth
from workflows import FixedClock


def _count_endings(app: Flask) -> dict[str, int]:
    counts = {"commit": 0, "rollback": 0}
    engine = app.extensions["thidua.db_engine"]
    event.listen(engine, "commit", lambda _conn: counts.__setitem__("commit", counts["commit"] + 1))
    event.listen(engine, "rollback", lambda _conn: counts.__setitem__("rollback", counts["rollback"] + 1))
    return counts


def _with_a_view_writing_outside_transaction(app: Flask) -> None:
    @app.get("/_test/writes-without-transaction")
    def writes_without_transaction() -> str:
        session = get_session()
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL")).one()
        unit.name = "Đã đổi ngoài giao dịch"
        session.flush()
        return "written"

    app.config["PROPAGATE_EXCEPTIONS"] = False


def _ward_name(app: Flask) -> str | None:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(OrgUnit.name).where(OrgUnit.code == "HN-HD-PL"))


@pytest.fixture
def postgres_app(postgres_url: str, tmp_path: Path) -> Flask:
    config = replace(Config.for_tests(database_url=postgres_url, instance_dir=tmp_path), upload_dir=FILES)
    app = build_app(config, clock=FixedClock())
    yield app
    app.extensions["thidua.db_engine"].dispose()


def test_on_postgresql_a_page_view_ends_its_reads_with_commit(postgres_app: Flask) -> None:
    client: FlaskClient = postgres_app.test_client()
    Auth(client).login("hn-hd-pl.office_clerk")
    counts = _count_endings(postgres_app)
    assert client.get("/inbox/").status_code == 200
    assert counts["rollback"] == 0
    assert counts["commit"] >= 1


def test_on_postgresql_a_write_outside_transaction_is_refused(postgres_app: Flask) -> None:
    _with_a_view_writing_outside_transaction(postgres_app)
    client: FlaskClient = postgres_app.test_client()
    Auth(client).login("hn-hd-pl.office_clerk")
    assert client.get("/_test/writes-without-transaction").status_code == 500  # READ ONLY transaction
    assert _ward_name(postgres_app) == "Phường Phú Lãm"


def test_on_sqlite_a_write_outside_transaction_is_not_kept(app: Flask, client, auth: Auth) -> None:
    _with_a_view_writing_outside_transaction(app)
    auth.login("hn-hd-pl.office_clerk")
    counts = _count_endings(app)
    client.get("/_test/writes-without-transaction")
    assert counts["rollback"] >= 1
    assert _ward_name(app) == "Phường Phú Lãm"
