"""The notifications page: a user's own list, the unread count in the header, mark one / all read."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.models import Notification, User

OFFICE = "hn-hd-pl.office_clerk"


def _unread(app, username: str) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return int(session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.user_id == user_id, Notification.read_at.is_(None))))  # fmt: skip


def _badge(html: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_list_count_and_mark_read(app, client, auth):
    auth.login(OFFICE)
    before = _unread(app, OFFICE)
    assert before > 0  # the demo's dossiers put tasks in the ward office's inbox
    page = client.get("/notifications/").get_data(as_text=True)
    assert _badge(page) == before and "Việc mới:" in page
    first = int(re.search(r'data-id="(\d+)"', page).group(1))
    token = auth.token("/notifications/")
    response = client.post(f"/notifications/{first}/read", data={"_csrf": token})
    assert response.status_code == 302
    assert _unread(app, OFFICE) == before - 1
    assert _badge(client.get("/inbox/").get_data(as_text=True)) == before - 1
    client.post("/notifications/read-all", data={"_csrf": token})
    assert _unread(app, OFFICE) == 0
    assert 'id="unread-count"' not in client.get("/inbox/").get_data(as_text=True)


def test_open_marks_read_and_goes_to_the_task(app, client, auth):
    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    with app.extensions["thidua.session_factory"]() as session:
        note = session.scalar(select(Notification).join(User, User.id == Notification.user_id)
                              .where(User.username == OFFICE, Notification.task_id.is_not(None)))  # fmt: skip
    response = client.post(f"/notifications/{note.id}/read", data={"_csrf": auth.token("/notifications/"), "open": "1"})
    assert response.headers["Location"].endswith(f"/tasks/{note.task_id}")
    assert "Thông báo" in page


def test_a_user_cannot_touch_another_users_notification(app, client, auth):
    with app.extensions["thidua.session_factory"]() as session:
        theirs = session.scalar(select(Notification.id).join(User, User.id == Notification.user_id)
                                .where(User.username == OFFICE, Notification.read_at.is_(None)))  # fmt: skip
    auth.login("hn-hd-pl-tp.unit_clerk")
    assert str(theirs) not in re.findall(r'data-id="(\d+)"', client.get("/notifications/").get_data(as_text=True))
    response = client.post(f"/notifications/{theirs}/read", data={"_csrf": auth.token("/notifications/")})
    assert response.status_code == 404
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(Notification, theirs).read_at is None


def test_english_labels(client, auth):
    auth.login(OFFICE)
    assert "Notifications" in client.get("/notifications/?lang=en").get_data(as_text=True)
