"""Document rules: the checklist, type sniffing from content, safe names, trích ngang length."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.documents import check_upload, missing_documents, required_kinds, safe_filename, sniff_type
from service.domain.summaries import MAX_SUMMARY_CHARS, check_summary
from service.errors import InvalidInput
from service.operations.demo import sample_pdf


@dataclass
class N:
    id: int
    full_name: str


@dataclass
class D:
    kind: str
    nominee_id: int | None = None


def test_checklist_asks_once_per_dossier_and_once_per_nominee():
    nominees = [N(1, "Nguyễn Thị Hương"), N(2, "Bộ phận Văn hóa - Thông tin")]
    missing = missing_documents(required_kinds(None), nominees, [D("meeting_minutes"), D("achievement_report", 1)])
    assert [str(m) for m in missing] == [
        "Tờ trình đề nghị khen thưởng",
        "Báo cáo thành tích — Bộ phận Văn hóa - Thông tin",
        "Trích ngang thành tích — Nguyễn Thị Hương",
        "Trích ngang thành tích — Bộ phận Văn hóa - Thông tin",
    ]


def test_a_typed_trich_ngang_is_the_nominees_summary_sheet():
    nominees = [N(1, "Nguyễn Thị Hương"), N(2, "Bộ phận Văn hóa - Thông tin")]
    documents = [D("meeting_minutes"), D("proposal_letter"), D("achievement_report", 1), D("achievement_report", 2)]
    missing = missing_documents(required_kinds(None), nominees, documents, typed_summaries=[2])
    assert [str(m) for m in missing] == ["Trích ngang thành tích — Nguyễn Thị Hương"]
    # Typed text stands for the trích ngang only: not for the nominee's achievement report.
    missing = missing_documents(required_kinds(None), nominees, documents[:2], typed_summaries=[1, 2])
    assert [m.kind for m in missing] == ["achievement_report", "achievement_report"]


def test_campaign_can_require_fewer_documents():
    assert missing_documents(required_kinds('["meeting_minutes"]'), [N(1, "A")], [D("meeting_minutes")]) == []
    with pytest.raises(InvalidInput):
        required_kinds('["selfie"]')


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (sample_pdf("x"), "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
        (b"PK\x03\x04" + b"[Content_Types].xml" + b"word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"PK\x03\x04" + b"[Content_Types].xml" + b"xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_types_are_recognised_from_content(data, expected):
    assert sniff_type(data)[0] == expected


@pytest.mark.parametrize("data", [b"MZ\x90\x00 windows exe", b"<html><script>", b"PK\x03\x04 just a zip", b""])
def test_other_content_is_refused_whatever_its_name(data):
    with pytest.raises(InvalidInput):
        check_upload(data)


@pytest.mark.parametrize(
    ("name", "ext", "expected"),
    [
        ("Biên bản họp.pdf", ".pdf", "Biên bản họp.pdf"),
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Tờ trình.docx.exe", ".docx", "Tờ trình.docx.docx"),
        ("", ".png", "tai-lieu.png"),
        ("a\x00b<c>.pdf", ".pdf", "abc.pdf"),
    ],
)
def test_filenames_are_sanitised_and_keep_vietnamese(name, ext, expected):
    assert safe_filename(name, ext) == expected


@given(st.text(max_size=300))
def test_no_filename_escapes_or_crashes(name):
    result = safe_filename(name, ".pdf")
    assert "/" not in result and "\\" not in result and result.endswith(".pdf")


def test_summary_of_half_a_page_passes_and_longer_is_refused():
    assert check_summary("  Hoàn thành xuất sắc nhiệm vụ  ") == "Hoàn thành xuất sắc nhiệm vụ"
    assert check_summary("ệ" * MAX_SUMMARY_CHARS)
    with pytest.raises(InvalidInput, match="nửa trang"):
        check_summary("ệ" * (MAX_SUMMARY_CHARS + 1))
    with pytest.raises(InvalidInput, match="dòng"):
        check_summary("\n".join(["x"] * 21))


def test_summary_is_stored_nfc():
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert check_summary(decomposed) == "Nguyễn"
