"""Our own rules for a deployable process, on top of what SpiffWorkflow's parser checks."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .diagram import Diagram, Element
from .errors import ExpressionError, Problem
from .expressions import check_expression, names_used
from .lanes import parse_lane

# Variables a condition may read besides the decision variables of the process's own steps.
DEFAULT_VARIABLES = frozenset({"target_level", "dossier_id", "campaign_code", "nominee_count"})

_SUPPORTED = {
    "startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway",
    "boundaryEvent", "intermediateThrowEvent", "intermediateCatchEvent",
}  # fmt: skip
_WHY_NOT = {
    "scriptTask": "không cho phép bước mã lệnh (scriptTask): ai sửa được quy trình sẽ chạy được mã trên máy chủ",
    "task": "bước không rõ loại (bpmn:task) sẽ chặn quy trình như một bước người dùng; hãy đổi thành userTask",
    "manualTask": "bước thủ công (manualTask) không có ai xử lý; hãy đổi thành userTask trong một làn",
    "serviceTask": "chưa hỗ trợ bước gọi dịch vụ (serviceTask)",
    "eventBasedGateway": "chưa hỗ trợ cổng theo sự kiện (eventBasedGateway)",
    "inclusiveGateway": "chưa hỗ trợ cổng bao hàm (inclusiveGateway); hãy dùng cổng loại trừ (exclusiveGateway)",
}


def decision_variable(task_id: str) -> str:
    """The task-data key a step's decision is written to (one per step, so none leaks into the next)."""
    return f"{task_id}_decision"


def decisions_in(condition: str, variable: str) -> list[str]:
    """The string constants a condition compares `variable` to with == or in."""
    found: list[str] = []
    for node in ast.walk(check_expression(condition)):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(right, ast.Name) and right.id == variable and isinstance(op, ast.Eq):
            left, right = right, left
        if not (isinstance(left, ast.Name) and left.id == variable):
            continue
        if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str):
            found.append(right.value)
        elif isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
            found.extend(e.value for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found


def lint_diagram(diagram: Diagram, allowed_variables: Iterable[str] = DEFAULT_VARIABLES) -> list[Problem]:
    """Return every problem that keeps the process from being deployed; empty when it is fine."""
    problems: list[Problem] = []
    user_tasks = [e for e in diagram.elements.values() if e.tag == "userTask"]
    variables = set(allowed_variables) | {decision_variable(t.id) for t in user_tasks}
    if not user_tasks:
        problems.append(Problem(diagram.process_id, "quy trình không có bước người dùng (userTask) nào", diagram.line))
    if not any(e.tag == "startEvent" and not e.event_definitions for e in diagram.elements.values()):
        problems.append(Problem(diagram.process_id, "quy trình cần một sự kiện bắt đầu thường (startEvent)", diagram.line))
    for el in diagram.elements.values():
        problems.extend(_lint_element(diagram, el))
        if el.timer_expression and not any(p.element_id == el.id for p in problems):
            unknown = names_used(el.timer_expression) - variables
            if unknown:
                hint = 'biến không xác định trong biểu thức hẹn giờ: ' + ', '.join(sorted(unknown))
                problems.append(Problem(el.id, hint + " (thời hạn ghi theo ISO 8601, ví dụ P10D)", el.line))
    for flow in diagram.flows.values():
        if flow.source not in diagram.elements or flow.target not in diagram.elements:
            problems.append(Problem(flow.id, "luồng nối tới phần tử không tồn tại", flow.line))
        if flow.condition is None:
            continue
        try:
            unknown = names_used(flow.condition) - variables
        except ExpressionError as exc:
            problems.append(Problem(flow.id, f"điều kiện '{flow.condition}': {exc.message}", flow.line))
            continue
        if unknown:
            problems.append(
                Problem(flow.id, f"điều kiện dùng biến không xác định: {', '.join(sorted(unknown))}", flow.line)
            )
    return problems


def _lint_element(diagram: Diagram, el: Element) -> list[Problem]:
    out: list[Problem] = []
    if el.tag not in _SUPPORTED:
        out.append(Problem(el.id, _WHY_NOT.get(el.tag, f"chưa hỗ trợ loại phần tử '{el.tag}'"), el.line))
        return out
    if el.tag == "userTask":
        try:
            parse_lane(el.lane)
        except ValueError as exc:
            out.append(Problem(el.id, str(exc), el.line))
        if not el.outgoing:
            out.append(Problem(el.id, "bước người dùng không có luồng đi ra", el.line))
        if not el.name:
            out.append(Problem(el.id, "bước người dùng cần có tên (hiện trong hộp việc)", el.line))
    if el.tag == "exclusiveGateway":
        out.extend(_lint_gateway(diagram, el))
    out.extend(_lint_events(el))
    if el.tag not in ("startEvent", "boundaryEvent") and not el.incoming:
        out.append(Problem(el.id, "phần tử không có luồng đi vào, sẽ không bao giờ chạy tới", el.line))
    if el.tag not in ("endEvent",) and not el.outgoing:
        out.append(Problem(el.id, "phần tử không có luồng đi ra", el.line))
    return out


def _lint_gateway(diagram: Diagram, gw: Element) -> list[Problem]:
    out: list[Problem] = []
    if len(gw.outgoing) <= 1:
        return out
    seen: dict[tuple[str, str], str] = {}
    for flow_id in gw.outgoing:
        flow = diagram.flows[flow_id]
        if flow.condition is None and flow_id != gw.default_flow:
            out.append(Problem(flow.id, f"luồng ra từ cổng '{gw.id}' thiếu điều kiện và không phải luồng mặc định", flow.line))
            continue
        if flow.condition is None:
            continue
        # Overlapping conditions would be resolved by the shapes' y coordinates (SpiffWorkflow P5):
        # two flows testing the same variable against the same value are refused.
        try:
            tree = check_expression(flow.condition)
        except ExpressionError:
            continue
        for var in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}:
            for value in decisions_in(flow.condition, var):
                other = seen.get((var, value))
                if other:
                    out.append(Problem(flow.id, f"điều kiện trùng với luồng '{other}' ({var} == '{value}')", flow.line))
                seen[(var, value)] = flow.id
    if gw.default_flow and gw.default_flow not in gw.outgoing:
        out.append(Problem(gw.id, f"luồng mặc định '{gw.default_flow}' không đi ra từ cổng này", gw.line))
    return out


def _lint_events(el: Element) -> list[Problem]:
    defs = el.event_definitions
    allowed = {
        "startEvent": set(),
        "endEvent": {"terminateEventDefinition"},
        "boundaryEvent": {"timerEventDefinition"},
        "intermediateCatchEvent": {"timerEventDefinition"},
        "intermediateThrowEvent": set(),
    }.get(el.tag)
    if allowed is None:
        return []
    out = [Problem(el.id, f"chưa hỗ trợ sự kiện loại '{d}' ở {el.tag}", el.line) for d in defs if d not in allowed]
    if el.tag in ("boundaryEvent", "intermediateCatchEvent") and not defs:
        out.append(Problem(el.id, "sự kiện chờ cần một định nghĩa hẹn giờ (timerEventDefinition)", el.line))
    if "timerEventDefinition" in defs:
        out.extend(_lint_timer(el))
    return out


def _lint_timer(el: Element) -> list[Problem]:
    if el.timer_kind == "timeCycle":
        return [Problem(el.id, "chưa hỗ trợ hẹn giờ lặp (timeCycle); hãy dùng timeDuration hoặc timeDate", el.line)]
    if not el.timer_expression:
        return [Problem(el.id, "hẹn giờ thiếu biểu thức thời gian (ví dụ \"P10D\")", el.line)]
    try:
        check_expression(el.timer_expression)
    except ExpressionError as exc:
        return [Problem(el.id, f"biểu thức hẹn giờ '{el.timer_expression}': {exc.message}", el.line)]
    tree = ast.parse(el.timer_expression.strip(), mode="eval")
    if isinstance(tree.body, ast.Name):
        return []  # a variable set by the service (e.g. a campaign deadline); checked when reached
    if not (isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str)):
        return []
    value = tree.body.value
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    try:
        if el.timer_kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.get_datetime(value)
    except Exception:
        return [Problem(el.id, f"'{value}' không phải thời điểm/khoảng thời gian ISO 8601 hợp lệ", el.line)]
    return []
