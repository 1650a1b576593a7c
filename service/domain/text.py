"""Vietnamese text as data: NFC-normalised, trimmed, and without NUL (which PostgreSQL refuses in text)."""

from __future__ import annotations

import unicodedata


def clean_text(text: str) -> str:
    """The same words whatever keyboard typed them: NFC, no NUL, no surrounding spaces."""
    return unicodedata.normalize("NFC", text.replace("\x00", "")).strip()
