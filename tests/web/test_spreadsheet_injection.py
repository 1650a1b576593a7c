"""Typed text is never a formula in the files spreadsheets open: the audit CSV and the nominee list (.xlsx)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from service.domain.spreadsheet_text import as_csv_text
from service.models import Nominee
from service.operations.audit import record_event, verify_chain
from tests.web.conftest import Auth

TYPED = '=HYPERLINK("http://example.invalid","Bấm vào đây")'


@pytest.mark.parametrize("text", [TYPED, "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_written_as_text(text: str):
    assert as_csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Thị Hương", "", "1=1", 42, None, "{\"a\": -1}"])
def test_other_cells_are_written_as_typed(value: object):
    assert as_csv_text(value) == value


def test_the_audit_export_writes_a_typed_formula_as_text(app, client, auth: Auth):  # type: ignore[no-untyped-def]
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        event = record_event(session, action="dossier.edit", object_type="dossier", object_id="2",
                             actor_role="unit_clerk", comment=TYPED)  # fmt: skip
        event_id = event.id
    auth.login("auditor")
    export = client.get("/audit/export.csv?dossier_id=2")
    rows = {r[0]: r for r in csv.reader(io.StringIO(export.get_data().decode("utf-8-sig")))}
    assert rows[str(event_id)][12] == "'" + TYPED  # shown as text by Excel and LibreOffice, the apostrophe hidden
    assert not any(cell.startswith("=") for row in rows.values() for cell in row)
    with factory() as session:
        assert verify_chain(session).ok  # the trail itself keeps what was typed


def test_the_nominee_list_keeps_a_typed_formula_as_text(app, client, auth: Auth):  # type: ignore[no-untyped-def]
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        nominee = session.scalars(select(Nominee).order_by(Nominee.id)).first()
        nominee.position = "=1+1"
        name = nominee.full_name
    auth.login("admin")
    response = client.get("/campaigns/PL-CCHC-2024/nominees.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == name)
    assert row[3].value == "=1+1" and row[3].data_type == "s"  # text, not a formula
