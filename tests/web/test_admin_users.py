"""Admins create users, grant and revoke roles, deactivate; claims are released; everything is audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.models import AuditEvent, HumanTask, OrgUnit
from tests.web.conftest import Auth, csrf_from


def test_admin_manages_a_user_from_creation_to_deactivation(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        ward_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD-PL"))
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    token = csrf_from(page)
    short = client.post("/admin/users", data={"_csrf": token, "username": "Lan Anh", "full_name": "Lê Lan Anh", "password": "x"})
    assert short.status_code == 400
    client.post("/admin/users", data={"_csrf": token, "username": "hn-hd-pl.office_clerk3", "full_name": "Lê Lan Anh",
                                      "password": "mat-khau-dai"})  # fmt: skip
    page = client.get("/admin/users").get_data(as_text=True)
    user_id = re.search(r'name="user_id" value="(\d+)"', page.split('data-user="hn-hd-pl.office_clerk3"')[1]).group(1)
    client.post("/admin/roles", data={"_csrf": token, "user_id": user_id, "role": "office_clerk", "unit_id": str(ward_id)})
    auth.logout()

    assert auth.login("hn-hd-pl.office_clerk3", "mat-khau-dai").status_code == 302
    inbox = client.get("/inbox/").get_data(as_text=True)
    task_id = re.search(r'data-task-id="(\d+)"', inbox).group(1)
    client.post(f"/inbox/tasks/{task_id}/claim", data={"_csrf": auth.token()})
    auth.logout()

    auth.login("admin")
    client.post(f"/admin/users/{user_id}/active", data={"_csrf": auth.token("/admin/users"), "active": "0"})
    with factory() as session:
        assert session.get(HumanTask, int(task_id)).claimed_by is None  # given back to the colleagues
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                                                      AuditEvent.object_id == user_id)))  # fmt: skip
        assert {"user.create", "role.grant", "user.deactivate"} <= actions
    auth.logout()
    assert auth.login("hn-hd-pl.office_clerk3", "mat-khau-dai").status_code == 401


def test_only_admins_reach_the_admin_pages(client, auth: Auth):
    auth.login("hn-hd-pl.chairman")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"_csrf": auth.token(), "username": "x"}).status_code in (400, 403)
