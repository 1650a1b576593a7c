"""Auditors verify the audit trail from the audit page: asked there, run by the worker, the outcome shown there."""

from __future__ import annotations

import importlib
import re

import pytest
from sqlalchemy import func, select, text

from service.models import AuditEvent, AuditVerification, Job
from service.operations.jobs import JobContext, drain
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

importlib.import_module("service.operations.job_kinds")  # registers the audit_verify handler
app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def run_worker(app) -> int:
    return drain(app.extensions["thidua.session_factory"], "w", JobContext()).done


def count(app, model, *where) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)))


def ask(client, auth: Auth):
    return client.post("/audit/verify", data={"_csrf": auth.token("/audit/")})


def test_an_auditor_asks_sees_it_pending_then_sees_the_result(app, client, auth: Auth):
    auth.login("auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-testid="verify-request"' in page and "Kiểm tra toàn vẹn nhật ký" in page
    response = ask(client, auth)
    assert response.status_code == 303
    page = client.get("/audit/").get_data(as_text=True)
    assert "Đã yêu cầu kiểm tra toàn vẹn nhật ký" in page
    assert 'data-testid="verify-pending"' in page and 'data-outcome="pending"' in page
    assert 'data-testid="verify-request"' not in page  # no second button while one is pending
    row = re.search(r'<tr data-verification-id="\d+" data-outcome="pending">(.*?)</tr>', page, re.S).group(1)
    assert '<span class="muted">(auditor)</span>' in row  # who asked
    assert count(app, AuditEvent, AuditEvent.action == "audit.verify_request") == 1

    assert run_worker(app) == 1
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-outcome="ok"' in page and "Nhật ký nguyên vẹn: đã kiểm" in page
    assert 'data-testid="verify-request"' in page and 'data-testid="verify-pending"' not in page
    events = int(re.search(r"Nhật ký nguyên vẹn: đã kiểm (\d+) sự kiện", page).group(1))
    assert events == count(app, AuditEvent) - 1  # all but the result's own event
    assert count(app, AuditEvent, AuditEvent.action == "audit.verify") == 1


def test_a_broken_chain_raises_a_clear_alarm_naming_the_first_broken_event(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        victim = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id).offset(5).limit(1))
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:
            session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        session.execute(text("UPDATE audit_event SET comment = 'sửa lén' WHERE id = :id"), {"id": victim})
        if postgresql:
            session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    auth.login("admin")  # an admin may ask too
    ask(client, auth)
    run_worker(app)
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-outcome="alarm"' in page
    assert f"CẢNH BÁO: chuỗi nhật ký bị phá vỡ tại sự kiện số {victim}" in page
    link = page.split('data-testid="first-broken"')[0].rsplit("<a ", 1)[1]
    assert f"before={victim + 1}" in link and 'data-testid="first-broken">(xem sự kiện này)<' in page  # number once
    english = client.get("/audit/?lang=en").get_data(as_text=True)
    assert f"ALARM: the audit chain is broken at event {victim}" in english


def test_a_second_request_while_one_is_pending_is_refused(app, client, auth: Auth):
    auth.login("auditor")
    ask(client, auth)
    refused = client.post("/audit/verify", data={"_csrf": auth.token("/inbox/")})
    assert refused.status_code == 409
    assert "Đang có một lần kiểm tra toàn vẹn nhật ký chờ kết quả" in refused.get_data(as_text=True)
    assert count(app, AuditVerification) == 1 and count(app, Job, Job.kind == "audit_verify") == 1
    assert count(app, AuditEvent, AuditEvent.action == "audit.verify_request") == 1
    client.get("/audit/?lang=en")
    english = client.post("/audit/verify", data={"_csrf": auth.token("/inbox/")})
    assert english.status_code == 409 and "already pending" in english.get_data(as_text=True)


@pytest.mark.parametrize("username", ["hn-hd-pl.office_clerk", "hn.chairman", "hn-hd-pl-tp.unit_clerk"])
def test_others_are_refused(app, client, auth: Auth, username):
    if app.extensions["thidua.db_engine"].dialect.name == "postgresql" and username != "hn.chairman":
        pytest.skip("one role is enough on PostgreSQL")
    auth.login(username)
    assert client.post("/audit/verify", data={"_csrf": auth.token("/inbox/")}).status_code == 403
    assert count(app, AuditVerification) == 0
    assert count(app, AuditEvent, AuditEvent.action == "audit.verify_request") == 0
