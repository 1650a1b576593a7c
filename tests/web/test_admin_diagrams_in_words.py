"""The admin pages of a running process and of a process version show the diagram's lanes in words, as the dossier
page does (the editor keeps the codes: admins edit them); the instance page names roles and history in words."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import ProcessInstance, ProcessVersion
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_dossier_page_history import lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _lanes(page: str) -> dict[str, str] | None:
    found = re.search(r'<script type="application/json" id="lane-labels">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)) if found else None


def _cells(page: str, testid: str, column: int) -> list[str]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', page, re.S)
    assert table, f"no {testid} table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1).split("</thead>")[-1], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[column])).strip()
            for r in rows]  # fmt: skip


def test_the_instance_page_shows_lanes_roles_and_history_in_words(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Ngô Văn Quản"])
    with app.extensions["thidua.session_factory"]() as session:
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))
    auth.login("admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    lanes = _lanes(page)
    assert lanes and lanes["council_secretary@ward"] == "Thư ký HĐTĐKT cấp phường/xã"
    assert _cells(page, "open-tasks", 2) == ["Cán bộ thi đua"] and 'data-role="unit_clerk"' in page
    history = _cells(page, "instance-history", 1)
    assert "Lập hồ sơ" in history and "dossier.create" not in history
    english = client.get(f"/instances/{instance_id}?lang=en").get_data(as_text=True)
    assert _lanes(english)["chairman@district"] == "Chairman (district)"
    assert _cells(english, "open-tasks", 2) == ["Commendation officer"]
    assert "Create dossier" in _cells(english, "instance-history", 1)


def test_a_version_page_shows_lanes_in_words_and_the_editor_keeps_the_codes(app: Flask, client: FlaskClient,
                                                                          auth: Auth):  # fmt: skip
    with app.extensions["thidua.session_factory"]() as session:
        version_id = session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id))
    auth.login("admin")
    lanes = _lanes(client.get(f"/processes/versions/{version_id}").get_data(as_text=True))
    assert lanes and lanes["chairman@province"] == "Chủ tịch UBND cấp tỉnh/thành phố"
    assert _lanes(client.get(f"/processes/versions/{version_id}/edit").get_data(as_text=True)) is None
