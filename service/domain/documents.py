"""Document rules: the checklist a campaign requires, file types recognised from content, safe names."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..errors import InvalidInput

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PER_DOSSIER = ("meeting_minutes", "proposal_letter")
PER_NOMINEE = ("achievement_report", "summary_sheet")
DEFAULT_REQUIRED = PER_DOSSIER + PER_NOMINEE
KIND_LABELS = {
    "meeting_minutes": "Biên bản họp bình xét",
    "proposal_letter": "Tờ trình đề nghị khen thưởng",
    "achievement_report": "Báo cáo thành tích",
    "summary_sheet": "Trích ngang thành tích",
    "other": "Tài liệu khác",
}


class NomineeLike(Protocol):
    id: int
    full_name: str


class DocumentLike(Protocol):
    kind: str
    nominee_id: int | None


@dataclass(frozen=True)
class MissingItem:
    kind: str
    label: str
    nominee_id: int | None = None
    nominee_name: str | None = None

    def __str__(self) -> str:
        return f"{self.label} — {self.nominee_name}" if self.nominee_name else self.label


def required_kinds(campaign_setting: str | None) -> tuple[str, ...]:
    """The document kinds a campaign requires (its JSON list, or the default checklist)."""
    if not campaign_setting:
        return DEFAULT_REQUIRED
    kinds = tuple(json.loads(campaign_setting))
    unknown = [k for k in kinds if k not in KIND_LABELS]
    if unknown:
        raise InvalidInput("Loại tài liệu không có: {value}", {"value": ', '.join(unknown)})
    return kinds


def missing_documents(
    required: Iterable[str] | Mapping[int, Iterable[str]], nominees: Iterable[NomineeLike],
    documents: Iterable[DocumentLike], typed_summaries: Iterable[int] = (),
) -> list[MissingItem]:  # fmt: skip
    """What the dossier still lacks: per-dossier kinds once, per-nominee kinds for each nominee.

    `required` is one list for every nominee, or a list per nominee id (each nominee's award form
    may require different documents); a per-dossier kind is needed if any nominee's list has it.
    `typed_summaries` are the nominees whose trích ngang the clerk typed into the dossier (at most half a
    page, as the plans ask for it): that text is the nominee's trích ngang, so no file of it is needed.
    """
    nominees = list(nominees)
    per_nominee = (
        {n.id: tuple(required.get(n.id, ())) for n in nominees}
        if isinstance(required, Mapping)
        else dict.fromkeys((n.id for n in nominees), tuple(required))
    )
    have = {(d.kind, d.nominee_id) for d in documents} | {("summary_sheet", n) for n in typed_summaries}
    have_any = {d.kind for d in documents}
    missing: list[MissingItem] = []
    dossier_kinds = [k for k in KIND_LABELS if k not in PER_NOMINEE and any(k in ks for ks in per_nominee.values())]
    missing += [MissingItem(kind, KIND_LABELS[kind]) for kind in dossier_kinds if kind not in have_any]
    for kind in PER_NOMINEE:
        missing += [MissingItem(kind, KIND_LABELS[kind], n.id, n.full_name) for n in nominees
                    if kind in per_nominee[n.id] and (kind, n.id) not in have]  # fmt: skip
    return missing


_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
_OOXML = {
    b"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    b"xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def sniff_type(data: bytes) -> tuple[str, str]:
    """(content type, extension) recognised from the bytes; refuse anything but PDF, DOCX, XLSX, JPEG, PNG."""
    for magic, content_type, ext in _SIGNATURES:
        if data.startswith(magic):
            return content_type, ext
    if data.startswith(b"PK\x03\x04") and b"[Content_Types].xml" in data[:65536]:
        for marker, (content_type, ext) in _OOXML.items():
            if marker in data[:262144]:
                return content_type, ext
    raise InvalidInput("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx), JPEG hoặc PNG; nội dung tệp này không phải các loại đó.")


def check_upload(data: bytes) -> tuple[str, str]:
    if not data:
        raise InvalidInput("Tệp rỗng.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("Tệp lớn quá {value} MB.", {"value": MAX_UPLOAD_BYTES // (1024 * 1024)})
    return sniff_type(data)


def safe_filename(name: str | None, extension: str) -> str:
    """Keep the Vietnamese name readable, drop paths and control characters, force the sniffed extension."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:200] or "tai-lieu") + extension
