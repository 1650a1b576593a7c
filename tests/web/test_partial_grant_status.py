"""A dossier some of whose nominees were granted and others not is shown as granted in part ("Được khen thưởng một
phần"), as its notice says, on the dossier and task pages, after the decision, and on the campaign dashboard; a
dossier granted whole still reads "Được khen thưởng". The stored status is unchanged. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.domain.dossier_status import GRANTED_IN_PART, shown_status
from service.models import Dossier, Nominee
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task, open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from tests.web.test_batches import at_ward_chairman

CHAIRMAN = "hn-hd-pl.chairman"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _status(page: str) -> str:
    match = re.search(r'data-testid="dossier-status">([^<]*)<', page)
    assert match, "no status shown"
    return html.unescape(match.group(1))


# The link to the dossier just decided, at the end of the message a decision leaves on the inbox.
DOSSIER_LINK = r'\s*<a [^>]*data-testid="decided-dossier"[^>]*>.*?</a>'


def _flashes(page: str) -> list[str]:
    """The page's messages in words (after a decision, on the inbox, without the link to the dossier decided)."""
    return [html.unescape(re.sub(r"\s+", " ", re.sub(DOSSIER_LINK, "", text))).strip()
            for text in re.findall(r'<div class="flash \w+">(.*?)</div>', page, re.S)]


def test_a_partly_granted_dossier_reads_granted_in_part_wherever_its_status_is_shown(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh", "Lê Văn Bình"], award="GK-XA")
    whole = at_ward_chairman(app, "HN-HD-PL-VH", ["Ngô Thị Xử"], award="GK-XA")
    with factory() as session:
        task_id = open_task_for(session, dossier_id).id
        nominees = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    auth.login(CHAIRMAN)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    refused = nominees["Lê Văn Bình"]
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", f"nominee_{nominees['Vũ Thị Hạnh']}": "approve",
        f"nominee_{refused}": "reject", f"reason_{refused}": "Chưa đủ 2 năm công tác"})  # fmt: skip
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any(f.endswith("Trạng thái hồ sơ: Được khen thưởng một phần.") for f in _flashes(shown)), _flashes(shown)
    with factory() as session, session.begin():
        assert session.get(Dossier, dossier_id).status == "granted"  # stored as the process ended; shown in part
        complete_task(session, actor_for(session, CHAIRMAN), engine, open_task_for(session, whole).id, "approve")

    assert _status(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)) == "Được khen thưởng một phần"
    assert _status(client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True)) == "Granted in part"
    assert _status(client.get(f"/inbox/tasks/{task_id}?lang=vi").get_data(as_text=True)) == "Được khen thưởng một phần"
    assert _status(client.get(f"/dossiers/{whole}").get_data(as_text=True)) == "Được khen thưởng"

    board = client.get("/campaigns/TEST-PL-ALL/dashboard").get_data(as_text=True)
    table = board.split('data-testid="units"')[1]
    headers = [html.unescape(h) for h in re.findall(r"<th>([^<]*)</th>", table.split("</thead>")[0])]
    assert "Được khen thưởng một phần" in headers and "Được khen" in headers
    cells = {html.unescape(unit): re.findall(r"<td>([^<]*)</td>", row)
             for unit, row in re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", table, re.S)}  # fmt: skip
    partly, granted = headers.index("Được khen thưởng một phần") - 1, headers.index("Được khen") - 1
    assert cells["Bộ phận Tư pháp - Hộ tịch"][partly] == "1" and cells["Bộ phận Tư pháp - Hộ tịch"][granted] == "0"
    assert cells["Bộ phận Văn hóa - Thông tin"][granted] == "1" and cells["Bộ phận Văn hóa - Thông tin"][partly] == "0"
    english = client.get("/campaigns/TEST-PL-ALL/dashboard?lang=en").get_data(as_text=True)
    assert "<th>Granted in part</th>" in english.split('data-testid="units"')[1].split("</thead>")[0]  # as the status


@pytest.mark.parametrize(("status", "outcomes", "shown"), [
    ("granted", ["granted", "rejected"], GRANTED_IN_PART),
    ("granted", ["granted", None], "granted"),  # one left without its own outcome takes the dossier's
    ("rejected", ["granted", "rejected"], GRANTED_IN_PART),  # granted at the ward, then refused at the district
    ("rejected", [None, "rejected"], "rejected"),
    ("granted", [], "granted"),
    ("in_review", ["granted", "rejected"], "in_review"),  # not ended: as stored
])
def test_shown_status(status, outcomes, shown):
    assert shown_status(status, outcomes) == shown
