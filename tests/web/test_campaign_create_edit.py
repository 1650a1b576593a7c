"""The admin's campaign editor never replaces a campaign it was not asked to: creating refuses a code that exists,
editing refuses a changed code unless the admin chose "Lưu thành phong trào mới" (whose code must then be new), a
YAML/JSON file can be uploaded instead of typed (same checks), and the message says what happened. Refusals write
nothing. SQLite, then the same data on PostgreSQL."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent, Campaign
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

EXISTING = "PL-CCHC-2024"


def _state(app) -> tuple:
    with app.extensions["thidua.session_factory"]() as session:
        campaigns = session.execute(select(Campaign.code, Campaign.title, Campaign.config_sha256)
                                    .order_by(Campaign.code)).all()  # fmt: skip
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        return tuple(campaigns), events


def _actions(app, code: str) -> list[str]:
    with app.extensions["thidua.session_factory"]() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "campaign",
                                                                    AuditEvent.object_id == code)))  # fmt: skip


def _export(client, code: str) -> str:
    return client.get(f"/campaigns/{code}/export.yaml").get_data(as_text=True)


def _flash(client) -> str:
    return client.get("/campaigns/").get_data(as_text=True)


def test_creating_with_an_existing_code_is_refused_and_changes_nothing(app, client, auth: Auth):
    auth.login("admin")
    token = csrf_from(client.get("/campaigns/edit").get_data(as_text=True))
    text = _export(client, EXISTING).replace("title: ", "title: Ghi đè ", 1)
    before = _state(app)
    refused = client.post("/campaigns/edit", data={"_csrf": token, "text": text, "action": "create"})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"Đã có phong trào mã {EXISTING}; hãy mở nó để sửa" in shown
    assert "Ghi đè" in shown  # the typed file comes back
    assert _state(app) == before
    # in English too
    token = csrf_from(client.get("/campaigns/edit?lang=en").get_data(as_text=True))
    english = client.post("/campaigns/edit", data={"_csrf": token, "text": text}).get_data(as_text=True)
    assert f"Campaign {EXISTING} already exists; open it to edit it" in english
    assert _state(app) == before


def test_creating_a_new_code_says_it_was_created(app, client, auth: Auth):
    auth.login("admin")
    token = csrf_from(client.get("/campaigns/edit").get_data(as_text=True))
    text = _export(client, EXISTING).replace(f"code: {EXISTING}", "code: PL-MOI-2026")
    done = client.post("/campaigns/edit", data={"_csrf": token, "text": text, "action": "create"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/campaigns/PL-MOI-2026")
    assert "Đã tạo phong trào mới PL-MOI-2026." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert _actions(app, "PL-MOI-2026") == ["campaign.import"]


def test_editing_refuses_a_changed_code_unless_saved_as_new(app, client, auth: Auth):
    auth.login("admin")
    page = client.get(f"/campaigns/{EXISTING}/edit").get_data(as_text=True)
    assert "Lưu thành phong trào mới" in page
    token = csrf_from(page)
    old_file = _export(client, EXISTING)
    renamed = old_file.replace(f"code: {EXISTING}", "code: PL-CCHC-2025")
    before = _state(app)
    refused = client.post(f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": renamed, "action": "save"})
    assert refused.status_code == 400
    assert "Tệp có mã PL-CCHC-2025, khác mã PL-CCHC-2024 của phong trào đang sửa" in refused.get_data(as_text=True)
    assert _state(app) == before

    # saved as new: a second campaign; the one edited is as it was
    done = client.post(f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": renamed, "action": "new"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/campaigns/PL-CCHC-2025")
    said = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu thành phong trào mới PL-CCHC-2025; phong trào PL-CCHC-2024 giữ nguyên." in said
    assert _export(client, EXISTING) == old_file
    assert _actions(app, "PL-CCHC-2025") == ["campaign.import"]

    # as new, but onto a code that exists (or the same code): refused, nothing written
    before = _state(app)
    for text in (renamed, old_file):
        refused = client.post(f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": text, "action": "new"})
        assert refused.status_code in (400, 409)
    assert "Đã có phong trào mã PL-CCHC-2025" in client.post(
        f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": renamed, "action": "new"}).get_data(as_text=True)
    assert _state(app) == before


def test_editing_with_the_same_code_says_it_was_saved(app, client, auth: Auth):
    auth.login("admin")
    token = csrf_from(client.get(f"/campaigns/{EXISTING}/edit").get_data(as_text=True))
    text = _export(client, EXISTING).replace("max: 5", "max: 6")
    done = client.post(f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": text, "action": "save"})
    assert done.status_code == 302
    assert "Đã lưu thay đổi của phong trào PL-CCHC-2024." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert "max: 6" in _export(client, EXISTING)
    assert _actions(app, EXISTING)[-1] == "campaign.edit"


def test_an_uploaded_file_is_read_with_the_same_checks(app, client, auth: Auth):
    auth.login("admin")
    page = client.get("/campaigns/edit").get_data(as_text=True)
    assert 'type="file" name="file"' in page and 'enctype="multipart/form-data"' in page
    token = csrf_from(page)
    existing = _export(client, EXISTING).encode()
    before = _state(app)
    refused = client.post("/campaigns/edit", content_type="multipart/form-data",
                          data={"_csrf": token, "text": "", "file": (io.BytesIO(existing), "pl.yaml")})  # fmt: skip
    assert refused.status_code == 409 and f"Đã có phong trào mã {EXISTING}" in refused.get_data(as_text=True)
    broken = client.post("/campaigns/edit", content_type="multipart/form-data",
                         data={"_csrf": token, "text": "", "file": (io.BytesIO(b"\xff\xfe\x00bad"), "bad.yaml")})
    assert broken.status_code == 400 and "bad.yaml: không phải tệp văn bản UTF-8" in broken.get_data(as_text=True)
    assert _state(app) == before
    fresh = existing.replace(f"code: {EXISTING}".encode(), b"code: PL-TAI-LEN")
    done = client.post("/campaigns/edit", content_type="multipart/form-data",
                       data={"_csrf": token, "text": NOT_USED, "file": (io.BytesIO(fresh), "moi.yaml")})
    assert done.status_code == 302 and done.headers["Location"].endswith("/campaigns/PL-TAI-LEN")
    assert "Đã tạo phong trào mới PL-TAI-LEN." in client.get(done.headers["Location"]).get_data(as_text=True)


NOT_USED = "code: KHONG-DUNG\n"  # typed text is ignored when a file is uploaded


def test_a_title_longer_than_its_column_is_refused_naming_it_and_changes_nothing(app, client, auth: Auth):
    """On PostgreSQL a 501-character title used to fail the save with a server error; now the file comes back with
    the key, its length and the limit, and nothing is written (the campaign, its events)."""
    auth.login("admin")
    page = client.get(f"/campaigns/{EXISTING}/edit").get_data(as_text=True)
    token = csrf_from(page)
    exported = _export(client, EXISTING)
    title_line = next(line for line in exported.splitlines() if line.startswith("title: "))
    text = exported.replace(title_line, "title: " + "Đ" * 501, 1)
    before = _state(app)
    refused = client.post(f"/campaigns/{EXISTING}/edit", data={"_csrf": token, "text": text})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "title: dài 501 ký tự; tối đa 500 ký tự" in shown
    assert _state(app) == before
