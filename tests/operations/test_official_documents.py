"""Tờ trình, báo cáo tổng kết and thông báo: real PDFs, read back with pdftotext."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from service.errors import InvalidInput
from service.models import OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput
from service.operations.official_documents import (
    generate_forwarding_proposal, generate_notices, generate_proposal, generate_report,
)  # fmt: skip
from service.storage import FileStore
from tests.conftest import FILES, REPO
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge

ARTIFACTS = REPO / "test-artifacts"


def text_of(doc) -> str:  # type: ignore[no-untyped-def]
    """The PDF's text (whitespace collapsed); its first page is also kept as a PNG in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(FileStore(FILES).path_for(doc.sha256)),
                    str(ARTIFACTS / f"document-{doc.kind}")], check=True)  # fmt: skip
    text = subprocess.run(["pdftotext", str(FileStore(FILES).path_for(doc.sha256)), "-"],
                          capture_output=True, check=True, text=True).stdout  # fmt: skip
    return " ".join(text.split())  # table cells wrap names across lines


def test_unit_proposal_lists_its_nominees(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL",
                       [NomineeInput("individual", "Nguyễn Thị Hương", "GK-XA", "Công chức Tư pháp - Hộ tịch"),
                        NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch", "BK-TINH")])  # fmt: skip
    with factory() as session, session.begin():
        doc = generate_proposal(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), FileStore(FILES), engine.clock.now(), dossier_id)
        text = text_of(doc)
    for expected in ("TỜ TRÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nguyễn Thị Hương", "Bộ phận Tư pháp - Hộ tịch",
                     "Kính gửi: Hội đồng Thi đua - Khen thưởng phường Phú Lãm", "Phú Lãm, ngày 01 tháng 12 năm 2024"):
        assert expected in text, expected


def test_ward_forwards_one_consolidated_proposal_report_and_notices(factory):
    engine = Engine(FixedClock())
    up = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Người lên quận", "GK-HUYEN")])
    down = lodge(factory, engine, "HN-HD-PL-VH", "TEST-PL-ALL", [NomineeInput("individual", "Người chưa đạt", "GK-XA")])
    for _ in range(4):
        act(factory, engine, up)
    for _ in range(3):
        act(factory, engine, down)
    act(factory, engine, down, "reject", "Chưa đủ tiêu chuẩn khen thưởng")
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        chairman = actor_for(session, "hn-hd-pl.chairman")
        forwarded = text_of(generate_forwarding_proposal(session, chairman, FileStore(FILES), engine.clock.now(), "TEST-PL-ALL", ward.id))
        assert "Người lên quận" in forwarded and "Người chưa đạt" not in forwarded
        # A unit's kind word is written in lower case after another word; its own name keeps its capitals.
        assert "Kính gửi: Ủy ban nhân dân quận Hà Đông" in forwarded
        assert "Ủy ban nhân dân phường Phú Lãm kính trình" in forwarded
        report = text_of(generate_report(session, chairman, FileStore(FILES), engine.clock.now(), "TEST-PL-ALL"))
        assert "BÁO CÁO" in report and "Bộ phận Văn hóa - Thông tin" in report
        (notice,) = generate_notices(session, chairman, FileStore(FILES), engine.clock.now(), "TEST-PL-ALL")
        text = text_of(notice)
        assert "THÔNG BÁO" in text and "Người chưa đạt" in text and "Chưa đủ tiêu chuẩn khen thưởng" in text
        assert "Kính gửi: Bộ phận Văn hóa - Thông tin" in text
        assert "Ủy ban nhân dân phường Phú Lãm thông báo" in text and "Khen thưởng Phường" not in forwarded + text
        district = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD"))
        with pytest.raises(InvalidInput):
            generate_forwarding_proposal(session, actor_for(session, "hn-hd.chairman"), FileStore(FILES), engine.clock.now(),
                                         "TEST-PL-ALL", district.id)  # fmt: skip
