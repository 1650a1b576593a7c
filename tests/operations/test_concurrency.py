"""Racing officials: of several people completing the same step at once, exactly one wins."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from service.errors import Conflict
from service.models import AuditEvent, HumanTask, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.dossiers import cancel_dossier
from service.operations.tasks import claim_task, complete_task
from workflows import Engine, FixedClock

from .helpers import act, dossier, new_dossier, open_task


def test_same_task_completed_by_many_at_once_has_one_winner(factory):
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt() -> None:
        barrier.wait()
        try:
            with factory() as session, session.begin():
                actor = actor_for(session, "hn-hd-pl.office_clerk")
                complete_task(session, actor, engine, task.id, "approve", "Đủ hồ sơ")
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 5 + ["won"]
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        ready = session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance.id,
                                                                HumanTask.state == "ready")).all()  # fmt: skip
        assert ready == ["ward_council_vote"]
        completions = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.complete",
                                                               AuditEvent.object_id == str(task.id))  # fmt: skip
        )
        assert completions == 1
        assert verify_chain(session).ok


def test_admin_cancel_closes_open_tasks_and_keeps_history(factory):
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        with pytest.raises(Exception, match="quản trị"):
            cancel_dossier(session, actor_for(session, "hn-hd-pl.chairman"), engine, dossier_id, "x")
    with factory() as session, session.begin():
        cancel_dossier(session, actor_for(session, "admin"), engine, dossier_id, "Đơn vị nộp nhầm phong trào")
    assert dossier(factory, dossier_id).status == "cancelled"
    assert open_task(factory, dossier_id) is None
    with factory() as session:
        states = session.scalars(select(HumanTask.state).join(ProcessInstance)
                                 .where(ProcessInstance.dossier_id == dossier_id)).all()  # fmt: skip
        assert sorted(states) == ["cancelled", "completed"]


def test_colleagues_claiming_one_task_at_once_have_one_winner(factory):
    from service.models import OrgUnit, RoleAssignment, User

    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submitted: the ward office's review waits for any of its clerks
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin():
        for n in range(5):
            clerk = User(username=f"hn-hd-pl.office_clerk{n}", full_name=f"Cán bộ văn phòng {n}", password_hash="x",
                         is_active=True)  # fmt: skip
            session.add(clerk)
            session.flush()
            session.add(RoleAssignment(user_id=clerk.id, role="office_clerk", org_unit_id=task.org_unit_id))
        assert session.get(OrgUnit, task.org_unit_id) is not None
    names = ["hn-hd-pl.office_clerk", *(f"hn-hd-pl.office_clerk{n}" for n in range(5))]
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(len(names))

    def attempt(username: str) -> None:
        barrier.wait()
        try:
            with factory() as session, session.begin():
                claim_task(session, actor_for(session, username), engine, task.id)
            outcomes[username] = "won"
        except Conflict:
            outcomes[username] = "conflict"

    threads = [threading.Thread(target=attempt, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(outcomes) == len(names) and len(winners) == 1, outcomes
    with factory() as session:
        holder = session.scalar(select(User.username).join(HumanTask, HumanTask.claimed_by == User.id)
                                .where(HumanTask.id == task.id))  # fmt: skip
        claims = session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "task.claim",
                                                                   AuditEvent.object_id == str(task.id))).all()  # fmt: skip
        assert holder == winners[0] and len(claims) == 1
        assert verify_chain(session).ok
