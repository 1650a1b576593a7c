"""The JSON API: tokens, a dossier from creation to the ward office's approval, errors, authorisation."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import ApiToken, AuditEvent, RoleAssignment, User
from service.operations.accounts import hash_password
from service.operations.demo import sample_pdf
from service.operations.timers import fire_due_timers
from service.operations.tokens import hash_token
from tests.web.conftest import PASSWORD, submit_dossiers

CAMPAIGN = "TEST-PL-ALL"  # a ward campaign asking for all four documents (tests/data/test-campaign-all-levels.yaml)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


def unit_of(client: FlaskClient, headers: dict[str, str], role: str) -> int:
    roles = client.get("/api/v1/me", headers=headers).get_json()["roles"]
    return next(r["unit_id"] for r in roles if r["role"] == role)


def upload(client: FlaskClient, headers: dict[str, str], dossier_id: int, kind: str, nominee_id: int | None = None,
           name: str = "Biên bản họp.pdf"):  # type: ignore[no-untyped-def]
    data = {"kind": kind, "nominee_id": str(nominee_id or ""), "file": (io.BytesIO(sample_pdf(kind)), name)}
    return client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=headers, data=data,
                       content_type="multipart/form-data")  # fmt: skip


def new_dossier(client: FlaskClient, clerk: dict[str, str]) -> dict:  # type: ignore[type-arg]
    created = client.post("/api/v1/dossiers", headers=clerk, json={
        "campaign_code": CAMPAIGN, "unit_id": unit_of(client, clerk, "unit_clerk"),
        "title": "Đề nghị khen thưởng Bộ phận Tài chính - Kế toán",
        "nominees": [{"kind": "individual", "full_name": "Phạm Thị Lan", "position": "Kế toán",
                      "award_form_code": "GK-XA"}],
    })  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/dossiers/{created.get_json()['id']}")
    return created.get_json()


def ready_dossier(client: FlaskClient, clerk: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """A dossier with its four required documents uploaded, not yet submitted."""
    dossier = new_dossier(client, clerk)
    nominee_id = client.get(f"/api/v1/dossiers/{dossier['id']}", headers=clerk).get_json()["nominees"][0]["id"]
    for kind, nominee in (("meeting_minutes", None), ("proposal_letter", None),
                          ("achievement_report", nominee_id), ("summary_sheet", nominee_id)):  # fmt: skip
        response = upload(client, clerk, dossier["id"], kind, nominee)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["kind"] == kind and response.get_json()["nominee_id"] == nominee
    return dossier


def add_office_clerk(app: Flask, ward_id: int, username: str) -> None:
    with app.extensions["thidua.session_factory"]() as db, db.begin():
        user = User(username=username, full_name="Trần Văn Bình", password_hash=hash_password(PASSWORD))
        db.add(user)
        db.flush()
        db.add(RoleAssignment(user_id=user.id, role="office_clerk", org_unit_id=ward_id))


# Tokens ------------------------------------------------------------------------------------------------------------


def test_token_is_issued_for_twelve_hours_stored_hashed_and_audited(app, client, clock):
    response = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl.office_clerk", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_at"] == (clock.now() + timedelta(hours=12)).isoformat()
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    with app.extensions["thidua.session_factory"]() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(body["token"])))
        assert row is not None and row.last_used_at == clock.now()
        assert db.scalar(select(ApiToken).where(ApiToken.token_hash == body["token"])) is None
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.id.desc()))


def test_token_use_is_recorded_to_the_minute_without_a_write_per_call(app, client, clock):
    token = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl.office_clerk", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def last_used():  # type: ignore[no-untyped-def]
        with app.extensions["thidua.session_factory"]() as db:
            return db.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_token(token)))

    first = clock.now()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used() == first
    clock.advance(seconds=59)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used() == first  # within the minute: nothing written
    clock.advance(seconds=1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used() == first + timedelta(seconds=60)


def test_wrong_credentials_say_the_same_for_unknown_users_and_are_audited(app, client):
    answers = []
    for username in ("hn-hd-pl.office_clerk", "khong.co.ai"):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "sai"})
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        answers.append(error_of(response))
    assert answers[0] == answers[1] and answers[0]["message"] == "Sai tên đăng nhập hoặc mật khẩu."
    with app.extensions["thidua.session_factory"]() as db:
        failed = db.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "auth.login_failed")).all()
    assert "khong.co.ai" in failed


BAD_HEADERS = [None, "", "Bearer", "Bearer garbage", "Basic YWRtaW46ZGVtbw==", "Bearer " + "x" * 500]


@pytest.mark.parametrize("header", BAD_HEADERS)
def test_missing_or_bad_tokens_get_401_json(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header is not None else {})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] in ("unauthorized", "invalid_token")


def test_expired_token_is_refused(client, clock):
    headers = login(client, "hn-hd-pl.office_clerk")
    clock.advance(hours=12, seconds=1)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and "hết hạn" in error_of(response)["message"]


def test_session_cookie_is_not_a_token(client, auth):
    auth.login("hn-hd-pl.office_clerk")
    assert client.get("/api/v1/me").status_code == 401


# Reading -----------------------------------------------------------------------------------------------------------


def test_me_and_campaigns(client):
    headers = login(client, "hn-hd-pl-tp.unit_clerk")
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["username"] == "hn-hd-pl-tp.unit_clerk" and me["full_name"]
    assert me["roles"] == [{"role": "unit_clerk", "unit_id": me["roles"][0]["unit_id"], "unit_code": "HN-HD-PL-TP",
                            "unit_name": me["roles"][0]["unit_name"], "unit_level": "unit"}]  # fmt: skip
    campaigns = client.get("/api/v1/campaigns", headers=headers).get_json()["campaigns"]
    codes = {c["code"] for c in campaigns}
    assert {"PL-CCHC-2024", CAMPAIGN} <= codes and "MT-CCHC-2015" not in codes
    phu_lam = next(c for c in campaigns if c["code"] == "PL-CCHC-2024")
    assert phu_lam["submission_deadline"] == "2024-12-09" and phu_lam["issuing_unit"]["code"] == "HN-HD-PL"
    admin = {c["code"] for c in client.get("/api/v1/campaigns", headers=login(client, "admin")).get_json()["campaigns"]}
    assert "MT-CCHC-2015" in admin


# A dossier from the unit to the ward office ------------------------------------------------------------------------


def test_create_upload_submit_then_the_ward_office_approves(app, client):
    clerk = login(client, "hn-hd-pl-tc.unit_clerk")
    dossier = new_dossier(client, clerk)
    assert dossier["status"] == "draft" and len(dossier["missing_documents"]) == 4
    early = client.post(f"/api/v1/dossiers/{dossier['id']}/submit", headers=clerk)
    assert early.status_code == 400 and len(error_of(early)["details"]["missing"]) == 4
    ready_dossier_id = ready_dossier(client, clerk)["id"]
    shown = client.get(f"/api/v1/dossiers/{ready_dossier_id}", headers=clerk).get_json()
    assert shown["missing_documents"] == [] and len(shown["documents"]) == 4
    assert [t["step"] for t in shown["current_tasks"]] == ["unit_prepare"]

    file = client.get(f"/api/v1/dossiers/{ready_dossier_id}/documents/{shown['documents'][0]['id']}", headers=clerk)
    assert file.status_code == 200 and file.data.startswith(b"%PDF") and file.mimetype == "application/pdf"
    assert f"filename*=UTF-8''{quote('Biên bản họp.pdf')}" in file.headers["Content-Disposition"]

    submitted = client.post(f"/api/v1/dossiers/{ready_dossier_id}/submit", headers=clerk)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["next_steps"] == ["ward_office_review"]
    assert submitted.get_json()["dossier_status"] == "in_review"

    office = login(client, "hn-hd-pl.office_clerk")
    ward_id = unit_of(client, office, "office_clerk")
    listed = client.get(f"/api/v1/tasks?campaign={CAMPAIGN}&step=ward_office_review", headers=office).get_json()
    (task,) = [t for t in listed["tasks"] if t["dossier_id"] == ready_dossier_id]
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=office).get_json()
    assert detail["can_act"] and detail["dossier"]["id"] == ready_dossier_id
    assert {(d["value"], d["reason_required"]) for d in detail["decisions"]} == {
        ("approve", False), ("return", True), ("reject", True)}
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=office)
    assert claimed.status_code == 200 and claimed.get_json()["claimed_by"]["username"] == "hn-hd-pl.office_clerk"

    add_office_clerk(app, ward_id, "hn-hd-pl.office_clerk2")
    colleague = login(client, "hn-hd-pl.office_clerk2")
    holder = claimed.get_json()["claimed_by"]["full_name"]
    # A colleague may not act on it (as the task page), and every refusal says who holds it.
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=colleague).get_json()["can_act"] is False
    for action in ("claim", "unclaim"):
        refused = client.post(f"/api/v1/tasks/{task['id']}/{action}", headers=colleague)
        assert refused.status_code == 409 and error_of(refused)["message"] == f"Việc này đang do {holder} nhận xử lý."
    taken = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=colleague, json={"decision": "approve"})
    assert taken.status_code == 409 and error_of(taken)["code"] == "conflict"
    assert error_of(taken)["message"] == f"Việc này đang do {holder} nhận xử lý."

    bad = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "grant"})
    assert bad.status_code == 400
    no_reason = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "return"})
    assert no_reason.status_code == 400 and "lý do" in error_of(no_reason)["message"]
    blank = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office,
                        json={"decision": "reject", "comment": " "})
    assert blank.status_code == 400

    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office,
                       json={"decision": "approve", "comment": "Đủ"})
    assert done.status_code == 200 and done.get_json()["next_steps"] == ["ward_council_vote"]
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=office, json={"decision": "approve"})
    assert again.status_code == 409
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=colleague).status_code == 409

    history = client.get(f"/api/v1/dossiers/{ready_dossier_id}", headers=office).get_json()["history"]
    steps = [(h["step"], h["decision"]) for h in history]
    assert steps == [("unit_prepare", "submit"), ("ward_office_review", "approve")]
    assert history[-1]["by"]["username"] == "hn-hd-pl.office_clerk" and history[-1]["comment"] == "Đủ"


def test_claim_then_unclaim_gives_the_task_back(client):
    office = login(client, "hn-hd-pl.office_clerk")
    task_id = client.get("/api/v1/tasks", headers=office).get_json()["tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=office).get_json()["claimed_by"]
    assert client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=office).get_json()["claimed_by"] is None


def test_an_overdue_task_escalated_to_the_chairman_is_visible_to_him_but_not_his_to_decide(app, client, clock):
    clerk = login(client, "hn-hd-pl-tc.unit_clerk")
    dossier_id = ready_dossier(client, clerk)["id"]
    assert client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=clerk).status_code == 200
    task_id = client.get(f"/api/v1/dossiers/{dossier_id}", headers=clerk).get_json()["current_tasks"][0]["id"]
    chairman = login(client, "hn-hd-pl.chairman")
    assert client.get(f"/api/v1/tasks/{task_id}", headers=chairman).status_code == 404
    clock.advance(days=11)
    with app.extensions["thidua.session_factory"]() as db, db.begin():
        assert fire_due_timers(db, app.extensions["thidua.engine"]).escalations >= 1
    chairman = login(client, "hn-hd-pl.chairman")
    listed = [t for t in client.get("/api/v1/tasks", headers=chairman).get_json()["tasks"] if t["id"] == task_id]
    assert listed and listed[0]["escalated_to_me"] and listed[0]["escalated_at"]
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=chairman).get_json()
    assert detail["escalated_to_me"] and not detail["can_act"] and detail["escalated_at"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=chairman).status_code == 403


def test_submitting_after_the_deadline_is_422_with_the_deadline(client, clock):
    clerk = login(client, "hn-hd-pl-tc.unit_clerk")
    dossier_id = ready_dossier(client, clerk)["id"]
    clock.advance(days=30)
    late = client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=login(client, "hn-hd-pl-tc.unit_clerk"))
    assert late.status_code == 422 and error_of(late)["code"] == "deadline_passed"
    assert error_of(late)["details"]["deadline"] == "2024-12-10"


def test_a_listing_longer_than_its_size_says_how_many_tasks_the_inbox_holds(app, client, monkeypatch):
    from service.web.api import tasks as task_routes

    submit_dossiers(app, 2)
    office = login(client, "hn-hd-pl.office_clerk")
    everything = client.get("/api/v1/tasks", headers=office).get_json()
    assert everything["total"] == everything["count"] >= 2
    monkeypatch.setattr(task_routes, "LISTING_SIZE", 1)
    first = client.get("/api/v1/tasks", headers=office).get_json()
    assert first["count"] == 1 and first["total"] == everything["total"]
    assert [t["id"] for t in first["tasks"]] == [everything["tasks"][0]["id"]]


def test_inbox_filters_are_checked(client, clock):
    office = login(client, "hn-hd-pl.office_clerk")
    everything = client.get("/api/v1/tasks", headers=office).get_json()
    assert everything["count"] == len(everything["tasks"]) > 0
    assert everything["total"] == everything["count"]  # fewer than a listing's 200
    dues = [t["due_at"] for t in everything["tasks"] if t["due_at"]]
    assert dues == sorted(dues)
    assert client.get("/api/v1/tasks?overdue=true", headers=office).get_json()["count"] == 0
    clock.advance(days=60)
    office = login(client, "hn-hd-pl.office_clerk")
    assert client.get("/api/v1/tasks?overdue=true", headers=office).get_json()["count"] == len(dues)
    none = client.get("/api/v1/tasks?campaign=KHONG-CO", headers=office).get_json()
    assert none["tasks"] == [] and none["count"] == 0 and none["total"] == everything["total"]  # the whole inbox
    for query in ("overdue=yes", "sort=due", "unit_id=abc"):
        assert client.get(f"/api/v1/tasks?{query}", headers=office).status_code == 400


# Authorisation -----------------------------------------------------------------------------------------------------


def test_another_ward_sees_nothing_of_a_dossier_its_documents_or_its_task(client):
    clerk = login(client, "hn-hd-pl-tc.unit_clerk")
    dossier_id = ready_dossier(client, clerk)["id"]
    document_id = client.get(f"/api/v1/dossiers/{dossier_id}", headers=clerk).get_json()["documents"][0]["id"]
    client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=clerk)
    office = login(client, "hn-hd-pl.office_clerk")
    tasks = client.get("/api/v1/tasks", headers=office).get_json()["tasks"]
    (task,) = [t for t in tasks if t["dossier_id"] == dossier_id]

    stranger = login(client, "qn-hl-gd.office_clerk")
    for response in (
        client.get(f"/api/v1/dossiers/{dossier_id}", headers=stranger),
        client.get(f"/api/v1/dossiers/{dossier_id}/documents/{document_id}", headers=stranger),
        client.get(f"/api/v1/tasks/{task['id']}", headers=stranger),
        client.post(f"/api/v1/tasks/{task['id']}/claim", headers=stranger),
        client.post(f"/api/v1/tasks/{task['id']}/unclaim", headers=stranger),
        client.post(f"/api/v1/tasks/{task['id']}/complete", headers=stranger, json={"decision": "approve"}),
        upload(client, stranger, dossier_id, "other"),
        client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=stranger),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert task["id"] not in [t["id"] for t in client.get("/api/v1/tasks", headers=stranger).get_json()["tasks"]]


def test_guessing_sequential_ids_finds_nothing_outside_the_callers_province(client):
    stranger = login(client, "qn-hl-gd.office_clerk")
    for guess in range(1, 60):
        response = client.get(f"/api/v1/dossiers/{guess}", headers=stranger)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.get_json()["unit"]["code"].startswith("QN")
        document = client.get(f"/api/v1/dossiers/{guess}/documents/{guess}", headers=stranger)
        assert document.status_code in (200, 404)
        task = client.get(f"/api/v1/tasks/{guess}", headers=stranger)
        if task.status_code == 200:
            assert task.get_json()["org_unit"]["code"].startswith("QN")
        for verb in ("claim", "complete"):
            response = client.post(f"/api/v1/tasks/{guess}/{verb}", headers=stranger, json={"decision": "approve"})
            # a task of its own ward may be taken or refused for a reason; any other task does not exist for it
            expected = (200, 400, 403, 404, 409) if task.status_code == 200 else (404,)
            assert response.status_code in expected


def test_other_units_clerk_and_the_ward_office_cannot_upload_or_submit(client):
    clerk = login(client, "hn-hd-pl-tc.unit_clerk")
    dossier_id = new_dossier(client, clerk)["id"]
    # A clerk of another unit of the same ward may not read the dossier: 404 before any 403, so ids cannot be probed.
    neighbour = login(client, "hn-hd-pl-vh.unit_clerk")
    assert client.get(f"/api/v1/dossiers/{dossier_id}", headers=neighbour).status_code == 404
    assert upload(client, neighbour, dossier_id, "other").status_code == 404
    assert client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=neighbour).status_code == 404
    # The ward office reads it but may not change it.
    office = login(client, "hn-hd-pl.office_clerk")
    assert client.get(f"/api/v1/dossiers/{dossier_id}", headers=office).status_code == 200
    assert upload(client, office, dossier_id, "other").status_code == 403
    assert client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=office).status_code == 403
    unit_id = unit_of(client, neighbour, "unit_clerk")
    other_unit = client.post("/api/v1/dossiers", headers=clerk, json={
        "campaign_code": CAMPAIGN, "unit_id": unit_id, "title": "Hồ sơ của đơn vị khác",
        "nominees": [{"kind": "individual", "full_name": "Lê Văn A", "award_form_code": "GK-XA"}]})  # fmt: skip
    assert other_unit.status_code == 403


# Errors ------------------------------------------------------------------------------------------------------------


def test_malformed_or_unexpected_input_is_400_json(client):
    headers = login(client, "hn-hd-pl-tc.unit_clerk")
    malformed = client.post("/api/v1/dossiers", headers={**headers, "Content-Type": "application/json"}, data="{nope")
    assert malformed.status_code == 400 and error_of(malformed)["code"] == "malformed_json"
    not_json = client.post("/api/v1/dossiers", headers=headers, data="campaign_code=X")
    assert not_json.status_code == 415
    listed = client.post("/api/v1/dossiers", headers=headers, json=[1, 2])
    assert listed.status_code == 400
    extra = client.post("/api/v1/dossiers", headers=headers, json={
        "campaign_code": CAMPAIGN, "unit_id": 1, "title": "x", "nominees": [], "outcomes": []})  # fmt: skip
    assert extra.status_code == 400 and error_of(extra)["details"]["fields"] == ["outcomes"]
    wrong_type = client.post("/api/v1/dossiers", headers=headers, json={
        "campaign_code": CAMPAIGN, "unit_id": "1", "title": "x",
        "nominees": [{"kind": "individual", "full_name": "A", "award_form_code": "GK-XA"}]})  # fmt: skip
    assert wrong_type.status_code == 400 and error_of(wrong_type)["details"]["field"] == "unit_id"
    nominee_extra = client.post("/api/v1/dossiers", headers=headers, json={
        "campaign_code": CAMPAIGN, "unit_id": 1, "title": "x",
        "nominees": [{"kind": "individual", "full_name": "A", "award_form_code": "GK-XA", "outcome": "x"}],
    })  # fmt: skip
    assert nominee_extra.status_code == 400 and error_of(nominee_extra)["details"]["fields"] == ["outcome"]
    dossier_id = new_dossier(client, headers)["id"]
    pdf = sample_pdf("x")
    for form in ({"kind": "other", "file": "không phải tệp"}, {"kind": "other"},
                 {"kind": (io.BytesIO(b"x"), "k.pdf"), "file": (io.BytesIO(pdf), "x.pdf")},
                 {"kind": "other", "note": "?", "file": (io.BytesIO(pdf), "x.pdf")}):
        refused = client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=headers, data=form,
                              content_type="multipart/form-data")  # fmt: skip
        assert refused.status_code == 400 and error_of(refused)["details"]["fields"]
    huge = client.post("/api/v1/dossiers", headers=headers, json={
        "campaign_code": CAMPAIGN, "unit_id": 2**40, "title": "x",
        "nominees": [{"kind": "individual", "full_name": "A", "award_form_code": "GK-XA"}]})  # fmt: skip
    assert huge.status_code == 400 and error_of(huge)["details"]["field"] == "unit_id"


def test_unknown_routes_wrong_methods_and_big_bodies_answer_in_json(app, client):
    headers = login(client, "hn-hd-pl-tc.unit_clerk")
    for path in ("/api/v1/nope", "/api/v1/dossiers/abc", "/api/v2/dossiers", "/api/v1/dossiers/99999999999999999999",
                 "/api/v1/tasks/2147483648"):
        missing = client.get(path, headers=headers)
        assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong = client.get("/api/v1/dossiers", headers=headers)
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert "POST" in error_of(wrong)["details"]["allowed_methods"]
    dossier_id = new_dossier(client, headers)["id"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = upload(client, headers, dossier_id, "other")
    assert big.status_code == 413 and error_of(big)["details"]["max_bytes"] == 1024


def test_a_bug_is_a_500_with_a_request_id_and_no_trace(client, monkeypatch, caplog):
    import service.web.api.campaigns as campaigns

    def broken(*_args: object) -> list[object]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(campaigns, "visible_campaigns", broken)
    response = client.get("/api/v1/campaigns", headers=login(client, "admin"))
    assert response.status_code == 500
    error = error_of(response)
    assert error["details"]["request_id"] in error["message"] and response.headers["X-Request-Id"]
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert error["details"]["request_id"] in caplog.text
