"""GET /dossiers/<id>/diagram.json: the version's BPMN XML and the path, for the bpmn-js viewer on the page."""

from __future__ import annotations

import re

from tests.web.conftest import Auth, csrf_from

# Demo dossier 2 (Bộ phận Văn hóa - Thông tin, phường Phú Lãm) was submitted and waits at the ward office.
WAITING_AT_WARD_OFFICE = 2


def test_the_json_has_the_xml_and_the_path_so_far(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    response = client.get(f"/dossiers/{WAITING_AT_WARD_OFFICE}/diagram.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"xml", "completed", "current", "cancelled"}
    assert 'id="commendation_chain"' in data["xml"] and "Thẩm định hồ sơ (Văn phòng UBND phường/xã)" in data["xml"]
    assert data["current"] == ["ward_office_review"]
    assert data["completed"] == ["gw_unit_prepare", "start", "unit_prepare"] and data["cancelled"] == []
    assert not set(data["current"]) & set(data["completed"])


def test_after_an_approval_the_task_is_done_and_the_council_vote_is_current(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    task_id = int(re.search(r'data-task-id="(\d+)"', inbox).group(1))  # type: ignore[union-attr]
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    client.post(f"/inbox/tasks/{task_id}/complete",
                data={"decision": "approve", "comment": "Đủ hồ sơ", "_csrf": csrf_from(page), "confirm": ticks})  # fmt: skip
    data = client.get(f"/dossiers/{WAITING_AT_WARD_OFFICE}/diagram.json").get_json()
    assert "ward_office_review" in data["completed"] and data["current"] == ["ward_council_vote"]


def test_a_dossier_out_of_reach_or_missing_is_404(client, auth: Auth):
    auth.login("qn-hl-gd.office_clerk")  # another province: may not read the Phú Lãm dossier
    assert client.get(f"/dossiers/{WAITING_AT_WARD_OFFICE}/diagram.json").status_code == 404
    assert client.get("/dossiers/999999/diagram.json").status_code == 404


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(f"/dossiers/{WAITING_AT_WARD_OFFICE}/diagram.json")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
