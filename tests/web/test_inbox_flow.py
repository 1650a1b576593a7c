"""Through the pages: sign in, see the inbox, decide, and the dossier moves to the next role."""

from __future__ import annotations

import re

from tests.web.conftest import Auth, csrf_from


def first_task_id(html: str) -> int:
    match = re.search(r'data-task-id="(\d+)"', html)
    assert match, "inbox is empty"
    return int(match.group(1))


def _decided_dossier(page: str) -> str:
    """The link to the dossier just decided, in the message a decision leaves on the inbox."""
    match = re.search(r'<a href="([^"]+)" data-testid="decided-dossier">', page)
    assert match, "the message links to no dossier"
    return match.group(1)


def test_login_page_and_wrong_password_does_not_say_whether_user_exists(client, auth: Auth):
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)
    wrong_user = auth.login("no.such.user", "x")
    wrong_password = auth.login("hn-hd-pl.office_clerk", "x")
    assert wrong_user.status_code == wrong_password.status_code == 401
    for response in (wrong_user, wrong_password):
        assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client):
    response = client.post("/auth/login", data={"username": "admin", "password": "x"})
    assert response.status_code == 400


def test_pages_need_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_office_clerk_approves_and_the_council_secretary_gets_the_task(client, auth: Auth):
    assert auth.login("hn-hd-pl.office_clerk").status_code == 302
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Thẩm định hồ sơ (Văn phòng UBND phường/xã)" in inbox
    task_id = first_task_id(inbox)
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    assert "Đạt" in page and "Trả lại bổ sung" in page and "Không đạt" in page
    without_ticks = client.post(
        f"/inbox/tasks/{task_id}/complete", data={"decision": "approve", "comment": "Đủ hồ sơ", "_csrf": csrf_from(page)}
    )
    assert without_ticks.status_code == 400 and "chưa xác nhận" in without_ticks.get_data(as_text=True)
    assert 'data-testid="eligibility"' in page
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    response = client.post(f"/inbox/tasks/{task_id}/complete",
                           data={"decision": "approve", "comment": "Đủ hồ sơ", "_csrf": csrf_from(page), "confirm": ticks})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox/")  # back to the inbox
    dossier_page = client.get(_decided_dossier(client.get(response.headers["Location"]).get_data(as_text=True)))
    assert "Họp Hội đồng TĐKT, biểu quyết" in dossier_page.get_data(as_text=True)
    auth.logout()
    auth.login("hn-hd-pl.council_secretary")
    assert "Họp Hội đồng TĐKT, biểu quyết" in client.get("/inbox/").get_data(as_text=True)


def test_return_without_reason_is_refused_and_changes_nothing(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    task_id = first_task_id(client.get("/inbox/").get_data(as_text=True))
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "return", "_csrf": csrf_from(page)})
    assert response.status_code == 400
    assert "Phải ghi rõ lý do" in response.get_data(as_text=True)
    assert first_task_id(client.get("/inbox/").get_data(as_text=True)) == task_id


def test_user_of_another_ward_cannot_open_or_complete_the_task(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    task_id = first_task_id(client.get("/inbox/").get_data(as_text=True))
    auth.logout()
    auth.login("qn-hl-gd.office_clerk")
    assert client.get(f"/inbox/tasks/{task_id}").status_code == 404
    token = auth.token()
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "approve", "_csrf": token})
    assert response.status_code == 403


def test_unit_clerk_creates_a_dossier_that_appears_in_their_inbox(client, auth: Auth):
    auth.login("hn-hd-pl-tc.unit_clerk")
    page = client.get("/dossiers/new").get_data(as_text=True)
    response = client.post(
        "/dossiers/new",
        data={
            "_csrf": csrf_from(page), "unit_id": re.search(r'name="unit_id"><option value="(\d+)"', page).group(1),
            "campaign": "PL-CCHC-2024", "title": "Đề nghị khen thưởng Bộ phận Tài chính - Kế toán",
            "kind_0": "individual", "name_0": "Phạm Thị Lan", "position_0": "Kế toán", "award_0": "GK-XA",
        },
    )  # fmt: skip
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phạm Thị Lan" in shown and "Đang lập" in shown
    assert "Lập và nộp hồ sơ đề nghị khen thưởng" in client.get("/inbox/").get_data(as_text=True)


def test_english_locale_switch(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    assert "Inbox" in client.get("/inbox/?lang=en").get_data(as_text=True)
    assert "Inbox" in client.get("/inbox/").get_data(as_text=True)  # remembered in the session
    assert "Hộp việc" in client.get("/inbox/?lang=vi").get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_ids_beyond_the_database_range_are_not_found(client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    for url in ("/dossiers/99999999999", "/inbox/tasks/2147483648"):
        assert client.get(url).status_code == 404


def test_a_nul_character_in_the_login_name_is_just_a_wrong_login(client, auth: Auth):
    assert auth.login("admin\x00", "x").status_code == 401


def test_a_decision_from_the_page_is_computed_before_the_write_lock_and_stored_once(app, client, auth: Auth):
    """On SQLite the engine step runs in the request's reads (prepare_completion); the writing transaction
    gets it back instead of computing it under the database's write lock."""
    from workflows import Engine

    class Counting(Engine):
        prepared = computed = 0

        def prepare_complete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            Counting.prepared += 1
            return super().prepare_complete(*args, **kwargs)

        def _complete(self, *args):  # type: ignore[no-untyped-def]
            Counting.computed += 1
            return super()._complete(*args)

    app.extensions["thidua.engine"] = Counting(app.extensions["thidua.engine"].clock)
    auth.login("hn-hd-pl.office_clerk")
    task_id = first_task_id(client.get("/inbox/").get_data(as_text=True))
    page = client.get(f"/inbox/tasks/{task_id}").get_data(as_text=True)
    ticks = re.findall(r'name="confirm" value="([^"]+)"', page)
    response = client.post(f"/inbox/tasks/{task_id}/complete",
                           data={"decision": "approve", "comment": "Đủ hồ sơ", "_csrf": csrf_from(page), "confirm": ticks})
    assert response.status_code == 302
    assert (Counting.prepared, Counting.computed) == (1, 1)
    dossier_page = client.get(_decided_dossier(client.get(response.headers["Location"]).get_data(as_text=True)))
    assert "Họp Hội đồng TĐKT, biểu quyết" in dossier_page.get_data(as_text=True)


def test_each_role_lands_on_the_page_of_its_work(client, auth: Auth):
    for username, landing in (("hn-hd-pl.office_clerk", "/inbox/"), ("auditor", "/audit/"), ("admin", "/admin/users")):
        response = auth.login(username)
        assert response.status_code == 302 and response.headers["Location"].endswith(landing), username
        assert client.get(response.headers["Location"]).status_code == 200
        auth.logout()
