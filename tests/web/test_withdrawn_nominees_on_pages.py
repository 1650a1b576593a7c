"""After a unit withdraws its dossier, its page shows the nominees as withdrawn, not under review; the campaign
dashboard counts them apart; a draft's nominees show as being prepared."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import Nominee
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task, open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_dossier_page_history import advance, lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def outcome_cell(page: str, nominee_id: int) -> str:
    match = re.search(rf'data-testid="outcome-{nominee_id}">(.*?)</td>', page, re.S)
    assert match, f"no outcome cell for nominee {nominee_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def nominee_ids(app: Flask, dossier_id: int) -> list[int]:
    with app.extensions["thidua.session_factory"]() as session:
        return list(session.scalars(select(Nominee.id).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)))


def test_a_withdrawn_dossiers_nominees_read_withdrawn_on_its_page_and_the_dashboard(app: Flask, client: FlaskClient,
                                                                                   auth: Auth) -> None:  # fmt: skip
    withdrawn = lodge(app, ["Người Đã Rút"])
    advance(app, withdrawn, until="ward_office_review")  # submitted
    draft = lodge(app, ["Người Chưa Nộp"])
    auth.login("hn-hd-pl-tp.unit_clerk")
    page = client.get(f"/dossiers/{withdrawn}").get_data(as_text=True)
    assert outcome_cell(page, nominee_ids(app, withdrawn)[0]) == "Đang xét"  # at the ward office
    # Returned to the unit, which withdraws it.
    advance(app, withdrawn, until="unit_prepare", returns={"ward_office_review": "Thiếu biên bản họp bình xét"})
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        task = open_task_for(session, withdrawn)
        complete_task(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), engine, task.id, "withdraw",
                      "Không đề nghị nữa")
    page = client.get(f"/dossiers/{withdrawn}").get_data(as_text=True)
    assert "Đơn vị đã rút" in page
    assert outcome_cell(page, nominee_ids(app, withdrawn)[0]) == "Đã rút"
    page = client.get(f"/dossiers/{draft}").get_data(as_text=True)
    assert outcome_cell(page, nominee_ids(app, draft)[0]) == "Đang lập"

    auth.logout()
    auth.login("hn-hd-pl.chairman")
    board = client.get("/campaigns/TEST-PL-ALL/dashboard").get_data(as_text=True)
    chart = re.search(r'data-testid="chart">(.*?)</svg>', board, re.S).group(1)
    bars = dict(re.findall(r'font-size="13">([^<]+)</text>\s*<rect[^>]*>\s*</rect>\s*<text[^>]*>(\d+)</text>', chart))
    assert bars == {"Đã rút": "1", "Đang lập": "1"}
