"""What deploying checks and says at the engine layer: problems name elements by name, a file with several
executable pools says what to do, bare ISO 8601 timers (as other BPMN tools write them) run, and a boundary
event's lane (meaningless: it belongs to its activity) neither shows as a change nor blocks a migration.

Some cases read the BPMN MIWG reference diagrams from ../shared/external/bpmn-miwg (CC BY 3.0: read there, never
copied into this repository)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from workflows import DefinitionError, change_words, check_migration, diff_definitions, parse_definition
from workflows import validate_definition
from workflows.timers import quoted_iso

from .bpmn_edits import NS, remove_level

MIWG = Path(__file__).resolve().parents[3] / "shared" / "external" / "bpmn-miwg"
needs_miwg = pytest.mark.skipif(not MIWG.is_dir(), reason="the BPMN MIWG diagrams are not in ../shared/external")
REROUTE = {"district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}


def _miwg(name: str) -> bytes:
    return (MIWG / name).read_bytes()


# --- problems name their element ---


@needs_miwg
def test_a_problem_names_its_element_by_name_with_the_id_in_parentheses():
    problems = validate_definition(_miwg("A.1.0.bpmn"), "A.1.0.bpmn")
    task = next(p for p in problems if p.element_id == "_ec59e164-68b4-4f94-98de-ffb1c58a84af")
    assert task.element_name == "Task 1"
    assert str(task).startswith("Task 1 (_ec59e164-68b4-4f94-98de-ffb1c58a84af) (dòng 7): bước không rõ loại")


def test_a_misspelt_condition_names_the_flow_and_says_the_variable_is_undefined(chain_xml):
    xml = chain_xml.replace(b"ward_office_review_decision == 'approve'", b"ward_ofice_decision == 'approve'")
    (problem,) = validate_definition(xml)
    assert problem.message == "điều kiện dùng biến không xác định: ward_ofice_decision"
    assert problem.element_id.startswith("flow_") and problem.element_name == "Đạt"
    assert problem.where == f"Đạt ({problem.element_id})"


@needs_miwg
def test_several_executable_pools_say_what_to_do():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_miwg("A.4.1.bpmn"), "A.4.1.bpmn")
    (problem,) = refused.value.problems
    assert problem.message.startswith("tệp có 2 quy trình thực thi được (Pool 1 (sid-34746A54-")
    assert "hãy giữ một bể (pool), hoặc chỉ đánh dấu một quy trình là thực thi được (isExecutable)" in problem.message


@needs_miwg
def test_marking_one_pool_executable_picks_it():
    root = etree.fromstring(_miwg("A.4.1.bpmn"))
    first = root.find("bpmn:process", NS)
    first.set("isExecutable", "true")
    problems = validate_definition(etree.tostring(root), "A.4.1.bpmn")
    assert problems and not any("quy trình thực thi được" in p.message for p in problems)
    assert any(p.element_id == first.get("id") for p in problems)  # the lint now reads the pool marked executable


# --- timers written as other BPMN tools write them ---


@pytest.mark.parametrize(("written", "runs_as"), [
    ("P7D", '"P7D"'), ("PT2H", '"PT2H"'), ("P1Y2M3DT4H5M6.5S", '"P1Y2M3DT4H5M6.5S"'), ("  P7D ", '"P7D"'),
    ("2026-12-31", '"2026-12-31"'), ("2026-12-31T17:00:00+07:00", '"2026-12-31T17:00:00+07:00"'),
    ("R3/PT1H", '"R3/PT1H"'), ('"P10D"', '"P10D"'), ("ward_office_due", "ward_office_due"), ("P", "P"),
    ("PT", "PT"), ("Pxx", "Pxx"),
])  # fmt: skip
def test_bare_iso_8601_is_read_as_its_text_and_anything_else_is_left_alone(written, runs_as):
    assert quoted_iso(written) == runs_as


def test_a_bare_duration_deploys_and_runs_while_the_stored_xml_keeps_what_was_written(engine, clock, chain_xml):
    xml = chain_xml.replace(b'>"P10D"</bpmn:timeDuration>', b">P7D</bpmn:timeDuration>")
    assert xml.count(b">P7D<") == 3
    definition = parse_definition(xml)
    assert definition.bpmn_xml == xml
    timer = definition.spec.task_specs["ward_office_review_overdue"].event_definition
    assert timer.expression == '"P7D"'
    outcome = engine.start(definition, {"target_level": "ward", "dossier_id": 1})
    outcome = engine.complete(definition, outcome.state, outcome.ready_tasks[0].task_id, "submit", {})
    (review,) = outcome.ready_tasks
    assert review.bpmn_id == "ward_office_review" and review.due_at == clock.now() + timedelta(days=7)
    clock.advance(days=7, minutes=1)
    fired = engine.fire_due_timers(definition, outcome.state)
    assert ("timer_fired", "ward_office_review_overdue") in [(e.kind, e.bpmn_id) for e in fired.events]


def test_a_bare_cycle_is_refused_as_a_cycle_not_as_an_unknown_variable(chain_xml):
    xml = chain_xml.replace(b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P10D"</bpmn:timeDuration>',
                            b'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R3/PT1H</bpmn:timeCycle>', 1)
    messages = [p.message for p in validate_definition(xml)]
    assert messages == ["chưa hỗ trợ hẹn giờ lặp (timeCycle); hãy dùng timeDuration hoặc timeDate"]


@needs_miwg
def test_the_miwg_bare_timer_is_no_longer_an_unknown_variable():
    problems = validate_definition(_miwg("C.9.2.bpmn"), "C.9.2.bpmn")
    assert problems  # other things there are not for this engine (subprocesses, no lanes)
    assert not [p for p in problems if p.element_id == "TimerEvent_Timeout"]


# --- a boundary event's lane ---


def _boundary_moved(xml: bytes, boundary: str, to_lane: str) -> bytes:
    """What bpmn-js does when the lane above is deleted: the boundary event lands in the lane below."""
    root = etree.fromstring(xml)
    for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS):
        if ref.text.strip() == boundary:
            ref.getparent().remove(ref)
    lane = root.find(f".//bpmn:lane[@id='{to_lane}']", NS)
    ref = etree.SubElement(lane, f"{{{NS['bpmn']}}}flowNodeRef")
    ref.text = boundary
    lane.insert(0, ref)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def moved_timer(chain_xml):
    xml = _boundary_moved(remove_level(chain_xml, "district", REROUTE), "ward_office_review_overdue",
                          "lane_council_secretary_ward")  # fmt: skip
    definition = parse_definition(xml)
    assert definition.spec.task_specs["ward_office_review_overdue"].lane == "council_secretary@ward"
    return definition


def test_the_comparison_leaves_out_a_boundary_events_lane_and_says_changes_in_words(chain, moved_timer):
    diff = diff_definitions(chain, moved_timer)
    assert "ward_office_review_overdue" not in diff.changed
    assert diff.changed["gw_ward_grant"] == ("outputs", "cond_task_specs", "default_task_spec")
    assert change_words(diff.changed["gw_ward_grant"]) == ("đường đi ra", "điều kiện rẽ nhánh", "nhánh mặc định")
    assert change_words(("inputs", "spline", "lane")) == ("đường đi vào", "chi tiết kỹ thuật khác", "làn")


def test_an_overdue_dossier_moves_although_its_timer_was_drawn_in_another_lane(drive, engine, clock, chain,
                                                                                moved_timer):
    run = drive("province")
    run.approve_until("ward_office_review")
    clock.advance(days=10, minutes=1)
    run.outcome = engine.fire_due_timers(chain, run.outcome.state)
    run.approve_until("ward_council_vote")
    check = check_migration(chain, moved_timer, run.outcome.state)
    assert check.can_migrate, check.reasons
    moved = engine.migrate(chain, moved_timer, run.outcome.state)
    assert [t.bpmn_id for t in moved.ready_tasks] == ["ward_council_vote"]


def test_a_task_moved_to_another_lane_still_blocks_a_dossier_that_passed_it(drive, engine, chain, chain_xml):
    """Only a boundary event's lane is ignored: a step's lane decides who does it."""
    xml = _boundary_moved(remove_level(chain_xml, "district", REROUTE), "ward_office_review",
                          "lane_council_secretary_ward")  # fmt: skip
    moved_step = parse_definition(xml)
    run = drive("province")
    run.approve_until("ward_council_vote")
    check = check_migration(chain, moved_step, run.outcome.state)
    assert not check.can_migrate and any("ward_office_review" in r for r in check.reasons)
    assert "lane" in diff_definitions(chain, moved_step).changed["ward_office_review"]
