"""Every shipped BPMN places the name of each named event and gateway (its BPMNLabel) where no flow line runs through
it and it lies over no other shape and no other label, inside one lane: a viewer draws the name at those bounds
(bpmn-js centres the text on them), and names placed under a gateway whose flows leave downwards were crossed by
those lines. The boxes are the DI's bounds, sized to the text as bpmn-js draws it. Name positions are drawing only:
the same process, the same version (the fingerprint and the spec of the chain do not change)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from tests.engine.conftest import CHAIN, REPO
from workflows import dump_spec, parse_definition, process_fingerprint

BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
WAYPOINT = "{http://www.omg.org/spec/DD/20100524/DI}waypoint"
BOUNDS = "{http://www.omg.org/spec/DD/20100524/DC}Bounds"
SHIPPED = sorted((REPO / "bpmn").glob("*.bpmn"))
CLEARANCE = 3.0  # diagram units kept free between a name and a flow line (a default flow's slash reaches 7 sideways)
Box = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]


def box(bounds: etree._Element) -> Box:
    x, y, width, height = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + width, y + height


def grown(b: Box, margin: float) -> Box:
    return b[0] - margin, b[1] - margin, b[2] + margin, b[3] + margin


def intersect(a: Box, b: Box) -> bool:
    """Whether the insides of two boxes overlap (boxes only touching do not)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def within(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def crosses(p: Point, q: Point, b: Box) -> bool:
    """Whether the segment p-q runs through the inside of the box (Liang-Barsky clipping)."""
    (x, y), dx, dy = p, q[0] - p[0], q[1] - p[1]
    start, end = 0.0, 1.0
    for towards, room in ((-dx, x - b[0]), (dx, b[2] - x), (-dy, y - b[1]), (dy, b[3] - y)):
        if towards == 0:
            if room <= 0:
                return False
        elif towards < 0:
            start = max(start, room / towards)
        else:
            end = min(end, room / towards)
    return start < end


def test_the_geometry_helpers():
    square = (0.0, 0.0, 10.0, 10.0)
    assert crosses((-5, 5), (15, 5), square) and crosses((5, -5), (5, 3), square)  # through; into it
    assert crosses((2, 2), (3, 3), square) and crosses((-5, -4), (4, 5), square)  # wholly inside; a corner cut
    assert not crosses((-5, 0), (15, 0), square) and not crosses((10, -5), (10, 15), square)  # along its sides
    assert not crosses((-5, 5), (-1, 5), square) and not crosses((-5, 4), (4, -5), square)  # short of it; past a corner
    assert intersect(square, (9, 9, 20, 20)) and not intersect(square, (10, 0, 20, 10))  # overlapping; touching
    assert within((1, 1, 9, 9), square) and not within((5, 5, 11, 9), square)


class Layout:
    """A BPMN's drawing: each name's (label's) box, each flow node's shape, each lane, each flow's line."""

    def __init__(self, path: Path) -> None:
        root = etree.parse(str(path)).getroot()
        element = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
        kind = {key: etree.QName(e).localname for key, e in element.items()}
        self.named_nodes = {key for key, e in element.items()
                            if e.get("name") and kind[key].endswith(("Event", "Gateway"))}  # fmt: skip
        self.labels: dict[str, Box] = {}
        self.shapes: dict[str, Box] = {}
        self.lanes: list[Box] = []
        self.lines: dict[str, list[Point]] = {}
        for di in root.iter(f"{BPMNDI}BPMNShape", f"{BPMNDI}BPMNEdge"):
            key = di.get("bpmnElement")
            if (label := di.find(f"{BPMNDI}BPMNLabel/{BOUNDS}")) is not None:
                self.labels[key] = box(label)
            if (shape := di.find(BOUNDS)) is not None:
                if kind[key] in ("lane", "participant"):
                    self.lanes.append(box(shape))
                else:
                    self.shapes[key] = box(shape)
            if points := di.findall(WAYPOINT):
                self.lines[key] = [(float(p.get("x")), float(p.get("y"))) for p in points]

    def clashes(self, node: str) -> list[str]:
        """What the name of `node` lies over: flows whose line runs through it, other shapes, other labels, lanes'
        borders (a lane or the pool it straddles)."""
        name = self.labels[node]
        found = [f"flow {flow}" for flow, line in self.lines.items()
                 if any(crosses(p, q, grown(name, CLEARANCE)) for p, q in zip(line, line[1:]))]  # fmt: skip
        found += [f"shape {shape}" for shape, b in self.shapes.items() if shape != node and intersect(name, b)]
        found += [f"label {other}" for other, b in self.labels.items() if other != node and intersect(name, b)]
        found += ["a lane's border" for lane in self.lanes if intersect(name, lane) and not within(name, lane)]
        return found


def test_the_layout_reads_the_chains_drawing():
    layout = Layout(CHAIN)
    assert len(layout.named_nodes) == 29  # 1 start, 10 end events, 12 gateways, 3 timers, 3 escalations
    assert len(layout.shapes) == 39 and len(layout.lines) == 50 and len(layout.lanes) == 11  # 10 lanes, the pool
    assert layout.labels["gw_ward_office_review"][1] > layout.shapes["gw_ward_office_review"][3]  # under the gateway


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_event_and_gateway_name_is_crossed_by_no_flow_and_lies_over_no_shape_label_or_lane_border(path):
    layout = Layout(path)
    assert layout.named_nodes, path.name
    assert sorted(layout.named_nodes - layout.labels.keys()) == []  # each has its name's position
    clashes = {node: found for node in sorted(layout.named_nodes) if (found := layout.clashes(node))}
    assert clashes == {}


def test_name_positions_are_not_a_new_process_version():
    """The chain as shipped before its names were placed clear (every name's bounds dropped: a viewer then puts
    each under its shape) is the same process: `thidua init` keeps an installation's version."""
    xml = CHAIN.read_bytes()
    unplaced = copy.deepcopy(etree.fromstring(xml))
    for shape in unplaced.iter(f"{BPMNDI}BPMNShape"):
        for label in shape.findall(f"{BPMNDI}BPMNLabel"):
            shape.remove(label)
    before = etree.tostring(unplaced, xml_declaration=True, encoding="UTF-8")
    assert before.count(b"<bpmndi:BPMNLabel>") + 29 == xml.count(b"<bpmndi:BPMNLabel>")
    shipped, old = parse_definition(xml, CHAIN.name), parse_definition(before, CHAIN.name)
    assert shipped.sha256 != old.sha256
    assert process_fingerprint(shipped) == process_fingerprint(old)
    assert dump_spec(shipped) == dump_spec(old)
