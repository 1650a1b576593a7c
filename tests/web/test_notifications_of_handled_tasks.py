"""A notice asking for work on a task (new task, assignment, escalation) whose task is no longer open is done: not
counted in the header's badge, shown greyed as handled on the notifications page, with nothing written for it when
the task was completed; so is the unit's notice of its returned dossier, which names the task the unit answers it
with. Notices of how a dossier ended stay unread until read. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.models import Dossier, HumanTask, Notification, OrgUnit, User
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

OFFICE = "hn-hd-pl.office_clerk"
CLERK = "hn-hd-pl-vh.unit_clerk"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _badge(html: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def _item(html: str, notification_id: int) -> str:
    match = re.search(rf'<li class="([^"]*)" data-id="{notification_id}">(.*?)</li>', html, re.S)
    assert match, f"notification {notification_id} is not listed"
    return f'class="{match.group(1)}" ' + match.group(2)


def _submitted(app) -> tuple[int, int]:
    """A dossier submitted to the ward office: (dossier id, the office's task)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, CLERK)
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id,
                                 title="Hồ sơ Văn hóa năm 2024",
                                 nominees=[NomineeInput("individual", "Ngô Thị Xử", "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, CLERK), engine, open_task_for(session, dossier_id).id, "submit",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    with factory() as session:
        return dossier_id, open_task_for(session, dossier_id).id


def test_a_task_notice_whose_task_was_handled_is_done_and_not_counted(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id, task_id = _submitted(app)
    with factory() as session:
        office = session.scalar(select(User.id).where(User.username == OFFICE))
        notice = session.scalar(select(Notification.id).where(
            Notification.user_id == office, Notification.task_id == task_id, Notification.kind == "task"))
    assert notice is not None
    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    before = _badge(page)
    assert before > 0 and 'class="unread"' in _item(page, notice) and "đã xử lý" not in _item(page, notice)

    with factory() as session, session.begin():  # handled (the office approves it): the notice is not touched
        complete_task(session, actor_for(session, OFFICE), engine, task_id, "approve",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    with factory() as session:
        assert session.get(HumanTask, task_id).state == "completed"
        assert session.get(Notification, notice).read_at is None

    page = client.get("/notifications/").get_data(as_text=True)
    item = _item(page, notice)
    assert _badge(page) == before - 1
    assert 'class="read done"' in item and 'data-testid="handled"' in item and "đã xử lý" in item
    # Nothing to mark nor to open as work; the dossier can still be looked at.
    assert "Đánh dấu đã đọc" not in item and "Mở việc" not in item and f'href="/dossiers/{dossier_id}"' in item
    assert _badge(client.get("/inbox/").get_data(as_text=True)) == before - 1
    assert "handled" in _item(client.get("/notifications/?lang=en").get_data(as_text=True), notice)

    # A return's notice to the unit names a task too: done with it; an outcome notice (no task) counts until read.
    with factory() as session, session.begin():
        created = session.get(Notification, notice).created_at
        returned = Notification(user_id=office, kind="returned", dossier_id=dossier_id, task_id=task_id,
                                created_at=created)  # fmt: skip
        granted = Notification(user_id=office, kind="granted", dossier_id=dossier_id, task_id=None, created_at=created)
        session.add_all([returned, granted])
        session.flush()
        others = (returned.id, granted.id)
    page = client.get("/notifications/").get_data(as_text=True)
    assert _badge(page) == before
    assert 'class="read done"' in _item(page, others[0]) and 'data-testid="handled"' in _item(page, others[0])
    assert 'class="unread"' in _item(page, others[1]) and 'data-testid="handled"' not in _item(page, others[1])


def test_a_cancelled_tasks_notice_is_done_too(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    _, task_id = _submitted(app)
    auth.login(OFFICE)
    before = _badge(client.get("/notifications/").get_data(as_text=True))
    with factory() as session, session.begin():
        session.get(HumanTask, task_id).state = "cancelled"
    page = client.get("/notifications/").get_data(as_text=True)
    assert _badge(page) == before - 1
    with factory() as session:
        office = session.scalar(select(User.id).where(User.username == OFFICE))
        notice = session.scalar(select(Notification.id).where(Notification.user_id == office,
                                                              Notification.task_id == task_id))  # fmt: skip
    assert 'class="read done"' in _item(page, notice)
