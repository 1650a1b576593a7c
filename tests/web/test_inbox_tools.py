"""Inbox tools: filters saved per user, bulk approval with per-task results, assigning to a colleague."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.models import Dossier, HumanTask, Nominee, OrgUnit, RoleAssignment, User
from service.queries.eligibility import unconfirmed_keys
from service.operations.accounts import actor_for, hash_password
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import PASSWORD, Auth, csrf_from, submit_dossiers


def row_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="[^"]*" data-task-id="(\d+)"', html)]


def test_filter_by_submitting_unit_is_saved_and_reapplied(app, client, auth: Auth):
    mine = submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    assert set(mine) < set(row_ids(page))
    unit_id = re.search(r'<option value="(\d+)" >Bộ phận Tài chính - Kế toán</option>', page).group(1)
    filtered = client.get(f"/inbox/?filter=1&unit_id={unit_id}").get_data(as_text=True)
    assert sorted(row_ids(filtered)) == sorted(mine)
    token = auth.token()
    client.post("/inbox/filter", data={"unit_id": unit_id, "_csrf": token})
    again = client.get("/inbox/").get_data(as_text=True)
    assert sorted(row_ids(again)) == sorted(mine)
    assert sorted(row_ids(client.get("/inbox/?filter=1").get_data(as_text=True))) != sorted(mine)


def test_the_count_and_the_filter_cover_the_tasks_beyond_the_listed_page(app, client, auth: Auth, monkeypatch):
    from service.queries.inbox import inbox
    from service.web import inbox as inbox_pages

    submit_dossiers(app, 2, "HN-HD-PL-TC")
    submit_dossiers(app, 1, "HN-HD-PL-VH")
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        everything = inbox(session, actor_for(session, "hn-hd-pl.office_clerk"), limit=10_000)
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 1)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    assert len(everything) >= 4 and row_ids(page) == [everything[0].task_id]
    assert re.search(r'data-testid="inbox-count">(\d+)<', page).group(1) == str(len(everything))
    shown = re.search(r'data-testid="inbox-shown">([^<]*)</p>', page).group(1)
    assert f"Đang hiển thị 1 trên {len(everything)}" in shown and "dùng bộ lọc" in shown
    # Every submitting unit can be chosen, those whose tasks are not listed too, and choosing one finds its tasks.
    units = re.findall(r'<option value="(\d+)" >([^<]+)</option>', re.search(r'<select name="unit_id">(.*?)</select>',
                                                                          page, re.S).group(1))  # fmt: skip
    assert {name for _, name in units} == {row.submitting_unit for row in everything}
    unlisted = next(row for row in everything if row.submitting_unit != everything[0].submitting_unit)
    unit_id = {name: unit_id for unit_id, name in units}[unlisted.submitting_unit]
    assert row_ids(client.get(f"/inbox/?filter=1&unit_id={unit_id}").get_data(as_text=True)) == [unlisted.task_id]
    # A page that is not full says nothing more.
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 200)
    shown = re.search(r'data-testid="inbox-shown">([^<]*)</p>', client.get("/inbox/").get_data(as_text=True)).group(1)
    assert shown.strip() == f"Đang hiển thị {len(everything)} trên {len(everything)}"


def test_bulk_approval_reports_each_task_and_one_failure_does_not_undo_others(app, client, auth: Auth):
    ids = submit_dossiers(app, 3)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # a colleague already decided the second one
        complete_task(session, actor_for(session, "hn-hd-pl.office_clerk"), app.extensions["thidua.engine"],
                      ids[1], "approve", "Đã xem")  # fmt: skip
    auth.login("hn-hd-pl.office_clerk")
    token = auth.token()
    response = client.post("/inbox/bulk", data={"task_id": [str(i) for i in ids], "comment": "Đủ hồ sơ", "_csrf": token},
                           follow_redirects=True)  # fmt: skip
    page = response.get_data(as_text=True)
    # Each task is named by its dossier's title and submitting unit (submit_dossiers: "Hồ sơ số N", Tổ chức phường).
    unit = re.search(r'data-task-result="\d+">Hồ sơ số 1 — ([^:<]*):', page).group(1)
    assert f'data-task-result="{ids[0]}">Hồ sơ số 1 — {unit}: Đã ghi nhận' in page
    assert f'data-task-result="{ids[2]}">Hồ sơ số 3 — {unit}: Đã ghi nhận' in page
    assert f'data-task-result="{ids[1]}">Hồ sơ số 2 — {unit}: Việc này đã được xử lý' in page
    with factory() as session:
        states = [session.get(HumanTask, i).state for i in ids]
        assert states == ["completed", "completed", "completed"]
        comments = [session.get(HumanTask, i).comment for i in ids]
        assert comments == ["Đủ hồ sơ", "Đã xem", "Đủ hồ sơ"]


def test_assign_to_a_colleague_with_the_same_role_at_the_same_unit(app, client, auth: Auth):
    (task_id,) = submit_dossiers(app, 1)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        colleague = User(username="hn-hd-pl.office_clerk2", full_name="Lê Thị Thu", password_hash=hash_password(PASSWORD))
        session.add(colleague)
        session.flush()
        session.add(RoleAssignment(user_id=colleague.id, role="office_clerk", org_unit_id=ward.id))
        colleague_id = colleague.id
        chairman_id = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
    auth.login("hn-hd-pl.office_clerk")
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert "Lê Thị Thu" in page
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    refused = client.post(f"/inbox/tasks/{task_id}/assign", data={"assignee_id": chairman_id, "_csrf": token})
    assert refused.status_code == 400
    assert client.post(f"/inbox/tasks/{task_id}/assign", data={"assignee_id": colleague_id, "_csrf": token}).status_code == 302
    with factory() as session:
        assert session.get(HumanTask, task_id).claimed_by == colleague_id
    auth.logout()
    auth.login("hn-hd-pl.office_clerk2")
    token = auth.token()
    done = client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "approve", "_csrf": token})
    assert done.status_code == 302


def test_decision_form_shows_quota_used_and_allowed(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="PL-CCHC-2024", unit_id=unit.id, title="Tập thể",
                                 nominees=[NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch", "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in (("hn-hd-pl-tp.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve"),
                               ("hn-hd-pl.council_secretary", "approve")):  # fmt: skip
        with factory() as session, session.begin():
            ticks = unconfirmed_keys(session, session.get(Dossier, dossier_id))
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id, decision,
                          confirmed=ticks)  # fmt: skip
    with factory() as session:
        task_id = open_task_for(session, dossier_id).id
    auth.login("hn-hd-pl.chairman")
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert 'data-rule="PL-TAP-THE"' in page and "tập thể: 1/5 (tối thiểu 3)" in page


def test_council_secretary_records_votes_per_nominee_on_the_form(app, client, auth: Auth):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title="Hai người",
                                 nominees=[NomineeInput("individual", "Người đạt", "GK-XA"),
                                           NomineeInput("individual", "Người không đạt", "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in (("hn-hd-pl-tp.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve")):
        with factory() as session, session.begin():
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id, decision)
    with factory() as session:
        task_id = open_task_for(session, dossier_id).id
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    auth.login("hn-hd-pl.council_secretary")
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert 'data-testid="per-nominee"' in page and 'name="votes_for_' in page
    ok, ko = ids["Người đạt"], ids["Người không đạt"]
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "council_size": "5", "present": "5",
        f"nominee_{ok}": "approve", f"votes_for_{ok}": "4", f"votes_against_{ok}": "1",
        f"nominee_{ko}": "approve", f"votes_for_{ko}": "1", f"votes_against_{ko}": "4"})  # fmt: skip
    assert response.status_code == 302
    shown = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Không được khen cấp phường/xã" in shown and "Đang xét" in shown


def test_rows_of_units_sharing_a_name_say_which_unit_they_are(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        twin = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        twin.name = "Bộ phận Tài chính - Kế toán"  # the same name as HN-HD-PL-TC's
    mine = submit_dossiers(app, 1, "HN-HD-PL-TC") + submit_dossiers(app, 1, "HN-HD-PL-VH")
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    shown = {int(task_id): cells for task_id, cells in re.findall(r'data-task-id="(\d+)">(.*?)</tr>', page, re.S)}
    assert "[HN-HD-PL-TC]" in shown[mine[0]] and "[HN-HD-PL-VH]" in shown[mine[1]]
    assert "Bộ phận Tài chính - Kế toán (" in shown[mine[0]]


def test_a_filter_that_finds_nothing_says_so_and_what_the_inbox_still_holds(app, client, auth: Auth):
    submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/?filter=1&overdue=1").get_data(as_text=True)  # nothing is overdue yet
    said = re.search(r'data-testid="inbox-filtered-empty">([^<]*)</p>', page).group(1)
    total = len(re.findall(r'data-task-id="\d+"', client.get("/inbox/?filter=1").get_data(as_text=True)))
    assert said == f"Không có việc nào khớp bộ lọc; hộp việc còn {total} việc khác." and total >= 2
    assert "Không có việc nào cần xử lý." not in page
