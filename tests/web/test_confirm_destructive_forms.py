"""The one-click irreversible forms carry their question (data-confirm, asked by service/static/confirm.js, loaded
by every page) in the page's language; without JavaScript they are plain forms that still post."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from service.models import OrgUnit, ProcessInstance, RoleAssignment, User
from service.web.i18n import EN
from tests.web.conftest import Auth, csrf_from
from tests.web.test_unit_clerk import create


def _questions(page: str, action: str) -> list[str]:
    """The data-confirm of every form posting to an action matching `action`."""
    forms = re.findall(rf'<form method="post" action="{action}"[^>]*>', page)
    assert forms, f"no form posting to {action}"
    return [html.unescape(m.group(1)) if (m := re.search(r'data-confirm="([^"]*)"', f)) else "" for f in forms]


def test_every_page_loads_the_confirmation_script(client, auth: Auth):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<script src="/static/confirm.js" defer></script>' in page
    script = client.get("/static/confirm.js")
    assert script.status_code == 200 and b"data-confirm" in script.get_data()
    script.close()


def test_revoking_a_role_and_locking_an_account_ask_first(app, client, auth: Auth):
    with app.extensions["thidua.session_factory"]() as session:
        office = session.scalar(select(User).where(User.username == "hn-hd-pl.office_clerk"))
        grant = session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == office.id))
        unit_name = session.get(OrgUnit, grant.org_unit_id).name
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    revoke = _questions(page, f"/admin/roles/{grant.id}/revoke")
    # In the words the message after it uses (the role's label, the unit's name), not in codes.
    assert revoke == [f"Thu hồi vai trò Công chức Văn phòng tại {unit_name} của hn-hd-pl.office_clerk?"]
    assert _questions(page, f"/admin/users/{office.id}/active") == [
        "Khóa tài khoản hn-hd-pl.office_clerk? Người này sẽ không đăng nhập được cho đến khi được mở khóa."]
    english = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert _questions(english, f"/admin/users/{office.id}/active") == [
        "Lock the account hn-hd-pl.office_clerk? They will not be able to sign in until it is unlocked."]
    assert _questions(english, f"/admin/roles/{grant.id}/revoke") == [
        f"Revoke the role {EN['Công chức Văn phòng']} at {unit_name} from hn-hd-pl.office_clerk?"]
    assert "office_clerk@" not in "".join(_questions(english, r"/admin/roles/\d+/revoke"))

    # Without JavaScript the form still posts; unlocking asks nothing.
    response = client.post(f"/admin/users/{office.id}/active", data={"_csrf": csrf_from(page), "active": "0"})
    assert response.status_code == 302
    assert _questions(client.get("/admin/users").get_data(as_text=True), f"/admin/users/{office.id}/active") == [""]


def test_cancelling_a_process_asks_first(app, client, auth: Auth):
    with app.extensions["thidua.session_factory"]() as session:
        running = session.scalar(select(ProcessInstance.id).where(ProcessInstance.status == "running"))
    auth.login("admin")
    page = client.get(f"/instances/{running}").get_data(as_text=True)
    assert _questions(page, f"/instances/{running}/cancel") == [
        "Hủy quy trình này? Hồ sơ bị hủy theo và việc này không hoàn tác được."]


def test_deleting_a_nominee_asks_first_naming_the_nominee(client, auth: Auth):
    auth.login("hn-hd-pl-tc.unit_clerk")
    dossier_id, url = create(client)  # one nominee, Phạm Thị Lan: the last one is offered no delete
    client.post(f"/dossiers/{dossier_id}/nominees", data={"_csrf": auth.token(url), "kind": "individual",
                                                          "full_name": "Trần Văn Bình", "award_form": "GK-XA"})  # fmt: skip
    page = client.get(url).get_data(as_text=True)
    questions = _questions(page, rf"/dossiers/{dossier_id}/nominees/\d+/delete")
    assert sorted(questions) == [f"Xóa {name} khỏi hồ sơ? Việc này không hoàn tác được."
                                 for name in ("Phạm Thị Lan", "Trần Văn Bình")]  # fmt: skip
