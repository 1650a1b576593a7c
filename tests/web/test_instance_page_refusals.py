"""A refused action on the admin's instance page (a reassignment to someone who cannot take the task, a suspension
without a reason) is said on that page, by the form that was sent, with what was typed kept: not a bare error page."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from service.models import AuditEvent, HumanTask, User
from service.operations.accounts import actor_for
from service.queries.inbox import inbox
from tests.web.conftest import Auth, csrf_from

OFFICE = "hn-hd-pl.office_clerk"
NOT_ELIGIBLE = "Chỉ giao lại được cho người đang hoạt động, giữ vai trò của việc này tại đúng đơn vị."


def _office_task(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(task id, instance id) of a task waiting at Phú Lãm's office."""
    with app.extensions["thidua.session_factory"]() as session:
        row = inbox(session, actor_for(session, OFFICE))[0]
        task = session.get(HumanTask, row.task_id)
        return task.id, task.instance_id


def _count(app, action: str) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _row(page: str, task_id: int) -> str:
    return page.split(f'data-task="{task_id}"')[1].split("</tr>")[0]


def test_a_refused_reassignment_is_shown_in_the_tasks_row(app, client, auth: Auth):
    task_id, instance_id = _office_task(app)
    with app.extensions["thidua.session_factory"]() as session:
        chairman = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
    auth.login("admin")
    token = csrf_from(client.get(f"/instances/{instance_id}").get_data(as_text=True))
    wrong = client.post(f"/instances/tasks/{task_id}/reassign",
                        data={"assignee_id": str(chairman), "comment": "Người trực tuần", "_csrf": token})  # fmt: skip
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert 'data-testid="open-tasks"' in page and 'data-testid="suspend-form"' in page  # the instance page itself
    row = _row(page, task_id)
    shown = re.search(r'data-testid="reassign-refusal"[^>]*>([^<]*)<', row)
    assert shown and html.unescape(shown.group(1)) == NOT_ELIGIBLE
    assert 'value="Người trực tuần"' in row  # the comment typed is kept
    assert 'aria-invalid="true"' in row
    assert _count(app, "task.reassign") == 0

    forged = client.post(f"/instances/tasks/{task_id}/reassign", data={"assignee_id": "x", "_csrf": token})
    assert forged.status_code == 400
    assert "Người được giao không hợp lệ." in html.unescape(_row(forged.get_data(as_text=True), task_id))
    # Back to the group while the group already has it: the choice stays selected by the message.
    group = client.post(f"/instances/tasks/{task_id}/reassign", data={"assignee_id": "group", "_csrf": token})
    row = _row(group.get_data(as_text=True), task_id)
    assert group.status_code == 400 and "Việc này đang chờ cả nhóm; chọn một người để giao." in html.unescape(row)
    assert '<option value="group" selected>' in row
    english = client.post(f"/instances/tasks/{task_id}/reassign?lang=en",
                          data={"assignee_id": str(chairman), "_csrf": token})  # fmt: skip
    assert 'data-testid="reassign-refusal"' in english.get_data(as_text=True)
    assert NOT_ELIGIBLE not in html.unescape(english.get_data(as_text=True))  # said in English
    assert _count(app, "task.reassign") == 0
    # A task that does not exist has no page to show the refusal on.
    unknown = client.post("/instances/tasks/999999/reassign", data={"assignee_id": "group", "_csrf": token})
    assert unknown.status_code == 404


def test_a_suspension_without_a_reason_is_refused_on_the_page(app, client, auth: Auth):
    _, instance_id = _office_task(app)
    auth.login("admin")
    token = csrf_from(client.get(f"/instances/{instance_id}").get_data(as_text=True))
    refused = client.post(f"/instances/{instance_id}/suspend", data={"reason": " ", "_csrf": token})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-testid="suspend-form"' in page
    assert re.search(r'data-testid="instance-refusal">[^<]*lý do tạm dừng', page)
    assert _count(app, "instance.suspend") == 0
