"""A refused action on the admin users page shows the page again with the refusal at the top and what the admin
typed (never the password), status 400, and changes nothing."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import AuditEvent, OrgUnit, RoleAssignment, User
from tests.web.conftest import Auth, csrf_from


def _alert(page: str) -> str:
    found = re.findall(r'<div class="flash error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert len(found) == 1, "no refusal (or more than one) at the top of the page"
    assert page.index("</h1>") < page.index('role="alert"') < page.index('data-testid="new-user"')
    return html.unescape(found[0]).strip()


def _new_user_field(page: str, name: str) -> str:
    form = page.split('data-testid="new-user"')[1].split("</form>")[0]
    return html.unescape(re.search(rf'<input type="\w+" name="{name}"[^>]*?(?:value="([^"]*)")?>', form).group(1) or "")


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return (session.scalar(select(func.count()).select_from(User)),
                session.scalar(select(func.count()).select_from(RoleAssignment)),
                session.scalar(select(func.count()).select_from(AuditEvent)))  # fmt: skip


def test_a_duplicate_user_name_keeps_the_typed_name_but_not_the_password(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    before = _counts(app)
    response = client.post("/admin/users", data={"_csrf": csrf_from(page), "username": "hn-hd-pl.chairman",
                                                 "full_name": "Nguyễn Thị Hoà", "password": "mat-khau-bi-mat"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Tên đăng nhập 'hn-hd-pl.chairman' đã có."
    assert _new_user_field(shown, "username") == "hn-hd-pl.chairman"
    assert _new_user_field(shown, "full_name") == "Nguyễn Thị Hoà"
    assert _new_user_field(shown, "password") == "" and "mat-khau-bi-mat" not in shown
    assert 'data-testid="users"' in shown  # the whole page, its list of users too
    assert _counts(app) == before


def test_a_short_password_is_refused_on_the_page_with_the_name_kept(app, client: FlaskClient, auth: Auth):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    before = _counts(app)
    response = client.post("/admin/users", data={"_csrf": csrf_from(page), "username": "hn-hd-pl.office_clerk3",
                                                 "full_name": "Lê Lan Anh", "password": "ngan"})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Mật khẩu cần ít nhất 8 ký tự."
    assert _new_user_field(shown, "username") == "hn-hd-pl.office_clerk3"
    assert _new_user_field(shown, "full_name") == "Lê Lan Anh"
    assert 'value="ngan"' not in shown
    assert _counts(app) == before
    done = client.post("/admin/users", data={"_csrf": csrf_from(shown), "username": "hn-hd-pl.office_clerk3",
                                             "full_name": "Lê Lan Anh", "password": "mat-khau-dai"})  # fmt: skip
    assert done.status_code == 302


def test_a_refused_role_grant_keeps_the_chosen_unit_in_that_users_row(app, client: FlaskClient, auth: Auth):
    with app.extensions["thidua.session_factory"]() as session:
        user_id = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HN-HD"))
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    before = _counts(app)
    response = client.post("/admin/roles", data={"_csrf": csrf_from(page), "user_id": str(user_id), "role": "vua",
                                                 "unit_id": str(unit_id)})  # fmt: skip
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _alert(shown) == "Vai trò 'vua' không có."
    row = shown.split('data-user="hn-hd-pl.chairman"')[1].split("</tr>")[0]
    assert re.findall(r'<option value="(\d+)" selected>', row) == [str(unit_id)]
    other = shown.split('data-user="hn-hd-pl.office_clerk"')[1].split("</tr>")[0]
    assert " selected" not in other  # only the row the admin used
    assert _counts(app) == before


def test_deactivating_oneself_is_refused_on_the_page(app, client: FlaskClient, auth: Auth):
    with app.extensions["thidua.session_factory"]() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    auth.login("admin")
    before = _counts(app)
    response = client.post(f"/admin/users/{admin_id}/active", data={"_csrf": auth.token("/admin/users"), "active": "0"})
    assert response.status_code == 400
    assert _alert(response.get_data(as_text=True)) == "Không thể tự khóa tài khoản của mình."
    assert _counts(app) == before
