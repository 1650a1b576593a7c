"""Edits an admin might make to a BPMN file, done with lxml for tests (no product code involved)."""

from __future__ import annotations

from lxml import etree

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
}


def remove_level(xml: bytes, level: str, reroute: dict[str, str]) -> bytes:
    """Delete every lane of `level` and its elements, and point the flows named in `reroute` at new targets.

    `reroute` maps the id of a kept element that a kept flow used to enter the removed level
    through, to the kept element that flow must now reach.
    """
    root = etree.fromstring(xml)
    process = root.find("bpmn:process", NS)
    removed: set[str] = set()
    for lane in list(process.iterfind(".//bpmn:lane", NS)):
        if lane.get("name", "").endswith("@" + level):
            removed.update(ref.text.strip() for ref in lane.findall("bpmn:flowNodeRef", NS))
            lane.getparent().remove(lane)
    removed_flows = set()
    for flow in list(process.findall("bpmn:sequenceFlow", NS)):
        src, tgt = flow.get("sourceRef"), flow.get("targetRef")
        if src in removed:
            removed_flows.add(flow.get("id"))
            process.remove(flow)
        elif tgt in removed:
            if tgt not in reroute:
                raise ValueError(f"flow {flow.get('id')} enters removed element {tgt} with no reroute")
            flow.set("targetRef", reroute[tgt])
    for el in list(process):
        if el.get("id") in removed:
            process.remove(el)
    for el in process:
        for ref in list(el.findall("bpmn:incoming", NS)) + list(el.findall("bpmn:outgoing", NS)):
            if ref.text.strip() in removed_flows:
                el.remove(ref)
    # Keep incoming refs in step with the rerouted flows.
    for el in process:
        for ref in list(el.findall("bpmn:incoming", NS)):
            el.remove(ref)
    for flow in process.findall("bpmn:sequenceFlow", NS):
        target = process.find(f"*[@id='{flow.get('targetRef')}']")
        inc = etree.Element(f"{{{NS['bpmn']}}}incoming")
        inc.text = flow.get("id")
        # The schema wants documentation first, then incoming, then outgoing.
        docs = target.findall("bpmn:documentation", NS)
        target.insert(len(docs), inc)
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    lane_ids = {lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)}
    for di in list(plane):
        ref = di.get("bpmnElement")
        is_lane_shape = ref and ref.startswith("lane_")
        if ref in removed or ref in removed_flows or (is_lane_shape and ref not in lane_ids):
            plane.remove(di)
    for edge in plane.findall("bpmndi:BPMNEdge", NS):
        flow = process.find(f"bpmn:sequenceFlow[@id='{edge.get('bpmnElement')}']", NS)
        if flow is not None and flow.get("targetRef") in reroute.values():
            for wp in edge.findall("di:waypoint", NS)[1:-1]:
                edge.remove(wp)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def replace_condition(xml: bytes, flow_id: str, condition: str) -> bytes:
    """Set the condition expression text of one sequence flow."""
    root = etree.fromstring(xml)
    expr = root.find(f".//bpmn:sequenceFlow[@id='{flow_id}']/bpmn:conditionExpression", NS)
    expr.text = condition
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
