"""The holes the authorization sweep found, each closed, and the checks of the brief's list (hand a task over, batch
and bulk decisions mixing other units' tasks, a deactivated user's token, exports) pinned down."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.models import AuditEvent, GeneratedDocument, HumanTask, IndexResult, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.users import set_active
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database, csrf_from, submit_dossiers
from tests.web.test_authorization_sweep import HN_INDEX_ROW, INDEX_HEADER, xlsx

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)
CAMPAIGN = "PL-CCHC-2024"  # issued by phường Phú Lãm (HN-HD-PL)


def count(app: Flask, model) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def signed_in(client: FlaskClient, username: str, page: str = "/account/password") -> str:
    auth = Auth(client)
    auth.login(username)
    return auth.token(page)


def alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>\s*(.*?)\s*<', html, re.S)
    return found.group(1) if found else html


# --- The campaign's báo cáo tổng kết and thông báo are its issuing level's ---


@pytest.mark.parametrize("username", ["hn-hd-pl-vh.unit_clerk", "hn-hd-pl.council_member", "auditor"])
def test_who_merely_reads_the_campaign_draws_up_no_report_nor_notices(app: Flask, client: FlaskClient, username):
    csrf = signed_in(client, username)
    before = (count(app, GeneratedDocument), count(app, AuditEvent))
    for kind in ("report", "notices"):
        response = client.post(f"/campaigns/{CAMPAIGN}/documents/{kind}", data={"_csrf": csrf})
        assert response.status_code == 403, (kind, response.status_code)
    assert (count(app, GeneratedDocument), count(app, AuditEvent)) == before


def test_the_issuing_wards_and_the_districts_officials_draw_up_the_report(app: Flask, client: FlaskClient):
    for username in ("hn-hd-pl.office_clerk", "hn-hd.chairman", "admin"):
        csrf = signed_in(client, username)
        response = client.post(f"/campaigns/{CAMPAIGN}/documents/report", data={"_csrf": csrf})
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), username
        Auth(client).logout()


def test_the_report_refusal_reads_in_english(app: Flask, client: FlaskClient):
    csrf = signed_in(client, "hn-hd-pl-vh.unit_clerk")
    client.get("/inbox/?lang=en")
    shown = client.post(f"/campaigns/{CAMPAIGN}/documents/report", data={"_csrf": csrf}).get_data(as_text=True)
    said = "Only the leaders or the emulation office of the level that issued the campaign may draw up its report"
    assert said in shown


# --- A document asked under another dossier's address: refused before anything is written ---


def test_a_download_under_another_dossiers_address_is_not_audited(app: Flask, client: FlaskClient):
    signed_in(client, "qn-hl-gd.office_clerk")  # may read dossier 3 (Khu phố 1) and its document 11
    before = count(app, AuditEvent)
    assert client.get("/dossiers/2/documents/11").status_code == 404  # dossier 2 is Hà Nội's
    assert count(app, AuditEvent) == before
    assert client.get("/dossiers/3/documents/11").status_code == 200
    assert count(app, AuditEvent) == before + 1  # the download itself is audited


def test_a_nominee_is_changed_only_through_its_own_dossiers_address(app: Flask, client: FlaskClient):
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        other = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title="Hồ sơ hai",
                               nominees=[NomineeInput("individual", "Người khác", "GK-XA")]).id  # fmt: skip
    csrf = signed_in(client, "hn-hd-pl-tp.unit_clerk")  # holds both drafts; nominee 1 is dossier 1's
    assert client.post(f"/dossiers/{other}/nominees/1/summary", data={"_csrf": csrf, "summary": "X"}).status_code == 404
    assert client.post(f"/dossiers/{other}/nominees/1/delete", data={"_csrf": csrf}).status_code == 404
    with factory() as session:
        nominee = session.get(Nominee, 1)
        assert nominee is not None and nominee.summary != "X"
    assert client.post("/dossiers/1/nominees/1/summary", data={"_csrf": csrf, "summary": "X"}).status_code == 302


# --- Decisions on many tasks at once ---


def test_a_bulk_approval_names_no_other_units_dossier_and_finds_none_of_its_tasks(app: Flask, client: FlaskClient):
    own = submit_dossiers(app, 1)[0]  # at phường Phú Lãm's office
    csrf = signed_in(client, "hn-hd-pl.office_clerk", "/inbox/")
    response = client.post("/inbox/bulk", data={"_csrf": csrf, "task_id": [str(own), "8", "999999"]})
    assert response.status_code == 302
    shown = client.get("/inbox/").get_data(as_text=True)
    results = dict(re.findall(r'data-task-result="(\d+)"[^>]*>(.*?)</li>', shown, re.S))
    assert "Khu phố 1" not in shown  # task 8 is Quảng Ninh's dossier "Đề nghị khen thưởng Khu phố 1"
    assert results["8"].replace("8", "#") == results["999999"].replace("999999", "#"), results  # no oracle
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(HumanTask, 8).state == "ready"
        assert session.get(HumanTask, own).state == "completed"


def test_a_batch_decides_only_the_officials_own_tasks(app: Flask, client: FlaskClient):
    submit_dossiers(app, 2)  # a batch at phường Phú Lãm's office
    signed_in(client, "hn-hd-pl.office_clerk")
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    own = re.findall(r'name="task_id" value="(\d+)"', page)
    form: dict[str, object] = {"_csrf": csrf_from(page), "comment": "Đồng ý", "task_id": [*own, "8", "11", "3"]}
    for hidden in ("campaign_id", "step", "unit_id", "source_id"):
        form[hidden] = re.search(rf'name="{hidden}" value="([^"]*)"', page).group(1)
    shown = client.post("/inbox/batch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Khu phố 1" not in shown and "Ấp 1" not in shown
    with app.extensions["thidua.session_factory"]() as session:
        assert [session.get(HumanTask, t).state for t in (3, 8, 11)] == ["ready", "ready", "ready"]


@pytest.mark.parametrize("assignee", [15, 14, 27])  # another unit's clerk; the unit's head; another province's clerk
def test_a_task_is_handed_only_to_a_colleague_of_its_role_at_its_unit(app: Flask, client: FlaskClient, assignee):
    csrf = signed_in(client, "hn-hd-pl-tp.unit_clerk", "/inbox/tasks/1")
    before = count(app, AuditEvent)
    response = client.post("/inbox/tasks/1/assign", data={"_csrf": csrf, "assignee_id": str(assignee)})
    assert response.status_code == 400
    with app.extensions["thidua.session_factory"]() as session:
        assert session.get(HumanTask, 1).claimed_by is None
    assert count(app, AuditEvent) == before


# --- Accounts ---


def test_a_deactivated_users_token_and_session_end(app: Flask, client: FlaskClient):
    signed_in(client, "hn-hd-pl-tp.unit_clerk")
    token = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl-tp.unit_clerk", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/tasks/1", headers=headers).status_code == 200
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        set_active(session, actor_for(session, "admin"), engine.clock.now(), 13, False)
    for path in ("/api/v1/me", "/api/v1/tasks/1", "/api/v1/dossiers/1"):
        assert client.get(path, headers=headers).status_code == 401, path
    assert client.post("/api/v1/tasks/1/claim", headers=headers).status_code == 401
    web = client.get("/dossiers/1")
    assert web.status_code == 302 and "/auth/login" in web.headers["Location"]
    again = client.post("/api/v1/auth/token", json={"username": "hn-hd-pl-tp.unit_clerk", "password": PASSWORD})
    assert again.status_code == 401


def test_a_non_admin_resets_no_password_not_even_with_an_admin_role_elsewhere_named(app: Flask, client: FlaskClient):
    csrf = signed_in(client, "hn.ban_tdkt")
    before = count(app, AuditEvent)
    response = client.post("/admin/users/55/password", data={"_csrf": csrf, "password": "Mk-moi-that-dai-1",
                                                              "repeated_password": "Mk-moi-that-dai-1"})  # fmt: skip
    assert response.status_code == 403
    assert count(app, AuditEvent) == before
    Auth(client).logout()
    assert Auth(client).login("admin").status_code == 302  # the admin's password is as it was


# --- Records: an office keeps its own units' records, not another province's ---


def _index_form(csrf: str, unit_code: str) -> dict[str, str]:
    return {"_csrf": csrf, "kind": "index", **HN_INDEX_ROW, "Mã đơn vị": unit_code}


def test_another_provinces_office_enters_no_record_of_a_unit_here(app: Flask, client: FlaskClient):
    csrf = signed_in(client, "qn-hl-gd.office_clerk")
    before = (count(app, IndexResult), count(app, AuditEvent))
    response = client.post("/records/add", data=_index_form(csrf, "HN-HD-PL-TP"))
    assert response.status_code == 403
    assert "HN-HD-PL-TP" in response.get_data(as_text=True)
    sheet = xlsx([INDEX_HEADER, ["QN-HL-GD-KP1", 2023, "PAR", 80, 2, "A", "Tốt"],
                  [HN_INDEX_ROW[h] for h in INDEX_HEADER]])  # one row of its own, one of Hà Nội's: nothing imported
    form = {"_csrf": csrf, "kind": "index", "file": (io.BytesIO(sheet), "x.xlsx")}
    response = client.post("/records/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 403
    assert (count(app, IndexResult), count(app, AuditEvent)) == before


def test_an_office_enters_the_records_of_its_own_units_and_those_below(app: Flask, client: FlaskClient):
    before = count(app, IndexResult)
    csrf = signed_in(client, "qn-hl-gd.office_clerk")
    assert client.post("/records/add", data=_index_form(csrf, "QN-HL-GD-KP1")).status_code == 302
    Auth(client).logout()
    csrf = signed_in(client, "hn-hd.noi_vu")  # the district's Nội vụ, for a unit of one of its wards
    sheet = xlsx([INDEX_HEADER, [HN_INDEX_ROW[h] for h in INDEX_HEADER]])
    form = {"_csrf": csrf, "kind": "index", "file": (io.BytesIO(sheet), "x.xlsx")}
    response = client.post("/records/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    assert count(app, IndexResult) == before + 2


# --- Exports ---


def test_the_nominee_list_of_a_campaign_lists_only_the_askers_units(app: Flask, client: FlaskClient):
    signed_in(client, "hn-hd-pl-vh.unit_clerk")
    response = client.get(f"/campaigns/{CAMPAIGN}/nominees.xlsx")
    assert response.status_code == 200
    cells = [str(c) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True) for c in row]
    assert "Trần Văn Đức" in cells  # the sibling unit's own dossier 2
    assert "Nguyễn Thị Hương" not in cells  # unit 4's dossier 1
