"""The trích ngang's character counter counts as the server does: characters of the text's NFC form."""

from __future__ import annotations

import unicodedata

from tests.browser.journeys import login


def test_text_typed_in_decomposed_form_counts_as_it_shows(page):  # type: ignore[no-untyped-def]
    login(page, "hn-hd-pl-tp.unit_clerk")
    page.goto("/dossiers/1")  # the demo's draft of Bộ phận Tư pháp - Hộ tịch
    area = page.locator("textarea[data-max]").first
    maximum = int(area.get_attribute("data-max") or 0)
    text = "Nguyễn Thị Hương hoàn thành xuất sắc nhiệm vụ được giao"
    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > len(text)  # the pasted text has more code points than it shows
    area.fill(decomposed)
    counter = page.locator("textarea[data-max] + .counter").first
    assert counter.inner_text() == f"{len(text)} / {maximum} ký tự"
    # Exactly at the limit in NFC (but over it in code points as pasted) the browser does not refuse the form.
    area.fill(unicodedata.normalize("NFD", "ệ" * maximum))
    assert counter.inner_text() == f"{maximum} / {maximum} ký tự"
    assert area.evaluate("a => a.validity.valid") is True
