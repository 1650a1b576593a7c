"""The unit's notice of its returned dossier asks for work on the unit's preparation task, as other task notices do:
unread and counted in the header's badge while the unit holds the dossier, shown as handled ("đã xử lý") and no
longer counted once the clerk resubmitted it, and after the award too. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.models import Notification, User
from tests.operations.helpers import act, new_dossier, open_task
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

CLERK = "hn-hd-pl-tp.unit_clerk"


def _badge(html: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def _item(html: str, notification_id: int) -> str:
    match = re.search(rf'<li class="([^"]*)" data-id="{notification_id}">(.*?)</li>', html, re.S)
    assert match, f"notification {notification_id} is not listed"
    return f'class="{match.group(1)}" ' + match.group(2)


def test_the_return_notice_is_handled_once_the_unit_resubmitted(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id = new_dossier(factory, engine, "GK-XA")
    act(factory, engine, dossier_id)  # submitted
    act(factory, engine, dossier_id, "return", "Thiếu biên bản họp bình xét")  # the ward office returns it
    task = open_task(factory, dossier_id)
    assert task.bpmn_id == "unit_prepare"
    with factory() as session:
        clerk = session.scalar(select(User.id).where(User.username == CLERK))
        notice = session.scalar(select(Notification.id).where(Notification.user_id == clerk,
                                                              Notification.kind == "returned",
                                                              Notification.task_id == task.id))  # fmt: skip
    assert notice is not None
    auth.login(CLERK)
    page = client.get("/notifications/").get_data(as_text=True)
    before = _badge(page)
    assert before >= 1 and 'class="unread"' in _item(page, notice) and "đã xử lý" not in _item(page, notice)

    act(factory, engine, dossier_id)  # the clerk resubmits
    page = client.get("/notifications/").get_data(as_text=True)
    assert _badge(page) == before - 1
    item = _item(page, notice)
    assert 'class="read done"' in item and 'data-testid="handled"' in item and "đã xử lý" in item
    assert "Đánh dấu đã đọc" not in item
    assert "handled" in _item(client.get("/notifications/?lang=en").get_data(as_text=True), notice)

    while open_task(factory, dossier_id) is not None:  # approved and granted at the ward
        act(factory, engine, dossier_id)
    page = client.get("/notifications/?lang=vi").get_data(as_text=True)
    assert 'class="read done"' in _item(page, notice)
    with factory() as session:  # the outcome's notice still counts until it is read
        unread_outcomes = session.scalar(select(Notification.id).where(
            Notification.user_id == clerk, Notification.kind.in_(("granted", "partly_granted")),
            Notification.read_at.is_(None)))  # fmt: skip
    assert unread_outcomes is None or 'class="unread"' in _item(page, unread_outcomes)
