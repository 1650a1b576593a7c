"""Instance admin pages over HTTP: list with filters, one instance with its actions, the migration page."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.domain.actors import Actor
from service.models import AuditEvent, HumanTask, OrgUnit, ProcessInstance, User
from service.operations.accounts import actor_for
from service.operations.definitions import deploy_definition
from service.queries.inbox import inbox
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level
from tests.operations.helpers import new_dossier
from tests.web.conftest import PASSWORD, Auth, csrf_from

OFFICE = "hn-hd-pl.office_clerk"


def _office_task(app) -> tuple[int, int, int]:
    """(task id, instance id, dossier id) of a task waiting at Phú Lãm's office."""
    with app.extensions["thidua.session_factory"]() as session:
        row = inbox(session, actor_for(session, OFFICE))[0]
        task = session.get(HumanTask, row.task_id)
        return task.id, task.instance_id, row.dossier_id


def _count(app, action: str) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _status(app, instance_id: int) -> str:
    with app.extensions["thidua.session_factory"]() as session:
        return session.get(ProcessInstance, instance_id).status


def test_list_filters_by_status_unit_version_and_stuck(app, client, auth: Auth, clock):
    _, instance_id, _ = _office_task(app)
    auth.login("admin")
    everything = client.get("/instances/").get_data(as_text=True)
    listed = set(re.findall(r'data-instance="(\d+)"', everything))
    assert str(instance_id) in listed and len(listed) > 3
    with app.extensions["thidua.session_factory"]() as session:
        running = {str(i) for i in session.scalars(select(ProcessInstance.id).where(ProcessInstance.status == "running"))}
        ward = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL"))
        other = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "QN-HL-GD"))
    by_status = set(re.findall(r'data-instance="(\d+)"', client.get("/instances/?status=running").get_data(as_text=True)))
    assert by_status == running & listed
    in_ward = set(re.findall(r'data-instance="(\d+)"', client.get(f"/instances/?unit_id={ward}").get_data(as_text=True)))
    elsewhere = set(re.findall(r'data-instance="(\d+)"', client.get(f"/instances/?unit_id={other}").get_data(as_text=True)))
    assert str(instance_id) in in_ward and str(instance_id) not in elsewhere and in_ward.isdisjoint(elsewhere)
    assert re.findall(r'data-instance="(\d+)"', client.get("/instances/?version_id=999").get_data(as_text=True)) == []
    # "Stuck": an open task older than N days, or overdue. A dossier started now is not stuck after 5 days' wait...
    fresh = new_dossier(app.extensions["thidua.session_factory"], app.extensions["thidua.engine"])
    with app.extensions["thidua.session_factory"]() as session:
        fresh_instance = str(session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == fresh)))
    assert fresh_instance not in set(re.findall(r'data-instance="(\d+)"', client.get("/instances/?stuck_days=5").get_data(as_text=True)))
    clock.advance(days=6)  # ...but is after six days
    assert fresh_instance in set(re.findall(r'data-instance="(\d+)"', client.get("/instances/?stuck_days=5").get_data(as_text=True)))
    english = client.get("/instances/?lang=en").get_data(as_text=True)
    assert "Running instances" in english and "Process version" in english
    # A bad filter value is ignored, never a 500.
    assert client.get("/instances/?stuck_days=abc&status=nonsense&unit_id=-1").status_code == 200


def test_suspend_resume_cancel_through_the_page(app, client, auth: Auth):
    task_id, instance_id, dossier_id = _office_task(app)
    auth.login("admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'data-testid="suspend-form"' in page and f'data-task="{task_id}"' in page
    assert f"/dossiers/{dossier_id}/diagram.json" in page
    token = csrf_from(page)
    missing = client.post(f"/instances/{instance_id}/suspend", data={"reason": " ", "_csrf": token})
    assert missing.status_code == 400 and "lý do tạm dừng" in missing.get_data(as_text=True)
    assert _status(app, instance_id) == "running" and _count(app, "instance.suspend") == 0
    assert client.post(f"/instances/{instance_id}/suspend", data={"reason": "Chờ xác minh"}).status_code == 400  # no CSRF
    done = client.post(f"/instances/{instance_id}/suspend", data={"reason": "Chờ xác minh đơn thư", "_csrf": token})
    assert done.status_code == 302 and _status(app, instance_id) == "suspended"
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'data-testid="suspension"' in page and "Chờ xác minh đơn thư" in page and 'data-testid="resume-form"' in page
    dossier_page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert 'data-testid="suspended"' in dossier_page and "Chờ xác minh đơn thư" in dossier_page
    again = client.post(f"/instances/{instance_id}/suspend", data={"reason": "Lần nữa", "_csrf": token})
    assert again.status_code == 409 and _count(app, "instance.suspend") == 1
    # The official: the task is gone from the inbox, its page offers nothing, and a claim is refused with 409.
    auth.logout()
    auth.login(OFFICE)
    assert f'data-task-id="{task_id}"' not in client.get("/inbox/").get_data(as_text=True)
    task_page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert 'data-testid="suspended"' in task_page and "inbox.complete" not in task_page
    assert f"/inbox/tasks/{task_id}/complete" not in task_page
    claim = client.post(f"/inbox/tasks/{task_id}/claim", data={"_csrf": csrf_from(task_page)})
    assert claim.status_code == 409 and "tạm dừng" in claim.get_data(as_text=True)
    assert client.post(f"/instances/{instance_id}/resume", data={"_csrf": csrf_from(task_page)}).status_code == 403
    auth.logout()
    auth.login("admin")
    token = auth.token(f"/instances/{instance_id}")
    assert client.post(f"/instances/{instance_id}/resume", data={"_csrf": token}).status_code == 302
    assert _status(app, instance_id) == "running" and _count(app, "instance.resume") == 1
    no_reason = client.post(f"/instances/{instance_id}/cancel", data={"reason": "", "_csrf": token})
    assert no_reason.status_code == 400 and _status(app, instance_id) == "running"
    assert client.post(f"/instances/{instance_id}/cancel", data={"reason": "Nộp trùng", "_csrf": token}).status_code == 302
    assert _status(app, instance_id) == "cancelled" and _count(app, "instance.cancel") == 1
    after = client.post(f"/instances/{instance_id}/cancel", data={"reason": "Nộp trùng", "_csrf": token})
    assert after.status_code == 409 and _count(app, "instance.cancel") == 1
    assert client.post("/instances/999999/suspend", data={"reason": "x", "_csrf": token}).status_code == 404


def test_reassign_offers_only_eligible_users_and_refuses_others(app, client, auth: Auth):
    task_id, instance_id, _ = _office_task(app)
    with app.extensions["thidua.session_factory"]() as session:
        clerk = session.scalar(select(User.id).where(User.username == OFFICE))
        chairman = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
    auth.login("admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    form = page.split(f'data-task="{task_id}"')[1].split("</form>")[0]
    offered = set(re.findall(r'<option value="(\w+)"', form))
    assert offered >= {"group", str(clerk)} and str(chairman) not in offered
    token = csrf_from(page)
    wrong = client.post(f"/instances/tasks/{task_id}/reassign", data={"assignee_id": str(chairman), "_csrf": token})
    assert wrong.status_code == 400 and "vai trò" in wrong.get_data(as_text=True)
    assert client.post(f"/instances/tasks/{task_id}/reassign", data={"assignee_id": "x", "_csrf": token}).status_code == 400
    assert _count(app, "task.reassign") == 0
    ok = client.post(f"/instances/tasks/{task_id}/reassign",
                     data={"assignee_id": str(clerk), "comment": "Người trực tuần", "_csrf": token})  # fmt: skip
    assert ok.status_code == 302 and _count(app, "task.reassign") == 1
    shown = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'data-action="task.reassign"' in shown and "Người trực tuần" in shown
    back = client.post(f"/instances/tasks/{task_id}/reassign", data={"assignee_id": "group", "_csrf": token})
    assert back.status_code == 302 and _count(app, "task.reassign") == 2
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(HumanTask, task_id).claimed_by is None


def test_migration_page_dry_run_then_apply_and_suspended_are_explained(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    xml = remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                        "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    with factory() as session, session.begin():
        v1 = session.scalar(select(ProcessInstance.version_id).limit(1))
        v2 = deploy_definition(session, Actor(None, "admin"), xml, comment="Bỏ cấp huyện").version.id
    _, suspended_id, _ = _office_task(app)
    auth.login("admin")
    token = auth.token(f"/instances/{suspended_id}")
    client.post(f"/instances/{suspended_id}/suspend", data={"reason": "Đang rà soát", "_csrf": token})
    assert "migrate-pick" in client.get("/instances/migrate").get_data(as_text=True)
    events_before = _count(app, "instance.migrate")
    dry = client.get(f"/instances/migrate?from_version={v1}&to_version={v2}").get_data(as_text=True)
    can = re.findall(r'data-instance="(\d+)" data-can="yes"', dry)
    assert can and 'data-testid="migrate-apply"' in dry and str(suspended_id) not in can
    assert f"/instances/{suspended_id}" in dry.split('data-testid="migrate-suspended"')[1]
    assert _count(app, "instance.migrate") == events_before  # a dry run changes nothing
    with factory() as session:
        assert all(session.get(ProcessInstance, int(i)).version_id == v1 for i in can)
    applied = client.post("/instances/migrate", data={"from_version": v1, "to_version": v2, "_csrf": token})
    assert applied.status_code == 200 and "Kết quả chuyển" in applied.get_data(as_text=True)
    assert _count(app, "instance.migrate") == events_before + len(can)
    with factory() as session:
        assert all(session.get(ProcessInstance, int(i)).version_id == v2 for i in can)
        assert session.get(ProcessInstance, suspended_id).version_id == v1
        assert session.get(ProcessInstance, suspended_id).status == "suspended"
    same = client.get(f"/instances/migrate?from_version={v1}&to_version={v1}")
    assert same.status_code == 400
    assert client.post("/instances/migrate", data={"_csrf": token}).status_code == 400


def test_the_api_reports_a_suspended_task_as_not_actionable_and_refuses_a_claim(app, client, auth: Auth):
    task_id, instance_id, _ = _office_task(app)
    auth.login("admin")
    client.post(f"/instances/{instance_id}/suspend", data={"reason": "Rà soát", "_csrf": auth.token(f"/instances/{instance_id}")})
    token = client.post("/api/v1/auth/token", json={"username": OFFICE, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()["can_act"] is False
    assert task_id not in {t["id"] for t in client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]}
    claim = client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers)
    assert claim.status_code == 409 and "tạm dừng" in claim.get_json()["error"]["message"]


def test_the_list_pages_newest_first_keeping_its_filters(app, client, auth: Auth, monkeypatch):
    """A page holds PAGE_SIZE instances (here 2) and links to the next, older ones, with the same filters."""
    import service.web.instances as pages

    auth.login("admin")
    listed = lambda html: [int(i) for i in re.findall(r'data-instance="(\d+)"', html)]  # noqa: E731
    everything = listed(client.get("/instances/").get_data(as_text=True))
    running = listed(client.get("/instances/?status=running").get_data(as_text=True))
    assert len(running) >= 3 and everything == sorted(everything, reverse=True)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    seen, url = [], "/instances/?status=running"
    while url:
        html = client.get(url).get_data(as_text=True)
        page = listed(html)
        assert 0 < len(page) <= 2
        seen += page
        found = re.search(r'href="([^"]+)" data-testid="next-page"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert url is None or ("status=running" in url and f"before={page[-1]}" in url)
    assert seen == running  # every running instance once, newest first, and nothing else
