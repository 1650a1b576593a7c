"""The process diagram in a real Chromium: the shipped BPMN draws cleanly, the path is marked, MIWG files open."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from .conftest import REPO, shot
from .journeys import login

pytestmark = pytest.mark.browser
SHIPPED = REPO / "bpmn" / "commendation_chain.bpmn"
MIWG = Path(os.environ.get("THIDUA_MIWG_DIR", REPO.parent / "shared" / "external" / "bpmn-miwg"))
BPMN = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# Demo dossier 1 (Bộ phận Tư pháp - Hộ tịch, phường Phú Lãm) is still being prepared by its unit clerk.
PREPARING = 1


def element(page, bpmn_id: str, marker: str = ""):  # type: ignore[no-untyped-def]
    return page.locator(f".djs-element{marker}[data-element-id='{bpmn_id}']")


def open_diagram(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    page.locator("[data-testid=diagram]").scroll_into_view_if_needed()


def test_the_shipped_bpmn_draws_every_user_task_and_lane_with_no_import_warning(page, artifacts):
    root = etree.parse(str(SHIPPED)).getroot()
    tasks = {t.get("id"): t.get("name") for t in root.iterfind(".//bpmn:userTask", BPMN)}
    lanes = [lane.get("id") for lane in root.iterfind(".//bpmn:lane", BPMN)]
    assert len(tasks) == 10 and len(lanes) == 10
    login(page, "hn-hd-pl-tp.unit_clerk")
    served = page.request.get(f"/dossiers/{PREPARING}/diagram.json").json()
    assert served["xml"] == SHIPPED.read_text(encoding="utf-8")  # a fresh database runs the shipped file
    open_diagram(page, f"/dossiers/{PREPARING}")
    assert page.evaluate("window.__diagramWarnings") == []
    assert page.evaluate("window.__diagramError") is None
    assert page.get_attribute("[data-testid=diagram]", "data-warnings") == "0"
    assert not page.locator("[data-testid=diagram-status]").is_visible()
    for task_id, name in tasks.items():
        assert element(page, task_id).count() == 1, task_id
        # bpmn-js breaks a label into lines (one tspan each): compare the text without the spaces.
        label = element(page, task_id).locator(".djs-visual text").text_content() or ""
        assert re.sub(r"\s", "", label) == re.sub(r"\s", "", name), task_id
    for lane_id in [*lanes, "participant_chain"]:
        assert element(page, lane_id).count() == 1, lane_id
    assert element(page, "unit_prepare", ".path-current").count() == 1
    # The labels need a font with Vietnamese glyphs (make deps-system installs Noto and Liberation).
    assert subprocess.run(["fc-list", ":lang=vi", "family"], capture_output=True, text=True, check=True).stdout.strip()
    shot(page, artifacts, "50-shipped-diagram")
    page.evaluate("() => { const c = window.thiduaDiagram.viewer.get('canvas'); c.zoom(1.4); c.scroll({dx: 0, dy: 0});"
                  " c.scrollToElement('ward_office_review', {top: 80, left: 300}); }")  # the labels at a readable size
    shot(page, artifacts, "50-shipped-diagram-labels")


def test_office_clerk_approves_and_the_diagram_moves_to_the_council_vote(page, artifacts):
    login(page, "hn-hd-pl.office_clerk")
    row = page.locator("tr[data-task-id]", has_text="Thẩm định hồ sơ (Văn phòng UBND phường/xã)").first
    dossier_link = row.locator("a[href^='/dossiers/']").first.get_attribute("href")
    assert dossier_link and re.fullmatch(r"/dossiers/\d+", dossier_link)
    row.locator("a", has_text=re.compile("Xử lý")).click()
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert element(page, "ward_office_review", ".path-current").count() == 1
    shot(page, artifacts, "51-office-clerk-task")
    page.get_by_label("Đạt", exact=True).check()
    for box in page.locator("input[name=confirm]").all():
        box.check()
    page.fill("#comment", "Hồ sơ đầy đủ, đúng thể thức; đề nghị Hội đồng xem xét.")
    page.locator("form.stack button.primary").click()
    page.wait_for_url("**/inbox/")  # back on the inbox; the message links to the dossier
    page.locator(f"a[data-testid=decided-dossier][href='{dossier_link}']").click()
    page.wait_for_url(f"**{dossier_link}")
    open_diagram(page, dossier_link)
    assert page.evaluate("window.__diagramWarnings") == []
    assert element(page, "ward_office_review", ".path-done").count() == 1
    assert element(page, "ward_office_review", ".path-current").count() == 0
    assert element(page, "ward_council_vote", ".path-current").count() == 1
    assert element(page, "unit_prepare", ".path-done").count() == 1
    assert element(page, "ward_chairman_decide", ".path-done").count() == 0
    assert "đúng thể thức; đề nghị Hội đồng xem xét" in page.content()  # the comment is in the history
    shot(page, artifacts, "52-dossier-at-council-vote")


def test_every_miwg_reference_diagram_opens_in_the_viewer_without_an_exception(page, artifacts):
    files = sorted(MIWG.glob("*.bpmn"))
    assert len(files) >= 20, f"the BPMN MIWG reference files are expected in {MIWG} (or set THIDUA_MIWG_DIR)"
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "hn-hd-pl-tp.unit_clerk")
    open_diagram(page, f"/dossiers/{PREPARING}")
    outcomes = {}
    for file in files:
        # Injected into the viewer already on the page: no test route in the product.
        result = page.evaluate("xml => window.thiduaDiagram.show(xml)", file.read_text(encoding="utf-8"))
        status = page.locator("[data-testid=diagram-status]")
        if result["ok"]:
            assert result["elements"] > 1 and not status.is_visible(), file.name
            assert page.get_attribute("[data-testid=diagram]", "data-ready") == "true"
        else:  # an import error is told on the page, not thrown
            assert status.is_visible() and result["error"] in status.inner_text(), file.name
        outcomes[file.name] = result
        if file.stem in ("A.4.1", "C.1.0"):
            shot(page, artifacts, f"53-miwg-{file.stem}")
    assert errors == [], errors
    failed = {name: r["error"] for name, r in outcomes.items() if not r["ok"]}
    assert failed == {}, failed  # bpmn-js reads every MIWG reference file
