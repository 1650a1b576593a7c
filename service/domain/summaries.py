"""Trích ngang: a nominee's achievement summary, at most half a page (the plans' own limit)."""

from __future__ import annotations

from ..errors import InvalidInput
from .text import clean_text

# Half an A4 page of 13-pt Times New Roman with official margins: about 20 lines of 90 characters.
MAX_SUMMARY_CHARS = 1800
MAX_SUMMARY_LINES = 20


def check_summary(text: str | None) -> str | None:
    """Return the NFC-normalised summary, or raise when it is longer than half a page."""
    if text is None:
        return None
    clean = clean_text(text)
    if len(clean) > MAX_SUMMARY_CHARS:
        raise InvalidInput("Trích ngang dài {length} ký tự; tối đa nửa trang ({max_summary_chars} ký tự).",
                           {"length": len(clean), "max_summary_chars": MAX_SUMMARY_CHARS})
    if clean.count("\n") + 1 > MAX_SUMMARY_LINES:
        raise InvalidInput("Trích ngang có quá {max_summary_lines} dòng; tối đa nửa trang.",
                           {"max_summary_lines": MAX_SUMMARY_LINES})
    return clean or None
