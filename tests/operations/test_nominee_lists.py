"""Nominee lists in Excel: an export with Vietnamese headers, an import that is all rows or none."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from service.models import Campaign, Dossier, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.decisions import issue_decision
from service.operations.dossiers import NomineeInput
from service.operations.nominee_lists import IMPORT_HEADERS, export_nominees, import_nominees
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    book.active.append(list(IMPORT_HEADERS))
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_with_one_bad_row_adds_nobody_and_a_good_file_adds_everyone(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người sẵn có", "GK-XA")])
    bad = sheet([["Cá nhân", "Trần Thị Bình", "Văn thư", "GK-XA", "Hoàn thành xuất sắc"],
                 ["Nhóm", "Ai đó", "", "GK-XA", ""], ["Cá nhân", "Lê Văn Cường", "", "KHONG-CO", ""]])  # fmt: skip
    with factory() as session, session.begin():
        errors = import_nominees(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), engine.clock.now(), dossier_id, bad)
    assert errors[0].startswith("Dòng 3:") and errors[1].startswith("Dòng 4:") and "KHONG-CO" in errors[1]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Nominee).where(Nominee.dossier_id == dossier_id)) == 1
    good = sheet([["Cá nhân", "Trần Thị Bình", "Văn thư", "GK-XA", ""], ["Tập thể", "Tổ một cửa", "", "BK-TINH", ""]])
    with factory() as session, session.begin():
        assert import_nominees(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), engine.clock.now(), dossier_id, good) == []
    with factory() as session:
        names = session.scalars(select(Nominee.full_name).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)).all()
        assert names == ["Người sẵn có", "Trần Thị Bình", "Tổ một cửa"]


def test_export_has_vietnamese_headers_and_only_what_the_user_may_see(factory):
    with factory() as session, session.begin():
        data = export_nominees(session, actor_for(session, "hn-hd-pl.office_clerk"), "PL-CCHC-2024", FixedClock().now())
        other = export_nominees(session, actor_for(session, "qn-hl-gd.office_clerk"), "PL-CCHC-2024", FixedClock().now())
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Tập thể / cá nhân", "Loại") and any(r[1] == "Nguyễn Thị Hương" for r in rows[1:])
    assert len(list(load_workbook(io.BytesIO(other)).active.iter_rows(values_only=True))) == 1


def test_export_says_where_each_nominee_stands_a_draft_and_a_withdrawn_dossier_included(factory):
    engine = Engine(FixedClock())
    draft = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người hồ sơ nháp", "GK-XA")])
    withdrawn = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người đã rút", "GK-XA")])
    sent = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người đang xét", "GK-XA")])
    act(factory, engine, sent)  # submitted: under review at the ward office
    with factory() as session, session.begin():
        session.get(Dossier, withdrawn).status = "withdrawn"  # as the unit's withdrawal leaves it (no outcome written)
    assert draft
    with factory() as session, session.begin():
        data = export_nominees(session, actor_for(session, "admin"), "TEST-PL-ALL", FixedClock().now())
    said = {r[1]: r[6] for r in list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]}
    assert (said["Người hồ sơ nháp"], said["Người đã rút"], said["Người đang xét"]) == ("Đang lập", "Đơn vị đã rút", "Đang xét")


def test_the_level_column_reads_in_words(factory):
    engine = Engine(FixedClock())
    with factory() as session, session.begin():
        nominee = session.scalars(select(Nominee).order_by(Nominee.id)).first()
        nominee.outcome_level = "ward"
        campaign_id = session.get(Dossier, nominee.dossier_id).campaign_id
    with factory() as session, session.begin():
        code = session.get(Campaign, campaign_id).code
        data = export_nominees(session, actor_for(session, "admin"), code, engine.clock.now())
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][7] == "Cấp" and "phường/xã" in {r[7] for r in rows[1:]} and "ward" not in {r[7] for r in rows[1:]}


def test_export_names_the_decision_of_each_awardee_and_leaves_the_others_blank(factory):
    """The clerk files the list with the decisions: each awardee's row gives its decision's number and day."""
    engine = Engine(FixedClock())
    granted = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người được khen", "GK-XA")])
    for _ in range(4):  # unit, ward office, council, chairman: granted at the ward
        act(factory, engine, granted)
    lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người đang lập", "GK-XA")])
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành",
                                background=True)  # fmt: skip
        number, day = issued.decision.number, issued.decision.decided_on
    with factory() as session, session.begin():
        data = export_nominees(session, actor_for(session, "hn-hd-pl.office_clerk"), "TEST-PL-ALL", engine.clock.now())
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Số quyết định", "Ngày quyết định")
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Người được khen"][-2:] == (number, day.strftime("%d/%m/%Y"))
    assert by_name["Người đang lập"][-2:] in ((None, None), ("", ""))
