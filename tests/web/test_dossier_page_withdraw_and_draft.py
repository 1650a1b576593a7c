"""The dossier page: the unit clerk withdraws the dossier there as on the task page (same rule, refusals and audit
event); a new tờ trình draft replaces the previous one and says it still needs signing; the process diagram is
given its lanes in words."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, Dossier, HumanTask, OrgUnit, ProcessInstance, RoleAssignment, User
from service.operations.accounts import actor_for, hash_password
from service.operations.tasks import claim_task
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database, csrf_from
from tests.web.test_dossier_page_history import CLERK, advance, lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)
REASON = "Đơn vị đã đề nghị ở phong trào khác, không đề nghị lại ở đây"


def status_of(app: Flask, dossier_id: int) -> str:
    with app.extensions["thidua.session_factory"]() as session:
        return str(session.get(Dossier, dossier_id).status)


def completions(app: Flask, dossier_id: int) -> list[dict[str, object]]:
    with app.extensions["thidua.session_factory"]() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.dossier_id == dossier_id,
                                                          AuditEvent.action == "task.complete").order_by(AuditEvent.id))  # fmt: skip
        return [{**json.loads(e.after_json), "comment": e.comment, "role": e.actor_role} for e in events]


def withdraw_form(page: str) -> str | None:
    match = re.search(r'<form[^>]*data-testid="withdraw-form".*?</form>', page, re.S)
    return match.group(0) if match else None


def proposal_button(page: str) -> str:
    return html.unescape(re.search(r'<button type="submit" data-testid="proposal-button">(.*?)</button>', page, re.S).group(1))


def flash_errors(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<div class="flash error">(.*?)</div>', page, re.S)]


def test_the_unit_clerk_withdraws_from_the_dossier_page_with_the_task_pages_event(app: Flask, client: FlaskClient,
                                                                                  auth: Auth):  # fmt: skip
    dossier_id = lodge(app, ["Nguyễn Văn Rút"])
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    form = withdraw_form(page)
    assert form is not None and 'name="reason"' in form and f'action="/dossiers/{dossier_id}/withdraw"' in form
    response = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(page), "reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dossiers/{dossier_id}")
    assert status_of(app, dossier_id) == "withdrawn"
    # The task page's event: the preparation step completed with "withdraw", the reason as its comment.
    assert completions(app, dossier_id) == [{"step": "unit_prepare", "decision": "withdraw", "comment": REASON,
                                            "role": "unit_clerk"}]  # fmt: skip
    shown = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Đã rút hồ sơ. Trạng thái hồ sơ: Đơn vị đã rút." in shown
    assert withdraw_form(shown) is None  # nothing left to withdraw
    again = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(shown), "reason": REASON})
    assert again.status_code == 409 and "không rút được nữa" in flash_errors(again.get_data(as_text=True))[0]
    assert len(completions(app, dossier_id)) == 1


def test_withdrawal_is_offered_where_the_unit_holds_the_dossier_and_to_its_clerk_only(app: Flask, client: FlaskClient,
                                                                                      auth: Auth):  # fmt: skip
    dossier_id = lodge(app, ["Trần Thị Xét"])
    advance(app, dossier_id, until="ward_office_review")  # submitted: at the ward office
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert withdraw_form(page) is None
    refused = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(page), "reason": REASON})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "đang được xét" in flash_errors(shown)[0]
    assert f"#{dossier_id}</h1>" in shown and status_of(app, dossier_id) == "in_review"
    # Returned to the unit: the clerk may withdraw it again, as the task page would let them.
    advance(app, dossier_id, until="unit_prepare", returns={"ward_office_review": "Thiếu biên bản họp bình xét"})
    assert withdraw_form(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)) is not None
    # The ward office sees the dossier but holds no step of the unit: no form, and a post is forbidden.
    auth.logout()
    auth.login("hn-hd-pl.office_clerk")
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert withdraw_form(page) is None
    forbidden = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(page), "reason": REASON})
    assert forbidden.status_code == 403 and 'data-testid="withdraw-form"' not in forbidden.get_data(as_text=True)
    assert status_of(app, dossier_id) == "returned"
    assert [e["decision"] for e in completions(app, dossier_id)] == ["submit", "return"]


def test_a_refused_withdrawal_comes_back_to_the_dossier_page_with_the_reason_typed(app: Flask, client: FlaskClient,
                                                                                 auth: Auth):  # fmt: skip
    dossier_id = lodge(app, ["Lê Văn Giữ"])
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():  # a second clerk of the unit
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        colleague = User(username="hn-hd-pl-tp.unit_clerk2", full_name="Phạm Thị Hai", password_hash=hash_password(PASSWORD))
        session.add(colleague)
        session.flush()
        session.add(RoleAssignment(user_id=colleague.id, role="unit_clerk", org_unit_id=unit.id))
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    with factory() as session, session.begin():  # meanwhile the colleague takes the unit's task
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.state == "ready", HumanTask.bpmn_id == "unit_prepare",
                                                            HumanTask.instance_id.in_(
                select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))))  # fmt: skip
        claim_task(session, actor_for(session, "hn-hd-pl-tp.unit_clerk2"), engine, task_id)
    with factory() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    refused = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(page), "reason": REASON})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert flash_errors(shown) == ["Việc này đang do Phạm Thị Hai nhận xử lý."]  # who holds it, not "a colleague"
    # The page no longer offers what the colleague's claim blocks; it says who handles it, once.
    assert withdraw_form(shown) is None and shown.count("đang do Phạm Thị Hai xử lý") == 1
    english = client.post(f"/dossiers/{dossier_id}/withdraw?lang=en", data={"_csrf": csrf_from(page), "reason": REASON})
    assert flash_errors(english.get_data(as_text=True)) == ["Phạm Thị Hai has claimed this task."]
    # Nothing was written: the dossier is still the unit's draft, and no event was added.
    assert status_of(app, dossier_id) == "draft"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        assert session.get(HumanTask, task_id).state == "ready"


def _reason_refused(page: str) -> str:
    return html.unescape(re.search(r'<textarea id="withdraw-reason"([^>]*)>(.*?)</textarea>', page, re.S).group(0))


def test_a_withdrawal_without_a_reason_is_refused_on_the_dossier_page(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Vũ Văn Lý"])
    auth.login(CLERK)
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert " required>" in _reason_refused(withdraw_form(page) or "")  # the browser asks first
    refused = client.post(f"/dossiers/{dossier_id}/withdraw", data={"_csrf": csrf_from(page), "reason": "  \n "})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and flash_errors(shown) == ["Phải ghi rõ lý do khi rút hồ sơ."]
    assert withdraw_form(shown) is not None and status_of(app, dossier_id) == "draft" and completions(app, dossier_id) == []
    english = client.post(f"/dossiers/{dossier_id}/withdraw?lang=en", data={"_csrf": csrf_from(page), "reason": ""})
    assert flash_errors(english.get_data(as_text=True)) == ["A reason is required to withdraw the dossier."]


def test_a_withdrawal_without_a_reason_is_refused_on_the_task_page(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Đỗ Thị Lý"])
    with app.extensions["thidua.session_factory"]() as session:
        task_id = session.scalar(select(HumanTask.id).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                                 .where(ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready"))  # fmt: skip
    auth.login(CLERK)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    refused = client.post(f"/inbox/tasks/{task_id}/complete",
                          data={"_csrf": csrf_from(page), "decision": "withdraw", "comment": " "})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Phải ghi rõ lý do khi rút hồ sơ." in html.unescape(shown)
    assert re.search(r'name="decision" value="withdraw"[^>]* checked', shown)  # the choice made is kept
    assert status_of(app, dossier_id) == "draft" and completions(app, dossier_id) == []


def test_a_new_tờ_trình_replaces_the_draft_on_the_page_which_says_it_needs_signing(app: Flask, client: FlaskClient,
                                                                                 auth: Auth):  # fmt: skip
    auth.login(CLERK)
    page = client.get("/dossiers/1").get_data(as_text=True)  # the demo's draft of Bộ phận Tư pháp - Hộ tịch
    assert proposal_button(page) == "Tạo tờ trình của đơn vị"  # no draft yet
    firsts = [client.post("/dossiers/1/proposal", data={"_csrf": csrf_from(page)}).headers["Location"] for _ in range(3)]
    shown = client.get("/dossiers/1").get_data(as_text=True)
    assert proposal_button(shown) == "Lập lại tờ trình (thay bản nháp trước)"  # a draft exists: the new one replaces it
    assert proposal_button(client.get("/dossiers/1?lang=en").get_data(as_text=True)) == (
        "Draw up the proposal letter again (replaces the previous draft)")
    generated = re.search(r'data-testid="generated">(.*?)</ul>', shown, re.S).group(1)
    assert generated.count("To-trinh-ho-so-1.pdf") == 1  # the newest draft only, not three of the same name
    newest = firsts[-1].split("?")[0]
    assert f'href="{newest}"' in generated
    note = re.search(r'data-testid="draft-note">(.*?)</small>', generated, re.S).group(1)
    assert html.unescape(note) == "Bản nháp do hệ thống lập — cần ký và tải lên bản có chữ ký"
    # A replaced draft stays on record and can still be fetched, as a replaced upload can.
    old = client.get(firsts[0].split("?")[0])
    assert old.status_code == 200 and old.data.startswith(b"%PDF")
    english = client.get("/dossiers/1?lang=en").get_data(as_text=True)
    assert "Draft made by the system — it must be signed, and the signed copy uploaded" in html.unescape(english)


def test_the_dossier_and_task_pages_give_the_diagram_its_lanes_in_words(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Đỗ Văn Làn"])
    task_id = advance(app, dossier_id, until="ward_office_review")

    def lanes(page: str) -> dict[str, str]:
        found = re.search(r'<script type="application/json" id="lane-labels">(.*?)</script>', page, re.S)
        assert found, "no lane labels on the page"
        return json.loads(found.group(1))

    auth.login("hn-hd-pl.office_clerk")
    on_dossier = lanes(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True))
    on_task = lanes(client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True))
    assert on_dossier == on_task
    assert on_dossier["chairman@province"] == "Chủ tịch UBND cấp tỉnh/thành phố"
    assert on_dossier["office_clerk@ward"] == "Công chức Văn phòng cấp phường/xã"
    assert on_dossier["unit_clerk@unit"] == "Cán bộ thi đua đơn vị"
    english = lanes(client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True))
    assert set(english) == set(on_dossier) and english["chairman@province"] == "Chairman (province/city)"
    assert english["council_secretary@district"] == "Council secretary (district)"
