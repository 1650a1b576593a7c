"""Whether two BPMN files describe the same process, however they are written.

An editor saving an unchanged diagram writes other bytes than the file it opened (indentation, attribute
order, its own exporter attributes, incoming/outgoing references, label positions). A process is the same
when what runs and what is shown is the same: the executable spec SpiffWorkflow parses (without the file's
name), the steps as the service reads them (names, lanes, decisions and their labels, timers) and the
diagram's shapes and edges where they are drawn.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from lxml import etree

from .definitions import Definition, _harden_parse
from .state import dump_spec

_BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
_BOUNDS = "{http://www.omg.org/spec/DD/20100524/DC}Bounds"
_WAYPOINT = "{http://www.omg.org/spec/DD/20100524/DI}waypoint"


def process_fingerprint(definition: Definition) -> str:
    """A digest equal for two definitions exactly when they are the same process (module docstring)."""
    spec = json.loads(dump_spec(definition))
    spec["spec"].pop("file", None)
    for sub in spec["subprocess_specs"].values():
        sub.pop("file", None)
    steps = {bpmn_id: dataclasses.asdict(step) for bpmn_id, step in definition.steps.items()}
    drawn = _layout(_harden_parse(definition.bpmn_xml, "process.bpmn"))
    canonical = json.dumps([definition.process_id, definition.name, spec, steps, drawn], sort_keys=True,
                           ensure_ascii=False, default=str)  # fmt: skip
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _layout(root: etree._Element) -> list[Any]:
    """Each shape's bounds and each edge's waypoints, by element, rounded to a tenth of a pixel."""
    drawn: list[Any] = []
    for shape in root.iter(f"{_BPMNDI}BPMNShape"):
        bounds = shape.find(_BOUNDS)
        box = [round(float(bounds.get(k, 0)), 1) for k in ("x", "y", "width", "height")] if bounds is not None else []
        drawn.append(["shape", shape.get("bpmnElement"), box])
    for edge in root.iter(f"{_BPMNDI}BPMNEdge"):
        points = [[round(float(p.get("x", 0)), 1), round(float(p.get("y", 0)), 1)] for p in edge.iter(_WAYPOINT)]
        drawn.append(["edge", edge.get("bpmnElement"), points])
    return sorted(drawn, key=lambda item: (item[0], str(item[1])))
