"""Render HTML templates in templates/documents to PDF with WeasyPrint (fonts embedded, A4, ND30 margins)."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..domain.text import in_sentence, subjects_phrase

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "documents"
_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
_PREFIXES = re.compile(r"^(Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố|Tỉnh)\s+", re.IGNORECASE)


def place_name(unit_name: str) -> str:
    """'Phường Phú Lãm' → 'Phú Lãm', for the place and date line."""
    return _PREFIXES.sub("", unit_name).strip()


def date_line(place: str, day: date) -> str:
    """'Phú Lãm, ngày 05 tháng 12 năm 2024' (days and months below 10 are written with a leading zero for 1–2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def issuing_body(unit_name: str) -> tuple[str, str]:
    """('ỦY BAN NHÂN DÂN', 'PHƯỜNG PHÚ LÃM') for the top-left of an administrative document."""
    return "ỦY BAN NHÂN DÂN", unit_name.upper()


_ENV.globals.update(date_line=date_line, place_name=place_name, issuing_body=issuing_body)
# A unit's full name after another word: "… Khen thưởng {{ ward|in_sentence }}" → "… Khen thưởng phường Giếng Đáy".
_ENV.filters["in_sentence"] = in_sentence
# The nominees a document names, counted by kind: "… cho 1 tập thể và 3 cá nhân".
_ENV.filters["subjects"] = lambda rows: subjects_phrase([str(_ENV.getattr(row, "kind")) for row in rows])


def render_html(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def render_pdf(template: str, **context: Any) -> bytes:
    """The PDF bytes of a document template (WeasyPrint embeds the subset of each font it uses)."""
    from weasyprint import HTML

    html = render_html(template, **context)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def font_configuration() -> Any:
    """One WeasyPrint font configuration for several layouts whose pages are later written into one PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_parts(template: str, anchors: list[str], *, fonts: Any = None, **context: Any) -> tuple[Any, list[list[Any]]]:
    """Lay out one document holding several parts, each starting at an element whose id is in `anchors` (in order):
    the laid-out document and each part's pages. One layout of many parts is much faster than one per part
    (fonts and styles are loaded once); write any pages of it, or of other layouts sharing `fonts`, with
    `write_pages`."""
    from weasyprint import HTML

    html = render_html(template, **context)
    document = HTML(string=html, base_url=str(TEMPLATES)).render(font_config=fonts)
    starts = []
    for anchor in anchors:
        start = next((i for i, page in enumerate(document.pages) if anchor in page.anchors), None)
        if start is None:
            raise ValueError(f"{template}: no page holds #{anchor}")
        starts.append(start)
    ends = starts[1:] + [len(document.pages)]
    return document, [document.pages[start:end] for start, end in zip(starts, ends, strict=True)]


def write_pages(document: Any, pages: list[Any], title: str | None = None) -> bytes:
    """The PDF bytes of these pages (of `document`, or of layouts sharing its fonts), fonts embedded as render_pdf;
    titled `title` (else as `document`)."""
    written = document.copy(pages)
    if title is not None:
        written.metadata = copy.copy(document.metadata)
        written.metadata.title = title
    return written.write_pdf()
