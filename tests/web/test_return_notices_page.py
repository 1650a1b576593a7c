"""On the notifications page, a task a return for supplement opened above the unit reads as a return, naming the
step, its level and the reason; it counts in the header's badge until its task is handled, then shows as handled.
SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.models import Dossier, HumanTask, Notification, ProcessInstance, User
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, submit_dossiers

OFFICE = "hn-hd-pl.office_clerk"
SECRETARY = "hn-hd-pl.council_secretary"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _badge(page: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', page)
    return int(match.group(1)) if match else 0


def _item(page: str, notification_id: int) -> str:
    match = re.search(rf'<li class="([^"]*)" data-id="{notification_id}">(.*?)</li>', page, re.S)
    assert match, f"notification {notification_id} is not listed"
    return f'class="{match.group(1)}" ' + " ".join(html.unescape(match.group(2)).split())


def test_a_council_return_reads_as_a_return_to_the_ward_office_until_handled(app, client, auth: Auth, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    [task_id] = submit_dossiers(app, 1)
    with factory() as session, session.begin():
        dossier_id = session.scalar(select(ProcessInstance.dossier_id)
                                    .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
                                    .where(HumanTask.id == task_id))  # fmt: skip
        complete_task(session, actor_for(session, OFFICE), engine, task_id, "approve",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, SECRETARY), engine, open_task_for(session, dossier_id).id, "return",
                      "Biên bản họp bình xét thiếu chữ ký")  # fmt: skip
    with factory() as session:
        returned_task = open_task_for(session, dossier_id).id
        notice = session.scalar(select(Notification.id).join(User, User.id == Notification.user_id).where(
            User.username == OFFICE, Notification.task_id == returned_task, Notification.kind == "task_returned"))
    assert notice is not None

    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    before, item = _badge(page), _item(page, notice)
    assert before > 0 and 'class="unread"' in item and "đã xử lý" not in item and "Mở việc" in item
    assert ("Hồ sơ “Hồ sơ số 1” bị trả lại để bổ sung ở bước “Họp Hội đồng TĐKT, biểu quyết” (cấp phường/xã); "
            "việc của bạn: Thẩm định hồ sơ (Văn phòng UBND phường/xã). "
            "Lý do: Biên bản họp bình xét thiếu chữ ký.") in item
    english = _item(client.get("/notifications/?lang=en").get_data(as_text=True), notice)
    assert "was returned for supplement at the step “Emulation & Commendation Council meets and votes” (ward/commune level)" in english
    assert "Reason: Biên bản họp bình xét thiếu chữ ký." in english

    with factory() as session, session.begin():  # the office approves it again: the notice is handled
        complete_task(session, actor_for(session, OFFICE), engine, returned_task, "approve",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    page = client.get("/notifications/?lang=vi").get_data(as_text=True)
    item = _item(page, notice)
    assert _badge(page) == before - 1
    assert 'class="read done"' in item and "đã xử lý" in item and "Lý do: Biên bản họp bình xét thiếu chữ ký." in item
