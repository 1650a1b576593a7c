"""The process diagram is readable on a 1366×768 office laptop: drawn at no less than the minimum zoom, wider than
its box (which scrolls sideways) rather than shrunk to fit, no taller than the screen, opened at the current step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import shot
from .journeys import create_and_submit, login

pytestmark = pytest.mark.browser
MIN_ZOOM = 0.7  # service/static/diagram.js
TASK_WIDTH = 100  # a user task's width in the shipped BPMN's diagram units
DOCS = ["proposal_letter", "meeting_minutes", "achievement_report"]


def _diagram_sizes(page):  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => {
          const box = document.querySelector('[data-testid=diagram]');
          const rect = (id) => document.querySelector(`.djs-element[data-element-id='${id}'] .djs-visual`).getBoundingClientRect();
          const current = document.querySelector('.djs-element.path-current');
          const at = current.getBoundingClientRect(), seen = box.getBoundingClientRect();
          return {
            zoom: window.thiduaDiagram.viewer.get('canvas').zoom(),
            task: rect('ward_office_review').width,
            scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, height: box.getBoundingClientRect().height,
            overflowX: getComputedStyle(box).overflowX,
            currentInView: at.left >= seen.left && at.right <= seen.right && at.top >= seen.top && at.bottom <= seen.bottom,
          };
        }"""
    )  # fmt: skip


def test_the_task_pages_diagram_is_drawn_at_a_readable_size_and_scrolls_sideways(page, artifacts, tmp_path: Path):
    # A dossier of its own, waiting at the ward office: the browser tests share one server, and others decide the
    # demo's waiting tasks.
    login(page, "qn-hl-gd-kp2.unit_clerk")
    dossier_id = create_and_submit(page, tmp_path, "Đề nghị Giấy khen – sơ đồ", "Vũ Thị Mai",
                                   "Giấy khen của Chủ tịch UBND phường Giếng Đáy", DOCS)  # fmt: skip
    login(page, "qn-hl-gd.office_clerk")
    row = page.locator(f'tr[data-task-id]:has(a[href="/dossiers/{dossier_id}"])')
    row.locator("a", has_text=re.compile("Xử lý")).click()
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    page.locator("[data-testid=diagram]").scroll_into_view_if_needed()
    sizes = _diagram_sizes(page)
    assert sizes["zoom"] >= MIN_ZOOM - 1e-6, sizes
    assert sizes["task"] >= TASK_WIDTH * MIN_ZOOM - 1, sizes  # a task box as drawn on the screen, in CSS pixels
    # The shipped chain is wider than a 1366 px screen at that zoom: the box scrolls instead of shrinking it.
    assert sizes["scrollWidth"] > sizes["clientWidth"] and sizes["overflowX"] in ("auto", "scroll"), sizes
    assert 300 <= sizes["height"] <= 768, sizes
    assert sizes["currentInView"], sizes  # opened where the dossier waits
    shot(page, artifacts, "55-diagram-readable-task-page")
    page.locator("[data-testid=diagram]").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert page.locator("[data-testid=diagram]").evaluate("box => box.scrollLeft") > 0


def test_the_dossier_pages_diagram_keeps_the_minimum_zoom_after_a_resize(page, artifacts):
    login(page, "hn-hd-pl-tp.unit_clerk")
    page.goto("/dossiers/1")  # demo dossier 1, still being prepared by its unit clerk
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert _diagram_sizes(page)["zoom"] >= MIN_ZOOM - 1e-6
    page.set_viewport_size({"width": 1024, "height": 700})
    page.wait_for_function("() => document.querySelector('[data-testid=diagram] .bjs-container').offsetWidth >= 1")
    page.wait_for_timeout(400)  # the resize is handled after 150 ms
    sizes = _diagram_sizes(page)
    assert sizes["zoom"] >= MIN_ZOOM - 1e-6 and sizes["scrollWidth"] > sizes["clientWidth"], sizes
    page.locator("[data-testid=diagram]").scroll_into_view_if_needed()
    shot(page, artifacts, "56-diagram-readable-dossier-page")
