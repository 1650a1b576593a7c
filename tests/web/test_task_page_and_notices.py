"""What the tester missed on the task page and after a decision: the dossier's documents and a link to it, a flash
that says what was recorded (a council vote can turn "Thông qua" into a rejection), the notice on a task already
handled (Back after completing), and notification times in Vietnam time. On SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import event, select

from service.domain.documents import KIND_LABELS
from service.models import Document, Dossier, HumanTask, Nominee, Notification, OrgUnit, ProcessInstance, User
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.instance_admin import cancel_instance
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from, submit_dossiers
from workflows import FixedClock

OFFICE = "hn-hd-pl.office_clerk"
SECRETARY = "hn-hd-pl.council_secretary"
# A known UTC moment and the same moment on a Vietnamese clock (UTC+7).
UTC_MOMENT = datetime(2026, 12, 7, 3, 47, tzinfo=UTC)
VN_SHOWN, UTC_SHOWN = "07/12/2026 10:47", "07/12/2026 03:47"


# This module runs on SQLite and on PostgreSQL.
app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _dossier_of(app: Flask, task_id: int) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(ProcessInstance.dossier_id)
                              .join(HumanTask, HumanTask.instance_id == ProcessInstance.id).where(HumanTask.id == task_id))


def _approve_on_the_page(client, task_id: int):  # type: ignore[no-untyped-def]
    """The office clerk ticks the conditions no record decides and chooses "Đạt", as on the form."""
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    return client.post(f"/inbox/tasks/{task_id}/complete",
                       data={"decision": "approve", "comment": "Đủ hồ sơ", "_csrf": csrf_from(page), "confirm": ticks})


# The link to the dossier just decided, at the end of the message a decision leaves on the inbox.
DOSSIER_LINK = r'\s*<a [^>]*data-testid="decided-dossier"[^>]*>.*?</a>'


def _flashes(page: str) -> list[tuple[str, str]]:
    """The page's messages in words (after a decision, on the inbox, without the link to the dossier decided)."""
    return [(kind, html.unescape(re.sub(r"\s+", " ", re.sub(DOSSIER_LINK, "", text))).strip())
            for kind, text in re.findall(r'<div class="flash (\w+)">(.*?)</div>', page, re.S)]  # fmt: skip


def test_the_task_page_lists_the_dossiers_documents_and_links_to_the_dossier(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    dossier_id = _dossier_of(app, task_id)
    with app.extensions["thidua.session_factory"]() as session:
        documents = list(session.scalars(select(Document).where(Document.dossier_id == dossier_id,
                                                                Document.is_current.is_(True))))  # fmt: skip
    assert len(documents) >= 4  # the checklist's files: biên bản, tờ trình, báo cáo thành tích, trích ngang
    auth.login(OFFICE)
    statements: list[str] = []

    def record(_conn, _cursor, sql, *_args):  # type: ignore[no-untyped-def]
        statements.append(sql)

    event.listen(app.extensions["thidua.db_engine"], "before_cursor_execute", record)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    event.remove(app.extensions["thidua.db_engine"], "before_cursor_execute", record)
    assert f'href="/dossiers/{dossier_id}"' in page and 'data-testid="dossier-link"' in page
    listed = page[page.index('data-testid="task-documents"'):]
    for doc in documents:
        url = f"/dossiers/{dossier_id}/documents/{doc.id}"
        row = re.search(rf'<tr data-document-id="{doc.id}">(.*?)</tr>', listed, re.S)
        assert row and KIND_LABELS[doc.kind] in row.group(1) and f'href="{url}">{doc.filename}</a>' in row.group(1)
    # One query reads the documents (the nominees' names come from the dossier view already loaded).
    assert len([s for s in statements if re.search(r"\bFROM document\b", s)]) == 1
    # The clerk can open what the page links to.
    got = client.get(f"/dossiers/{dossier_id}/documents/{documents[0].id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")


def test_after_an_approval_the_flash_names_the_decision_and_the_dossiers_new_status(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    auth.login(OFFICE)
    response = _approve_on_the_page(client, task_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _flashes(page) == [("ok", "Đã ghi nhận: Đạt. Trạng thái hồ sơ: Đang xét duyệt.")]
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(Dossier, _dossier_of(app, task_id)).status == "in_review"


def test_after_an_approval_in_english_the_flash_is_english(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    auth.login(OFFICE)
    client.get("/inbox/?lang=en")
    page = client.get(_approve_on_the_page(client, task_id).headers["Location"]).get_data(as_text=True)
    assert _flashes(page) == [("ok", "Recorded: Met. Dossier status: In review.")]


def _choices(page: str) -> list[tuple[str, str]]:
    return [(value, html.unescape(label).strip()) for value, label in
            re.findall(r'<input type="radio" name="decision" value="(\w+)"[^>]*>([^<]*)</label>', page)]  # fmt: skip


def test_the_decision_choices_are_the_bpmn_labels_in_the_readers_language(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    auth.login(OFFICE)
    assert _choices(client.get(f"/inbox/tasks/{task_id}?lang=vi").get_data(as_text=True)) == [
        ("approve", "Đạt"), ("return", "Trả lại bổ sung"), ("reject", "Không đạt")]
    english = client.get(f"/inbox/tasks/{task_id}?lang=en").get_data(as_text=True)
    assert _choices(english) == [("approve", "Met"), ("return", "Return for supplement"), ("reject", "Not met")]
    # Back after recording, in English: the decision as the form offered it, in English too.
    assert _approve_on_the_page(client, task_id).status_code == 302
    assert "Decision: <strong data-testid=\"closed-decision\">Met</strong>" in client.get(
        f"/inbox/tasks/{task_id}").get_data(as_text=True)


def test_a_council_vote_nobody_passes_is_reported_as_not_passed(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id = _dossier_of(app, task_id)
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, OFFICE), engine, task_id, "approve",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
        council_task = open_task_for(session, dossier_id).id
    auth.login(SECRETARY)
    page = client.get(f"/inbox/tasks/{council_task}").get_data(as_text=True)
    [nominee] = re.findall(r'name="nominee_(\d+)"', page)
    response = client.post(f"/inbox/tasks/{council_task}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "council_size": "5", "present": "5",
        f"nominee_{nominee}": "approve", f"votes_for_{nominee}": "1", f"votes_against_{nominee}": "4"})  # fmt: skip
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _flashes(shown) == [("error",
        "Đã ghi nhận: Không thông qua. Không người được đề nghị nào đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu "
        "(50% số thành viên có mặt), nên hồ sơ không được thông qua dù bạn đã chọn “Thông qua”. "
        "Trạng thái hồ sơ: Không được khen thưởng.")]  # fmt: skip
    with factory() as session:
        assert session.get(Dossier, dossier_id).status == "rejected"
        assert session.get(HumanTask, council_task).decision == "reject"


def test_back_after_completing_says_who_handled_the_task_and_when(app, client, auth: Auth, clock: FixedClock):
    [task_id] = submit_dossiers(app, 1)
    dossier_id = _dossier_of(app, task_id)
    auth.login(OFFICE)
    open_page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert 'data-testid="task-closed"' not in open_page and f"/inbox/tasks/{task_id}/complete" in open_page
    clock.set(UTC_MOMENT)
    assert _approve_on_the_page(client, task_id).status_code == 302
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)  # Back
    with app.extensions["thidua.session_factory"]() as session:
        clerk = session.scalar(select(User.full_name).where(User.username == OFFICE))
    notice = re.search(r'<div class="flash ok" data-testid="task-closed">(.*?)</div>', page, re.S)
    assert notice, "no notice on a task already handled"
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", notice.group(1))).strip()
    assert said.startswith("Việc này đã được xử lý. Quyết định: Đạt.")
    assert f"Người đã xử lý: {clerk}." in said and f"Thời điểm: {VN_SHOWN}." in said and UTC_SHOWN not in said
    assert f'href="/dossiers/{dossier_id}"' in notice.group(1)
    assert f"/inbox/tasks/{task_id}/complete" not in page  # no decision form any more


def test_a_task_closed_by_a_cancel_says_so_without_a_decision(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    dossier_id = _dossier_of(app, task_id)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))
        cancel_instance(session, actor_for(session, "admin"), engine, instance_id, "Nộp nhầm")
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    notice = re.search(r'<div class="flash error" data-testid="task-closed">(.*?)</div>', page, re.S)
    assert notice and "Việc này đã đóng mà không có quyết định" in notice.group(1)
    assert f'href="/dossiers/{dossier_id}"' in notice.group(1)
    assert "Việc này đã được xử lý." not in page and f"/inbox/tasks/{task_id}/complete" not in page


def test_notification_times_are_shown_in_vietnam_time(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    dossier_id = _dossier_of(app, task_id)
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        user_id = session.scalar(select(User.id).where(User.username == OFFICE))
        note = Notification(user_id=user_id, kind="task", task_id=task_id, dossier_id=dossier_id, created_at=UTC_MOMENT)
        session.add(note)
        session.flush()
        note_id = note.id
    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    item = re.search(rf'<li class="unread" data-id="{note_id}">(.*?)</li>', page, re.S)
    assert item, "the notification is not listed"
    assert f"<time>{VN_SHOWN}</time>" in item.group(1) and UTC_SHOWN not in page


def test_nominees_the_votes_dropped_though_left_at_dong_y_are_named(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tc.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TC"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title="Ba người",
                                 nominees=[NomineeInput("individual", name, "GK-XA")
                                           for name in ("Người đạt", "Người trượt phiếu", "Người thư ký loại")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        complete_task(session, clerk, engine, open_task_for(session, dossier.id).id, "submit")
        complete_task(session, actor_for(session, OFFICE), engine, open_task_for(session, dossier.id).id, "approve",
                      confirmed=unconfirmed_keys(session, dossier))  # fmt: skip
        council_task, dossier_id = open_task_for(session, dossier.id).id, dossier.id
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier.id))}
    auth.login(SECRETARY)
    page = client.get(f"/inbox/tasks/{council_task}").get_data(as_text=True)
    ok, dropped, refused = ids["Người đạt"], ids["Người trượt phiếu"], ids["Người thư ký loại"]
    response = client.post(f"/inbox/tasks/{council_task}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "council_size": "9", "present": "7",
        f"nominee_{ok}": "approve", f"votes_for_{ok}": "6", f"votes_against_{ok}": "1",
        f"nominee_{dropped}": "approve", f"votes_for_{dropped}": "3", f"votes_against_{dropped}": "4",
        f"nominee_{refused}": "reject", f"reason_{refused}": "Chưa tiêu biểu", f"votes_for_{refused}": "1",
        f"votes_against_{refused}": "6"})  # fmt: skip
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _flashes(shown) == [("error",
        "Đã ghi nhận: Thông qua. Theo số phiếu, không đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu (50% số thành viên có "
        "mặt) nên không được đề nghị tiếp, dù bạn đã chọn “Đồng ý”: Người trượt phiếu (Không đạt tỷ lệ phiếu (3/7)). "
        "Trạng thái hồ sơ: Đang xét duyệt.")]  # fmt: skip
    with factory() as session:
        assert session.get(Dossier, dossier_id).status == "in_review"
        outcomes = {n.full_name: n.outcome for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    assert outcomes == {"Người đạt": None, "Người trượt phiếu": "rejected", "Người thư ký loại": "rejected"}


def test_a_task_the_dossier_came_back_to_says_why_at_the_top(app, client, auth: Auth):
    [task_id] = submit_dossiers(app, 1)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id = _dossier_of(app, task_id)
    auth.login(OFFICE)
    first = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert 'data-testid="task-returned"' not in first  # reached by a submission, not a return
    auth.logout()
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, OFFICE), engine, task_id, "approve",
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
        council_task = open_task_for(session, dossier_id).id
        complete_task(session, actor_for(session, SECRETARY), engine, council_task, "return",
                      "Biên bản họp bình xét thiếu chữ ký của chủ trì")  # fmt: skip
        back = open_task_for(session, dossier_id)
        back_id, secretary = back.id, session.scalar(select(User.full_name).where(User.username == SECRETARY))
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{back_id}").get_data(as_text=True)
    note = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('data-testid="task-returned">')[1].split("</div>")[0]))
    assert note.strip().startswith("Hồ sơ được trả lại từ bước “")
    assert f"({secretary}, " in note and note.strip().endswith(": Biên bản họp bình xét thiếu chữ ký của chủ trì")
    assert page.index('data-testid="task-returned"') < page.index('data-testid="task-documents"')  # at the top
