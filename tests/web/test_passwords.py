"""Passwords from the browser and the API: a user changes their own (Đổi mật khẩu), an admin resets a forgotten one
and the user must then choose a new one before anything else. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.models import ApiToken, AuditEvent, User
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database, csrf_from

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

CLERK = "hn-hd-pl.office_clerk"
NEW = "Mùa-thi-đua-2026"
TEMPORARY = "Tạm-thời-2026"


def _signed_in(app: Flask, username: str, password: str = PASSWORD) -> tuple[FlaskClient, Auth]:
    client = app.test_client()
    auth = Auth(client)
    auth.login(username, password)
    return client, auth


def _state(app: Flask, username: str = CLERK) -> tuple[str, bool, int]:
    with app.extensions["thidua.session_factory"]() as db:
        user = db.scalar(select(User).where(User.username == username))
        changes = db.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action.in_(["user.password_change", "user.password_reset"])))  # fmt: skip
        return user.password_hash, user.must_change_password, changes


def _change(client: FlaskClient, current: str, new: str, repeated: str | None = None,  # type: ignore[no-untyped-def]
            lang: str = ""):  # fmt: skip
    token = csrf_from(client.get(f"/account/password{lang}").get_data(as_text=True))
    repeated = new if repeated is None else repeated
    return client.post("/account/password", data={"_csrf": token, "current_password": current, "new_password": new,
                                                  "repeated_password": repeated})  # fmt: skip


def _alert(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'data-testid="password-error">([^<]*)<', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


def _signs_in(app: Flask, username: str, password: str) -> bool:
    return Auth(app.test_client()).login(username, password).status_code == 302


def test_the_header_offers_the_password_page_to_every_signed_in_user(app):
    client, _ = _signed_in(app, "hn-hd-pl-tp.unit_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'href="/account/password"' in page and "Đổi mật khẩu" in page
    form = client.get("/account/password").get_data(as_text=True)
    assert 'name="current_password"' in form and 'name="repeated_password"' in form
    assert "Quản trị viên vừa đặt lại" not in form  # no reset pending


@pytest.mark.parametrize(("current", "new", "repeated", "said"), [
    ("sai-mật-khẩu", NEW, NEW, "Mật khẩu hiện tại không đúng."),
    (PASSWORD, "ngắn", "ngắn", "Mật khẩu cần ít nhất 8 ký tự."),
    (PASSWORD, NEW, NEW + "x", "Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại."),
    (PASSWORD, CLERK, CLERK, "Mật khẩu không được trùng với tên đăng nhập."),
    (PASSWORD, PASSWORD, PASSWORD, "Mật khẩu mới phải khác mật khẩu hiện tại."),
])  # fmt: skip
def test_a_refused_change_says_why_and_changes_nothing(app, current, new, repeated, said):
    client, _ = _signed_in(app, CLERK)
    before = _state(app)
    refused = _change(client, current, new, repeated)
    assert refused.status_code == 400 and _alert(refused) == said
    body = refused.get_data(as_text=True)
    assert f'value="{current}"' not in body and (new == CLERK or f'value="{new}"' not in body)  # never sent back
    assert _state(app) == before
    assert _signs_in(app, CLERK, PASSWORD) and (new == PASSWORD or not _signs_in(app, CLERK, new))


def test_refusals_are_in_english_for_an_english_reader(app):
    client, _ = _signed_in(app, CLERK)
    assert _alert(_change(client, "sai-mật-khẩu", NEW, lang="?lang=en")) == "The current password is wrong."
    assert _alert(_change(client, PASSWORD, "short")) == "A password needs at least 8 characters."
    differ = _change(client, PASSWORD, NEW, NEW + "x")
    assert _alert(differ) == "The two entries of the new password differ; type them again."
    assert _alert(_change(client, PASSWORD, CLERK)) == "A password may not be the username."
    assert _alert(_change(client, PASSWORD, PASSWORD)) == "The new password must differ from the current one."


def test_a_change_keeps_this_session_ends_the_others_and_is_audited_without_secrets(app):
    client, _ = _signed_in(app, CLERK)
    other, _ = _signed_in(app, CLERK)  # the same official on another computer
    assert other.get("/inbox/").status_code == 200
    old_hash = _state(app)[0]
    done = _change(client, PASSWORD, NEW)
    assert done.status_code == 302
    assert "Đã đổi mật khẩu." in client.get(done.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert client.get("/inbox/").status_code == 200  # still signed in here
    ended = other.get("/inbox/")
    assert ended.status_code == 302 and "/auth/login" in ended.headers["Location"]
    assert not _signs_in(app, CLERK, PASSWORD) and _signs_in(app, CLERK, NEW)
    with app.extensions["thidua.session_factory"]() as db:
        user = db.scalar(select(User).where(User.username == CLERK))
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
        assert (event.object_id, event.actor_id) == (str(user.id), user.id)
        recorded = f"{event.before_json} {event.after_json} {event.comment}"
        for secret in (PASSWORD, NEW, old_hash, user.password_hash):
            assert secret not in recorded
        assert json.loads(event.after_json)["username"] == CLERK


def test_wrong_current_passwords_count_toward_the_sign_in_throttle(app):
    client, _ = _signed_in(app, CLERK)
    for _ in range(5):
        assert _change(client, "sai-mật-khẩu", NEW).status_code == 400
    blocked = _change(client, PASSWORD, NEW)  # right this time, but the user name must wait
    assert blocked.status_code == 429 and _alert(blocked) == "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút."
    assert Auth(app.test_client()).login(CLERK, PASSWORD).status_code == 429  # and so does sign-in
    assert _state(app)[2] == 0
    with app.extensions["thidua.session_factory"]() as db:
        failures = db.scalars(select(AuditEvent.after_json).where(AuditEvent.action == "auth.login_failed",
                                                                  AuditEvent.object_id == CLERK)).all()  # fmt: skip
        assert len(failures) == 5 and all(json.loads(f) == {"channel": "password_change"} for f in failures)


def _user_id(app: Flask, username: str) -> int:
    with app.extensions["thidua.session_factory"]() as db:
        return int(db.scalar(select(User.id).where(User.username == username)))


def _reset(client: FlaskClient, user_id: int, password: str = TEMPORARY,  # type: ignore[no-untyped-def]
           repeated: str | None = None):  # fmt: skip
    token = csrf_from(client.get("/admin/users").get_data(as_text=True))
    form = {"_csrf": token, "password": password, "repeated_password": repeated or password}
    return client.post(f"/admin/users/{user_id}/password", data=form)


def _api(client: FlaskClient, password: str) -> dict[str, str]:
    issued = client.post("/api/v1/auth/token", json={"username": CLERK, "password": password})
    assert issued.status_code == 201, issued.get_json()
    return {"Authorization": f"Bearer {issued.get_json()['token']}"}


def test_after_an_admin_reset_the_user_must_choose_a_new_password_everywhere(app):
    clerk_id, admin_id = _user_id(app, CLERK), _user_id(app, "admin")
    signed_in, _ = _signed_in(app, CLERK)
    old_token = _api(signed_in, PASSWORD)
    admin, _ = _signed_in(app, "admin")
    done = _reset(admin, clerk_id)
    assert done.status_code == 302
    users = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Đã đặt lại mật khẩu của {CLERK}; người này phải đổi mật khẩu khi đăng nhập." in users
    assert 'data-testid="must-change-password"' in users.split(f'data-user="{CLERK}"')[1].split("</tr>")[0]
    with app.extensions["thidua.session_factory"]() as db:
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).one()
        assert (event.object_id, event.actor_id) == (str(clerk_id), admin_id)
        assert TEMPORARY not in event.after_json
        assert db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == clerk_id)) == 0

    # the session signed in before the reset has ended, and so has its API token
    assert "/auth/login" in signed_in.get("/inbox/").headers["Location"]
    assert signed_in.get("/api/v1/me", headers=old_token).status_code == 401
    assert not _signs_in(app, CLERK, PASSWORD)

    client = app.test_client()
    first = Auth(client).login(CLERK, TEMPORARY)
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password")
    for path in ("/inbox/", "/campaigns/", "/records/", "/notifications/", "/dossiers/1", "/admin/users", "/"):
        led = client.get(path)
        assert led.status_code == 302 and led.headers["Location"].endswith("/account/password"), path
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    assert client.post("/inbox/filter", data={"_csrf": token}).headers["Location"].endswith("/account/password")
    page = client.get("/account/password").get_data(as_text=True)
    assert "Quản trị viên vừa đặt lại mật khẩu của bạn; hãy đặt mật khẩu mới." in page
    english = client.get("/account/password?lang=en").get_data(as_text=True)
    assert "An administrator has just reset your password; choose a new one." in english
    client.get("/account/password?lang=vi")

    headers = _api(client, TEMPORARY)  # a token is issued, but nothing can be done with it
    for path in ("/api/v1/me", "/api/v1/tasks"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
        assert refused.get_json()["error"]["code"] == "password_change_required"
        assert "đặt lại mật khẩu" in refused.get_json()["error"]["message"]

    assert _change(client, TEMPORARY, TEMPORARY).status_code == 400  # the temporary one is no new password
    assert _change(client, TEMPORARY, NEW).status_code == 302
    assert not _state(app)[1]
    assert client.get("/inbox/").status_code == 200
    assert "Quản trị viên vừa đặt lại" not in client.get("/account/password").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=_api(client, NEW)).status_code == 200
    assert not _signs_in(app, CLERK, TEMPORARY) and _signs_in(app, CLERK, NEW)


def test_a_reset_leaves_a_locked_account_locked(app):
    clerk_id = _user_id(app, CLERK)
    admin, _ = _signed_in(app, "admin")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    admin.post(f"/admin/users/{clerk_id}/active", data={"_csrf": token, "active": "0"})
    assert _reset(admin, clerk_id).status_code == 302
    assert Auth(app.test_client()).login(CLERK, TEMPORARY).status_code == 401
    with app.extensions["thidua.session_factory"]() as db:
        user = db.get(User, clerk_id)
        assert not user.is_active and user.must_change_password


@pytest.mark.parametrize(("password", "repeated", "said"), [
    ("ngắn", "ngắn", "Mật khẩu cần ít nhất 8 ký tự."),
    (TEMPORARY, TEMPORARY + "x", "Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại."),
    (CLERK, CLERK, "Mật khẩu không được trùng với tên đăng nhập."),
])  # fmt: skip
def test_a_refused_reset_says_why_and_changes_nothing(app, password, repeated, said):
    admin, _ = _signed_in(app, "admin")
    before = _state(app)
    refused = _reset(admin, _user_id(app, CLERK), password, repeated)
    assert refused.status_code == 400
    assert re.search(r'data-testid="admin-error">([^<]*)<', refused.get_data(as_text=True)).group(1) == said
    assert password == CLERK or password not in refused.get_data(as_text=True)  # never sent back into the page
    assert _state(app) == before


def test_only_an_admin_resets_and_only_with_the_form_token(app):
    clerk_id = _user_id(app, CLERK)
    before = _state(app)
    chairman, auth = _signed_in(app, "hn-hd-pl.chairman")
    form = {"password": TEMPORARY, "repeated_password": TEMPORARY}
    refused = chairman.post(f"/admin/users/{clerk_id}/password", data={"_csrf": auth.token(), **form})
    assert refused.status_code == 403
    admin, _ = _signed_in(app, "admin")
    forged = admin.post(f"/admin/users/{clerk_id}/password", data=form)  # no _csrf
    assert forged.status_code == 400
    anonymous = app.test_client().post(f"/admin/users/{clerk_id}/password", data={})
    assert anonymous.status_code in (302, 400)
    assert _state(app) == before
    assert _signs_in(app, CLERK, PASSWORD)
