"""How a request's transactions end: reads with COMMIT (never ROLLBACK), writes only inside transaction()."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from tests.web.conftest import Auth


def _count_endings(app: Flask) -> dict[str, int]:
    counts = {"commit": 0, "rollback": 0}
    engine = app.extensions["thidua.db_engine"]
    event.listen(engine, "commit", lambda _conn: counts.__setitem__("commit", counts["commit"] + 1))
    event.listen(engine, "rollback", lambda _conn: counts.__setitem__("rollback", counts["rollback"] + 1))
    return counts


def test_a_page_view_ends_its_reads_with_commit(app: Flask, client, auth: Auth) -> None:
    auth.login("hn-hd-pl.office_clerk")
    counts = _count_endings(app)
    response = client.get("/inbox/")
    assert response.status_code == 200
    # A ROLLBACK would make psycopg forget the connection's prepared statements on PostgreSQL.
    assert counts["rollback"] == 0
    assert counts["commit"] >= 1


def test_a_view_writing_outside_transaction_fails_and_changes_nothing(app: Flask, client, auth: Auth) -> None:
    from sqlalchemy import select

    from service.models import OrgUnit
    from service.web.context import get_session

    @app.get("/_test/writes-without-transaction")
    def writes_without_transaction() -> str:
        session = get_session()
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL")).one()
        unit.name = "Đã đổi ngoài giao dịch"
        session.flush()  # refused: the request's reads cannot write
        return "written"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login("hn-hd-pl.office_clerk")
    assert client.get("/_test/writes-without-transaction").status_code == 500
    with app.extensions["thidua.session_factory"]() as session:
        name = session.scalar(select(OrgUnit.name).where(OrgUnit.code == "HN-HD-PL"))
    assert name == "Phường Phú Lãm"
