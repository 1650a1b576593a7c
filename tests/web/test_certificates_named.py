"""A decision's certificates are listed by what they are and whom they award ("Giấy khen — Nguyễn Thị Hương (Tổ dân
phố …)"), on the campaign page under their decision and on the dossier page with the decision's number; and they
download under a name that names the awardee, not the nominee's internal id the stored name ends with (the stored
name, bytes and hash stay as they are). SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from sqlalchemy import select

from service.domain.text import file_word
from service.models import GeneratedDocument, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.decisions import issue_decision
from service.storage import FileStore
from tests.conftest import FILES
from tests.operations.test_decisions import grant_at_ward
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

NAMES = ["Nguyễn Thị Hương", "Trần Văn Đức"]


def _issued(app) -> tuple[int, str, str, list[tuple[int, str, str, str]]]:  # type: ignore[no-untyped-def]
    """(dossier id, decision number, unit name, [(certificate id, stored name, sha256, awardee)])."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    dossier_id = grant_at_ward(factory, engine, "HN-HD-PL-TP", NAMES)
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        unit = session.scalar(select(OrgUnit.name).where(OrgUnit.code == "HN-HD-PL-TP"))
        certificates = [(d.id, d.filename, d.sha256, session.get(Nominee, d.nominee_id).full_name)
                        for d in issued.documents if d.kind == "certificate"]  # fmt: skip
        return dossier_id, issued.decision.number, unit, certificates


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_the_campaign_page_lists_each_certificate_by_award_and_awardee(app, client, auth: Auth):
    _, number, unit, certificates = _issued(app)
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/TEST-PL-ALL").get_data(as_text=True)
    decisions = re.search(r'data-testid="decisions">(.*?)</ul>\s*</li>', page, re.S).group(1)
    assert number in decisions
    for doc_id, stored, _, awardee in certificates:
        item = re.search(rf'<li data-document-id="{doc_id}">(.*?)</li>', decisions, re.S).group(1)
        link = re.search(r"<a [^>]*>(.*?)</a>", item, re.S).group(1)
        assert _text(link) == f"Giấy khen — {awardee} ({unit})"
        assert stored not in item
    english = client.get("/campaigns/TEST-PL-ALL?lang=en").get_data(as_text=True)
    assert f"Certificate of Commendation — {certificates[0][3]} ({unit})" in _text(english)


def test_the_dossier_page_names_the_certificates_and_the_decisions_number(app, client, auth: Auth):
    dossier_id, number, unit, certificates = _issued(app)
    auth.login("hn-hd-pl-tp.unit_clerk")
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    generated = re.search(r'data-testid="generated">(.*?)</ul>', page, re.S).group(1)
    for doc_id, stored, _, awardee in certificates:
        item = _text(re.search(rf'<li data-document-id="{doc_id}">(.*?)</li>', generated, re.S).group(1))
        assert item.startswith(f"Giấy khen — {awardee} ({unit}) · Quyết định số {number} — Tải về")
        assert stored not in item
    assert f"Quyết định số {number} —" in _text(generated)  # the decision itself, by its number


@pytest.mark.parametrize("where", ["campaign", "dossier"])
def test_a_certificate_downloads_under_the_awardees_name_with_its_bytes_unchanged(app, client, auth: Auth, where: str):
    dossier_id, _, _, certificates = _issued(app)
    auth.login("hn-hd-pl.chairman")
    for doc_id, stored, sha256, awardee in certificates:
        url = (f"/campaigns/TEST-PL-ALL/documents/{doc_id}" if where == "campaign"
               else f"/dossiers/{dossier_id}/generated/{doc_id}")  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        # "Giay-khen-1-2024-HN-HD-PL-Nguyen-Thi-Huong.pdf", not "…-HN-HD-PL-7.pdf"
        expected = f"{stored.rsplit('-', 1)[0]}-{file_word(awardee)}.pdf"
        assert disposition == f"attachment; filename={expected}"
        assert hashlib.sha256(response.get_data()).hexdigest() == sha256
    with app.extensions["thidua.session_factory"]() as session:  # the stored names stay as they were
        stored_names = {session.get(GeneratedDocument, d).filename for d, *_ in certificates}
    assert stored_names == {s for _, s, _, _ in certificates}
