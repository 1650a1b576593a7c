"""A dossier's award is named as its campaign names it in every document and export: the tờ trình (the unit's
and a level's consolidated one), the báo cáo tổng kết, the thông báo, the quyết định with its list, each
certificate and the Excel list. The catalogue's generic name is only for a code the campaign does not offer.

Real PDFs (WeasyPrint) read back with pdftotext/pdfinfo, on the seeded databases: the seed's catalogue
(service.operations.demo.AWARD_FORMS) names GK-XA "Giấy khen của Chủ tịch UBND phường/xã", while TEST-PL-ALL
names it "Giấy khen của Chủ tịch UBND phường Phú Lãm"."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from service.domain.actors import Actor
from service.models import AwardForm, OrgUnit
from service.operations.accounts import actor_for
from service.operations.campaigns import dump_campaign_yaml, export_campaign, import_campaign, read_campaign_file
from service.operations.decisions import issue_decision
from service.operations.dossiers import NomineeInput
from service.operations.nominee_lists import EXPORT_HEADERS, export_nominees
from service.operations.official_documents import (
    generate_forwarding_proposal, generate_notices, generate_proposal, generate_report,
)  # fmt: skip
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge

# As TEST-PL-ALL (tests/data/test-campaign-all-levels.yaml) names them.
WARD = "Giấy khen của Chủ tịch UBND phường Phú Lãm"
DISTRICT = "Giấy khen của Chủ tịch UBND quận Hà Đông"
PROVINCE = "Bằng khen của Chủ tịch UBND thành phố Hà Nội"


def pdf_text(sha256: str) -> str:
    """The PDF's text with whitespace collapsed (a table cell wraps a long name over lines)."""
    text = subprocess.run(["pdftotext", str(FileStore(FILES).path_for(sha256)), "-"],
                          capture_output=True, check=True, text=True).stdout  # fmt: skip
    return " ".join(text.split())


def pdf_title(sha256: str) -> str:
    info = subprocess.run(["pdfinfo", str(FileStore(FILES).path_for(sha256))], capture_output=True, check=True, text=True).stdout
    return next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Title:"))


def catalogue(factory, code: str) -> str:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.scalar(select(AwardForm.name).where(AwardForm.code == code))


def test_the_seeded_catalogue_names_the_forms_otherwise_than_the_campaign(factory):
    """What the other tests stand on: for each code the two names differ, and neither is part of the other."""
    for code, ours in (("GK-XA", WARD), ("GK-HUYEN", DISTRICT), ("BK-TINH", PROVINCE)):
        generic = catalogue(factory, code)
        assert generic and generic not in ours and ours not in generic, code


def test_the_unit_proposal_names_each_award_as_the_campaign_does(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL",
                       [NomineeInput("individual", "Nguyễn Thị Hương", "GK-XA", "Công chức Tư pháp - Hộ tịch"),
                        NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch", "BK-TINH")])  # fmt: skip
    with factory() as session, session.begin():
        doc = generate_proposal(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), FileStore(FILES), engine.clock.now(),
                                dossier_id)  # fmt: skip
        text = pdf_text(doc.sha256)
    assert WARD in text and PROVINCE in text
    assert catalogue(factory, "GK-XA") not in text and catalogue(factory, "BK-TINH") not in text


def test_the_forwarded_proposal_the_report_and_the_notice_name_the_awards_as_the_campaign_does(factory):
    engine = Engine(FixedClock())
    travelling = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL",
                       [NomineeInput("individual", "Người được khen", "GK-XA"),
                        NomineeInput("individual", "Người lên quận", "GK-HUYEN")])  # fmt: skip
    refused = lodge(factory, engine, "HN-HD-PL-VH", "TEST-PL-ALL", [NomineeInput("individual", "Người chưa đạt", "GK-XA")])
    for _ in range(4):  # submit, office, council, chairman: GK-XA granted at the ward, GK-HUYEN sent up
        act(factory, engine, travelling)
    for _ in range(3):
        act(factory, engine, refused)
    act(factory, engine, refused, "reject", "Chưa đủ tiêu chuẩn khen thưởng")
    store = FileStore(FILES)
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        chairman = actor_for(session, "hn-hd-pl.chairman")
        forwarded = pdf_text(generate_forwarding_proposal(session, chairman, store, engine.clock.now(), "TEST-PL-ALL",
                                                          ward.id).sha256)  # fmt: skip
        report = pdf_text(generate_report(session, chairman, store, engine.clock.now(), "TEST-PL-ALL").sha256)
        (notice,) = generate_notices(session, chairman, store, engine.clock.now(), "TEST-PL-ALL")
        notice_text = pdf_text(notice.sha256)
    assert "Người lên quận" in forwarded and DISTRICT in forwarded and catalogue(factory, "GK-HUYEN") not in forwarded
    assert WARD in report and catalogue(factory, "GK-XA") not in report  # the "Theo hình thức khen thưởng" table
    assert "Người chưa đạt" in notice_text and WARD in notice_text and catalogue(factory, "GK-XA") not in notice_text


def test_the_excel_list_names_each_award_as_the_campaign_does(factory):
    engine = Engine(FixedClock())
    lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người xã", "GK-XA"),
                                                          NomineeInput("collective", "Tập thể tỉnh", "BK-TINH")])  # fmt: skip
    with factory() as session, session.begin():
        data = export_nominees(session, actor_for(session, "hn-hd-pl.office_clerk"), "TEST-PL-ALL", engine.clock.now())
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    column = EXPORT_HEADERS.index("Hình thức đề nghị")
    assert {row[1]: row[column] for row in rows[1:]} == {"Người xã": WARD, "Tập thể tỉnh": PROVINCE}


# A campaign whose ward grants two forms, each named otherwise than the catalogue (as a second campaign finds
# the catalogue that the first one's import, or the demo, filled).
TWO_FORMS = "TEST-PL-HAI"
TIEN_TIEN = "Giấy khen “Lao động tiên tiến” năm 2024 của Chủ tịch UBND phường Phú Lãm"


def two_form_campaign(factory) -> None:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        session.add(AwardForm(code="GK-LDTT", name="Giấy khen Lao động tiên tiến cấp xã", granting_level="ward"))
        session.flush()
        data = export_campaign(session, "TEST-PL-ALL") | {"code": TWO_FORMS}
        data["award_forms"] = [{"code": "GK-XA", "name": WARD, "granting_level": "ward"},
                               {"code": "GK-LDTT", "name": TIEN_TIEN, "granting_level": "ward"}]  # fmt: skip
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(data)),
                        datetime(2024, 12, 1, tzinfo=UTC))  # fmt: skip


def test_a_decision_and_each_certificate_name_every_awardees_own_award_as_the_campaign_does(factory):
    two_form_campaign(factory)
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", TWO_FORMS,
                       [NomineeInput("individual", "Người giấy khen", "GK-XA", "Chuyên viên"),
                        NomineeInput("individual", "Người tiên tiến", "GK-LDTT", "Văn thư")])  # fmt: skip
    for _ in range(4):
        act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code=TWO_FORMS, unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        documents = [(d.kind, d.sha256) for d in issued.documents]
    assert [kind for kind, _ in documents] == ["decision", "certificate", "certificate"]
    decision = pdf_text(documents[0][1])
    assert WARD in decision and TIEN_TIEN in decision and "Giấy khen Lao động tiên tiến cấp xã" not in decision
    assert WARD.upper() in decision and TIEN_TIEN.upper() in decision  # each list under its own heading
    # Each certificate is titled with its own awardee's award, not the first awardee's.
    titles = sorted(pdf_title(sha) for kind, sha in documents if kind == "certificate")
    assert titles == sorted([WARD, TIEN_TIEN])
