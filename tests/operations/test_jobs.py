"""The job queue: enqueue joins the caller's transaction; claims are exclusive; failures retry with backoff;
an expired lease is reclaimed; exhausted jobs end failed. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from service.db import utcnow
from service.models import Job, JobStatus
from service.operations.jobs import (
    HANDLERS, PREPARERS, Claimed, JobContext, backoff, claim, claim_jobs, drain, enqueue, run_claimed,
)  # fmt: skip

from . import job_probe
from .job_probe import PROBE_TABLE


@pytest.fixture
def jobs(factory):
    with factory() as session, session.begin():
        session.execute(text(PROBE_TABLE))
    return factory


def _probe_count(factory, n: int | None = None) -> int:
    with factory() as session:
        where = "" if n is None else f" WHERE job_id = {int(n)}"
        return int(session.scalar(text("SELECT count(*) FROM jobs_probe" + where)))


def test_a_job_exists_only_if_the_enqueuing_transaction_commits(jobs):
    with jobs() as session, session.begin():
        enqueue(session, "probe", {"n": 1})
    with pytest.raises(RuntimeError), jobs() as session, session.begin():
        enqueue(session, "probe", {"n": 2})
        raise RuntimeError("the state change failed")
    with jobs() as session:
        assert [j.payload_json for j in session.scalars(select(Job))] == ['{"n": 1}']


def test_claimed_jobs_are_not_claimed_again_and_run_once(jobs):
    with jobs() as session, session.begin():
        for n in range(5):
            enqueue(session, "probe", {"n": n})
        enqueue(session, "probe", {"n": 99}, run_after=utcnow() + timedelta(hours=1))  # not due yet
    with jobs() as session, session.begin():
        first = claim(session, "a", limit=3)
    with jobs() as session, session.begin():
        second = claim(session, "b", limit=10)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    for job_id in first:
        assert run_claimed(jobs, job_id, "a", JobContext())
    assert not run_claimed(jobs, second[0], "a", JobContext())  # not a's claim: nothing runs
    for job_id in second:
        assert run_claimed(jobs, job_id, "b", JobContext())
    assert _probe_count(jobs) == 5
    with jobs() as session:
        statuses = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    assert statuses == {JobStatus.DONE: 5, JobStatus.QUEUED: 1}


def test_a_failing_job_is_retried_with_backoff_then_succeeds(jobs):
    job_probe.FAILURES.clear()
    with jobs() as session, session.begin():
        job_id = enqueue(session, "flaky", {"n": 7, "fail_times": 1}).id
    assert drain(jobs, "w", JobContext()).failed == 1
    with jobs() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.QUEUED and job.attempts == 1 and "lỗi thử lần 1" in job.last_error
        assert job.run_after > utcnow() + backoff(1) - timedelta(seconds=5)
    assert drain(jobs, "w", JobContext()).done == 0  # waiting for its backoff
    with jobs() as session, session.begin():
        session.get(Job, job_id).run_after = utcnow()
    assert drain(jobs, "w", JobContext()).done == 1
    with jobs() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.DONE and job.attempts == 2 and job.last_error is None


def test_a_job_out_of_attempts_ends_failed(jobs):
    job_probe.FAILURES.clear()
    with jobs() as session, session.begin():
        job_id = enqueue(session, "flaky", {"n": 8, "fail_times": 10}, max_attempts=2).id
    for _ in range(2):
        drain(jobs, "w", JobContext())
        with jobs() as session, session.begin():
            session.get(Job, job_id).run_after = utcnow()
    with jobs() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.FAILED and job.attempts == 2 and job.finished_at is not None


def test_an_unknown_kind_fails_without_stopping_the_others(jobs):
    with jobs() as session, session.begin():
        bad = enqueue(session, "no_such_kind", {}, max_attempts=1).id
        enqueue(session, "probe", {"n": 3})
    assert drain(jobs, "w", JobContext()).done == 1
    with jobs() as session:
        job = session.get(Job, bad)
        assert job.status == JobStatus.FAILED and "no handler" in job.last_error
    assert _probe_count(jobs, 3) == 1


def test_an_expired_lease_is_reclaimed_and_the_old_worker_cannot_finish(jobs):
    with jobs() as session, session.begin():
        job_id = enqueue(session, "probe", {"n": 4}).id
    with jobs() as session, session.begin():
        assert claim(session, "dead", lease=timedelta(seconds=30)) == [job_id]
    with jobs() as session, session.begin():
        assert claim(session, "alive") == []  # lease still valid
    with jobs() as session, session.begin():
        assert claim(session, "alive", now=utcnow() + timedelta(seconds=31)) == [job_id]
    assert not run_claimed(jobs, job_id, "dead", JobContext())
    assert run_claimed(jobs, job_id, "alive", JobContext())
    assert _probe_count(jobs, 4) == 1
    with jobs() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.DONE and job.attempts == 2


def _transactions(factory):  # type: ignore[no-untyped-def]
    """A list that grows by one each time the factory's engine begins a transaction."""
    begun: list[int] = []
    event.listen(factory.kw["bind"], "begin", lambda _conn: begun.append(1))
    return begun


def test_a_kind_without_prepare_runs_in_one_transaction_when_other_kinds_prepare(jobs, monkeypatch):
    seen = []
    monkeypatch.setitem(HANDLERS, "prepared", lambda session, payload, context: seen.append(context.prepared))
    monkeypatch.setitem(PREPARERS, "prepared", (lambda factory, payload, context: payload["n"], timedelta(hours=1)))
    with jobs() as session, session.begin():
        enqueue(session, "probe", {"n": 5})
    begun = _transactions(jobs)
    assert drain(jobs, "w", JobContext()).done == 1
    assert len(begun) == 3  # the claim, the job, the claim that finds nothing more: no look-up for `prepare`
    assert _probe_count(jobs, 5) == 1
    with jobs() as session, session.begin():
        enqueue(session, "prepared", {"n": 6})
    begun.clear()
    assert drain(jobs, "w", JobContext(), lease=timedelta(seconds=30)).done == 1
    assert len(begun) == 4  # the prepared kind: its lease stretched in a short transaction before it prepares
    assert seen == [6]


def test_a_prepared_kind_no_longer_this_workers_is_not_prepared(jobs, monkeypatch):
    prepared = []
    monkeypatch.setitem(HANDLERS, "prepared", lambda session, payload, context: None)
    monkeypatch.setitem(PREPARERS, "prepared", (lambda factory, payload, context: prepared.append(payload),
                                                timedelta(hours=1)))  # fmt: skip
    with jobs() as session, session.begin():
        job_id = enqueue(session, "prepared", {"n": 1}).id
    with jobs() as session, session.begin():
        [dead] = claim_jobs(session, "dead", lease=timedelta(seconds=30))
    with jobs() as session, session.begin():
        assert claim(session, "alive", now=utcnow() + timedelta(seconds=31)) == [job_id]
    assert dead == Claimed(job_id, "prepared")
    assert not run_claimed(jobs, dead.id, "dead", JobContext(), dead.kind)
    assert prepared == []
    assert run_claimed(jobs, job_id, "alive", JobContext(), "prepared")
    assert prepared == [{"n": 1}]
    with jobs() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.DONE and job.locked_by is None
