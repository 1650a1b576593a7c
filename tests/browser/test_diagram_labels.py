"""The names of events and gateways, as drawn (service/static/diagram.js), are crossed by no flow line and lie over
no other shape and no other label: the shipped chain places them clear in its DI (tests/engine/test_label_layout.py),
and the viewer moves the names a file places badly or not at all (a diagram drawn by another tool, the chain without
its name positions) to the nearest free place around their shape; the stored BPMN never changes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import REPO, shot
from .journeys import login

pytestmark = pytest.mark.browser
PREPARING = 1  # demo dossier 1, still being prepared by its unit clerk (tests/browser/test_diagram.py)
MIWG = Path(os.environ.get("THIDUA_MIWG_DIR", REPO.parent / "shared" / "external" / "bpmn-miwg"))
SLACK = 0.5  # CSS pixels of rounding allowed where two drawn boxes (or a line and a box) meet

# In viewport pixels: each event's and gateway's name as drawn (its text's box), every other label's text, each flow
# node's shape (its own node left out later) and each flow's line as drawn, sampled every 2 diagram units along the
# SVG path (getPointAtLength, mapped by its screen matrix: the rounded corners as drawn, not the waypoints; the
# visual's first path child: its arrowhead is a marker in the visual's own <defs>).
MEASURE = """() => {
  const registry = window.thiduaDiagram.viewer.get('elementRegistry');
  const rect = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
  const labels = registry.filter((e) => e.type === 'label' && e.labelTarget).map((label) => {
    const text = registry.getGraphics(label).querySelector('.djs-visual text');
    return { id: label.labelTarget.id, flow: Boolean(label.labelTarget.waypoints), type: label.labelTarget.type,
             text: text.textContent, ...rect(text.getBoundingClientRect()) };
  }).filter((label) => label.text.trim());
  const nodes = registry.filter((e) => e.parent && !e.waypoints && e.type !== 'label'
      && !['bpmn:Lane', 'bpmn:Participant', 'bpmn:SubProcess'].includes(e.type) && !e.isFrame)
    .map((e) => ({ id: e.id, ...rect(registry.getGraphics(e).querySelector('.djs-visual').getBoundingClientRect()) }));
  const flows = registry.filter((e) => e.waypoints).map((flow) => {
    const path = registry.getGraphics(flow).querySelector('.djs-visual > path');
    const m = path.getScreenCTM(), length = path.getTotalLength(), points = [];
    for (let at = 0; at < length + 2; at += 2) {
      const p = path.getPointAtLength(Math.min(at, length));
      points.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
    }
    return { id: flow.id, points };
  });
  return { labels, nodes, flows, moved: document.querySelector('[data-testid=diagram]').dataset.labelsMoved };
}"""  # fmt: skip


def intersect(a: dict, b: dict) -> bool:
    return (a["left"] + SLACK < b["right"] and b["left"] + SLACK < a["right"]
            and a["top"] + SLACK < b["bottom"] and b["top"] + SLACK < a["bottom"])  # fmt: skip


def crosses(p: list[float], q: list[float], box: dict) -> bool:
    """Whether the segment p-q runs through `box` shrunk by SLACK (Liang-Barsky clipping)."""
    left, top, right, bottom = box["left"] + SLACK, box["top"] + SLACK, box["right"] - SLACK, box["bottom"] - SLACK
    dx, dy, start, end = q[0] - p[0], q[1] - p[1], 0.0, 1.0
    for towards, room in ((-dx, p[0] - left), (dx, right - p[0]), (-dy, p[1] - top), (dy, bottom - p[1])):
        if towards == 0:
            if room < 0:
                return False
        elif towards < 0:
            start = max(start, room / towards)
        else:
            end = min(end, room / towards)
    return start <= end


def node_label_clashes(drawn: dict) -> dict[str, list[str]]:
    """Each event's or gateway's name → the flows crossing it, the shapes and the other labels it lies over."""
    clashes = {}
    for label in drawn["labels"]:
        if label["flow"] or not label["type"].endswith(("Event", "Gateway")):
            continue
        found = [f"flow {flow['id']}" for flow in drawn["flows"]
                 if any(crosses(p, q, label) for p, q in zip(flow["points"], flow["points"][1:]))]  # fmt: skip
        found += [f"shape {node['id']}" for node in drawn["nodes"]
                  if node["id"] != label["id"] and intersect(label, node)]  # fmt: skip
        found += [f"label {other['id']}" for other in drawn["labels"]
                  if other is not label and intersect(label, other)]  # fmt: skip
        if found:
            clashes[label["id"]] = found
    return clashes


def named_nodes(drawn: dict) -> list[str]:
    return [label["id"] for label in drawn["labels"] if label["type"].endswith(("Event", "Gateway"))]


def open_dossier(page) -> dict:  # type: ignore[no-untyped-def]
    login(page, "hn-hd-pl-tp.unit_clerk")
    page.goto(f"/dossiers/{PREPARING}")
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    page.locator("[data-testid=diagram]").scroll_into_view_if_needed()
    return page.evaluate(MEASURE)


def show(page, xml: str) -> dict:  # type: ignore[no-untyped-def]
    result = page.evaluate("xml => window.thiduaDiagram.show(xml)", xml)
    assert result["ok"], result
    page.locator("[data-testid=diagram]").scroll_into_view_if_needed()
    return page.evaluate(MEASURE)


def look_at(page, element: str) -> None:  # type: ignore[no-untyped-def]
    """The drawing at 1.4 around `element`, its names readable in a screenshot."""
    page.evaluate("id => { const c = window.thiduaDiagram.viewer.get('canvas'); c.zoom(1.4);"
                  " c.scrollToElement(id, {top: 200, left: 400}); }", element)  # fmt: skip


def test_a_running_dossiers_diagram_draws_each_event_and_gateway_name_clear_of_flows_shapes_labels(page, artifacts):
    drawn = open_dossier(page)
    assert len(named_nodes(drawn)) == 29  # the shipped chain names 29 events and gateways
    assert {"Kết quả thẩm định?", "Không khen thưởng", "Bắt đầu lập hồ sơ"} <= {
        re.sub(r"\s+", " ", label["text"]).strip() for label in drawn["labels"]}
    assert node_label_clashes(drawn) == {}
    assert drawn["moved"] == ""  # the shipped file places them: nothing moved in the browser
    look_at(page, "gw_ward_office_review")
    shot(page, artifacts, "59-diagram-event-gateway-names")


def test_event_and_gateway_names_without_positions_are_moved_clear(page, artifacts):
    """The chain without its names' positions: bpmn-js puts each under its shape, where the flows leaving a gateway
    downwards run through it; the viewer moves those to the nearest free place around the shape."""
    open_dossier(page)
    xml = page.request.get(f"/dossiers/{PREPARING}/diagram.json").json()["xml"]
    # A shape's label (a flow's BPMNLabel follows its waypoints and closes a BPMNEdge: it stays).
    name = r"(<dc:Bounds [^>]*/>\s*)<bpmndi:BPMNLabel>.*?</bpmndi:BPMNLabel>\s*(?=</bpmndi:BPMNShape>)"
    unplaced, count = re.subn(name, r"\1", xml)
    assert count == 29
    drawn = show(page, unplaced)
    assert len(named_nodes(drawn)) == 29
    assert node_label_clashes(drawn) == {}
    moved = drawn["moved"].split()
    assert "gw_ward_office_review" in moved and "end_rejected_ward" in moved  # "Kết quả thẩm định?" crossed below
    assert "start" not in moved  # a name already clear stays where bpmn-js put it
    look_at(page, "gw_ward_office_review")
    shot(page, artifacts, "59-diagram-event-gateway-names-moved")


def test_event_and_gateway_names_of_diagrams_from_other_tools_are_clear_of_flows_shapes_labels(page, artifacts):
    """The BPMN MIWG reference diagrams (drawn by other tools): four of them place names of gateways and events
    (boundary events on a task's edge) where a flow line runs through them as bpmn-js draws them; moved clear."""
    files = sorted(MIWG.glob("*.bpmn"))
    assert len(files) >= 20, f"the BPMN MIWG reference files are expected in {MIWG} (or set THIDUA_MIWG_DIR)"
    open_dossier(page)
    clashes, moved = {}, {}
    for file in files:
        drawn = show(page, file.read_text(encoding="utf-8"))
        if found := node_label_clashes(drawn):
            clashes[file.stem] = found
        moved[file.stem] = set(drawn["moved"].split()) & set(named_nodes(drawn))
        if file.stem == "B.2.0":
            look_at(page, "_49e94b5f-ce21-4c2b-b78d-3cde5c09c15e")  # "Exclusive Gateway 4", crossed where it was
            shot(page, artifacts, "59-miwg-B.2.0-names")
    assert clashes == {}
    assert {"B.2.0", "C.2.0", "C.4.0", "C.6.0"} <= {name for name, names in moved.items() if names}
