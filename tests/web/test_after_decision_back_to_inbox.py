"""An official clearing their inbox decides task after task: after a decision on the task page they are back on the
inbox (its saved filter applied), with the message saying what was recorded and a link to the dossier just
decided; the next task is a click away. Text from the data in the message stays text. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select, update

from service.models import HumanTask, OrgUnit, ProcessInstance
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from, submit_dossiers

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _dossier_of(app, task_id: int) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(ProcessInstance.dossier_id)
                              .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
                              .where(HumanTask.id == task_id))  # fmt: skip


def _decide(client, task_id: int, decision: str, comment: str = "Đủ hồ sơ"):  # type: ignore[no-untyped-def]
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    return client.post(f"/inbox/tasks/{task_id}/complete",
                       data={"decision": decision, "comment": comment, "_csrf": csrf_from(page), "confirm": ticks})


def _message(page: str) -> tuple[str, str]:
    """The message on the page: its raw HTML and its words."""
    found = re.search(r'<div class="flash (?:ok|error)">(.*?)</div>', page, re.S)
    assert found, "the page shows no message"
    return found.group(1), " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def _row_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="[^"]*" data-task-id="(\d+)"', page)]


def test_after_a_decision_the_official_is_back_on_the_inbox_with_a_link_to_the_dossier(app, client, auth: Auth):
    first, second = submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    response = _decide(client, first, "approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox/")
    inbox = client.get(response.headers["Location"]).get_data(as_text=True)
    raw, words = _message(inbox)
    assert words == "Đã ghi nhận: Đạt. Trạng thái hồ sơ: Đang xét duyệt. Xem hồ sơ"
    assert f'<a href="/dossiers/{_dossier_of(app, first)}" data-testid="decided-dossier">Xem hồ sơ</a>' in raw
    listed = _row_ids(inbox)
    assert first not in listed and second in listed  # the next one waits on the same page
    # The link leads to the dossier, now at the council.
    assert "Họp Hội đồng TĐKT, biểu quyết" in client.get(f"/dossiers/{_dossier_of(app, first)}").get_data(as_text=True)


def test_back_on_the_inbox_the_saved_filter_still_applies(app, client, auth: Auth):
    first, second = submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    unit_id = re.search(r'<option value="(\d+)" >Bộ phận Tài chính - Kế toán</option>', page).group(1)
    client.post("/inbox/filter", data={"_csrf": csrf_from(page), "unit_id": unit_id})
    inbox = client.get(_decide(client, first, "approve").headers["Location"]).get_data(as_text=True)
    assert _row_ids(inbox) == [second] and 'data-testid="saved-filter"' in inbox


def test_the_message_reads_in_english_with_its_link(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    auth.login("hn-hd-pl.office_clerk")
    client.get("/inbox/?lang=en")
    raw, words = _message(client.get(_decide(client, task_id, "approve").headers["Location"]).get_data(as_text=True))
    assert words == "Recorded: Met. Dossier status: In review. Open the dossier"
    assert f'href="/dossiers/{_dossier_of(app, task_id)}" data-testid="decided-dossier">Open the dossier</a>' in raw


def test_names_in_the_message_stay_text(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # the unit the return names, with markup in its name
        session.execute(update(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TC").values(name='Tổ <b>1</b> & "2"'))
    auth.login("hn-hd-pl.office_clerk")
    response = _decide(client, task_id, "return", "Bổ sung trích ngang")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox/")
    raw, words = _message(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "<b>" not in raw and "Tổ &lt;b&gt;1&lt;/b&gt; &amp; &#34;2&#34;" in raw
    assert 'Đã trả hồ sơ về Cán bộ thi đua Tổ <b>1</b> & "2"' in words
    assert raw.count("<a ") == 1 and 'data-testid="decided-dossier"' in raw


def test_a_refused_decision_still_stays_on_the_task_page(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    auth.login("hn-hd-pl.office_clerk")
    refused = _decide(client, task_id, "return", "")
    assert refused.status_code == 400 and "Phải ghi rõ lý do" in refused.get_data(as_text=True)
    assert task_id in _row_ids(client.get("/inbox/").get_data(as_text=True))
