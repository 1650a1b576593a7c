"""The JSON API: tokens, a dossier from creation to the ward office's approval, errors, authorisation."""

from __future__ import annotations

import io

import pytest
from openapi_spec_validator import validate

from service.operations.demo import sample_pdf
from tests.web.conftest import PASSWORD


def token(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_wrong_credentials_say_the_same_for_unknown_users(client):
    for username in ("hn-hd-pl.office_clerk", "khong.co.ai"):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "sai"})
        assert response.status_code == 401
        assert response.get_json()["error"]["message"] == "Sai tên đăng nhập hoặc mật khẩu."


@pytest.mark.parametrize("header", [None, "Bearer garbage", "Basic abc"])
def test_missing_or_bad_tokens_get_401_json(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(client, clock):
    headers = token(client, "hn-hd-pl.office_clerk")
    clock.advance(hours=13)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_me_and_campaigns(client):
    headers = token(client, "hn-hd-pl-tp.unit_clerk")
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["username"] == "hn-hd-pl-tp.unit_clerk" and me["roles"][0]["unit_code"] == "HN-HD-PL-TP"
    codes = {c["code"] for c in client.get("/api/v1/campaigns", headers=headers).get_json()["campaigns"]}
    assert "PL-CCHC-2024" in codes and "MT-CCHC-2015" not in codes


def test_a_dossier_through_the_api_to_the_council(client):
    clerk = token(client, "hn-hd-pl-tc.unit_clerk")
    unit_id = client.get("/api/v1/me", headers=clerk).get_json()["roles"][0]["unit_id"]
    created = client.post("/api/v1/dossiers", headers=clerk, json={
        "campaign_code": "PL-CCHC-2024", "unit_id": unit_id, "title": "Đề nghị khen thưởng qua API",
        "nominees": [{"kind": "individual", "full_name": "Hoàng Thị Mai", "award_form_code": "GK-XA", "position": "Kế toán"}]})  # fmt: skip
    assert created.status_code == 201
    dossier = created.get_json()
    assert dossier["status"] == "draft" and dossier["missing_documents"]
    dossier_id, nominee_id = dossier["id"], dossier["nominees"][0]["id"]
    early = client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=clerk)
    assert early.status_code == 400 and early.get_json()["error"]["details"]["missing"]
    for kind, nominee in (("meeting_minutes", ""), ("achievement_report", nominee_id), ("summary_sheet", nominee_id)):
        response = client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=clerk, content_type="multipart/form-data",
                               data={"kind": kind, "nominee_id": str(nominee), "file": (io.BytesIO(sample_pdf(kind)), "tệp.pdf")})  # fmt: skip
        assert response.status_code == 201 and response.get_json()["sha256"]
    submitted = client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=clerk)
    assert submitted.status_code == 200 and submitted.get_json()["next_steps"] == ["ward_office_review"]

    office = token(client, "hn-hd-pl.office_clerk")
    tasks = client.get("/api/v1/tasks", headers=office).get_json()["tasks"]
    (task,) = [t for t in tasks if t["dossier_id"] == dossier_id]
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=office).get_json()
    assert {d["value"] for d in detail["decisions"]} == {"approve", "return", "reject"}
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=office).get_json()["claimed_by"]
    bad = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "grant"})
    assert bad.status_code == 400
    no_reason = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "return"})
    assert no_reason.status_code == 400 and "lý do" in no_reason.get_json()["error"]["message"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "approve", "comment": "Đủ"})
    assert done.status_code == 200 and done.get_json()["next_steps"] == ["ward_council_vote"]
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "approve"})
    assert again.status_code == 409
    shown = client.get(f"/api/v1/dossiers/{dossier_id}", headers=office).get_json()
    assert shown["status"] == "in_review" and shown["history"][-1]["decision"] == "approve"
    doc = shown["documents"][0]
    file = client.get(f"/api/v1/dossiers/{dossier_id}/documents/{doc['id']}", headers=office)
    assert file.status_code == 200 and file.data.startswith(b"%PDF")


def test_other_wards_and_other_units_cannot_reach_a_dossier_or_its_task(client):
    office = token(client, "hn-hd-pl.office_clerk")
    (task,) = client.get("/api/v1/tasks", headers=office).get_json()["tasks"][:1]
    dossier_id = task["dossier_id"]
    stranger = token(client, "qn-hl-gd.office_clerk")
    assert client.get(f"/api/v1/dossiers/{dossier_id}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/tasks/{task['id']}/complete", headers=stranger, json={"decision": "approve"}).status_code == 404
    for guess in range(1, 40):  # guessing ids finds nothing outside the stranger's own province
        response = client.get(f"/api/v1/dossiers/{guess}", headers=stranger)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.get_json()["unit"]["code"].startswith("QN")
        for path in (f"/api/v1/tasks/{guess}/claim", f"/api/v1/tasks/{guess}/complete"):
            assert client.post(path, headers=stranger, json={"decision": "approve"}).status_code in (404, 409)
    neighbour = token(client, "hn-hd-pl-tc.unit_clerk")  # a unit of the same ward that did not lodge it
    assert client.get(f"/api/v1/dossiers/{dossier_id}", headers=neighbour).status_code == 404
    assert client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=neighbour).status_code == 404
    upload = client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=neighbour, content_type="multipart/form-data",
                         data={"kind": "other", "file": (io.BytesIO(sample_pdf("x")), "x.pdf")})  # fmt: skip
    assert upload.status_code == 404


def test_malformed_json_and_unknown_routes_answer_in_json(client):
    headers = token(client, "hn-hd-pl-tp.unit_clerk")
    response = client.post("/api/v1/dossiers", headers={**headers, "Content-Type": "application/json"}, data="{nope")
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    missing = client.get("/api/v1/nope", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_openapi_document_is_valid_and_covers_every_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    documented = {path.replace("{", "<").replace("}", ">") for path in doc["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1")
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", f"<{arg}>")
            assert path in documented, path
