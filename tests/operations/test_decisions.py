"""Award decisions: the PDF reads right in Vietnamese, certificates per awardee, numbers with no gap."""

from __future__ import annotations

import subprocess
import threading


import pytest
from sqlalchemy import select

from service.errors import InvalidInput
from service.models import Decision, GeneratedDocument, OrgUnit
from service.operations.accounts import actor_for
from service.operations.decisions import issue_decision
from service.operations.dossiers import NomineeInput
from service.storage import FileStore
from tests.conftest import FILES, REPO
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge

ARTIFACTS = REPO / "test-artifacts"


def grant_at_ward(factory, engine, unit_code: str, names: list[str]) -> int:
    dossier_id = lodge(factory, engine, unit_code, "TEST-PL-ALL", [NomineeInput("individual", n, "GK-XA", "Chuyên viên") for n in names])
    for _ in range(4):
        act(factory, engine, dossier_id)
    return dossier_id


def issue(factory, engine, signer: str = "Nguyễn Văn Thành"):
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name=signer)  # fmt: skip
        return issued.decision.number, [(d.kind, d.sha256) for d in issued.documents]


def pdf_text(sha256: str) -> str:
    path = FileStore(FILES).path_for(sha256)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_decision_pdf_has_the_nd30_header_number_names_and_its_list(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương", "Trần Văn Đức"])
    number, documents = issue(factory, engine)
    assert number == "01/QĐ-UBND"
    kinds = [k for k, _ in documents]
    assert kinds == ["decision", "certificate", "certificate"]
    text = pdf_text(documents[0][1])
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ LÃM",
                     "Số: 01/QĐ-UBND", "Phú Lãm, ngày 01 tháng 12 năm 2024", "QUYẾT ĐỊNH", "Nơi nhận:",
                     "Nguyễn Thị Hương", "Trần Văn Đức", "Nguyễn Văn Thành", "DANH SÁCH"):  # fmt: skip
        assert expected in text, expected
    certificate = pdf_text(documents[1][1])
    assert "GIẤY KHEN" in certificate and "Nguyễn Thị Hương" in certificate and "01/QĐ-UBND" in certificate
    ARTIFACTS.mkdir(exist_ok=True)
    for (kind, sha), name in zip(documents[:2], ("decision", "certificate"), strict=True):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(FileStore(FILES).path_for(sha)), str(ARTIFACTS / f"document-{name}")], check=True)  # fmt: skip
    assert (ARTIFACTS / "document-decision.png").stat().st_size > 1000


def test_fonts_are_embedded(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-VH", ["Lê Thị Ánh"])
    _, documents = issue(factory, engine)
    fonts = subprocess.run(["pdffonts", str(FileStore(FILES).path_for(documents[0][1]))], capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes yes " in line for line in rows) and all("Tinos" in line for line in rows)


def test_numbers_follow_each_other_and_nothing_is_issued_twice(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Người một"])
    assert issue(factory, engine)[0] == "01/QĐ-UBND"
    with pytest.raises(InvalidInput, match="chưa có quyết định"):
        issue(factory, engine)
    grant_at_ward(factory, engine, "HN-HD-PL-VH", ["Người hai"])
    assert issue(factory, engine)[0] == "02/QĐ-UBND"
    with factory() as session:
        docs = session.scalars(select(GeneratedDocument)).all()
        assert all(FileStore(FILES).read(d.sha256) == FileStore(FILES).read(d.sha256) for d in docs)


@pytest.mark.postgres
def test_two_chairmen_signing_at_once_get_consecutive_numbers(postgres_url):
    from service.db import make_engine, make_session_factory

    db = make_engine(postgres_url, pool_size=4)
    factory = make_session_factory(db)
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Người A"])
    grant_at_ward(factory, engine, "HN-HD-PL-VH", ["Người B"])
    # Both decisions draw from the same counter; split the granted nominees between two campaigns' worth of calls.
    barrier, numbers, errors = threading.Barrier(2), [], []

    def sign(name: str) -> None:
        barrier.wait()
        try:
            with factory() as session, session.begin():
                from service.operations.decisions import next_number

                ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
                numbers.append(next_number(session, ward.id, 2024))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(n,)) for n in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(numbers) == [1, 2]
    number, _ = issue(factory, engine)
    assert number == "03/QĐ-UBND"
    with factory() as session:
        assert session.scalars(select(Decision.seq)).all() == [3]
    db.dispose()


def test_decision_and_certificate_files_are_named_by_issuer_award_and_number(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương"])
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        names = [d.filename for d in issued.documents]
        nominee_id = issued.documents[1].nominee_id
    # Every level numbers its decisions from 1: the issuer's code tells "01/QĐ-UBND" of the ward from the province's.
    assert names == ["Quyet-dinh-1-2024-HN-HD-PL.pdf", f"Giay-khen-1-2024-HN-HD-PL-{nominee_id}.pdf"]


def test_a_signer_name_longer_than_its_column_is_refused_and_nothing_is_numbered(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương"])
    with pytest.raises(InvalidInput) as refused:
        issue(factory, engine, signer="Nguyễn Văn " * 30)
    assert refused.value.message == "“Người ký” dài 329 ký tự; tối đa 255 ký tự."
    with factory() as session:
        assert session.scalars(select(Decision)).all() == []
    assert issue(factory, engine)[0] == "01/QĐ-UBND"  # the number was not used up


def test_a_decision_quoting_a_very_long_campaign_title_keeps_its_trich_yeu_within_its_column(factory):
    from service.models import Campaign

    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương"])
    long_title = "Phong trào thi đua " + "đẩy mạnh cải cách hành chính, " * 16
    with factory() as session, session.begin():
        campaign = session.scalar(select(Campaign).where(Campaign.code == "TEST-PL-ALL"))
        campaign.title = long_title[:500].strip()
    issue(factory, engine)
    with factory() as session:
        title = session.scalars(select(Decision.title)).one()
    assert len(title) <= 500 and title.endswith("…") and title.startswith("Về việc khen thưởng thành tích trong phong")
