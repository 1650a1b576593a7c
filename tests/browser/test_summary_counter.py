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


def test_the_counter_speaks_the_pages_language(page):  # type: ignore[no-untyped-def]
    login(page, "hn-hd-pl-tp.unit_clerk")
    page.goto("/dossiers/1?lang=en")
    area = page.locator("textarea[data-max]").first
    maximum = int(area.get_attribute("data-max") or 0)
    area.fill("x" * (maximum + 1))
    counter = page.locator("textarea[data-max] + .counter").first
    assert counter.inner_text() == f"{maximum + 1} / {maximum} characters"
    assert area.evaluate("a => a.validationMessage") == f"The summary is longer than half a page ({maximum} characters)."
    page.goto("/dossiers/1?lang=vi")
    page.locator("textarea[data-max]").first.fill("x" * (maximum + 1))
    assert page.locator("textarea[data-max]").first.evaluate("a => a.validationMessage") == (
        f"Trích ngang dài quá nửa trang ({maximum} ký tự).")
