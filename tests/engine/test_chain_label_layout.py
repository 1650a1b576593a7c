"""The shipped chain places every flow's label (BPMNDI) where it lies over no other label and no shape: without
positions a viewer puts each label at its flow's middle, and two flows leaving a gateway side by side ("Đạt",
"Không đạt") get theirs on top of each other. Label positions are drawing only: the same process, the same version."""

from __future__ import annotations

import copy

from lxml import etree

from tests.engine.conftest import CHAIN
from workflows import dump_spec, parse_definition, process_fingerprint

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
BOUNDS = "{http://www.omg.org/spec/DD/20100524/DC}Bounds"
Box = tuple[float, float, float, float]


def box(bounds: etree._Element) -> Box:
    x, y, width, height = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + width, y + height


def intersect(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout(root: etree._Element) -> tuple[dict[str, Box], dict[str, Box]]:
    """Each labelled element's label box and each flow node's shape box (lanes and the pool left out), by element."""
    labels, shapes = {}, {}
    for di in root.iter(f"{BPMNDI}BPMNShape", f"{BPMNDI}BPMNEdge"):
        element = di.get("bpmnElement")
        label = di.find(f"{BPMNDI}BPMNLabel/{BOUNDS}")
        if label is not None:
            labels[element] = box(label)
        shape = di.find(BOUNDS)
        if shape is not None and not element.startswith(("lane_", "participant_")):
            shapes[element] = box(shape)
    return labels, shapes


def test_every_named_flow_has_a_label_clear_of_other_labels_and_shapes():
    root = etree.parse(str(CHAIN)).getroot()
    labels, shapes = layout(root)
    named = {flow.get("id") for flow in root.iter(f"{BPMN}sequenceFlow") if flow.get("name")}
    assert len(named) == 33
    assert named <= labels.keys(), sorted(named - labels.keys())
    assert len(shapes) == 39 and len(labels) > len(named)  # the events' and gateways' names count too
    items = sorted(labels.items())
    overlapping = [(a, b) for i, (a, one) in enumerate(items) for b, other in items[i + 1:] if intersect(one, other)]
    assert overlapping == []
    covered = [(a, s) for a, label in items for s, shape in shapes.items() if s != a and intersect(label, shape)]
    assert covered == []


def test_label_positions_are_not_a_new_process_version():
    """An installation running the chain as shipped before the labels were placed keeps its version on
    `thidua init` (deploy_definition compares fingerprints): the file without its flows' labels is the same process."""
    xml = CHAIN.read_bytes()
    root = etree.fromstring(xml)
    unplaced = copy.deepcopy(root)
    for edge in unplaced.iter(f"{BPMNDI}BPMNEdge"):
        for label in edge.findall(f"{BPMNDI}BPMNLabel"):
            edge.remove(label)
    before = etree.tostring(unplaced, xml_declaration=True, encoding="UTF-8")
    assert b"BPMNLabel" in before  # the events' and gateways' labels stay
    assert before.count(b"<bpmndi:BPMNLabel>") + 33 == xml.count(b"<bpmndi:BPMNLabel>")  # the flows' go
    shipped, old = parse_definition(xml, CHAIN.name), parse_definition(before, CHAIN.name)
    assert shipped.sha256 != old.sha256
    assert process_fingerprint(shipped) == process_fingerprint(old)
    assert dump_spec(shipped) == dump_spec(old)  # what runs, and what instance states are written from
