"""The audit trail verified on request (the audit page's button): the CLI's checks run by a worker's job, the
request and the result recorded (a row and an audit event each), one pending at a time. SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from service.db import utcnow
from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.errors import Conflict, Forbidden
from service.models import AuditEvent, AuditVerification, Job, JobStatus, NomineeDecision, VerificationState
from service.operations.accounts import actor_for
from service.operations.audit import record_event
from service.operations.audit_verification import check_audit_trail, request_verification
from service.operations.dossiers import NomineeInput
from service.operations.jobs import PREPARERS, JobContext, claim, drain, run_claimed
from workflows import Engine, FixedClock

from .helpers import act
from .test_dossier_history_labels import decide, ids_of
from .test_quotas_enforced import lodge

importlib.import_module("service.operations.job_kinds")  # registers the audit_verify handler


def ask(factory, username: str = "auditor") -> int:
    with factory() as session, session.begin():
        return request_verification(session, actor_for(session, username), utcnow()).id


def verification(factory, verification_id: int) -> AuditVerification:
    with factory() as session:
        return session.get(AuditVerification, verification_id)


def events(factory, action: str) -> list[AuditEvent]:
    with factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_clean_trail_passes_and_the_request_and_result_are_recorded(factory):
    verification_id = ask(factory)
    [asked] = events(factory, "audit.verify_request")
    with factory() as session:
        auditor = actor_for(session, "auditor")
        pending = session.get(AuditVerification, verification_id)
        assert pending.state == VerificationState.PENDING and pending.requested_by == auditor.user_id
        assert asked.actor_id == auditor.user_id and json.loads(asked.after_json)["verification_id"] == verification_id
        trail_length = session.scalar(select(func.count()).select_from(AuditEvent))
    assert events(factory, "audit.verify") == []  # nothing checked inside the request

    assert drain(factory, "w", JobContext()).done == 1
    done = verification(factory, verification_id)
    assert done.state == VerificationState.DONE and done.ok is True and done.chain_ok is True
    assert done.events_checked == trail_length  # the whole trail, the request's own event included
    assert (done.decisions_edited, done.decisions_deleted, done.decisions_added) == (0, 0, 0)
    assert done.first_broken_event_id is None and done.finished_at is not None
    [result] = events(factory, "audit.verify")
    after = json.loads(result.after_json)
    assert after["ok"] is True and after["events_checked"] == trail_length and after["requested_by"] == asked.actor_id
    with factory() as session:
        assert check_audit_trail(session).ok  # the result's event continues the chain


def _tamper(factory, statement: str, **params) -> None:
    with factory() as session, session.begin():
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:  # a DBA going around the append-only trigger
            session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        session.execute(text(statement), params)
        if postgresql:
            session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def test_a_tampered_event_is_found_with_its_id(factory):
    with factory() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    victim = ids[len(ids) // 2]
    _tamper(factory, "UPDATE audit_event SET comment = 'sửa lén' WHERE id = :id", id=victim)
    verification_id = ask(factory)
    drain(factory, "w", JobContext())
    found = verification(factory, verification_id)
    assert found.state == VerificationState.DONE and found.ok is False
    assert found.chain_ok is False and found.first_broken_event_id == victim
    assert found.events_checked == ids.index(victim) and "mã băm" in found.broken_reason
    assert found.decisions_checked is None  # as the CLI: a broken trail is not compared with the rows
    [result] = events(factory, "audit.verify")
    assert json.loads(result.after_json)["first_broken_event_id"] == victim


def test_an_edited_decision_row_is_found(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người một", "BK-TINH"), NomineeInput("individual", "Người hai", "BK-TINH")])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    decide(factory, engine, dossier_id, "approve", council=CouncilCount(7, 5), results={
        ids["Người một"]: NomineeResult(True, votes_for=5, votes_against=0),
        ids["Người hai"]: NomineeResult(True, votes_for=1, votes_against=4)})  # fmt: skip
    with factory() as session, session.begin():
        row = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id == ids["Người hai"])).one()
        row.result, row.reason = "approve", None  # the failed vote made to look passed
    verification_id = ask(factory, "admin")  # an admin may ask too
    drain(factory, "w", JobContext())
    found = verification(factory, verification_id)
    assert found.chain_ok is True and found.ok is False
    assert (found.decisions_edited, found.decisions_deleted, found.decisions_added) == (1, 0, 0)
    problems = json.loads(found.problems_json)
    assert len(problems) == 1 and f"người được đề nghị {ids['Người hai']}" in problems[0] and "đã bị sửa" in problems[0]
    after = json.loads(events(factory, "audit.verify")[0].after_json)
    assert (after["ok"], after["edited"], after["deleted"], after["added"]) == (False, 1, 0, 0)


def test_deleted_and_added_decision_rows_are_counted_apart(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người một", "BK-TINH"), NomineeInput("individual", "Người hai", "BK-TINH")])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    for _ in range(3):  # submitted, the office, the council (both simply passed on: counted, not listed)
        act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        rows = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id.in_(ids.values()))).all()
        session.delete(rows[0])
    with factory() as session:
        deleted = check_audit_trail(session).decisions
    assert (deleted.edited, deleted.deleted, deleted.added) == (0, 1, 0)
    other = _other_nominee(factory, ids)
    with factory() as session, session.begin():  # the deleted one back, and a refusal the council never made
        kept = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id.in_(ids.values()))).one()
        session.add(NomineeDecision(human_task_id=kept.human_task_id, nominee_id=rows[0].nominee_id, result="approve"))
        session.add(NomineeDecision(human_task_id=kept.human_task_id, nominee_id=other, result="reject",
                                    reason="thêm sau"))  # fmt: skip
    with factory() as session:
        added = check_audit_trail(session).decisions
    assert (added.edited, added.deleted, added.added) == (0, 0, 1)


def _other_nominee(factory, ids: dict[str, int]) -> int:
    from service.models import Nominee

    with factory() as session:
        return session.scalars(select(Nominee.id).where(Nominee.id.not_in(ids.values())).limit(1)).one()


def test_a_second_request_while_one_is_pending_is_refused_and_writes_nothing(factory):
    ask(factory)
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Conflict, match="chờ kết quả"), factory() as session, session.begin():
        request_verification(session, actor_for(session, "admin"), utcnow())
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert session.scalar(select(func.count()).select_from(AuditVerification)) == 1
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "audit_verify")) == 1
    drain(factory, "w", JobContext())
    ask(factory)  # once the result is in, a new one may be asked for


def test_the_pending_row_is_unique_even_past_the_check(factory):
    ask(factory)
    with pytest.raises(Exception), factory() as session, session.begin():  # noqa: B017 - the index refuses
        session.add(AuditVerification(state=VerificationState.PENDING, requested_at=utcnow()))
        session.flush()


def test_only_auditors_and_admins_may_ask(factory):
    with pytest.raises(Forbidden), factory() as session, session.begin():
        request_verification(session, actor_for(session, "hn-hd-pl.chairman"), utcnow())
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditVerification)) == 0


def test_a_verification_whose_job_failed_is_replaced_by_a_new_request(factory):
    first = ask(factory)
    with factory() as session, session.begin():
        job = session.get(Job, session.get(AuditVerification, first).job_id)
        job.status, job.last_error = JobStatus.FAILED, "RuntimeError: disk full"
    second = ask(factory)
    assert verification(factory, first).state == VerificationState.FAILED
    assert verification(factory, first).error == "RuntimeError: disk full"
    assert verification(factory, second).state == VerificationState.PENDING
    asked = events(factory, "audit.verify_request")
    assert json.loads(asked[-1].after_json)["replaces_failed"] == first


def test_the_job_is_claimed_once_and_runs_once(factory):
    verification_id = ask(factory)
    with factory() as session, session.begin():
        first = claim(session, "a")
    with factory() as session, session.begin():
        second = claim(session, "b")
    assert len(first) == 1 and second == []
    assert not run_claimed(factory, first[0], "b", JobContext())  # not b's claim: nothing runs
    assert run_claimed(factory, first[0], "a", JobContext())
    assert drain(factory, "b", JobContext()).done == 0
    with factory() as session:
        job = session.get(Job, first[0])
        assert job.status == JobStatus.DONE and job.attempts == 1
    assert len(events(factory, "audit.verify")) == 1
    assert verification(factory, verification_id).state == VerificationState.DONE


def test_the_walk_holds_no_write_lock_and_its_lease_is_stretched(factory, monkeypatch):
    """While the trail is walked, others write (SQLite: no BEGIN IMMEDIATE held), and no worker reclaims it."""
    prepare, lease = PREPARERS["audit_verify"]
    seen = {}

    def meanwhile(session_factory, payload, context):
        with session_factory() as session, session.begin():  # a writer during the walk (would wait 30 s, then fail)
            record_event(session, action="dossier.edit", object_type="dossier", object_id="1", comment="trong lúc kiểm")
        with session_factory() as session:
            seen["lease"] = session.scalar(select(Job.lease_expires_at).where(Job.kind == "audit_verify"))
        return prepare(session_factory, payload, context)

    monkeypatch.setitem(PREPARERS, "audit_verify", (meanwhile, lease))
    verification_id = ask(factory)
    assert drain(factory, "w", JobContext(), lease=timedelta(seconds=30)).done == 1
    assert seen["lease"] > utcnow() + timedelta(minutes=55)
    assert verification(factory, verification_id).ok is True


def test_migration_0031_adds_the_table_and_its_downgrade_drops_it(factory, db_url):
    from alembic import command
    from sqlalchemy import inspect

    from service.db import alembic_config, make_engine
    from tests.operations.helpers import assert_head_agrees_with_models

    ask(factory)
    factory.kw["bind"].dispose()
    command.downgrade(alembic_config(db_url), "0030")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert "audit_verification" not in inspect(conn).get_table_names()
    engine.dispose()
    command.upgrade(alembic_config(db_url), "head")
    assert_head_agrees_with_models(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("audit_verification")}
    engine.dispose()
    assert indexes["uq_audit_verification_pending"]["unique"]
