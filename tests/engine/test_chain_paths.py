"""The shipped chain executed by SpiffWorkflow: grants, returns, rejects and withdrawals at every level."""

from __future__ import annotations

import json

import pytest

from workflows import InvalidDecision, StateVersionError, TaskNotReady, parse_definition, state_spec_ref
from workflows.state import state_dict

WARD = ["unit_prepare", "ward_office_review", "ward_council_vote", "ward_chairman_decide"]
DISTRICT = ["district_noi_vu_review", "district_council_vote", "district_chairman_decide"]
PROVINCE = ["province_ban_review", "province_council_vote", "province_chairman_decide"]


def test_shipped_chain_has_a_lane_per_role_and_level(chain):
    lanes = {step.lane.name for step in chain.steps.values()}
    assert lanes == {
        "unit_clerk@unit", "office_clerk@ward", "council_secretary@ward", "chairman@ward",
        "noi_vu@district", "council_secretary@district", "chairman@district",
        "ban_tdkt@province", "council_secretary@province", "chairman@province",
    }  # fmt: skip
    assert chain.levels == ("unit", "ward", "district", "province")


def test_decision_form_offers_what_the_gateways_route(chain):
    offered = {k: sorted(d.value for d in s.decisions) for k, s in chain.steps.items()}
    assert offered["unit_prepare"] == ["submit", "withdraw"]
    for step in WARD[1:] + DISTRICT + PROVINCE:
        assert offered[step] == ["approve", "reject", "return"], step
    labels = {d.value: d.label for d in chain.steps["ward_office_review"].decisions}
    assert labels == {"approve": "Đạt", "return": "Trả lại bổ sung", "reject": "Không đạt"}


@pytest.mark.parametrize(
    ("target_level", "expected_path", "end"),
    [
        ("ward", WARD, "end_granted_ward"),
        ("district", WARD + DISTRICT, "end_granted_district"),
        ("province", WARD + DISTRICT + PROVINCE, "end_granted_province"),
    ],
)
def test_nominee_travels_as_far_as_the_granting_level(drive, target_level, expected_path, end):
    run = drive(target_level)
    outcome = run.approve_to_end()
    assert run.visited == expected_path
    assert outcome.status == "completed"
    assert outcome.end_event == end
    assert outcome.ready_tasks == ()
    assert outcome.next_timer_at is None


def test_each_step_is_owned_by_its_lane_role_and_level(drive):
    run = drive("province")
    seen = []
    while run.outcome.status == "running":
        (task,) = run.outcome.ready_tasks
        seen.append((task.bpmn_id, task.role, task.level))
        run.decide("submit" if task.bpmn_id == "unit_prepare" else "approve")
    assert seen[:4] == [
        ("unit_prepare", "unit_clerk", "unit"),
        ("ward_office_review", "office_clerk", "ward"),
        ("ward_council_vote", "council_secretary", "ward"),
        ("ward_chairman_decide", "chairman", "ward"),
    ]
    assert seen[4] == ("district_noi_vu_review", "noi_vu", "district")
    assert seen[7] == ("province_ban_review", "ban_tdkt", "province")
    assert seen[-1] == ("province_chairman_decide", "chairman", "province")


RETURNS = [
    ("ward_office_review", "unit_prepare"),
    ("ward_council_vote", "ward_office_review"),
    ("ward_chairman_decide", "ward_council_vote"),
    ("district_noi_vu_review", "ward_chairman_decide"),
    ("district_council_vote", "district_noi_vu_review"),
    ("district_chairman_decide", "district_council_vote"),
    ("province_ban_review", "district_chairman_decide"),
    ("province_council_vote", "province_ban_review"),
    ("province_chairman_decide", "province_council_vote"),
]


@pytest.mark.parametrize(("step", "back_to"), RETURNS)
def test_return_for_supplement_goes_back_one_step_and_resubmission_finishes(drive, step, back_to):
    run = drive("province")
    run.approve_until(step)
    run.decide("return")
    assert run.current == back_to
    run.approve_until(step)  # the earlier step decides again, the chain comes back
    outcome = run.approve_to_end()
    assert outcome.end_event == "end_granted_province"
    assert run.visited.count(step) == 2


def test_stale_return_decision_does_not_leak_into_the_second_pass(drive):
    run = drive("ward")
    run.approve_until("ward_office_review")
    run.decide("return")
    run.decide("submit")
    # The second review must decide on its own; approving now moves on instead of looping.
    run.decide("approve", expect="ward_office_review")
    assert run.current == "ward_council_vote"


@pytest.mark.parametrize(
    ("step", "end"),
    [(s, "end_rejected_ward") for s in WARD[1:]]
    + [(s, "end_rejected_district") for s in DISTRICT]
    + [(s, "end_rejected_province") for s in PROVINCE],
)
def test_reject_with_reason_ends_the_dossier_at_that_level(drive, step, end):
    run = drive("province")
    run.approve_until(step)
    outcome = run.decide("reject", reject_reason="Thành tích chưa đủ tiêu chuẩn")
    assert outcome.status == "completed"
    assert outcome.end_event == end
    assert outcome.data["reject_reason"] == "Thành tích chưa đủ tiêu chuẩn"


def test_unit_can_withdraw_its_dossier(drive):
    run = drive("ward")
    outcome = run.decide("withdraw", expect="unit_prepare")
    assert outcome.end_event == "end_withdrawn"


def test_decision_not_offered_at_a_step_is_refused_and_changes_nothing(drive, engine, chain):
    run = drive("ward")
    task = run.outcome.ready_tasks[0]
    with pytest.raises(InvalidDecision, match="không hợp lệ"):
        engine.complete(chain, run.outcome.state, task.task_id, "approve")
    with pytest.raises(InvalidDecision):
        engine.complete(chain, run.outcome.state, task.task_id, "submit", {"__class__": 1})
    with pytest.raises(InvalidDecision):
        engine.complete(chain, run.outcome.state, task.task_id, "submit", {"len": 3})
    assert run.current == "unit_prepare"


def test_completing_a_task_twice_is_refused(drive, engine, chain):
    run = drive("ward")
    old_state, task = run.outcome.state, run.outcome.ready_tasks[0]
    run.decide("submit")
    with pytest.raises(TaskNotReady):
        engine.complete(chain, run.outcome.state, task.task_id, "submit")
    with pytest.raises(TaskNotReady):
        engine.complete(chain, old_state, "not-a-uuid", "submit")


def test_state_of_another_definition_is_refused(drive, engine, chain_xml):
    other = parse_definition(chain_xml.replace(b'"P10D"', b'"P20D"'))
    run = drive("ward")
    with pytest.raises(StateVersionError):
        engine.inspect(other, run.outcome.state)


def test_state_is_text_without_the_spec(drive, chain):
    run = drive("province")
    run.approve_to_end()
    assert state_spec_ref(run.outcome.state) == json.loads(run.outcome.state)["thidua_spec_sha256"] == chain.sha256
    assert state_dict(run.outcome.state)["spec"] is None
    assert len(run.outcome.state) < 40_000


def test_cancel_closes_open_tasks(drive, engine, chain):
    run = drive("province")
    run.approve_until("district_noi_vu_review")
    outcome = engine.cancel(chain, run.outcome.state)
    assert outcome.status == "cancelled"
    assert outcome.ready_tasks == ()
    with pytest.raises(TaskNotReady):
        engine.cancel(chain, outcome.state)


def test_path_lists_the_elements_in_order_with_the_open_step_last(drive, engine, chain):
    run = drive("district")
    run.approve_until("ward_chairman_decide")
    path = engine.path(chain, run.outcome.state)
    ids = [p.bpmn_id for p in path if p.state == "completed"]
    assert ids[:5] == ["start", "unit_prepare", "gw_unit_prepare", "ward_office_review", "gw_ward_office_review"]
    assert path[-1].bpmn_id == "ward_chairman_decide" and path[-1].state == "ready"
    assert any(p.bpmn_id == "ward_office_review_overdue" and p.state == "cancelled" for p in path)


def test_open_steps_come_last_even_when_every_step_changed_in_the_same_millisecond(drive, chain):
    """The stored state keeps times to the millisecond: on a fast machine a completion, the timer it cancels and
    the step it opens can share one (this test failed a third of the time before)."""
    from workflows.history import path_taken
    from workflows.state import load_state

    run = drive("district")
    run.approve_until("ward_chairman_decide")
    workflow = load_state(run.outcome.state, chain)
    for task in workflow.get_tasks():
        task.last_state_change = 1_780_000_000.0  # one instant for everything
    path = path_taken(workflow)
    open_at = [n for n, p in enumerate(path) if p.state in ("ready", "waiting")]
    assert open_at == list(range(len(path) - len(open_at), len(path)))
    assert path[-1].bpmn_id == "ward_chairman_decide"
    completed = [p.bpmn_id for p in path if p.state == "completed"]
    assert completed[:5] == ["start", "unit_prepare", "gw_unit_prepare", "ward_office_review", "gw_ward_office_review"]


def test_endless_return_loops_are_capped_before_spiffworkflow_breaks(drive):
    from workflows.engine import MAX_STEP_VISITS

    run = drive("ward")
    run.decide("submit")
    for _ in range(MAX_STEP_VISITS):
        run.decide("return", expect="ward_office_review")
        run.decide("submit", expect="unit_prepare")
    with pytest.raises(InvalidDecision, match="không thể trả lại thêm"):
        run.decide("return", expect="ward_office_review")


def test_only_returns_are_marked_as_going_backwards(chain):
    backward = {(k, d.value) for k, s in chain.steps.items() for d in s.decisions if d.backward}
    assert ("ward_office_review", "return") in backward
    assert ("district_noi_vu_review", "return") in backward
    assert all(value == "return" for _, value in backward)
