"""A refused decision on the task page shows the page again: the refusal at the top, everything typed still in the
form (decision, comment, ticks, council counts, each nominee's result, votes and reason), and nothing written.
On SQLite and on PostgreSQL (a refused write is rolled back there before the page is read again)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.domain.nominee_outcomes import VOTES_NEED_COUNT
from service.models import (AuditEvent, Dossier, HumanTask, Nominee, NomineeDecision, OrgUnit,
                            RoleAssignment, User)  # fmt: skip
from service.operations.accounts import actor_for, hash_password
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import claim_task, complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database, csrf_from, submit_dossiers
from tests.web.test_batches import at_ward_chairman

OFFICE = "hn-hd-pl.office_clerk"
SECRETARY = "hn-hd-pl.council_secretary"
CHAIRMAN = "hn-hd-pl.chairman"


# This module runs on SQLite and on PostgreSQL.
app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _alert(page: str) -> str:
    """The refusal at the top of the page (the only role="alert" block), in plain text."""
    found = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1, "no refusal (or more than one) at the top of the page"
    assert page.index("</h1>") < page.index('role="alert"') < page.index('data-testid="task-documents"')  # at the top
    return html.unescape(found[0]).strip()


def _textarea(page: str) -> str:
    return html.unescape(re.search(r'<textarea id="comment" name="comment"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def _checked_decision(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="decision" value="(\w+)" required checked>', page)


def _input_value(page: str, name: str) -> str:
    return html.unescape(re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', page).group(1))


def _selected(page: str, name: str) -> str:
    select_html = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
    chosen = re.findall(r'<option value="(\w+)" selected>', select_html)
    return chosen[0] if chosen else "approve"  # the first option when none is marked


def _nothing_written(app: Flask, task_id: int) -> None:
    with app.extensions["thidua.session_factory"]() as session:
        task = session.get(HumanTask, task_id)
        assert task.state == "ready" and task.decision is None and task.completed_by is None
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("task.complete", "eligibility.confirm")), AuditEvent.object_id == str(task_id))) == 0
        assert session.scalar(select(func.count()).select_from(NomineeDecision)
                              .where(NomineeDecision.human_task_id == task_id)) == 0  # fmt: skip


def _nominees(app: Flask, dossier_id: int) -> dict[str, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}


def _colleague(app: Flask) -> str:
    """A second office clerk of the ward (the demo has one), who can take the first one's tasks."""
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        colleague = User(username="hn-hd-pl.office_clerk2", full_name="Lê Thị Thu", password_hash=hash_password(PASSWORD))
        session.add(colleague)
        session.flush()
        session.add(RoleAssignment(user_id=colleague.id, role="office_clerk", org_unit_id=ward.id))
    return colleague.username


def _open_task(app: Flask, dossier_id: int) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return open_task_for(session, dossier_id).id


def _at_office(app: Flask) -> int:
    """A dossier of two collectives in phường Phú Lãm's campaign, whose condition no record decides (PL-CHI-SO):
    the office's form has one box to tick per collective. Returns the office's task."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="PL-CCHC-2024", unit_id=unit.id, title="Tập thể",
                                 nominees=[NomineeInput("collective", "Bộ phận Một cửa", "GK-XA"),
                                           NomineeInput("collective", "Tổ Tư pháp", "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        complete_task(session, clerk, engine, open_task_for(session, dossier.id).id, "submit")
        return open_task_for(session, dossier.id).id


def _at_council(app: Flask, names: list[str]) -> int:
    """A dossier of Phòng Tư pháp with these nominees, approved by the ward office: waiting for the council's vote."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title="Hội đồng",
                                 nominees=[NomineeInput("individual", n, "GK-XA") for n in names])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in (("hn-hd-pl-tp.unit_clerk", "submit"), (OFFICE, "approve")):
        with factory() as session, session.begin():
            ticks = unconfirmed_keys(session, session.get(Dossier, dossier_id))
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id,
                          decision, confirmed=ticks)  # fmt: skip
    return dossier_id


def test_a_return_without_a_reason_shows_the_task_again_with_the_choice_and_the_text_kept(app, client: FlaskClient,
                                                                                             auth: Auth):  # fmt: skip
    task_id = _at_office(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    assert len(ticks) == 2, "the office's form has a condition to tick per collective"
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "return", "comment": "   \t ", "confirm": ticks[:1]})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Phải ghi rõ lý do khi trả lại bổ sung."
    assert _checked_decision(shown) == ["return"]
    assert _textarea(shown) == "   \t "
    checked = re.findall(r'name="confirm" value="([^"]+)" checked>', shown)
    assert checked == ticks[:1]  # the ticked one stays ticked, the others not
    assert 'data-testid="task-closed"' not in shown and 'data-testid="diagram"' in shown  # the whole task page
    _nothing_written(app, task_id)
    # Corrected on the same page, it goes through.
    done = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(shown), "decision": "return", "comment": "Thiếu biên bản họp"})  # fmt: skip
    assert done.status_code == 302


def test_pass_without_ticking_the_conditions_keeps_the_comment_and_the_ticks_given(app, client: FlaskClient,
                                                                                   auth: Auth):  # fmt: skip
    task_id = _at_office(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    assert len(ticks) == 2
    comment = "Hồ sơ đủ thành phần; <đã> kiểm tra “trích ngang”."
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "comment": comment, "confirm": ticks[1:]})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown).startswith("Chưa đủ điều kiện: chưa xác nhận")
    assert _checked_decision(shown) == ["approve"]
    assert _textarea(shown) == comment and "&lt;đã&gt;" in shown  # kept, and escaped
    assert re.findall(r'name="confirm" value="([^"]+)" checked>', shown) == ticks[1:]
    _nothing_written(app, task_id)


def test_council_numbers_refused_are_shown_again_as_typed(app, client: FlaskClient, auth: Auth):
    dossier_id = _at_council(app, ["Người một", "Người hai"])
    task_id, ids = _open_task(app, dossier_id), _nominees(app, dossier_id)
    one, two = ids["Người một"], ids["Người hai"]
    auth.login(SECRETARY)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    cases = [
        # present below quorum (the campaign's 50 %)
        ({"council_size": "9", "present": "3", f"votes_for_{one}": "3", f"votes_against_{one}": "0",
          f"votes_for_{two}": "1", f"votes_against_{two}": "2", f"nominee_{two}": "reject", f"reason_{two}": "Chưa tiêu biểu"},
         "Cuộc họp không đủ số thành viên: có mặt 3/9, cần từ 50% trở lên."),
        # more votes than members present
        ({"council_size": "9", "present": "7", f"votes_for_{one}": "6", f"votes_against_{one}": "4",
          f"votes_for_{two}": "5", f"votes_against_{two}": "2", f"nominee_{two}": "approve", f"reason_{two}": ""},
         "Số phiếu của Người một không hợp lệ (vượt số thành viên có mặt)."),
        # not numbers
        ({"council_size": "chín", "present": "7", f"votes_for_{one}": "6", f"votes_against_{one}": "1",
          f"votes_for_{two}": "5 phiếu", f"votes_against_{two}": "", f"nominee_{two}": "reject", f"reason_{two}": "x"},
         "Số phiếu và số thành viên phải là số nguyên không âm."),
        # votes with no meeting count: they cannot be weighed (3 for, 4 against was once recorded as approved)
        ({"council_size": "", "present": "", f"votes_for_{one}": "3", f"votes_against_{one}": "4",
          f"votes_for_{two}": "", f"votes_against_{two}": "", f"nominee_{two}": "approve", f"reason_{two}": ""},
         VOTES_NEED_COUNT),
        # half a meeting count
        ({"council_size": "9", "present": "", f"votes_for_{one}": "2", f"votes_against_{one}": "5",
          f"votes_for_{two}": "6", f"votes_against_{two}": "1", f"nominee_{two}": "approve", f"reason_{two}": ""},
         "Ghi cả tổng số thành viên Hội đồng và số thành viên có mặt (hoặc để trống cả hai)."),
    ]  # fmt: skip
    for fields, message in cases:
        form = {"_csrf": csrf_from(page), "decision": "approve", "comment": "Biên bản họp số 12", f"nominee_{one}": "approve",
                **fields}  # fmt: skip
        response = client.post(f"/inbox/tasks/{task_id}/complete", data=form)
        shown = response.get_data(as_text=True)
        assert response.status_code == 400, message
        assert _alert(shown) == message
        assert _checked_decision(shown) == ["approve"] and _textarea(shown) == "Biên bản họp số 12"
        for name in ("council_size", "present", f"votes_for_{one}", f"votes_against_{one}", f"votes_for_{two}",
                     f"votes_against_{two}", f"reason_{two}"):  # fmt: skip
            assert _input_value(shown, name) == fields[name], (message, name)
        assert _selected(shown, f"nominee_{one}") == "approve" and _selected(shown, f"nominee_{two}") == fields[f"nominee_{two}"]
        _nothing_written(app, task_id)


def test_a_chairman_refusing_a_nominee_without_a_reason_keeps_every_row(app, client: FlaskClient, auth: Auth):
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Người ba", "Người bốn"], award="GK-XA")
    task_id, ids = _open_task(app, dossier_id), _nominees(app, dossier_id)
    three, four = ids["Người ba"], ids["Người bốn"]
    auth.login(CHAIRMAN)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "comment": "Đồng ý khen thưởng",
        f"nominee_{three}": "approve", f"reason_{three}": "Tiêu biểu nhất",
        f"nominee_{four}": "reject", f"reason_{four}": "  "})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Phải ghi lý do không đề nghị khen thưởng cho Người bốn."
    assert _selected(shown, f"nominee_{three}") == "approve" and _selected(shown, f"nominee_{four}") == "reject"
    assert _input_value(shown, f"reason_{three}") == "Tiêu biểu nhất" and _input_value(shown, f"reason_{four}") == "  "
    assert _checked_decision(shown) == ["approve"] and _textarea(shown) == "Đồng ý khen thưởng"
    _nothing_written(app, task_id)


def test_a_task_a_colleague_holds_answers_409_on_the_task_page_with_the_text_kept(app, client: FlaskClient,
                                                                                  auth: Auth):  # fmt: skip
    [task_id], colleague = submit_dossiers(app, 1), _colleague(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():  # meanwhile a colleague claims it
        claim_task(session, actor_for(session, colleague), engine, task_id)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "return", "comment": "Thiếu tờ trình"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _alert(shown) == "Việc này đang do Lê Thị Thu nhận xử lý."
    assert _textarea(shown) == "Thiếu tờ trình" and _checked_decision(shown) == ["return"]
    _nothing_written(app, task_id)
    # Someone who may not act on the task at all has no task page to go back to: the error page, as before.
    auth.login("hn-hd.noi_vu")
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={"_csrf": auth.token(), "decision": "approve"})
    assert response.status_code == 403 and 'role="alert"' not in response.get_data(as_text=True)
    _nothing_written(app, task_id)


def test_a_task_decided_meanwhile_answers_409_and_says_who_decided(app, client: FlaskClient, auth: Auth):
    [task_id], colleague = submit_dossiers(app, 1), _colleague(app)
    auth.login(OFFICE)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():  # a colleague decides first
        complete_task(session, actor_for(session, colleague), engine, task_id, "return", "Thiếu tờ trình")
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "return", "comment": "Bổ sung biên bản"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 409
    assert _alert(shown) == "Việc này đã được xử lý hoặc không còn hiệu lực."
    assert 'data-testid="task-closed"' in shown and 'data-testid="closed-decision"' in shown  # who decided, and how
    assert "Lê Thị Thu" in shown.split('data-testid="task-closed"')[1].split("</div>")[0]
    with factory() as session:
        assert session.get(HumanTask, task_id).comment == "Thiếu tờ trình"  # the colleague's decision stands
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task.complete", AuditEvent.object_id == str(task_id))) == 1  # fmt: skip
