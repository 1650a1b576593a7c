"""Records: xlsx import with per-row errors (all or nothing), and eligibility read from them."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from service.errors import Forbidden, InvalidInput
from service.models import Dossier, PastAward, YearlyRating
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput
from service.operations.records import RECORD_KINDS, import_records
from service.operations.tasks import complete_task
from service.queries.eligibility import dossier_eligibility
from service.queries.records import RecordQuery, search_awards
from workflows import Engine, FixedClock

from .helpers import act, open_task
from .test_quotas_enforced import lodge

NOW = datetime(2024, 12, 1, tzinfo=UTC)


def xlsx(kind: str, rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(RECORD_KINDS[kind]))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bad_rows_are_listed_and_nothing_is_imported(factory):
    data = xlsx("award", [["Nguyễn Thị Hương", "cá nhân", "HN-HD-PL-TP", "Giấy khen của Chủ tịch UBND phường", "GK-XA", 2023, "15/QĐ-UBND", "20/12/2023"],
                          ["Trần Văn Đức", "nhóm", "HN-HD-PL-VH", "Giấy khen", "GK-XA", 2023, None, None],
                          ["Lê Văn C", "cá nhân", "XX-YY", "Giấy khen", "GK-XA", "năm ngoái", None, "32/13/2023"]])  # fmt: skip
    with factory() as session, session.begin():
        report = import_records(session, actor_for(session, "hn-hd-pl.office_clerk"), "award", data, NOW)
    assert report.imported == 0
    assert report.errors[0].startswith("Dòng 3: “Loại”") and report.errors[1].startswith("Dòng 4:")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(PastAward)) == 0


def test_import_search_and_already_awarded(factory):
    data = xlsx("award", [["Nguyễn Văn Ánh", "cá nhân", "HN-HD-PL-TP", "Giấy khen của Chủ tịch UBND phường", "GK-XA", 2024, "201/QĐ-UBND", "05/11/2024"]])  # fmt: skip
    with factory() as session, session.begin():
        assert import_records(session, actor_for(session, "hn-hd-pl.office_clerk"), "award", data, NOW).imported == 1
    with factory() as session:
        found = search_awards(session, RecordQuery(name="nguyễn văn ánh"))
        assert [a.decision_number for a in found] == ["201/QĐ-UBND"]
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Nguyễn Văn Ánh", "GK-XA")])
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="đã được tặng hình thức này năm 2024"):
        complete_task(session, actor_for(session, "hn-hd-pl.office_clerk"), engine, task.id, "approve")


def test_consecutive_years_are_read_from_ratings_or_confirmed_by_the_reviewer(factory):
    from service.domain.actors import Actor
    from service.operations.campaigns import dump_campaign_yaml, export_campaign, import_campaign, read_campaign_file

    with factory() as session, session.begin():
        data = export_campaign(session, "TEST-PL-ALL") | {"code": "TEST-Y3", "rules": [
            {"code": "Y3", "type": "consecutive_years", "years": 3, "subject_type": "individual",
             "description": "3 năm liên tục hoàn thành tốt nhiệm vụ"}]}  # fmt: skip
        import_campaign(session, Actor(None, "t"), read_campaign_file(dump_campaign_yaml(data)), NOW)
        ratings = xlsx("rating", [["Phạm Thị Lan", "HN-HD-PL-TC", y, "Hoàn thành tốt nhiệm vụ"] for y in (2023, 2024)])
        import_records(session, actor_for(session, "hn-hd-pl.office_clerk"), "rating", ratings, NOW)
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TC", "TEST-Y3", [NomineeInput("individual", "Phạm Thị Lan", "GK-XA")])
    with factory() as session:
        ((nominee, results),) = dossier_eligibility(session, session.get(Dossier, dossier_id))
        assert [(r.code, r.status) for r in results] == [("Y3", "unknown")] and "2022" in results[0].detail
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="chưa xác nhận"):
        complete_task(session, actor_for(session, "hn-hd-pl.office_clerk"), engine, task.id, "approve")
    with factory() as session, session.begin():
        import_records(session, actor_for(session, "hn-hd-pl.office_clerk"), "rating",
                       xlsx("rating", [["Phạm  thị LAN", "HN-HD-PL-TC", 2022, "hoàn thành nhiệm vụ"]]), NOW)  # fmt: skip
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="năm 2022 dưới mức"):
        complete_task(session, actor_for(session, "hn-hd-pl.office_clerk"), engine, task.id, "approve")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(YearlyRating)) == 3


def test_only_record_keepers_import(factory):
    with factory() as session, session.begin(), pytest.raises(Forbidden):
        import_records(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), "award", xlsx("award", []), NOW)


def test_each_nominee_finds_the_year_s_awards_of_the_person_its_name_is(factory):
    """The nominees' query joins the past awards on the key stored with each name (migration 0030): names written
    differently (case, spaces, composed or not) are one person; another year's award and another person's are not."""
    from service.domain.eligibility import person_key
    from service.models import Nominee

    engine = Engine(FixedClock())
    with factory() as session, session.begin():
        for name, code, year in [("Nguyễn Văn Ánh", "GK-XA", 2024), ("Nguyễn Văn Ánh", "BK-TINH", 2024),
                                 ("Trần Thị Bình", "GK-XA", 2023), ("Lê Văn Cường", "GK-XA", 2024)]:  # fmt: skip
            session.add(PastAward(recipient_name=name, recipient_key=person_key(name), recipient_kind="individual",
                                  award_name="Giấy khen", award_form_code=code, year=year))  # fmt: skip
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "  nguye\u0302\u0303n   VĂN ánh ", "GK-XA"),  # decomposed, other case and spaces
        NomineeInput("individual", "Trần Thị Bình", "GK-XA"),
        NomineeInput("individual", "Nguyễn Văn Ánh", "GK-XA"),
    ])  # fmt: skip
    with factory() as session:
        nominees = session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id)).all()
        assert [n.person_key for n in nominees] == [person_key(n.full_name) for n in nominees]
        assert nominees[0].person_key == nominees[2].person_key == "nguyễn văn ánh"
        found = {nominee.id: [r.code for r in results if r.status == "fail"]
                 for nominee, results in dossier_eligibility(session, session.get(Dossier, dossier_id))}  # fmt: skip
    # Already given GK-XA in 2024: both spellings of Nguyễn Văn Ánh (BK-TINH is another form); Trần Thị Bình's
    # award was in 2023 (the campaign's year is 2024).
    assert found.get(nominees[0].id) == ["DA-KHEN"] and found.get(nominees[2].id) == ["DA-KHEN"]
    assert "DA-KHEN" not in found.get(nominees[1].id, [])


def test_a_renamed_nominee_keeps_the_key_of_its_new_name(factory):
    from service.models import Nominee

    engine = Engine(FixedClock())
    nominees = [NomineeInput("individual", "Phạm Văn Dũng", "GK-XA")]
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", nominees)
    with factory() as session, session.begin():
        nominee = session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id)).one()
        nominee.full_name = "Phạm  Văn  Dũng Mới"
    with factory() as session:
        key = session.scalars(select(Nominee.person_key).where(Nominee.dossier_id == dossier_id)).one()
        assert key == "phạm văn dũng mới"
