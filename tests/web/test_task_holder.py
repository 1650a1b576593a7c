"""A task handed to a colleague ("Giao việc"): the former holder's task page says who holds it and since when, and
offers no decision form, no "Trả lại cho nhóm" and no "Giao việc"; a refusal names the holder and comes back on the
task page (not a bare error page); the inbox row names the holder in words. What the holder sees, and what a
colleague sees on an unclaimed task, are as before. On SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, HumanTask, OrgUnit, RoleAssignment, User
from service.operations.accounts import actor_for, hash_password
from service.operations.assignments import assign_task
from service.operations.tasks import claim_task
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database, csrf_from, submit_dossiers

OFFICE = "hn-hd-pl.office_clerk"
COLLEAGUE = "hn-hd-pl.office_clerk2"
COLLEAGUE_NAME = "Trần Văn Bình"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _colleague(app: Flask) -> int:
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        user = User(username=COLLEAGUE, full_name=COLLEAGUE_NAME, password_hash=hash_password(PASSWORD))
        session.add(user)
        session.flush()
        session.add(RoleAssignment(user_id=user.id, role="office_clerk", org_unit_id=ward.id))
        return user.id


def _handed_over(app: Flask) -> int:
    """A task the office clerk claimed and handed to the colleague."""
    [task_id], colleague_id = submit_dossiers(app, 1), _colleague(app)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        office = actor_for(session, OFFICE)
        claim_task(session, office, engine, task_id)
        assign_task(session, office, engine, task_id, colleague_id)
    return task_id


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _alert(page: str) -> str:
    found = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1
    return html.unescape(found[0]).strip()


def _row(page: str, task_id: int) -> str:
    return re.search(rf'data-task-id="{task_id}">(.*?)</tr>', page, re.S).group(1)


def _forms(page: str, task_id: int) -> set[str]:
    """Which of the task's forms the page offers: complete, claim, unclaim, assign."""
    return set(re.findall(rf'<form method="post" action="/inbox/tasks/{task_id}/(\w+)"', page))


def _holder(page: str) -> str | None:
    found = re.search(r'data-testid="task-holder">(.*?)</p>', page, re.S)
    return _text(found.group(1)) if found else None


def test_after_a_hand_over_the_former_holder_sees_who_holds_it_and_no_form(app, client: FlaskClient, auth: Auth):
    task_id = _handed_over(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    said = _holder(page)
    assert said is not None and said.startswith(f"Đang do {COLLEAGUE_NAME} xử lý (nhận lúc ")
    assert _forms(page, task_id) == set()  # no decision form, no "Trả lại cho nhóm", no "Giao việc"
    assert not re.search(r"(Ghi nhận|Trả lại cho nhóm|Giao việc)</button>", page)
    # In English too.
    english = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    assert _holder(english).startswith(f"Being handled by {COLLEAGUE_NAME} (claimed ")


def test_a_refused_unclaim_comes_back_on_the_task_page_naming_the_holder(app, client: FlaskClient, auth: Auth):
    task_id = _handed_over(app)
    auth.login(OFFICE)
    token = auth.token()  # an old task page, from before the hand-over, still offers "Trả lại cho nhóm"
    response = client.post(f"/inbox/tasks/{task_id}/unclaim", data={"_csrf": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _alert(page) == f"Việc này đang do {COLLEAGUE_NAME} nhận xử lý."
    assert 'data-testid="task-documents"' in page and _holder(page) is not None  # the task page, not an error page
    # Handing it over again is refused the same way; nothing changed.
    response = client.post(f"/inbox/tasks/{task_id}/assign", data={"_csrf": token, "assignee_id": "1"})
    assert response.status_code == 409 and _alert(response.get_data(as_text=True)).startswith("Việc này đang do")
    with app.extensions["thidua.session_factory"]() as session:
        colleague = session.scalar(select(User.id).where(User.username == COLLEAGUE))
        assert session.get(HumanTask, task_id).claimed_by == colleague
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task.unclaim", AuditEvent.object_id == str(task_id))) == 0  # fmt: skip


def test_a_refused_completion_names_the_holder_and_keeps_what_was_typed_locked(app, client: FlaskClient,
                                                                               auth: Auth):  # fmt: skip
    task_id = _handed_over(app)
    auth.login(OFFICE)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": auth.token(), "decision": "return", "comment": "Thiếu tờ trình"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _alert(page) == f"Việc này đang do {COLLEAGUE_NAME} nhận xử lý."
    # What was typed is still there, in a form that cannot be sent (the holder decides).
    assert 'data-testid="task-kept"' in page and "<fieldset disabled" in page
    assert "Thiếu tờ trình</textarea>" in page and "Ghi nhận</button>" not in page
    assert _forms(page, task_id) == {"complete"}
    english = client.post(f"/inbox/tasks/{task_id}/complete?lang=en", data={
        "_csrf": auth.token(), "decision": "return", "comment": "Thiếu tờ trình"}).get_data(as_text=True)  # fmt: skip
    assert _alert(english) == f"{COLLEAGUE_NAME} has claimed this task."
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(HumanTask, task_id).state == "ready"


def test_the_inbox_row_names_the_holder(app, client: FlaskClient, auth: Auth):
    task_id = _handed_over(app)
    auth.login(OFFICE)
    row = _row(client.get("/inbox/").get_data(as_text=True), task_id)
    assert f"Đang do {COLLEAGUE_NAME} xử lý" in _text(row)
    assert 'name="task_id"' not in row  # a colleague's task is not ticked for bulk approval
    auth.logout()
    auth.login(COLLEAGUE)
    row = _row(client.get("/inbox/").get_data(as_text=True), task_id)
    assert f"Đang do {COLLEAGUE_NAME} xử lý" in _text(row) and 'name="task_id"' in row


def test_the_holder_sees_the_form_and_the_hand_over_as_before(app, client: FlaskClient, auth: Auth):
    task_id = _handed_over(app)
    auth.login(COLLEAGUE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert _forms(page, task_id) == {"unclaim", "assign", "complete"}
    assert _holder(page) is None and 'data-testid="task-kept"' not in page and "<fieldset disabled" not in page
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={"_csrf": csrf_from(page), "decision": "approve"})
    assert response.status_code == 302


def test_a_colleague_on_an_unclaimed_task_sees_it_as_before(app, client: FlaskClient, auth: Auth):
    [task_id], _ = submit_dossiers(app, 1), _colleague(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert _forms(page, task_id) == {"claim", "assign", "complete"}
    assert _holder(page) is None and "Ghi nhận</button>" in page
    row = _row(client.get("/inbox/").get_data(as_text=True), task_id)
    assert "Đang do" not in row and 'name="task_id"' in row
