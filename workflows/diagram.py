"""The flow graph of one BPMN process read from its XML: elements, lanes, flows, conditions, timers."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .timers import quoted_iso

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_B = "{%s}" % BPMN_NS

# Flow element tags that can appear in a process, mapped to a short kind.
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "userTask", "task", "manualTask", "scriptTask", "serviceTask",
    "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess", "transaction",
    "adHocSubProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway", "boundaryEvent", "intermediateThrowEvent", "intermediateCatchEvent",
}  # fmt: skip
EVENT_DEFINITIONS = {
    "timerEventDefinition", "messageEventDefinition", "signalEventDefinition", "errorEventDefinition",
    "escalationEventDefinition", "terminateEventDefinition", "cancelEventDefinition",
    "compensateEventDefinition", "conditionalEventDefinition", "linkEventDefinition",
}  # fmt: skip


@dataclass
class Element:
    """One flow node."""

    id: str
    tag: str
    name: str
    line: int | None
    lane: str | None = None
    documentation: str | None = None
    event_definitions: list[str] = field(default_factory=list)
    timer_kind: str | None = None  # timeDate | timeDuration | timeCycle
    timer_expression: str | None = None
    attached_to: str | None = None
    interrupting: bool = True
    default_flow: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class Flow:
    """One sequence flow."""

    id: str
    source: str
    target: str
    name: str
    condition: str | None
    line: int | None


@dataclass
class Diagram:
    """Everything about one process that our lints and task mapping need."""

    process_id: str
    process_name: str
    elements: dict[str, Element]
    flows: dict[str, Flow]
    boundary_of: dict[str, list[str]]  # activity id -> boundary event ids
    line: int | None = None

    def successors(self, element_id: str) -> list[Element]:
        return [self.elements[self.flows[f].target] for f in self.elements[element_id].outgoing if f in self.flows]


def _text(node: etree._Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def read_process(process: etree._Element) -> Diagram:
    """Build the Diagram of a bpmn:process element."""
    elements: dict[str, Element] = {}
    flows: dict[str, Flow] = {}
    boundary_of: dict[str, list[str]] = {}
    for node in process:
        if not isinstance(node.tag, str) or not node.tag.startswith(_B):
            continue
        tag = node.tag[len(_B) :]
        node_id = node.get("id") or ""
        if tag == "sequenceFlow":
            flows[node_id] = Flow(
                id=node_id,
                source=node.get("sourceRef", ""),
                target=node.get("targetRef", ""),
                name=(node.get("name") or "").strip(),
                condition=_text(node.find(_B + "conditionExpression")),
                line=node.sourceline,
            )
        elif tag in FLOW_NODE_TAGS:
            el = Element(node_id, tag, (node.get("name") or "").strip(), node.sourceline)
            el.documentation = _text(node.find(_B + "documentation"))
            el.default_flow = node.get("default")
            for child in node:
                if isinstance(child.tag, str) and child.tag.startswith(_B) and child.tag[len(_B) :] in EVENT_DEFINITIONS:
                    el.event_definitions.append(child.tag[len(_B) :])
                    for kind in ("timeDate", "timeDuration", "timeCycle"):
                        expr = child.find(_B + kind)
                        if expr is not None:
                            # bare ISO 8601 (P7D), as other BPMN tools write it, is read as that text (timers.py)
                            el.timer_kind, el.timer_expression = kind, quoted_iso(_text(expr))
            if tag == "boundaryEvent":
                el.attached_to = node.get("attachedToRef")
                el.interrupting = node.get("cancelActivity", "true") != "false"
                boundary_of.setdefault(el.attached_to or "", []).append(node_id)
            elements[node_id] = el
    for lane in process.iter(_B + "lane"):
        for ref in lane.findall(_B + "flowNodeRef"):
            target = elements.get((ref.text or "").strip())
            if target is not None:
                target.lane = (lane.get("name") or "").strip() or None
    for flow in flows.values():
        if flow.source in elements:
            elements[flow.source].outgoing.append(flow.id)
        if flow.target in elements:
            elements[flow.target].incoming.append(flow.id)
    return Diagram(
        process_id=process.get("id") or "",
        process_name=(process.get("name") or "").strip(),
        elements=elements,
        flows=flows,
        boundary_of=boundary_of,
        line=process.sourceline,
    )


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The bpmn:process elements of a definitions document that are executable: those marked isExecutable="true"
    when any is (so marking one pool executable picks it), else those not marked "false" (or all, if every one is)."""
    processes = root.findall(_B + "process")
    marked = [p for p in processes if p.get("isExecutable", "").strip().lower() == "true"]
    if marked:
        return marked
    executable = [p for p in processes if p.get("isExecutable", "true").strip().lower() != "false"]
    return executable or processes


def pool_names(root: etree._Element) -> dict[str, str]:
    """process id → the name of the pool (participant) that draws it, or the process's own name."""
    names = {p.get("id") or "": (p.get("name") or "").strip() for p in root.findall(_B + "process")}
    for participant in root.iter(_B + "participant"):
        ref, name = participant.get("processRef"), (participant.get("name") or "").strip()
        if ref in names and name:
            names[ref] = name
    return {key: value for key, value in names.items() if value}


def element_names(root: etree._Element) -> dict[str, str]:
    """id → name of every BPMN element with both (tasks, events, gateways, flows, lanes, pools, processes)."""
    names: dict[str, str] = {}
    for node in root.iter():
        name = " ".join((node.get("name") or "").split()) if isinstance(node.tag, str) else ""
        if name and node.tag.startswith(_B) and node.get("id"):
            names.setdefault(node.get("id") or "", name)
    return names
