"""The dossier page as the tester walked it: the history says what each step decided in its own words ("Đạt",
"Thông qua", "Đồng ý"), and a chairman's reason for turning a nominee down stands on the nominee's row for
everyone who can see the dossier."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents, username_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import PASSWORD, Auth, csrf_from

CLERK = "hn-hd-pl-tp.unit_clerk"
REASON = "Chưa đủ tiêu chuẩn theo Điều 39 Luật Thi đua, khen thưởng"


def lodge(app: Flask, names: list[str]) -> int:
    """A dossier of Bằng khen nominees (granted by the province), with its documents, not yet submitted."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, CLERK)
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id,
                                 title="Đề nghị Bằng khen năm 2024",
                                 nominees=[NomineeInput("individual", name, "BK-TINH") for name in names])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        return dossier.id


def advance(app: Flask, dossier_id: int, until: str | None = None, returns: dict[str, str] | None = None) -> int | None:
    """Complete the open steps as their owners (submit, then approve; `returns` maps a step to the reason it
    returns the dossier with, once) until the open task is at `until`; that task's id, or None at the end."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    returns = dict(returns or {})
    while True:
        with factory() as session, session.begin():
            task = open_task_for(session, dossier_id)
            if task is None or task.bpmn_id == until:
                return task.id if task is not None else None
            unit = session.get(OrgUnit, task.org_unit_id)
            actor = actor_for(session, username_for(unit.code, task.role))
            reason = returns.pop(task.bpmn_id, None)
            decision = "return" if reason else ("submit" if task.bpmn_id == "unit_prepare" else "approve")
            complete_task(session, actor, engine, task.id, decision, reason,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip


def history_labels(page: str) -> list[tuple[str, str]]:
    """(step, decision as shown) of each line of the page's history, oldest first."""
    rows = re.findall(r'<tr data-step="([^"]+)">.*?data-testid="decision-\d+"[^>]*>([^<]*)</strong>', page, re.DOTALL)
    return [(step, html.unescape(label)) for step, label in rows]


def test_the_history_says_what_each_step_offered_not_the_generic_approve(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    assert advance(app, dossier_id, returns={"ward_council_vote": "Cần thẩm định lại thành tích"}) is None
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert history_labels(page) == [
        ("unit_prepare", "Nộp hồ sơ"), ("ward_office_review", "Đạt"), ("ward_council_vote", "Trả lại thẩm định"),
        ("ward_office_review", "Đạt"), ("ward_council_vote", "Thông qua"), ("ward_chairman_decide", "Đồng ý"),
        ("district_noi_vu_review", "Đạt"), ("district_council_vote", "Thông qua"),
        ("district_chairman_decide", "Đồng ý"),
        ("province_ban_review", "Đạt"), ("province_council_vote", "Thông qua"), ("province_chairman_decide", "Đồng ý"),
    ]  # fmt: skip
    assert "Cần thẩm định lại thành tích" in page
    # In English the steps' own words, told as done (web/step_words_en.py).
    english = history_labels(client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True))
    assert [label for _, label in english] == ["Submitted", "Met", "Returned for appraisal", "Met", "Passed", "Agreed",
                                               "Met", "Passed", "Agreed", "Met", "Passed", "Agreed"]


def test_a_step_the_version_lacks_reads_as_the_generic_label(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    advance(app, dossier_id, until="ward_council_vote")
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        task = session.scalars(select(HumanTask).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                               .where(ProcessInstance.dossier_id == dossier_id,
                                      HumanTask.bpmn_id == "ward_office_review")).one()  # fmt: skip
        task.bpmn_id = "old_step"  # as if the version had no such step (the view falls back to the code's label)
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert history_labels(page) == [("unit_prepare", "Nộp hồ sơ"), ("old_step", "Đồng ý")]


def test_the_province_chairmans_reason_for_a_nominee_shows_on_the_dossier_page(app: Flask, client: FlaskClient,
                                                                                auth: Auth):  # fmt: skip
    dossier_id = lodge(app, ["Nguyễn Văn Ánh", "Trần Thị Bình"])
    task_id = advance(app, dossier_id, until="province_chairman_decide")
    with app.extensions["thidua.session_factory"]() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    kept, refused = ids["Nguyễn Văn Ánh"], ids["Trần Thị Bình"]
    auth.login("hn.chairman")
    form = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert f'name="nominee_{refused}"' in form
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(form), "decision": "approve", "comment": "",
        f"nominee_{kept}": "approve", f"reason_{kept}": "",
        f"nominee_{refused}": "reject", f"reason_{refused}": REASON})  # fmt: skip
    assert response.status_code == 302
    auth.logout()
    for viewer in (CLERK, "hn-hd-pl.office_clerk", "hn.chairman"):
        auth.login(viewer)
        page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
        auth.logout()
        row = page.split(f'data-testid="outcome-{refused}"')[1].split("</td>")[0]
        assert "Không được khen cấp tỉnh/thành phố" in row, viewer
        reason = re.search(rf'data-testid="refusal-reason-{refused}">([^<]*)<', row)
        assert reason and html.unescape(reason.group(1)) == REASON, viewer
        assert "Chủ tịch xem xét, quyết định" in row and "cấp tỉnh/thành phố" in row.split(REASON)[1]
        assert f'data-testid="refusal-{kept}"' not in page
        assert "Được khen cấp tỉnh/thành phố" in page.split(f'data-testid="outcome-{kept}"')[1].split("</td>")[0]


def test_a_failed_council_vote_shows_its_reason_and_votes(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Người đạt", "Người không đạt"])
    task_id = advance(app, dossier_id, until="ward_council_vote")
    with app.extensions["thidua.session_factory"]() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    ok, ko = ids["Người đạt"], ids["Người không đạt"]
    auth.login("hn-hd-pl.council_secretary")
    form = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(form), "decision": "approve", "council_size": "7", "present": "5",
        f"nominee_{ok}": "approve", f"votes_for_{ok}": "4", f"votes_against_{ok}": "1",
        f"nominee_{ko}": "approve", f"votes_for_{ko}": "2", f"votes_against_{ko}": "3"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    row = html.unescape(page.split(f'data-testid="outcome-{ko}"')[1].split("</td>")[0])
    assert "Không được khen cấp phường/xã" in row and "Không đạt tỷ lệ phiếu (2/5)" in row
    assert "Họp Hội đồng TĐKT, biểu quyết" in row
    assert "Phiếu đồng ý: 2" in row and "Phiếu không đồng ý: 3" in row and "Số thành viên có mặt: 5" in row
    assert f'data-testid="refusal-{ok}"' not in page
    # The API says the same: the refusal with its votes, and each history line's decision as its step worded it.
    token = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl.council_secretary",
                                                    "password": PASSWORD}).get_json()["token"]  # fmt: skip
    shown = client.get(f"/api/v1/dossiers/{dossier_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    refusals = {n["id"]: n["refusal"] for n in shown["nominees"]}
    assert refusals[ok] is None
    assert (refusals[ko]["step"], refusals[ko]["level"], refusals[ko]["votes_for"], refusals[ko]["votes_against"],
            refusals[ko]["members_present"], refusals[ko]["reason"]) == ("ward_council_vote", "ward", 2, 3, 5,
                                                                         "Không đạt tỷ lệ phiếu (2/5)")  # fmt: skip
    labels = [(h["step"], h["decision"], h["decision_label"]) for h in shown["history"]]
    assert labels[:2] == [("unit_prepare", "submit", "Nộp hồ sơ"), ("ward_office_review", "approve", "Đạt")]
