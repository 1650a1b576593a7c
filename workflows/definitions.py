"""Parse and validate BPMN bytes into a Definition: the Spiff spec plus what each step means for us."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .diagram import Diagram, element_names, executable_processes, pool_names, read_process
from .errors import DefinitionError, Problem
from .lanes import LaneRef, parse_lane
from .lint import DEFAULT_VARIABLES, decision_variable, decisions_in, lint_diagram
from .timers import quote_iso_timers, use_clocked_timers

MAX_BPMN_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Decision:
    """One choice a person can make at a step: the value written to task data and the flow's label."""

    value: str
    label: str
    target: str
    backward: bool = False  # leads back to this step again (a return loop): capped per instance


@dataclass(frozen=True)
class TimerInfo:
    """A timer boundary event on a step, and whose lane its path leads to (the escalation target)."""

    bpmn_id: str
    name: str
    interrupting: bool
    escalate_to: LaneRef | None


@dataclass(frozen=True)
class StepInfo:
    """A user task as the inbox and the decision form see it."""

    bpmn_id: str
    name: str
    lane: LaneRef
    documentation: str | None
    decision_variable: str
    decisions: tuple[Decision, ...]
    timers: tuple[TimerInfo, ...]


@dataclass(eq=False)
class Definition:
    """A deployable process: parsed spec, sha256 of its XML, and our step metadata."""

    process_id: str
    name: str
    sha256: str
    bpmn_xml: bytes
    spec: Any
    subprocess_specs: dict[str, Any]
    steps: dict[str, StepInfo]
    diagram: Diagram = field(repr=False)

    def named(self, problems: list[Problem]) -> list[Problem]:
        """The problems with each element's name from this process's diagram (Problem.where)."""
        return with_names(problems, _harden_parse(self.bpmn_xml, "process.bpmn"))

    @property
    def levels(self) -> tuple[str, ...]:
        """The org levels this process passes through, in the order of its lanes' steps."""
        seen: list[str] = []
        for step in self.steps.values():
            if step.lane.level not in seen:
                seen.append(step.lane.level)
        return tuple(seen)


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()  # about 8 ms to build: build it once per process


def _harden_parse(xml: bytes, filename: str) -> etree._Element:
    if len(xml) > MAX_BPMN_BYTES:
        raise DefinitionError([Problem(None, f"tệp BPMN lớn quá {MAX_BPMN_BYTES // (1024 * 1024)} MB")], filename)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError([Problem(None, f"XML không đọc được: {exc.msg}", exc.lineno)], filename) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DefinitionError([Problem(None, "tệp BPMN không được chứa DOCTYPE/ENTITY")], filename)
    return root


def _spiff_parse(root: etree._Element, filename: str, validate: bool) -> BpmnParser:
    parser = BpmnParser(validator=_validator() if validate else None)
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename)
    except ValidationException as exc:
        problem = _problem_from(exc)
        if problem.element_id is None and problem.line:
            problem = Problem(_element_id_at(root, problem.line), problem.message, problem.line)
        raise DefinitionError([problem], filename) from None
    return parser


def _element_id_at(root: etree._Element, line: int) -> str | None:
    """The id of the nearest element with an id at or above `line` (schema errors carry only a line)."""
    best: tuple[int, str] | None = None
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("id") and el.sourceline and el.sourceline <= line:
            if best is None or el.sourceline >= best[0]:
                best = (el.sourceline, el.get("id"))
    return best[1] if best else None


def _problem_from(exc: ValidationException) -> Problem:
    line = exc.line_number if isinstance(exc.line_number, int) else None
    message = str(exc.args[0]) if exc.args else str(exc)
    if message.startswith("Element '{"):  # an XSD message: say it is the schema, keep lxml's detail
        message = "không đúng lược đồ BPMN 2.0: " + message
    return Problem(exc.id or None, message, line)


def parse_definition(
    xml: bytes | str, filename: str = "process.bpmn", *, allowed_variables: frozenset[str] = DEFAULT_VARIABLES
) -> Definition:
    """Parse, schema-validate and lint BPMN; return a Definition or raise DefinitionError listing every problem,
    each naming its element by name (and id) where the diagram gives one."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    root = _harden_parse(data, filename)
    try:
        return _parse(data, root, filename, allowed_variables)
    except DefinitionError as exc:
        raise DefinitionError(with_names(exc.problems, root), filename) from None


def with_names(problems: list[Problem], root: etree._Element) -> list[Problem]:
    """Each problem with its element's name, where the element has one and the problem does not name it yet."""
    names = element_names(root)
    return [dataclasses.replace(p, element_name=names.get(p.element_id)) if p.element_id and not p.element_name
            and names.get(p.element_id) else p for p in problems]  # fmt: skip


def _one_process(root: etree._Element, filename: str) -> etree._Element:
    """The one executable process of the file; several (or none) is a problem that says what to do."""
    processes = executable_processes(root)
    if len(processes) == 1:
        return processes[0]
    if not processes:
        raise DefinitionError([Problem(None, "tệp không có quy trình (bpmn:process) nào; hãy vẽ một bể (pool) "
                                             "với các bước của quy trình")], filename)  # fmt: skip
    names = pool_names(root)
    found = ", ".join(f"{names[p.get('id') or '']} ({p.get('id')})" if names.get(p.get("id") or "") else
                      str(p.get("id") or "?") for p in processes)  # fmt: skip
    message = (f"tệp có {len(processes)} quy trình thực thi được ({found}), hệ thống chỉ chạy một: hãy giữ một bể "
               f"(pool), hoặc chỉ đánh dấu một quy trình là thực thi được (isExecutable) và bỏ đánh dấu ở các bể khác")
    raise DefinitionError([Problem(None, message)], filename)


def _parse(data: bytes, root: etree._Element, filename: str, allowed_variables: frozenset[str]) -> Definition:
    diagram = read_process(_one_process(root, filename))
    problems = lint_diagram(diagram, allowed_variables)
    if problems:
        raise DefinitionError(problems, filename)
    parser = _spiff_parse(root, filename, validate=True)
    try:
        spec = parser.get_spec(diagram.process_id)
        subprocess_specs = parser.get_subprocess_specs(diagram.process_id)
    except (ValidationException, SpiffWorkflowException) as exc:
        problem = _problem_from(exc) if isinstance(exc, ValidationException) else Problem(None, str(exc))
        raise DefinitionError([problem], filename) from None
    return _assemble(data, diagram, spec, subprocess_specs)


def validate_definition(xml: bytes | str, filename: str = "process.bpmn") -> list[Problem]:
    """Return the problems parse_definition would raise; an empty list means deployable."""
    try:
        parse_definition(xml, filename)
    except DefinitionError as exc:
        return exc.problems
    return []


def _assemble(data: bytes, diagram: Diagram, spec: Any, subprocess_specs: dict[str, Any]) -> Definition:
    for specs in (spec.task_specs, *(sub.task_specs for sub in subprocess_specs.values())):
        quote_iso_timers(specs)  # a bare P7D runs as the text "P7D" (timers.quoted_iso); no-op on a stored spec
        use_clocked_timers(specs)
    return Definition(
        process_id=diagram.process_id,
        name=diagram.process_name or diagram.process_id,
        sha256=hashlib.sha256(data).hexdigest(),
        bpmn_xml=data,
        spec=spec,
        subprocess_specs=dict(subprocess_specs),
        steps=_steps(diagram),
        diagram=diagram,
    )


def restore_definition(bpmn_xml: bytes | str, spec_json: str) -> Definition:
    """Rebuild a deployed Definition from its stored XML and serialized spec (no re-validation)."""
    from .state import load_spec

    data = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bytes(bpmn_xml)
    root = _harden_parse(data, "stored.bpmn")
    diagram = read_process(executable_processes(root)[0])
    spec, subprocess_specs = load_spec(spec_json)
    return _assemble(data, diagram, spec, subprocess_specs)


def _dominators(diagram: Diagram) -> dict[str, set[str]]:
    """For each element, the elements every path from a start event to it passes through."""
    nodes = list(diagram.elements)
    preds: dict[str, set[str]] = {n: set() for n in nodes}
    for flow in diagram.flows.values():
        if flow.source in preds and flow.target in preds:
            preds[flow.target].add(flow.source)
    for el in diagram.elements.values():
        if el.attached_to in preds:
            preds[el.id].add(el.attached_to)  # a boundary event is entered through its activity
    starts = {n for n in nodes if diagram.elements[n].tag == "startEvent"}
    everything = set(nodes)
    dom = {n: ({n} if n in starts else set(everything)) for n in nodes}
    changed = True
    while changed:
        changed = False
        for n in nodes:
            if n in starts or not preds[n]:
                continue
            new = {n} | set.intersection(*(dom[p] for p in preds[n]))
            if new != dom[n]:
                dom[n], changed = new, True
    return dom


def _steps(diagram: Diagram) -> dict[str, StepInfo]:
    steps: dict[str, StepInfo] = {}
    dominators = _dominators(diagram)
    for el in diagram.elements.values():
        if el.tag != "userTask":
            continue
        variable = decision_variable(el.id)
        decisions: list[Decision] = []
        for nxt in diagram.successors(el.id):
            if nxt.tag != "exclusiveGateway":
                continue
            for flow_id in nxt.outgoing:
                flow = diagram.flows[flow_id]
                for value in decisions_in(flow.condition or "", variable) if flow.condition else []:
                    # A back edge (its target dominates its source) is a return loop.
                    backward = flow.target in dominators.get(flow.source, set())
                    decisions.append(Decision(value, flow.name or value, flow.target, backward))
        timers = []
        for boundary_id in diagram.boundary_of.get(el.id, []):
            boundary = diagram.elements[boundary_id]
            if "timerEventDefinition" not in boundary.event_definitions:
                continue
            target_lanes = [parse_lane(n.lane) for n in diagram.successors(boundary_id) if _is_lane(n.lane)]
            timers.append(
                TimerInfo(boundary_id, boundary.name, boundary.interrupting, target_lanes[0] if target_lanes else None)
            )
        steps[el.id] = StepInfo(
            bpmn_id=el.id,
            name=el.name,
            lane=parse_lane(el.lane),
            documentation=el.documentation,
            decision_variable=variable,
            decisions=tuple(decisions),
            timers=tuple(timers),
        )
    return steps


def _is_lane(name: str | None) -> bool:
    try:
        parse_lane(name)
    except ValueError:
        return False
    return True
