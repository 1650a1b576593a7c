"""Instance admin: suspend, resume, cancel and reassign, each audited; refusals change nothing; timers wait."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from service.errors import Conflict, Forbidden, InvalidInput
from service.models import AuditEvent, HumanTask, ProcessInstance, User
from service.operations.accounts import actor_for
from service.operations.assignments import assign_task
from service.operations.audit import verify_chain
from service.operations.dossiers import cancel_dossier
from service.operations.instance_admin import (
    cancel_instance,
    eligible_assignees,
    reassign_task,
    resume_instance,
    suspend_instance,
)
from service.operations.tasks import claim_task, complete_task, unclaim_task
from service.operations.timers import fire_due_timers
from service.queries.batches import batches
from service.queries.inbox import inbox
from workflows import Engine, FixedClock

from .helpers import act, dossier, new_dossier, open_task, owner_username


def _instance_id(factory, dossier_id: int) -> int:
    with factory() as session:
        return session.scalar(select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier_id))


def _snapshot(factory, instance_id: int) -> tuple:
    """Everything an admin action may change: the instance row, its task rows, the audit event count."""
    with factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        tasks = session.execute(select(HumanTask.id, HumanTask.state, HumanTask.claimed_by)
                                .where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()  # fmt: skip
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        return instance.status, instance.lock_version, instance.state_json, tuple(tasks), events


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        session.expunge_all()
        return rows


def _submitted(factory, engine: Engine) -> tuple[int, int]:
    """A dossier submitted to the ward office (a 10-day review timer is running); its instance id."""
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    return dossier_id, _instance_id(factory, dossier_id)


def test_suspend_blocks_every_task_action_and_hides_the_task_until_resumed(factory):
    engine = Engine(FixedClock())
    dossier_id, instance_id = _submitted(factory, engine)
    task = open_task(factory, dossier_id)
    reviewer = owner_username(factory, task)
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "  Chờ xác minh khiếu nại  ")
    [event] = _events(factory, "instance.suspend")
    assert event.comment == "Chờ xác minh khiếu nại" and event.dossier_id == dossier_id
    assert json.loads(event.before_json) == {"status": "running"} and json.loads(event.after_json) == {"status": "suspended"}
    before = _snapshot(factory, instance_id)
    assert before[0] == "suspended"
    for attempt in (
        lambda s, a: claim_task(s, a, engine, task.id),
        lambda s, a: unclaim_task(s, a, engine, task.id),
        lambda s, a: complete_task(s, a, engine, task.id, "approve"),
        lambda s, a: assign_task(s, a, engine, task.id, a.user_id),
    ):
        with factory() as session, session.begin():
            with pytest.raises(Conflict, match="tạm dừng"):
                attempt(session, actor_for(session, reviewer))
    assert _snapshot(factory, instance_id) == before
    with factory() as session:
        actor = actor_for(session, reviewer)
        assert task.id not in {row.task_id for row in inbox(session, actor)}
        assert all(task.id not in {i.task.id for i in b.items} for b in batches(session, actor))
    with factory() as session, session.begin():
        resume_instance(session, actor_for(session, "admin"), engine, instance_id, "Đã xác minh xong")
    [resumed] = _events(factory, "instance.resume")
    assert resumed.comment == "Đã xác minh xong" and json.loads(resumed.after_json) == {"status": "running"}
    with factory() as session:
        assert task.id in {row.task_id for row in inbox(session, actor_for(session, reviewer))}
    act(factory, engine, dossier_id)  # the reviewer approves: the dossier moves on
    assert open_task(factory, dossier_id).bpmn_id != task.bpmn_id
    with factory() as session:
        assert verify_chain(session).ok


def test_refusals_say_why_and_change_nothing(factory):
    engine = Engine(FixedClock())
    dossier_id, instance_id = _submitted(factory, engine)
    before = _snapshot(factory, instance_id)
    with factory() as session, session.begin():
        admin, chairman = actor_for(session, "admin"), actor_for(session, "hn-hd-pl.chairman")
        with pytest.raises(Forbidden):
            suspend_instance(session, chairman, engine, instance_id, "lý do")
        with pytest.raises(InvalidInput, match="lý do tạm dừng"):
            suspend_instance(session, admin, engine, instance_id, "   ")
        with pytest.raises(Conflict, match="đang tạm dừng"):
            resume_instance(session, admin, engine, instance_id)
        with pytest.raises(InvalidInput, match="lý do hủy"):
            cancel_instance(session, admin, engine, instance_id, "")
        with pytest.raises(Forbidden):
            cancel_instance(session, chairman, engine, instance_id, "lý do")
    assert _snapshot(factory, instance_id) == before
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Tạm dừng")
    suspended = _snapshot(factory, instance_id)
    with factory() as session, session.begin():
        with pytest.raises(Conflict, match="chạy"):
            suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Lần nữa")
    assert _snapshot(factory, instance_id) == suspended


def test_cancel_works_on_a_suspended_instance_and_refuses_a_finished_one(factory):
    engine = Engine(FixedClock())
    dossier_id, instance_id = _submitted(factory, engine)
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Tạm dừng để rà soát")
    with factory() as session, session.begin():
        cancel_instance(session, actor_for(session, "admin"), engine, instance_id, "Đơn vị rút đề nghị")
    assert dossier(factory, dossier_id).status == "cancelled"
    assert open_task(factory, dossier_id) is None
    [event] = _events(factory, "instance.cancel")
    assert event.comment == "Đơn vị rút đề nghị" and json.loads(event.before_json) == {"status": "suspended"}
    cancelled = _snapshot(factory, instance_id)
    assert cancelled[0] == "cancelled"
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        with pytest.raises(Conflict, match="đã bị hủy"):
            cancel_instance(session, admin, engine, instance_id, "Lần nữa")
        with pytest.raises(Conflict, match="đã bị hủy"):
            cancel_dossier(session, admin, engine, dossier_id, "Lần nữa")
        with pytest.raises(Conflict, match="đã hủy"):
            suspend_instance(session, admin, engine, instance_id, "Tạm dừng")
    assert _snapshot(factory, instance_id) == cancelled


def test_a_timer_due_while_suspended_waits_and_fires_on_the_next_pass_after_resume(factory):
    clock = FixedClock()
    dossier_id, instance_id = _submitted(factory, Engine(clock))
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), Engine(clock), instance_id, "Chờ ý kiến cấp trên")
    later = Engine(FixedClock(clock.advance(days=11)))  # past the office review's 10 days
    with factory() as session, session.begin():
        assert fire_due_timers(session, later).escalations == 0
    assert _events(factory, "task.escalate") == []
    with factory() as session:
        assert session.get(ProcessInstance, instance_id).next_timer_at is not None  # still pending, not lost
    with factory() as session, session.begin():
        resume_instance(session, actor_for(session, "admin"), later, instance_id)
    with factory() as session, session.begin():
        run = fire_due_timers(session, later)
    assert run.escalations == 1
    [escalation] = _events(factory, "task.escalate")
    assert escalation.object_id == str(open_task(factory, dossier_id).id)
    with factory() as session:
        assert session.get(HumanTask, open_task(factory, dossier_id).id).escalated_at is not None


def test_reassign_to_an_eligible_user_and_back_to_the_group(factory):
    engine = Engine(FixedClock())
    dossier_id, instance_id = _submitted(factory, engine)
    task = open_task(factory, dossier_id)
    reviewer_name = owner_username(factory, task)
    with factory() as session:
        eligible = [u.username for u in eligible_assignees(session, session.get(HumanTask, task.id))]
        reviewer = session.scalar(select(User).where(User.username == reviewer_name))
        outsider = session.scalar(select(User).where(User.username == "hn-hd-pl.chairman"))
        session.expunge_all()
    assert reviewer.username in eligible and outsider.username not in eligible
    before = _snapshot(factory, instance_id)
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        with pytest.raises(InvalidInput, match="vai trò"):
            reassign_task(session, admin, engine, task.id, outsider.id)
        with pytest.raises(InvalidInput, match="vai trò"):
            reassign_task(session, admin, engine, task.id, 10**6)
        with pytest.raises(InvalidInput, match="cả nhóm"):
            reassign_task(session, admin, engine, task.id, None)
        with pytest.raises(Forbidden):
            reassign_task(session, actor_for(session, reviewer.username), engine, task.id, reviewer.id)
    assert _snapshot(factory, instance_id) == before
    # A stuck task can be handed over while the instance is suspended (the admin is fixing it).
    with factory() as session, session.begin():
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Cán bộ nghỉ phép")
    with factory() as session, session.begin():
        reassign_task(session, actor_for(session, "admin"), engine, task.id, reviewer.id, "Giao cho người trực")
    [given] = _events(factory, "task.reassign")
    assert json.loads(given.after_json) == {"claimed_by": reviewer.id, "assignee": reviewer.username}
    assert given.comment == "Giao cho người trực" and given.dossier_id == dossier_id
    with factory() as session, session.begin():
        reassign_task(session, actor_for(session, "admin"), engine, task.id, None)
    back = _events(factory, "task.reassign")[-1]
    assert json.loads(back.before_json) == {"claimed_by": reviewer.id} and json.loads(back.after_json)["claimed_by"] is None
    with factory() as session:
        assert session.get(HumanTask, task.id).claimed_by is None


def test_reassign_refuses_a_finished_task(factory):
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    first = open_task(factory, dossier_id)
    act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        with pytest.raises(Conflict, match="đã được xử lý"):
            reassign_task(session, actor_for(session, "admin"), engine, first.id, None)


@pytest.mark.postgres
def test_a_reassignment_racing_a_completion_loses_with_a_conflict(postgres_url):
    from service.db import make_engine, make_session_factory

    db = make_engine(postgres_url)
    factory = make_session_factory(db)
    engine = Engine(FixedClock())
    dossier_id, instance_id = _submitted(factory, engine)
    task = open_task(factory, dossier_id)
    reviewer_name = owner_username(factory, task)
    with factory() as admin_session:
        admin = actor_for(admin_session, "admin")
        reviewer_id = admin_session.scalar(select(User.id).where(User.username == reviewer_name))
        # The admin's transaction read the task while it was open (references kept, so the rows stay loaded)...
        seen = admin_session.get(HumanTask, task.id), admin_session.get(ProcessInstance, instance_id)
        act(factory, engine, dossier_id)  # ...then the reviewer decided and committed.
        with pytest.raises(Conflict, match="người khác"):
            reassign_task(admin_session, admin, engine, task.id, reviewer_id)
        admin_session.rollback()
        del seen
    assert _events(factory, "task.reassign") == []
    with factory() as session:
        done = session.get(HumanTask, task.id)
        assert done.state == "completed" and done.completed_by == reviewer_id
    db.dispose()
