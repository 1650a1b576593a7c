"""Records (index results, ratings, past awards) are entered only for one's own units and those below them, checked in
the operation itself (service/operations/records.py), so every way in (page, import, a script) is held to it: an
office of Quảng Ninh enters nothing for a unit of Hà Nội, and an import naming one such unit writes no row at all.
SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from service.errors import Forbidden
from service.models import AuditEvent, IndexResult
from service.operations.accounts import actor_for
from service.operations.records import add_record, import_records

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
HEADER = ["Mã đơn vị", "Năm", "Chỉ số", "Điểm", "Xếp hạng", "Khối", "Xếp loại"]


def _row(code: str) -> list[object]:
    return [code, 2024, "PAR_INDEX", 91.5, 3, "Phường", "Tốt"]


def _sheet(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _written(factory) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return (session.scalar(select(func.count()).select_from(IndexResult)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)  # fmt: skip


def test_another_provinces_office_adds_no_record_of_a_unit_here(factory) -> None:
    before = _written(factory)
    with factory() as session, session.begin(), pytest.raises(Forbidden) as refused:
        add_record(session, actor_for(session, "qn-hl-gd.office_clerk"), "index", dict(zip(HEADER, _row("HN-HD-PL"))),
                   NOW)  # fmt: skip
    assert "HN-HD-PL" in refused.value.message
    assert _written(factory) == before


def test_an_import_naming_one_unit_out_of_scope_writes_nothing(factory) -> None:
    before = _written(factory)
    data = _sheet(_row("QN-HL-GD"), _row("HN-HD-PL"))
    with factory() as session, session.begin(), pytest.raises(Forbidden):
        import_records(session, actor_for(session, "qn-hl-gd.office_clerk"), "index", data, NOW)
    assert _written(factory) == before


def test_an_office_imports_the_records_of_its_ward_and_the_district_office_those_below(factory) -> None:
    with factory() as session, session.begin():
        report = import_records(session, actor_for(session, "qn-hl-gd.office_clerk"), "index", _sheet(_row("QN-HL-GD")),
                                NOW)  # fmt: skip
    assert report.errors == [] and report.imported == 1
    with factory() as session, session.begin():
        report = import_records(session, actor_for(session, "qn-hl.noi_vu"), "index", _sheet(_row("QN-HL-GD")), NOW)
    assert report.imported == 1
