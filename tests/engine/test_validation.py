"""Validation names the element and what is wrong; hostile or foreign XML is refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows import MAX_BPMN_BYTES, DefinitionError, parse_definition, validate_definition

MIWG = Path(__file__).resolve().parents[3] / "shared" / "external" / "bpmn-miwg"

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="urn:t">\n'
)


def process(body: str, lanes: str | None = None) -> str:
    lane_set = lanes if lanes is not None else (
        '<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="office_clerk@ward">'
        "<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>gw</bpmn:flowNodeRef>"
        "</bpmn:lane></bpmn:laneSet>"
    )
    return HEAD + f'<bpmn:process id="p" isExecutable="true">{lane_set}{body}</bpmn:process></bpmn:definitions>'


GOOD_BODY = """
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="review" name="Thẩm định"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="ok"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="no"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
<bpmn:sequenceFlow id="f3" name="Đạt" sourceRef="gw" targetRef="ok"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">review_decision == 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" name="Không đạt" sourceRef="gw" targetRef="no"/>
"""


def problems_of(xml: str) -> dict[str | None, str]:
    return {p.element_id: p.message for p in validate_definition(xml)}


def test_minimal_process_is_valid_and_decisions_come_from_conditions():
    definition = parse_definition(process(GOOD_BODY))
    assert [d.value for d in definition.steps["review"].decisions] == ["approve"]


def test_script_task_is_refused_with_its_id():
    body = GOOD_BODY.replace(
        '<bpmn:userTask id="review" name="Thẩm định">', '<bpmn:scriptTask id="review" name="x"><bpmn:script>import os</bpmn:script>'
    ).replace("</bpmn:userTask>", "</bpmn:scriptTask>")
    assert "scriptTask" in problems_of(process(body))["review"]


def test_plain_task_is_refused_because_it_would_block_like_a_user_task():
    body = GOOD_BODY.replace("bpmn:userTask", "bpmn:task")
    assert "userTask" in problems_of(process(body))["review"]


def test_user_task_outside_a_lane_is_refused():
    found = problems_of(process(GOOD_BODY, lanes=""))
    assert "làn" in found["review"]


@pytest.mark.parametrize(
    ("lane", "words"),
    [("clerk", "vai_trò@cấp"), ("janitor@ward", "vai trò 'janitor'"), ("office_clerk@commune", "cấp 'commune'")],
)
def test_lane_must_name_a_known_role_at_a_known_level(lane, words):
    lanes = (
        f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="{lane}"><bpmn:flowNodeRef>review</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>"
    )
    assert words in problems_of(process(GOOD_BODY, lanes=lanes))["review"]


def test_gateway_flow_without_condition_or_default_is_refused():
    body = GOOD_BODY.replace(' default="f4"', "")
    assert "thiếu điều kiện" in problems_of(process(body))["f4"]


def test_condition_with_unknown_variable_is_refused():
    body = GOOD_BODY.replace("review_decision == 'approve'", "salary &gt; 100")
    assert "salary" in problems_of(process(body))["f3"]


@pytest.mark.parametrize(
    "condition",
    ["__import__('os').system('id')", "review_decision.__class__", "(lambda: 1)()", "open('/etc/passwd')"],
)
def test_condition_with_forbidden_syntax_is_refused(condition):
    body = GOOD_BODY.replace("review_decision == 'approve'", condition.replace("'", "&apos;"))
    assert "f3" in problems_of(process(body))


def test_overlapping_conditions_are_refused():
    body = GOOD_BODY.replace(' default="f4"', "").replace(
        '<bpmn:sequenceFlow id="f4" name="Không đạt" sourceRef="gw" targetRef="no"/>',
        '<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="no"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
        "review_decision == 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>",
    )
    assert "trùng" in problems_of(process(body))["f4"]


@pytest.mark.parametrize(
    ("expression", "kind", "words"),
    [("ten_days", "timeDuration", "biến không xác định"), ('"ten days"', "timeDuration", "ISO 8601"),
     ('"R3/PT1H"', "timeCycle", "timeCycle")],
)
def test_bad_timer_expressions_are_refused(expression, kind, words):
    boundary = (
        f'<bpmn:boundaryEvent id="late" attachedToRef="review" cancelActivity="false"><bpmn:outgoing>f5</bpmn:outgoing>'
        f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:endEvent id="late_end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="late_end"/>'
    )
    assert words in problems_of(process(GOOD_BODY + boundary))["late"]


def test_schema_error_names_the_nearest_element():
    body = GOOD_BODY.replace('<bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>', "<bpmn:bogus/></bpmn:endEvent>")
    found = validate_definition(process(body))
    assert found and found[0].line is not None


def test_entity_expansion_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>&lol2;</bpmn:definitions>"
    )
    assert "DOCTYPE" in validate_definition(bomb)[0].message


def test_external_entity_is_refused():
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>&x;</bpmn:definitions>"
    )
    message = validate_definition(xxe)[0].message
    assert "DOCTYPE" in message and "root:" not in message


def test_oversized_file_is_refused_before_parsing():
    huge = process(GOOD_BODY).encode() + b" " * (MAX_BPMN_BYTES + 1)
    assert "MB" in validate_definition(huge)[0].message


def test_malformed_xml_reports_the_line():
    problem = validate_definition(HEAD + "<bpmn:process id='p'>")[0]
    assert "XML" in problem.message and problem.line


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.name)
def test_reference_diagrams_either_validate_or_list_what_is_unsupported(path):
    try:
        definition = parse_definition(path.read_bytes(), path.name)
    except DefinitionError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)
    else:
        assert definition.steps


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_arbitrary_input_never_crashes_the_validator(blob):
    for problem in validate_definition(blob):
        assert problem.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_condition_text_never_crashes_the_validator(condition):
    from xml.sax.saxutils import escape

    body = GOOD_BODY.replace("review_decision == 'approve'", escape(condition))
    for problem in validate_definition(process(body)):
        assert problem.message
