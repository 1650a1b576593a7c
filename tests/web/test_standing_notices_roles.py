"""Standing notices carry an ARIA role, so a screen reader announces them on arrival: the process suspended, the
return's reason, a closed submission (role="alert": the clerk cannot submit and must act), a task already handled.
Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.operations.accounts import actor_for
from service.operations.instance_admin import suspend_instance
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from tests.web.test_dossier_forms_deadlines import CLERK, ready_to_submit
from tests.web.test_instance_pages import OFFICE, _office_task

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def role_of(page: str, testid: str) -> str | None:
    """The role of the element marked `testid`, or of the element wrapping it directly (a notice that keeps its own
    markup inside a live region); None when neither has one."""
    found = re.search(rf'(<[a-z]+ role="([a-z]+)"[^>]*>\s*)?<[a-z]+(?P<attrs>[^>]*data-testid="{testid}"[^>]*)>', page)
    assert found, f"no {testid} on the page"
    own = re.search(r'role="([a-z]+)"', found.group("attrs"))
    return own.group(1) if own else found.group(2)


def test_a_suspended_process_is_announced_on_the_task_dossier_and_instance_pages(app: Flask, client: FlaskClient,
                                                                                 auth: Auth):  # fmt: skip
    task_id, instance_id, dossier_id = _office_task(app)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Chờ xác minh đơn thư")
    auth.login(OFFICE)
    assert role_of(client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True), "suspended") == "status"
    assert role_of(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True), "suspended") == "status"
    auth.logout()
    auth.login("admin")
    assert role_of(client.get(f"/instances/{instance_id}").get_data(as_text=True), "suspension") == "status"


def test_a_return_and_a_closed_submission_are_announced_and_so_is_a_handled_task(app: Flask, client: FlaskClient,
                                                                                 auth: Auth, clock):  # fmt: skip
    auth.login(CLERK)
    dossier_id, url = ready_to_submit(client)
    assert client.post(f"/dossiers/{dossier_id}/submit", data={"_csrf": auth.token(url)}).status_code == 302
    auth.logout()
    auth.login("hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    rows = re.findall(r'data-task-id="(\d+)">(.*?)</tr>', inbox, re.S)
    (task_id,) = [tid for tid, cells in rows if f'href="/dossiers/{dossier_id}"' in cells]
    task_page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "return", "comment": "Bổ sung trích ngang",
                                                          "_csrf": csrf_from(task_page)})  # fmt: skip
    # The office's task, handled: its page says so in a live region.
    assert role_of(client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True), "task-closed") == "status"
    auth.logout()

    clock.advance(days=9)  # past Phú Lãm's deadline
    auth.login(CLERK)
    page = client.get(url).get_data(as_text=True)
    assert role_of(page, "return-reason") == "status"
    assert role_of(page, "submit-closed") == "alert"
    inbox = client.get("/inbox/").get_data(as_text=True)
    rows = re.findall(r'data-task-id="(\d+)">(.*?)</tr>', inbox, re.S)
    (back,) = [tid for tid, cells in rows if f'href="/dossiers/{dossier_id}"' in cells]
    assert role_of(client.get(f"/inbox/tasks/{back}").get_data(as_text=True), "task-returned") == "status"
