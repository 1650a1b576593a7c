"""A collective or person proposed in two dossiers of one unit in one campaign (a browser walk found Khu phố 1 asking a
Bằng khen for itself twice, unnoticed at every step): the dossier page says so to everyone who reads it, naming the
other dossier, in Vietnamese and English; the name matches up to case, spacing and Unicode form; a withdrawn dossier
proposes nobody; another unit's namesake is not a duplicate. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import HumanTask, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_dossier_page_history import CLERK, lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

WARD_OFFICE = "hn-hd-pl.office_clerk"


def _warning(page: str) -> str | None:
    match = re.search(r'<div class="flash error" role="status" data-testid="duplicate-nominees">(.*?)</div>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else None


def _withdraw(app: Flask, dossier_id: int) -> None:
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        task = session.scalar(select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                              .where(ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready"))
        complete_task(session, actor_for(session, CLERK), engine, task.id, "withdraw", "Nộp trùng, rút hồ sơ này")


def test_a_nominee_proposed_in_two_dossiers_of_the_unit_is_said_on_both_pages(app: Flask, client: FlaskClient,
                                                                             auth: Auth):  # fmt: skip
    first = lodge(app, ["Nguyễn Văn Bình", "Trần Thị Hoa"])
    # The same person typed otherwise: capitals, double space, decomposed diacritics.
    second = lodge(app, [unicodedata.normalize("NFD", "nguyễn  văn BÌNH"), "Lê Văn Nam"])
    auth.login(CLERK)
    on_second = _warning(client.get(f"/dossiers/{second}").get_data(as_text=True))
    assert on_second is not None
    assert f"cũng được đề nghị trong hồ sơ số {first} “Đề nghị Bằng khen năm 2024”" in on_second
    assert "Trần Thị Hoa" not in on_second and "Lê Văn Nam" not in on_second
    on_first = _warning(client.get(f"/dossiers/{first}").get_data(as_text=True))
    assert on_first is not None and on_first.startswith("Đề nghị trùng: Nguyễn Văn Bình cũng được đề nghị")
    assert f"hồ sơ số {second}" in on_first and f'href="/dossiers/{second}"' in client.get(
        f"/dossiers/{first}").get_data(as_text=True)
    english = _warning(client.get(f"/dossiers/{first}?lang=en").get_data(as_text=True))
    assert english is not None and f"Nguyễn Văn Bình is also proposed in the unit's dossier no. {second}" in english
    # A reviewer above reads it too (the ward office once the dossier is submitted).
    auth.logout()
    auth.login(WARD_OFFICE)
    client.get("/inbox/?lang=vi")
    assert f"hồ sơ số {second}" in (_warning(client.get(f"/dossiers/{first}").get_data(as_text=True)) or "")


def test_a_withdrawn_dossier_proposes_nobody_and_other_names_are_no_duplicates(app: Flask, client: FlaskClient,
                                                                             auth: Auth):  # fmt: skip
    first = lodge(app, ["Phạm Minh Đức"])
    second = lodge(app, ["Phạm Minh Đức"])
    third = lodge(app, ["Phạm Minh Đứ"])  # one letter short: another person
    auth.login(CLERK)
    assert _warning(client.get(f"/dossiers/{third}").get_data(as_text=True)) is None
    assert f"hồ sơ số {second}" in (_warning(client.get(f"/dossiers/{first}").get_data(as_text=True)) or "")
    _withdraw(app, second)
    assert _warning(client.get(f"/dossiers/{first}").get_data(as_text=True)) is None
    assert _warning(client.get(f"/dossiers/{second}").get_data(as_text=True)) is None  # withdrawn: said nothing
