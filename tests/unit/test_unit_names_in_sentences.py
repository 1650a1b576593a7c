"""A unit's full name inside a sentence of a generated document: its kind word in lower case after another word
("Hội đồng Thi đua - Khen thưởng phường Giếng Đáy"), the unit's own name with its capitals."""

from __future__ import annotations

import unicodedata
from datetime import date
from types import SimpleNamespace

import pytest

from service.documents.pdf import render_html
from service.domain.text import in_sentence


@pytest.mark.parametrize(("name", "expected"), [
    ("Phường Giếng Đáy", "phường Giếng Đáy"),
    ("Thành phố Hạ Long", "thành phố Hạ Long"),
    ("Thị xã Đông Triều", "thị xã Đông Triều"),
    ("Thị trấn Giồng Trôm", "thị trấn Giồng Trôm"),
    ("Xã Mỹ Thạnh", "xã Mỹ Thạnh"),
    ("Quận Hà Đông", "quận Hà Đông"),
    ("Huyện Giồng Trôm", "huyện Giồng Trôm"),
    ("Tỉnh Quảng Ninh", "tỉnh Quảng Ninh"),
    ("Thành phố Hà Nội", "thành phố Hà Nội"),
    ("Bộ phận Văn hóa - Thông tin", "Bộ phận Văn hóa - Thông tin"),  # not an administrative unit: as it is
    ("Quận1", "Quận1"),  # a kind word only as a whole word
    ("Phường", "Phường"),
    ("PHƯỜNG GIẾNG ĐÁY", "PHƯỜNG GIẾNG ĐÁY"),
])
def test_the_kind_word_is_lower_case_inside_a_sentence(name, expected):
    assert in_sentence(name) == expected


def test_a_name_typed_decomposed_is_recognised():
    decomposed = unicodedata.normalize("NFD", "Phường Giếng Đáy")
    assert in_sentence(decomposed) == "phường Giếng Đáy"


def _words(html: str) -> str:
    return " ".join(html.split())


def test_the_proposal_addresses_the_wards_council_in_administrative_style():
    html = _words(render_html(
        "proposal.html", issuer_name="Phường Giếng Đáy", top_body="PHƯỜNG GIẾNG ĐÁY", unit_line="KHU PHỐ 1",
        symbol="TTr", number=None, day=date(2024, 12, 1), place_of="Phường Giếng Đáy", campaign_title="phong trào",
        campaign_source=None, sender="Khu phố 1", addressee="Hội đồng Thi đua - Khen thưởng phường Giếng Đáy",
        rows=[], signer_title="Thủ trưởng đơn vị", signer_name=None))  # fmt: skip
    assert "Kính gửi: Hội đồng Thi đua - Khen thưởng phường Giếng Đáy" in html
    assert "Giếng Đáy, ngày 01 tháng 12 năm 2024" in html


def test_a_notice_names_the_issuing_committee_and_the_unit_inside_its_sentences():
    html = _words(render_html(
        "notice.html", issuer_name="Thành phố Hạ Long", symbol="TB-UBND", number=None, day=date(2024, 12, 1),
        place_of="Thành phố Hạ Long", campaign_title="phong trào", recipient_unit="Phường Giếng Đáy", rows=[],
        signer_name=None))  # fmt: skip
    assert "Kính gửi: Phường Giếng Đáy" in html  # after "Kính gửi:" the name opens the line
    assert "Ủy ban nhân dân thành phố Hạ Long thông báo các tập thể, cá nhân do phường Giếng Đáy đề nghị" in html
    assert "Ủy ban nhân dân thành phố Hạ Long thông báo để phường Giếng Đáy biết" in html
    assert "Thành phố Hạ Long thông báo" not in html and "do Phường" not in html


def test_a_decision_names_the_council_and_the_committee_of_its_issuer_in_lower_case():
    decision = SimpleNamespace(number="12/QĐ-UBND", decided_on=date(2024, 12, 10), title="Về việc khen thưởng",
                               signer_title="Chủ tịch", signer_name="Nguyễn Văn A")  # fmt: skip
    award = SimpleNamespace(name="Vũ Thị Hạnh", position=None, unit="Khu phố 1", kind="individual")
    html = _words(render_html("decision.html", d=decision, groups=[("Giấy khen", [award])], issuer_name="Xã Mỹ Thạnh",
                              campaign_source=None, campaign_title="phong trào"))  # fmt: skip
    assert "Xét đề nghị của Hội đồng Thi đua - Khen thưởng xã Mỹ Thạnh." in html
    assert "Tặng Giấy khen cho 1 cá nhân (có danh sách kèm theo)" in html  # counted by kind
    assert "của Chủ tịch UBND xã Mỹ Thạnh)" in html
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ MỸ THẠNH" in html and "Mỹ Thạnh, ngày 10 tháng 12 năm 2024" in html


def test_documents_count_whom_they_name_by_kind():
    from service.domain.text import subjects_phrase

    assert subjects_phrase(["individual"]) == "1 cá nhân"  # not "1 tập thể, cá nhân" for one person
    assert subjects_phrase(["collective", "individual", "individual"]) == "1 tập thể và 2 cá nhân"
    assert subjects_phrase(["collective", "collective"]) == "2 tập thể"
