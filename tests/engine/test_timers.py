"""Timer boundary events escalate an overdue review, driven by an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.mark.parametrize(
    ("step", "escalate_to"),
    [
        ("ward_office_review", ("chairman", "ward")),
        ("district_noi_vu_review", ("chairman", "district")),
        ("province_ban_review", ("chairman", "province")),
    ],
)
def test_overdue_review_is_escalated_and_stays_in_the_inbox(drive, engine, chain, clock, step, escalate_to):
    run = drive("province")
    run.approve_until(step)
    (task,) = run.outcome.ready_tasks
    assert task.due_at == clock.now() + timedelta(days=10)
    assert run.outcome.next_timer_at == task.due_at
    assert (task.escalate_to_role, task.escalate_to_level) == escalate_to

    clock.advance(days=9, hours=23)
    early = engine.fire_due_timers(chain, run.outcome.state)
    assert early.events == ()

    clock.advance(hours=2)
    fired = engine.fire_due_timers(chain, early.state)
    kinds = [(e.kind, e.bpmn_id) for e in fired.events]
    assert ("timer_fired", f"{step}_overdue") in kinds
    timer = next(e for e in fired.events if e.kind == "timer_fired")
    assert timer.detail["attached_to"] == step
    assert timer.detail["attached_task_id"] == task.task_id
    assert timer.detail["interrupting"] is False
    # Non-interrupting: the same task is still waiting for the reviewer, and no timer is pending.
    assert [t.task_id for t in fired.ready_tasks] == [task.task_id]
    assert fired.next_timer_at is None
    again = engine.fire_due_timers(chain, fired.state)
    assert again.events == ()

    run.outcome = fired
    assert run.approve_to_end().end_event == "end_granted_province"


def test_return_loop_starts_a_fresh_timer_from_the_new_arrival(drive, clock):
    run = drive("ward")
    run.approve_until("ward_office_review")
    first_due = run.outcome.ready_tasks[0].due_at
    run.decide("return")
    clock.advance(days=4)
    run.decide("submit")
    assert run.outcome.ready_tasks[0].due_at == first_due + timedelta(days=4)


def test_steps_without_a_timer_have_no_due_date(drive):
    run = drive("ward")
    assert run.outcome.ready_tasks[0].due_at is None
    assert run.outcome.next_timer_at is None
