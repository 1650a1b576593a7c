"""The chairman decides on the council's recommendation: the task page shows, for every nominee the council decided
(passed on or refused), its result, the votes for and against and the members present out of the council's size; the
batch page ("Xét theo đợt") shows them beside each nominee and lists those the council refused."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.models import Dossier, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)
CHAIRMAN = "hn-hd-pl.chairman"


def voted(app: Flask, unit_code: str, votes: dict[str, tuple[int, int]]) -> tuple[int, int, dict[str, int]]:
    """A dossier whose ward council voted nominee by nominee (9 members, 7 present; 50% of those present passes):
    (dossier id, the chairman's task id, nominee ids by name)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=unit.name,
                                 nominees=[NomineeInput("individual", name, "GK-HUYEN") for name in votes])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    for username, decision in ((f"{unit_code.lower()}.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve")):
        with factory() as session, session.begin():
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id, decision,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    with factory() as session, session.begin():
        results = {ids[name]: NomineeResult(True, None, yes, no) for name, (yes, no) in votes.items()}
        complete_task(session, actor_for(session, "hn-hd-pl.council_secretary"), engine,
                      open_task_for(session, dossier_id).id, "approve", nominee_results=results,
                      council=CouncilCount(9, 7))  # fmt: skip
    with factory() as session:
        task = open_task_for(session, dossier_id)
        assert task.bpmn_id == "ward_chairman_decide"
        return dossier_id, task.id, ids


def council_rows(page: str) -> dict[int, tuple[str, str, str, str]]:
    """Nominee id → (result, votes for, votes against, present/size) as the task page's council card shows them."""
    card = re.search(r'data-testid="council-results">(.*?)</table>', page, re.S)
    assert card, "no council results on the page"
    rows = {}
    for nominee in re.findall(r'data-council-nominee="(\d+)"', card.group(1)):
        cell = {key: html.unescape(re.search(rf'data-testid="council-{key}-{nominee}"[^>]*>(.*?)</', card.group(1), re.S)
                                   .group(1)).strip() for key in ("result", "for", "against", "present")}  # fmt: skip
        rows[int(nominee)] = (cell["result"], cell["for"], cell["against"], cell["present"])
    return rows


def test_the_chairmans_task_page_shows_the_councils_result_and_votes_for_every_nominee(app: Flask, client: FlaskClient,
                                                                                        auth: Auth):  # fmt: skip
    _, task_id, ids = voted(app, "HN-HD-PL-TP", {"Người đạt nhiều": (6, 1), "Người vừa đạt": (4, 3),
                                                 "Người không đạt": (2, 5)})  # fmt: skip
    auth.login(CHAIRMAN)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert council_rows(page) == {
        ids["Người đạt nhiều"]: ("Thông qua", "6", "1", "7/9"),
        ids["Người vừa đạt"]: ("Thông qua", "4", "3", "7/9"),
        ids["Người không đạt"]: ("Không thông qua", "2", "5", "7/9"),  # refused by the votes, listed all the same
    }
    assert "Không đạt tỷ lệ phiếu (2/7)" in re.search(r'data-testid="council-results">(.*?)</table>', page, re.S).group(1)
    english = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    assert "Result of the Emulation &amp; Commendation Council meeting" in english
    assert {row[0] for row in council_rows(english).values()} == {"Passed", "Not passed"}


def test_the_chairmans_batch_shows_the_councils_votes_beside_each_nominee_and_those_it_refused(app: Flask,
                                                                                               client: FlaskClient,
                                                                                               auth: Auth):  # fmt: skip
    _, _, first_ids = voted(app, "HN-HD-PL-TP", {"Người một": (6, 1), "Người hai": (1, 6)})
    _, _, second_ids = voted(app, "HN-HD-PL-VH", {"Người ba": (5, 2)})
    auth.login(CHAIRMAN)
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)

    def row(nominee_id: int, attribute: str = "data-nominee") -> str:
        found = re.search(rf'<tr[^>]*{attribute}="{nominee_id}">(.*?)</tr>', page, re.S)
        assert found, f"no row for nominee {nominee_id}"
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())

    assert "Thông qua Phiếu đồng ý: 6 · Phiếu không đồng ý: 1 · Có mặt / tổng số thành viên: 7/9" in row(first_ids["Người một"])
    assert "Thông qua Phiếu đồng ý: 5 · Phiếu không đồng ý: 2 · Có mặt / tổng số thành viên: 7/9" in row(second_ids["Người ba"])
    # The one the council refused is not in the form, but is listed under its dossier with its votes.
    assert f'name="nominee_{first_ids["Người hai"]}"' not in page
    refused = row(first_ids["Người hai"], "data-council-refused")
    assert "Người hai" in refused and "Không thông qua" in refused and "Phiếu đồng ý: 1 · Phiếu không đồng ý: 6" in refused
    assert "Không đạt tỷ lệ phiếu (1/7)" in refused
