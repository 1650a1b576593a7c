"""A typed text longer than the column it lands in is refused with a message naming the field and its limit, and
nothing is written, on every path that writes it: the new-dossier form, the add-nominee form, the nominee list
import, the JSON API, the records import and the admin's new user. On SQLite (which would keep it) and on PostgreSQL
(which would fail the transaction with an error)."""

from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from service.domain.field_limits import LIMITS
from service.models import Dossier, Nominee, OrgUnit, PastAward, User
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.nominee_lists import IMPORT_HEADERS
from tests.operations.test_records import xlsx
from tests.web.conftest import EACH_DATABASE, PASSWORD, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

CLERK = "hn-hd-pl-vh.unit_clerk"
UNIT = "HN-HD-PL-VH"
CAMPAIGN = "TEST-PL-ALL"
LONG_TITLE = "Hồ sơ " + "rất dài " * 700  # 5,606 characters
LONG_NAME = "Nguyễn Văn " + "A" * 7000


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def _unit_id(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == UNIT))


def _draft(app) -> int:  # type: ignore[no-untyped-def]
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    unit_id = _unit_id(app)
    with factory() as session, session.begin():
        dossier = create_dossier(session, actor_for(session, CLERK), engine, campaign_code=CAMPAIGN,
                                 unit_id=unit_id, title="Hồ sơ Văn hóa năm 2024",
                                 nominees=[NomineeInput("individual", "Ngô Thị Xử", "GK-XA")])  # fmt: skip
        return dossier.id


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def test_the_limits_are_the_columns_lengths():
    """Each limit is its column's String(n): a model change without the limit's fails here."""
    from service.db import Base
    from service.domain.field_limits import FIELDS

    for field, (table, column, _label) in FIELDS.items():
        assert Base.metadata.tables[table].columns[column].type.length == LIMITS[field], field


def test_the_new_dossier_form_refuses_a_title_or_a_name_over_the_limit(app, client, auth: Auth):
    auth.login(CLERK)
    before = _count(app, Dossier), _count(app, Nominee)
    form = {"_csrf": auth.token("/dossiers/new"), "campaign": CAMPAIGN, "unit_id": str(_unit_id(app)),
            "title": LONG_TITLE, "kind_0": "individual", "name_0": "Ngô Thị Xử", "award_0": "GK-XA"}  # fmt: skip
    refused = client.post("/dossiers/new", data=form)
    assert refused.status_code == 400
    page = _text(refused.get_data(as_text=True))
    assert f"“Tiêu đề hồ sơ” dài {len(LONG_TITLE.strip())} ký tự; tối đa 500 ký tự." in page
    long_row = {"name_1": LONG_NAME, "award_1": "GK-XA"}
    refused = client.post("/dossiers/new?lang=en", data={**form, "title": "Hồ sơ", **long_row})
    assert refused.status_code == 400
    assert (f"Row 2: “Name of the collective/individual” is {len(LONG_NAME)} characters long; at most 255 characters "
            "are allowed.") in _text(refused.get_data(as_text=True))  # fmt: skip
    refused = client.post("/dossiers/new?lang=vi", data={**form, "title": "Hồ sơ", "position_0": "P" * 256})
    assert "Dòng 1: “Chức vụ” dài 256 ký tự; tối đa 255 ký tự." in _text(refused.get_data(as_text=True))
    assert (_count(app, Dossier), _count(app, Nominee)) == before
    # At the limit it goes in, as typed.
    title = "T" * 500
    assert client.post("/dossiers/new", data={**form, "title": title, "position_0": "P" * 255}).status_code == 302
    with app.extensions["thidua.session_factory"]() as session:
        assert session.scalar(select(Dossier.title).order_by(Dossier.id.desc()).limit(1)) == title


def test_the_add_nominee_form_refuses_a_name_or_a_position_over_the_limit(app, client, auth: Auth):
    dossier_id = _draft(app)
    auth.login(CLERK)
    before = _count(app, Nominee)
    form = {"_csrf": auth.token(f"/dossiers/{dossier_id}"), "kind": "individual", "full_name": LONG_NAME,
            "award_form": "GK-XA"}  # fmt: skip
    refused = client.post(f"/dossiers/{dossier_id}/nominees", data=form)
    assert refused.status_code == 400
    page = _text(refused.get_data(as_text=True))
    assert f"“Tên tập thể/cá nhân” dài {len(LONG_NAME)} ký tự; tối đa 255 ký tự." in page
    form = {**form, "full_name": "Lê Văn B", "position": "P" * 300}
    refused = client.post(f"/dossiers/{dossier_id}/nominees", data=form)
    assert refused.status_code == 400
    assert "“Chức vụ” dài 300 ký tự; tối đa 255 ký tự." in _text(refused.get_data(as_text=True))
    assert _count(app, Nominee) == before


def test_the_nominee_list_import_refuses_a_row_over_the_limit_and_adds_none(app, client, auth: Auth):
    dossier_id = _draft(app)
    auth.login(CLERK)
    before = _count(app, Nominee)
    book = Workbook()
    sheet = book.active
    sheet.append(list(IMPORT_HEADERS))
    sheet.append(["Cá nhân", "Lê Văn B", "Cán bộ", "GK-XA", ""])
    sheet.append(["Cá nhân", LONG_NAME, "Cán bộ", "GK-XA", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    refused = client.post(f"/dossiers/{dossier_id}/nominees.xlsx", content_type="multipart/form-data",
                          data={"_csrf": auth.token(f"/dossiers/{dossier_id}"),
                                "file": (io.BytesIO(buffer.getvalue()), "ds.xlsx")})  # fmt: skip
    assert refused.status_code == 400
    page = _text(refused.get_data(as_text=True))
    assert f"Dòng 3: “Tên tập thể/cá nhân” dài {len(LONG_NAME)} ký tự; tối đa 255 ký tự." in page
    assert _count(app, Nominee) == before  # the good row neither


def test_the_api_refuses_a_title_or_a_name_over_the_limit(app, client):
    token = client.post("/api/v1/auth/token", json={"username": CLERK, "password": PASSWORD}).get_json()["token"]
    before = _count(app, Dossier), _count(app, Nominee)
    body = {"campaign_code": CAMPAIGN, "unit_id": _unit_id(app), "title": LONG_TITLE,
            "nominees": [{"kind": "individual", "full_name": "Ngô Thị Xử", "award_form_code": "GK-XA"}]}  # fmt: skip
    refused = client.post("/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert "“Tiêu đề hồ sơ” dài" in refused.get_data(as_text=True) or "Tiêu đề hồ sơ" in str(refused.get_json())
    body = {**body, "title": "Hồ sơ", "nominees": [{**body["nominees"][0], "full_name": LONG_NAME}]}
    refused = client.post("/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 400
    assert "Dòng 1: “Tên tập thể/cá nhân” dài" in str(refused.get_json())
    assert (_count(app, Dossier), _count(app, Nominee)) == before


def test_the_records_import_lists_a_cell_over_its_column_and_imports_nothing(app, client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    before = _count(app, PastAward)
    rows = [["Nguyễn Thị Hương", "cá nhân", "HN-HD-PL-TP", "Giấy khen", "GK-XA", 2023, "1/QĐ", "20/12/2023"],
            [LONG_NAME, "cá nhân", "HN-HD-PL-TP", "Giấy khen", "GK-XA", 2023, "Q" * 65, "20/12/2023"]]  # fmt: skip
    refused = client.post("/records/import", content_type="multipart/form-data",
                          data={"_csrf": auth.token("/records/"), "kind": "award",
                                "file": (io.BytesIO(xlsx("award", rows)), "x.xlsx")})  # fmt: skip
    assert refused.status_code == 400
    page = _text(refused.get_data(as_text=True))
    assert (f"Dòng 3: “Tên tập thể/cá nhân” dài {len(LONG_NAME)} ký tự, tối đa 255; “Số quyết định” dài 65 ký tự, "
            "tối đa 64.") in page  # fmt: skip
    assert _count(app, PastAward) == before


def test_a_new_users_full_name_over_the_limit_is_refused(app, client, auth: Auth):
    auth.login("admin")
    before = _count(app, User)
    refused = client.post("/admin/users", data={"_csrf": auth.token("/admin/users"), "username": "nguoi.moi",
                                                "full_name": LONG_NAME, "password": "Một-mật-khẩu-dài-2026"})  # fmt: skip
    assert refused.status_code == 400
    assert f"“Họ và tên” dài {len(LONG_NAME)} ký tự; tối đa 255 ký tự." in _text(refused.get_data(as_text=True))
    assert _count(app, User) == before
