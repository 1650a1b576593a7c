"""The batch page ("Xét theo đợt") as laid out by Chromium: the header band is as wide as the rows under it (an
eligibility row's "Đã kiểm tra, đạt" inside it), and the decision select shows its longest option whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import serve
from .journeys import login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with serve(tmp_path_factory.mktemp("batch-layout-server")) as base:
        yield base


def _open_batch(page, username: str, campaign: str) -> None:  # type: ignore[no-untyped-def]
    """The user's batch of `campaign` from the inbox (the demo's: one dossier each, still a batch)."""
    login(page, username)
    page.goto("/inbox/")
    with page.expect_navigation():
        page.locator("[data-testid=batches] a", has_text=campaign).first.click()
    expect(page.locator("[data-testid=batch-form] table")).to_be_visible()


def _right_edges(page) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """The header band's right edge, and each body row's (its last cell's)."""
    return page.evaluate("""() => {
        const table = document.querySelector('[data-testid=batch-form] table');
        const edge = (row) => Math.max(...[...row.cells].map(c => c.getBoundingClientRect().right));
        return [edge(table.tHead.rows[0]), [...table.tBodies[0].rows].map(edge)];
    }""")


def test_an_eligibility_rows_tick_sits_inside_the_header_band(page):  # type: ignore[no-untyped-def]
    _open_batch(page, "hn-hd-pl.office_clerk", "PL-CCHC-2024")
    header, rows = _right_edges(page)
    assert rows and all(abs(edge - header) < 1 for edge in rows), (header, rows)
    tick = page.get_by_text("Đã kiểm tra, đạt").first.bounding_box()
    band = page.locator("[data-testid=batch-form] table thead tr").bounding_box()
    assert band["x"] <= tick["x"] and tick["x"] + tick["width"] <= band["x"] + band["width"] + 0.5, (tick, band)


def test_the_decision_select_shows_its_longest_option_and_the_rows_fit_the_header(page):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1024, "height": 768})  # a small laptop's: the council's columns share it
    _open_batch(page, "bt-gt-mt.council_secretary", "MT-CCHC-2015")
    header, rows = _right_edges(page)
    assert rows and all(abs(edge - header) < 1 for edge in rows), (header, rows)
    select = page.locator("[data-testid=batch-form] table select").first
    select.select_option("reject")
    # The select is at least as wide as its longest option's text in its own font, plus its arrow.
    fits = select.evaluate("""(s) => {
        const probe = document.createElement('span');
        probe.style.cssText = 'position:absolute; visibility:hidden; white-space:nowrap';
        probe.style.font = getComputedStyle(s).font;
        document.body.appendChild(probe);
        const width = (o) => { probe.textContent = o.text; return probe.getBoundingClientRect().width; };
        const widest = Math.max(...[...s.options].map(width));
        probe.remove();
        return [s.clientWidth, widest];
    }""")
    assert fits[0] >= fits[1] + 16, fits
