"""The header bar's texts, the unread notices' count among them, are readable: WCAG AA contrast (4.5:1) between
each text's colour and the background it is drawn on, as Chromium computes both."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import serve
from .journeys import login

pytestmark = pytest.mark.browser

# For each text in the header: its colour and the first non-transparent background behind it, as rgb() strings.
COLOURS = """() => [...document.querySelectorAll('header.top a, header.top span, header.top button')]
  .filter((el) => el.offsetParent !== null && el.textContent.trim())
  .map((el) => {
    let bg = 'rgba(0, 0, 0, 0)';
    for (let at = el; at && /rgba\\(.*, 0\\)$/.test(bg); at = at.parentElement) bg = getComputedStyle(at).backgroundColor;
    return { text: el.textContent.trim(), id: el.id, color: getComputedStyle(el).color, background: bg };
  })"""


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_header_texts_and_the_unread_count_have_enough_contrast(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    # Its own server: on the shared one, other tests read this office's notices, and no count would show.
    with serve(tmp_path / "server") as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base, locale="vi-VN")
        context.set_default_timeout(60_000)
        page = context.new_page()
        try:
            login(page, "hn-hd-pl.office_clerk")  # the demo's submitted dossier told this office of its task
            page.goto("/inbox/")
            texts = page.evaluate(COLOURS)
        finally:
            context.close()
    assert any(t["id"] == "unread-count" for t in texts), texts
    poor = [(t["text"], round(contrast(t["color"], t["background"]), 2)) for t in texts
            if contrast(t["color"], t["background"]) < 4.5]  # fmt: skip
    assert poor == []
