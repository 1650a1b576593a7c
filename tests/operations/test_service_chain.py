"""The chain through the service layer on SQLite and PostgreSQL: task rows, status, audit, restarts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.errors import Conflict, DeadlinePassed, Forbidden, InvalidInput
from service.models import AuditEvent, HumanTask, OrgUnit, ProcessInstance, ProcessVersion
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.definitions import clear_definition_cache
from service.queries.inbox import inbox
from workflows import Engine

from .helpers import act, dossier, new_dossier, open_task


def test_province_award_travels_every_level_and_each_task_belongs_to_the_right_unit(factory, engine):
    dossier_id = new_dossier(factory, engine, award="BK-TINH")
    owners = []
    while (task := open_task(factory, dossier_id)) is not None:
        with factory() as session:
            owners.append((task.bpmn_id, task.role, session.get(OrgUnit, task.org_unit_id).code))
        act(factory, engine, dossier_id)
    assert owners == [
        ("unit_prepare", "unit_clerk", "HN-HD-PL-TP"),
        ("ward_office_review", "office_clerk", "HN-HD-PL"),
        ("ward_council_vote", "council_secretary", "HN-HD-PL"),
        ("ward_chairman_decide", "chairman", "HN-HD-PL"),
        ("district_noi_vu_review", "noi_vu", "HN-HD"),
        ("district_council_vote", "council_secretary", "HN-HD"),
        ("district_chairman_decide", "chairman", "HN-HD"),
        ("province_ban_review", "ban_tdkt", "HN"),
        ("province_council_vote", "council_secretary", "HN"),
        ("province_chairman_decide", "chairman", "HN"),
    ]
    assert dossier(factory, dossier_id).status == "granted"
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        assert (instance.status, instance.end_event) == ("completed", "end_granted_province")
        states = session.scalars(select(HumanTask.state).where(HumanTask.instance_id == instance.id)).all()
        assert sorted(set(states)) == ["completed"] and len(states) == 10
        assert verify_chain(session).ok


@pytest.mark.parametrize(("award", "end"), [("GK-XA", "end_granted_ward"), ("GK-HUYEN", "end_granted_district")])
def test_lower_awards_stop_at_their_granting_level(factory, engine, award, end):
    dossier_id = new_dossier(factory, engine, award=award)
    while open_task(factory, dossier_id) is not None:
        act(factory, engine, dossier_id)
    with factory() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        assert instance.end_event == end


def test_return_for_supplement_reaches_the_unit_clerk_with_the_reason(factory, engine):
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submit
    with pytest.raises(InvalidInput, match="lý do"):
        act(factory, engine, dossier_id, "return")
    act(factory, engine, dossier_id, "return", "Thiếu biên bản họp bình xét")
    assert dossier(factory, dossier_id).status == "returned"
    task = open_task(factory, dossier_id)
    assert task.bpmn_id == "unit_prepare"
    with factory() as session:
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        rows = inbox(session, clerk)
        assert [r.task_id for r in rows if r.dossier_id == dossier_id] == [task.id]
        returned = session.scalar(
            select(HumanTask).where(HumanTask.bpmn_id == "ward_office_review", HumanTask.decision == "return")
        )
        assert returned.comment == "Thiếu biên bản họp bình xét"
    act(factory, engine, dossier_id)  # resubmit
    assert dossier(factory, dossier_id).status == "in_review"


def test_reject_ends_the_dossier_with_its_reason(factory, engine):
    dossier_id = new_dossier(factory, engine, award="GK-HUYEN")
    for _ in range(4):
        act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "reject", "Thành tích chưa tiêu biểu")
    assert dossier(factory, dossier_id).status == "rejected"
    assert open_task(factory, dossier_id) is None


def test_wrong_role_or_wrong_ward_cannot_complete_and_nothing_changes(factory, engine):
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    for intruder in ("qn-hl-gd.office_clerk", "hn-hd-pl.chairman", "hn-hd.noi_vu"):
        with pytest.raises(Forbidden):
            act(factory, engine, dossier_id, "approve", username=intruder)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert open_task(factory, dossier_id).bpmn_id == "ward_office_review"


def test_completing_the_same_task_twice_is_a_conflict(factory, engine):
    dossier_id = new_dossier(factory, engine)
    task = open_task(factory, dossier_id)
    act(factory, engine, dossier_id)
    from service.operations.tasks import complete_task

    with factory() as session, session.begin(), pytest.raises(Conflict):
        complete_task(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), engine, task.id, "submit")


def test_submission_after_the_deadline_is_refused_with_the_date(factory, engine, clock):
    dossier_id = new_dossier(factory, engine)
    clock.advance(days=30)  # TEST-PL-ALL closes at the ward on 10/12/2024
    with pytest.raises(DeadlinePassed, match="10/12/2024"):
        act(factory, engine, dossier_id)
    assert dossier(factory, dossier_id).status == "draft"


def test_overdue_review_is_escalated_to_the_ward_chairman(factory, engine, clock):
    from service.operations.timers import fire_due_timers

    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    assert task.due_at == clock.now().replace(microsecond=0) + __import__("datetime").timedelta(days=10)
    clock.advance(days=11)
    with factory() as session, session.begin():
        run = fire_due_timers(session, engine)
    assert run.escalations >= 1
    with factory() as session:
        row = session.get(HumanTask, task.id)
        assert row.state == "ready" and row.escalated_at == clock.now()
        assert row.due_at == task.due_at  # still overdue after the escalation
        chairman = actor_for(session, "hn-hd-pl.chairman")
        mine = [r for r in inbox(session, chairman) if r.task_id == task.id]
        assert mine and mine[0].escalated_to_me
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "task.escalate",
                                                       AuditEvent.object_id == str(task.id))) is not None
    with factory() as session, session.begin():
        assert fire_due_timers(session, engine).escalations == 0


def test_restart_in_the_middle_of_the_chain_continues_where_it_was(db_url, clock):
    from service.db import make_engine, make_session_factory

    first = make_engine(db_url)
    factory = make_session_factory(first)
    dossier_id = new_dossier(factory, Engine(clock))
    for _ in range(5):
        act(factory, Engine(clock), dossier_id)
    first.dispose()
    clear_definition_cache()  # a new process: nothing cached, everything read back from the database

    second = make_engine(db_url)
    factory = make_session_factory(second)
    assert open_task(factory, dossier_id).bpmn_id == "district_council_vote"
    while open_task(factory, dossier_id) is not None:
        act(factory, Engine(clock), dossier_id)
    assert dossier(factory, dossier_id).status == "granted"
    second.dispose()


def test_dropping_the_district_level_is_a_deploy_not_a_code_change(factory, engine):
    from service.domain.actors import Actor
    from service.operations.definitions import deploy_definition
    from tests.conftest import CHAIN
    from tests.engine.bpmn_edits import remove_level

    old_dossier = new_dossier(factory, engine)
    for _ in range(3):
        act(factory, engine, old_dossier)
    xml = remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                        "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    with factory() as session, session.begin():
        result = deploy_definition(session, Actor(None, "admin"), xml, comment="Bỏ cấp huyện từ 01/7/2025")
        assert result.created and result.version.version == 2
    new = new_dossier(factory, engine)
    path_new, path_old = [], []
    while (task := open_task(factory, new)) is not None:
        path_new.append(task.bpmn_id)
        act(factory, engine, new)
    while (task := open_task(factory, old_dossier)) is not None:
        path_old.append(task.bpmn_id)
        act(factory, engine, old_dossier)
    assert "district_noi_vu_review" not in path_new and path_new[-1] == "province_chairman_decide"
    assert path_old[:2] == ["ward_chairman_decide", "district_noi_vu_review"]
    with factory() as session:
        versions = session.execute(select(ProcessVersion.version, ProcessVersion.is_active)).all()
        assert sorted(versions) == [(1, False), (2, True)]
        assert verify_chain(session).ok


def test_migration_dry_run_then_move_the_instances_that_can(factory, engine):
    from service.domain.actors import Actor
    from service.operations.definitions import deploy_definition
    from service.operations.migrations import migrate_instances
    from tests.conftest import CHAIN
    from tests.engine.bpmn_edits import remove_level

    early, late = new_dossier(factory, engine), new_dossier(factory, engine)
    act(factory, engine, early)  # at the ward office
    for _ in range(5):
        act(factory, engine, late)  # at the district council: the ward's grant gateway is behind it
    xml = remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                        "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    with factory() as session, session.begin():
        v2 = deploy_definition(session, Actor(None, "admin"), xml).version.id
        v1 = session.scalar(select(ProcessVersion.id).where(ProcessVersion.version == 1))
    with factory() as session, session.begin():
        dry = {line.dossier_id: line for line in migrate_instances(session, None, engine, v1, v2, dry_run=True)}
    assert dry[early].can_migrate and not dry[late].can_migrate and not dry[early].moved
    assert any("gw_ward_grant" in r for r in dry[late].reasons)
    with factory() as session, session.begin():
        done = {line.dossier_id: line for line in migrate_instances(session, None, engine, v1, v2, dry_run=False)}
    assert done[early].moved and not done[late].moved
    path = []
    while (task := open_task(factory, early)) is not None:
        path.append(task.bpmn_id)
        act(factory, engine, early)
    assert "district_noi_vu_review" not in path and path[-1] == "province_chairman_decide"
    with factory() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migrate")) is not None
        assert verify_chain(session).ok


def test_each_completion_audits_in_order_the_decision_then_what_followed(factory, engine):
    """A completion's own events come first, then the outcome's (end, status), in id order."""
    dossier_id = new_dossier(factory, engine, award="GK-XA")
    with factory() as session:
        first_id = session.scalar(select(func.max(AuditEvent.id)))
    while open_task(factory, dossier_id) is not None:
        act(factory, engine, dossier_id)
    with factory() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.id > first_id, AuditEvent.dossier_id == dossier_id)
                                  .order_by(AuditEvent.id)).all()  # fmt: skip
        assert verify_chain(session).ok
    assert [a for a in actions if a != "eligibility.confirm"] == [
        "task.complete", "dossier.submit", "dossier.status",  # unit submits: draft → in review
        "task.complete",  # ward office approves: still in review
        "task.complete",  # council votes
        "task.complete", "instance.end", "dossier.status",  # the chairman grants: the instance ends, then the status
    ]
