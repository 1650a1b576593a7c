"""The unit's clerk reads on the notifications page how a dossier ended, and opens the dossier from there."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.domain.nominee_outcomes import NomineeResult
from service.models import Dossier, Nominee, Notification, User
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task, open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_batches import at_ward_chairman

CLERK = "hn-hd-pl-tp.unit_clerk"

# This module runs on SQLite and on PostgreSQL.
app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _items(page: str) -> dict[int, str]:
    """Each notice on the page by id: its text, tags removed."""
    found = re.findall(r'<li class="(?:unread|read)" data-id="(\d+)">(.*?)</li>', page, re.S)
    return {int(i): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()) for i, body in found}


def test_the_clerk_reads_the_grant_and_opens_the_dossier(app, client, auth: Auth, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Vũ Thị Hạnh", "Lê Văn Bình"], award="GK-XA")
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        title = session.get(Dossier, dossier_id).title
        nominees = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
        # The ward chairman grants one and turns the other down: the process ends at the ward.
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, open_task_for(session, dossier_id).id,
                      "approve", nominee_results={nominees["Lê Văn Bình"]: NomineeResult(False, "Chưa đủ 2 năm công tác")})
    auth.login(CLERK)
    page = client.get("/notifications/").get_data(as_text=True)
    with factory() as session:
        note = session.scalar(select(Notification).join(User, User.id == Notification.user_id)
                              .where(User.username == CLERK, Notification.dossier_id == dossier_id,
                                     Notification.kind == "granted"))  # fmt: skip
    assert note is not None and note.task_id is None
    text = _items(page)[note.id]
    assert (f"Hồ sơ “{title}” được khen thưởng một phần. Được khen thưởng: Giấy khen của Chủ tịch UBND phường Phú Lãm "
            "(Vũ Thị Hạnh). Không được khen thưởng: Lê Văn Bình (cấp phường/xã: Chưa đủ 2 năm công tác).") in text
    assert "Xem hồ sơ" in text and "Mở việc" not in text
    response = client.post(f"/notifications/{note.id}/read", data={"_csrf": auth.token("/notifications/"), "open": "1"})
    assert response.headers["Location"].endswith(f"/dossiers/{dossier_id}")
    with factory() as session:
        assert session.get(Notification, note.id).read_at is not None
    assert client.get(f"/dossiers/{dossier_id}").status_code == 200
    assert "Open the dossier" in client.get("/notifications/?lang=en").get_data(as_text=True)
