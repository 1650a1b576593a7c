"""In English the diagram draws the shipped chain's names in English (service/static/diagram.js, from the page's
element-labels): its steps, events, gateways, flows and pool, each step's name inside its box, every event's and
gateway's name clear of flows, shapes and other labels, the BPMN's own name kept as the tooltip; the BPMN served
stays as deployed, and in Vietnamese the names are the BPMN's."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, shot
from .journeys import login
from .test_diagram import PREPARING, element, open_diagram
from .test_diagram_labels import MEASURE, node_label_clashes, named_nodes

pytestmark = pytest.mark.browser
SHIPPED = REPO / "bpmn" / "commendation_chain.bpmn"


def words(text: str) -> str:
    return re.sub(r"\s", "", text)


def drawn_text(page, element_id: str) -> str:  # type: ignore[no-untyped-def]
    """The element's name as drawn (bpmn-js breaks it into lines: one tspan each), without the spaces."""
    return words(element(page, element_id).locator(".djs-visual text").first.text_content() or "")


def under_timer(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The reviews whose name, a line of it as drawn, runs under the overdue timer on the box's corner."""
    return page.evaluate("""() => ['ward_office_review', 'district_noi_vu_review', 'province_ban_review']
        .filter((id) => { const timer = document.querySelector(`[data-element-id='${id}_overdue'] .djs-visual circle`)
            .getBoundingClientRect();
          return [...document.querySelectorAll(`[data-element-id='${id}'] .djs-visual text tspan`)].some((line) => {
            const r = line.getBoundingClientRect();
            return r.right > timer.left + 0.5 && r.bottom > timer.top + 0.5; }); })""")


def test_the_diagram_draws_the_shipped_chains_names_in_english(page, artifacts):
    login(page, "hn-hd-pl-tp.unit_clerk")
    open_diagram(page, f"/dossiers/{PREPARING}?lang=en")
    assert page.evaluate("window.__diagramError") is None
    assert drawn_text(page, "unit_prepare") == words("Prepare and submit the commendation dossier")
    assert drawn_text(page, "ward_office_review") == words("Appraise the dossier (ward/commune office)")
    assert drawn_text(page, "gw_ward_office_review_label") == words("Appraisal result?")
    assert drawn_text(page, "flow_gw_ward_council_vote_to_ward_chairman_decide_label") == words("Passed")
    assert drawn_text(page, "start_label") == words("Dossier preparation starts")
    assert drawn_text(page, "participant_chain") == words("Commendation review process of emulation campaigns")
    # The BPMN's own name stays at hand, as the tooltip; the lanes are still named by the page's lane words.
    vietnamese = "Thẩm định hồ sơ (Văn phòng UBND phường/xã)"
    assert element(page, "ward_office_review").get_attribute("data-name-vi") == vietnamese
    assert drawn_text(page, "lane_chairman_province") == words("Chairman (province/city)")
    # Nothing drawn is left in Vietnamese, each step's name fits its box, and the names stay clear of the rest.
    texts = page.locator("[data-testid=diagram] .djs-element .djs-visual text").all_text_contents()
    assert [t for t in texts if re.search(r"[ạảãàáâầấậẩẫăằắặẳẵđêềếệểễơờớợởỡôồốộổỗưừứựửữìíịỉĩ]", t, re.I)] == []
    fits = page.evaluate("""() => [...document.querySelectorAll("[data-testid=diagram] .djs-element[data-name-vi]")]
        .filter((g) => g.querySelector('.djs-visual rect') && g.querySelector('.djs-visual text'))
        .map((g) => { const box = g.querySelector('.djs-visual rect').getBoundingClientRect(),
                            text = g.querySelector('.djs-visual text').getBoundingClientRect();
                      return [g.dataset.elementId, text.top >= box.top - 0.5 && text.bottom <= box.bottom + 0.5]; })""")
    assert len([i for i, _ in fits if not i.startswith("participant")]) >= 10
    assert [i for i, ok in fits if not ok and not i.startswith("participant")] == []
    # Nor does a step's name run under the overdue timer on its corner.
    assert under_timer(page) == []
    drawn = page.evaluate(MEASURE)
    assert len(named_nodes(drawn)) == 29 and node_label_clashes(drawn) == {}
    assert page.request.get(f"/dossiers/{PREPARING}/diagram.json").json()["xml"] == SHIPPED.read_text(encoding="utf-8")
    page.evaluate("() => { const c = window.thiduaDiagram.viewer.get('canvas'); c.zoom(1.4);"
                  " c.scrollToElement('ward_office_review', {top: 80, left: 300}); }")
    shot(page, artifacts, "60-diagram-names-in-english")

    open_diagram(page, f"/dossiers/{PREPARING}?lang=vi")  # and back: the BPMN's own words, nothing replaced
    assert drawn_text(page, "ward_office_review") == words("Thẩm định hồ sơ (Văn phòng UBND phường/xã)")
    assert drawn_text(page, "gw_ward_office_review_label") == words("Kết quả thẩm định?")
    assert page.locator("[data-testid=diagram] [data-name-vi]").count() == 0
