"""In lên phôi: the blank prints the certificate's own citation (the campaign named) and a date line kept whole.

Real PDFs (WeasyPrint) read back with pdftotext, on the seeded databases (SQLite, then PostgreSQL): a dossier of a
Giếng Đáy khu phố granted at the ward, its decision issued, its certificate printed onto the blank.
"""

from __future__ import annotations

import subprocess
import tempfile

from sqlalchemy import select

from service.models import Campaign, OrgUnit
from service.operations.accounts import actor_for
from service.operations.certificate_blanks import DEFAULT_LAYOUT, SAMPLE, blank_for_certificate, render_blank
from service.operations.decisions import issue_decision
from service.operations.dossiers import NomineeInput
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge


def text_of(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def certificate_on_blank(factory) -> tuple[str, str, str]:
    """(the certificate's text, the blank's text, the campaign's title) of a ward grant in Giếng Đáy."""
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "QN-HL-GD-KP1", "GD-CCHC-2024",
                       [NomineeInput("individual", "Phạm Thị Thu Hà", "GK-XA", "Trưởng khu phố")])  # fmt: skip
    for _ in range(4):
        act(factory, engine, dossier_id)  # submit, office, council, the ward chairman's grant
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-HL-GD"))
        issued = issue_decision(session, actor_for(session, "qn-hl-gd.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="GD-CCHC-2024", unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        certificate = next(d for d in issued.documents if d.kind == "certificate")
        title = session.scalar(select(Campaign.title).where(Campaign.code == "GD-CCHC-2024"))
        return (text_of(FileStore(FILES).read(certificate.sha256)), text_of(blank_for_certificate(session, certificate.id)),
                title)  # fmt: skip


def test_the_blank_prints_the_certificates_citation_with_the_campaigns_name(factory):
    certificate, blank, title = certificate_on_blank(factory)
    citation = "Đã có thành tích xuất sắc trong " + title[0].lower() + title[1:]
    assert citation in flat(certificate)  # the full-design certificate's wording
    assert citation in flat(blank)  # the same on the blank
    assert "Phạm Thị Thu Hà" in blank and "CỘNG HÒA" not in blank


def test_the_blanks_date_line_stays_on_one_line(factory):
    _, blank, _ = certificate_on_blank(factory)
    lines = [line.strip() for line in blank.splitlines()]
    assert "Giếng Đáy, ngày 01 tháng 12 năm 2024" in lines, lines
    assert any(line.startswith("Quyết định số 01/QĐ-UBND") for line in lines), lines


def test_the_layout_preview_keeps_its_sample_date_line_whole():
    lines = [line.strip() for line in text_of(render_blank(DEFAULT_LAYOUT, SAMPLE, preview=True)).splitlines()]
    assert any(line.endswith("ngày 20 tháng 12 năm 2024") and "Phú Lãm" in line for line in lines), lines
