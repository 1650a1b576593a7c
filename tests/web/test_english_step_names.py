"""In English an official reads the shipped chain's steps in English: the task page's heading, description and
"returned from step", the dossier page's waiting step, history and path, the notices, the admin pages of a running
process and of a version; the history tells each decision in its step's own words ("Met", "Passed", "Agreed"), and
the diagram's pages give diagram.js the names it draws in English. Vietnamese stays as the BPMN gives it."""

from __future__ import annotations

import html
import json
import re

import pytest
from markupsafe import escape
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import OrgUnit, ProcessInstance, ProcessVersion
from service.operations.accounts import actor_for
from service.operations.demo import username_for
from service.operations.tasks import complete_task, open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_dossier_page_history import CLERK, advance, history_labels, lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

OFFICE = "hn-hd-pl.office_clerk"
WARD_REVIEW = "Appraise the dossier (ward/commune office)"
PREPARE = "Prepare and submit the commendation dossier"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _diagram_names(page: str) -> dict[str, str] | None:
    found = re.search(r'<script type="application/json" id="element-labels">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)) if found else None


def _path(page: str) -> list[str]:
    listed = page.split('data-testid="path">')[1].split("</ol>")[0]
    return [html.unescape(name) for name in re.findall(r"<li[^>]*>([^<]*)</li>", listed)]


def _return_at_the_ward_office(app: Flask, dossier_id: int, reason: str) -> int:
    """The ward office returns the dossier to its unit; the id of the unit's task it opens."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        task = open_task_for(session, dossier_id)
        unit = session.get(OrgUnit, task.org_unit_id)
        actor = actor_for(session, username_for(unit.code, task.role))
        complete_task(session, actor, engine, task.id, "return", reason)
    with factory() as session:
        return open_task_for(session, dossier_id).id


def test_the_task_page_names_its_step_and_describes_it_in_english(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="ward_office_review")
    auth.login(OFFICE)
    english = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    assert f"<h1>{escape(WARD_REVIEW)}</h1>" in english
    description = english.split('data-testid="step-description">')[1].split("</p>")[0]
    assert html.unescape(description).startswith("The ward/commune People's Committee Office receives the dossier")
    assert history_labels(english) == [("unit_prepare", "Submitted")]
    assert f"<td>{PREPARE}</td>" in english  # the history's step
    assert _text(english.split('data-testid="dossier-status"')[1]).count(f"Waiting at: {WARD_REVIEW}") == 1
    names = _diagram_names(english)
    assert names and names["Thẩm định hồ sơ (Văn phòng UBND phường/xã)"] == WARD_REVIEW and names["Đạt"] == "Met"
    assert "Thẩm định hồ sơ" not in _text(english.split("<body")[1])  # not in what the page shows

    vietnamese = client.get(f"/inbox/tasks/{task_id}?lang=vi").get_data(as_text=True)
    assert "<h1>Thẩm định hồ sơ (Văn phòng UBND phường/xã)</h1>" in vietnamese
    assert history_labels(vietnamese) == [("unit_prepare", "Nộp hồ sơ")]
    assert _diagram_names(vietnamese) is None  # the diagram keeps the BPMN's words


def test_a_returned_task_names_the_returning_step_and_the_notices_name_steps_in_english(
        app: Flask, client: FlaskClient, auth: Auth, monkeypatch):  # fmt: skip
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    advance(app, dossier_id, until="ward_office_review")
    auth.login(OFFICE)
    notices = _text(client.get("/notifications/?lang=en").get_data(as_text=True))
    assert f"New task: {WARD_REVIEW} — dossier “Đề nghị Bằng khen năm 2024”." in notices
    assert "Thẩm định hồ sơ" not in notices
    auth.logout()

    task_id = _return_at_the_ward_office(app, dossier_id, "Thiếu biên bản họp")
    auth.login(CLERK)
    page = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    assert f"<h1>{PREPARE}</h1>" in page
    returned = _text(page.split('data-testid="task-returned">')[1].split("</div>")[0])
    assert f"from the step “{WARD_REVIEW}”" in returned
    assert history_labels(page) == [("unit_prepare", "Submitted"), ("ward_office_review", "Returned for supplement")]
    notices = _text(client.get("/notifications/?lang=en").get_data(as_text=True))
    assert f"was returned for supplement at the step “{WARD_REVIEW}” (ward/commune level). Reason:" in notices
    assert "Thẩm định hồ sơ" not in notices and "Lập và nộp" not in notices


def test_the_dossier_page_tells_the_history_and_path_in_the_steps_own_english_words(app: Flask, client: FlaskClient,
                                                                                    auth: Auth):  # fmt: skip
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    assert advance(app, dossier_id, returns={"ward_council_vote": "Cần thẩm định lại thành tích"}) is None
    auth.login(CLERK)
    english = client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True)
    assert [label for _, label in history_labels(english)] == [
        "Submitted", "Met", "Returned for appraisal", "Met", "Passed", "Agreed",
        "Met", "Passed", "Agreed", "Met", "Passed", "Agreed"]  # fmt: skip
    steps = re.findall(r'<tr data-step="[^"]+"><td>[^<]*</td><td>([^<]*)</td>', english)
    council = "Emulation & Commendation Council meets and votes"
    assert [html.unescape(s) for s in steps[:3]] == [PREPARE, WARD_REVIEW, council]
    assert html.unescape(steps[-1]) == "Chairman reviews and decides"
    path = _path(english)
    assert path[:2] == ["Dossier preparation starts", PREPARE]
    assert "Appraise the dossier (provincial Commendation Board)" in path
    assert path[-1] == "Certificate of Merit of the provincial People's Committee Chairman"
    assert [name for name in path if re.search(r"[^\x00-\x7f→]", name)] == []  # no Vietnamese left
    names = _diagram_names(english)
    assert names and names["Tặng Bằng khen của Chủ tịch UBND tỉnh"].startswith("Certificate of Merit")

    vietnamese = client.get(f"/dossiers/{dossier_id}?lang=vi").get_data(as_text=True)
    assert [label for _, label in history_labels(vietnamese)][:6] == [
        "Nộp hồ sơ", "Đạt", "Trả lại thẩm định", "Đạt", "Thông qua", "Đồng ý"]  # fmt: skip
    assert _path(vietnamese)[:2] == ["Bắt đầu lập hồ sơ", "Lập và nộp hồ sơ đề nghị khen thưởng"]
    assert _diagram_names(vietnamese) is None


def test_the_admin_pages_name_the_steps_and_the_process_in_english(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Ngô Văn Quản"])
    advance(app, dossier_id, until="ward_office_review")
    with app.extensions["thidua.session_factory"]() as session:
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))
        version_id = session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id))
    auth.login("admin")
    instance = client.get(f"/instances/{instance_id}?lang=en").get_data(as_text=True)
    open_tasks = instance.split('data-testid="open-tasks">')[1].split("</table>")[0]
    assert f"<td>{escape(WARD_REVIEW)}</td>" in open_tasks
    assert (_diagram_names(instance) or {}).get("Chủ tịch xem xét, quyết định") == "Chairman reviews and decides"
    processes = _text(client.get("/processes/?lang=en").get_data(as_text=True))
    assert "Commendation review (commendation_chain)" in re.sub(r"\s+", " ", processes)
    version = client.get(f"/processes/versions/{version_id}?lang=en").get_data(as_text=True)
    assert "— Commendation review <span" in version
    names = _diagram_names(version)
    assert names and names["Quy trình xét khen thưởng phong trào thi đua"] == (
        "Commendation review process of emulation campaigns")
    # The editor keeps the BPMN's words (admins edit them), and the Vietnamese pages give no English.
    assert _diagram_names(client.get(f"/processes/versions/{version_id}/edit?lang=en").get_data(as_text=True)) is None
    assert _diagram_names(client.get(f"/processes/versions/{version_id}?lang=vi").get_data(as_text=True)) is None
    assert "<td>Thẩm định hồ sơ (Văn phòng UBND phường/xã)</td>" in client.get(
        f"/instances/{instance_id}").get_data(as_text=True)
