"""A chairman's batch racing colleagues: two batches over the same dossiers in opposite orders and single
completions of some of them, all at once. Each task is completed once; a batch is kept whole or not at all; on
PostgreSQL nobody deadlocks (assignments._lock_batch takes every row in the order single completions take them)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from service.errors import DomainError
from service.models import AuditEvent, HumanTask, Nominee, ProcessInstance, RoleAssignment, User
from service.operations.accounts import actor_for
from service.operations.assignments import BatchRefused, batch_decide
from service.operations.audit import verify_chain
from service.operations.tasks import complete_task
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task

ROUNDS = 5  # on PostgreSQL each ordering of the winners turns up within a few rounds


def _at_ward_chairman(factory, engine: Engine, count: int) -> list[tuple[int, int, list[int]]]:
    """`count` dossiers waiting for the ward chairman: (dossier id, task id, nominee ids)."""
    out = []
    for _ in range(count):
        dossier_id = new_dossier(factory, engine)
        for _step in range(3):  # submit, the office's review, the council's vote
            act(factory, engine, dossier_id)
        task = open_task(factory, dossier_id)
        assert task is not None and task.bpmn_id == "ward_chairman_decide"
        with factory() as session:
            nominees = list(session.scalars(select(Nominee.id).where(Nominee.dossier_id == dossier_id)))
        out.append((dossier_id, task.id, nominees))
    return out


def _chairmen(factory, ward_id: int, count: int) -> list[str]:
    """Extra chairmen of the ward (as a vice-chairman holding the role would be), so each racer is told apart."""
    names = [f"hn-hd-pl.chairman.race{n}" for n in range(count)]
    with factory() as session, session.begin():
        for name in names:
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                continue
            user = User(username=name, full_name=f"Phó Chủ tịch {name[-1]}", password_hash="x", is_active=True)
            session.add(user)
            session.flush()
            session.add(RoleAssignment(user_id=user.id, role="chairman", org_unit_id=ward_id))
    return names


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_batches_and_single_completions_racing_keep_each_task_once_and_each_batch_whole(factory, round_):
    engine = Engine(FixedClock())
    dossiers = _at_ward_chairman(factory, engine, 4)
    tasks = [task_id for _, task_id, _ in dossiers]
    nominees = {task_id: ids for _, task_id, ids in dossiers}
    with factory() as session:
        ward_id = session.get(HumanTask, tasks[0]).org_unit_id
    names = _chairmen(factory, ward_id, 4)
    # Who tries what: a batch of all four, a batch of three in the opposite order, two dossiers decided singly.
    # The second batch is handed its tasks highest first: _lock_batch must sort them itself.
    plans: dict[str, list[int]] = {
        names[0]: tasks,
        names[1]: [tasks[3], tasks[2], tasks[1]],
        names[2]: [tasks[1]],
        names[3]: [tasks[3]],
    }
    outcomes: dict[str, str] = {}
    unexpected: dict[str, BaseException] = {}
    barrier = threading.Barrier(len(plans))

    def attempt(username: str, task_ids: list[int]) -> None:
        barrier.wait()
        try:
            with factory() as session, session.begin():
                actor = actor_for(session, username)
                if len(task_ids) == 1:
                    complete_task(session, actor, engine, task_ids[0], "approve", "Đồng ý")
                else:
                    batch_decide(session, actor, engine, {t: nominees[t] for t in task_ids}, {}, None,
                                 "Đồng ý trình cấp trên", set())  # fmt: skip
            outcomes[username] = "won"
        except BatchRefused:
            outcomes[username] = "refused"
        except DomainError:
            outcomes[username] = "conflict"
        except BaseException as exc:  # a deadlock, a lost connection: the test's failure, with its cause
            unexpected[username] = exc

    threads = [threading.Thread(target=attempt, args=item) for item in plans.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer is still waiting (a lock cycle?)"
    assert not unexpected, unexpected
    assert len(outcomes) == len(plans)
    with factory() as session:
        users = dict(session.execute(select(User.username, User.id).where(User.username.in_(names))).all())
        completed_by = dict(session.execute(select(HumanTask.id, HumanTask.completed_by)
                                            .where(HumanTask.id.in_(tasks), HumanTask.state == "completed")).all())  # fmt: skip
        # The tasks decided are exactly those of the racers that won (a batch that lost one task to a colleague
        # keeps none), each decided once, with one completion event.
        won = sorted({t for username, task_ids in plans.items() if outcomes[username] == "won" for t in task_ids})
        assert won, outcomes  # somebody always wins: the first to lock its rows
        assert sorted(completed_by) == won, outcomes
        events = dict(session.execute(
            select(AuditEvent.object_id, func.count()).where(AuditEvent.action == "task.complete",
                                                             AuditEvent.object_id.in_([str(t) for t in tasks]))
            .group_by(AuditEvent.object_id)).all())  # fmt: skip
        assert events == {str(t): 1 for t in won}
        # A racer that won decided every task it tried; one refused or in conflict decided none of them.
        for username, task_ids in plans.items():
            mine = [t for t in task_ids if completed_by.get(t) == users[username]]
            assert mine == (task_ids if outcomes[username] == "won" else []), (username, outcomes)
        # Each dossier moved on once (one open task, the district's review), or waits for its chairman still.
        for dossier_id, task_id, _ in dossiers:
            ready = session.scalars(select(HumanTask.bpmn_id).join(ProcessInstance)
                                    .where(ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready")).all()  # fmt: skip
            assert ready == (["district_noi_vu_review"] if task_id in won else ["ward_chairman_decide"]), (dossier_id, ready)
        assert verify_chain(session).ok
