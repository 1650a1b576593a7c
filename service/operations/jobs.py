"""Background jobs: enqueue in the caller's transaction, claim with FOR UPDATE SKIP LOCKED, run, retry, reclaim.

A job exists iff the state change that enqueued it committed (enqueue only adds a row to the caller's
session). Workers claim a batch in a short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent
workers take disjoint rows; SQLite: the write transaction begins IMMEDIATE, so claims are serialised on one
host), then run each job in its own transaction that first re-locks the job row and checks the claim is still
theirs: the handler's database effects and the `done` mark commit together. A worker killed mid-job loses its
transaction; once its lease expires another worker reclaims the job, which therefore completes exactly once.

A kind registered with `prepare` first runs that function outside the job's transaction (after the lease is
stretched to the kind's own, in a short transaction that also checks the job is still this worker's): a long
read, such as walking the whole audit trail in a snapshot, then holds no write lock (SQLite's BEGIN IMMEDIATE
would stop every writer for the walk). What it returns reaches the handler as `context.prepared`; the handler
then writes its effects and the `done` mark in the job's transaction as above. The claim tells the worker each
job's kind (claim_jobs), so a kind without `prepare` runs in its one transaction, with no look-up before it.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..db import utcnow
from ..models import Job, JobStatus

Handler = Callable[[Session, dict[str, Any], "JobContext"], None]
HANDLERS: dict[str, Handler] = {}
# Run before a kind's handler, outside its transaction: (sessionmaker, payload, context) → context.prepared.
Preparer = Callable[[sessionmaker[Session], dict[str, Any], "JobContext"], Any]
PREPARERS: dict[str, tuple[Preparer, timedelta]] = {}

DEFAULT_LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


@dataclass
class JobContext:
    """What a handler may need besides its session: settings from the worker's configuration."""

    settings: dict[str, Any] = field(default_factory=dict)
    prepared: Any = None  # what the kind's `prepare` returned for this job (see handler)
    job_id: int | None = None  # the job being prepared, and the worker whose claim it is (for `still_claimed`)
    worker_id: str | None = None


def still_claimed(session: Session, context: JobContext) -> bool:
    """Whether the job `context` prepares is still its worker's (a `prepare` that commits some of its work as it
    goes checks this in each of its transactions; on PostgreSQL the job row stays locked until that commit)."""
    query = select(Job.id).where(Job.id == context.job_id, Job.locked_by == context.worker_id,
                                 Job.status == JobStatus.RUNNING)  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return context.job_id is not None and session.scalar(query) is not None


def handler(kind: str, *, prepare: Preparer | None = None,
            lease: timedelta | None = None) -> Callable[[Handler], Handler]:  # fmt: skip
    """Register the function that runs jobs of `kind`; with `prepare`, the read it needs first, run outside
    the job's transaction with the claim's lease stretched to `lease` (a long read outlasting the worker's lease
    would be reclaimed and run again by another worker)."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        if prepare is not None:
            PREPARERS[kind] = (prepare, lease or DEFAULT_LEASE)
        return function

    return register


def enqueue(session: Session, kind: str, payload: dict[str, Any] | None = None, *,
            run_after: datetime | None = None, max_attempts: int = 5) -> Job:  # fmt: skip
    """Add a job to the caller's transaction; it becomes visible to workers when that transaction commits."""
    now = utcnow()
    job = Job(kind=kind, payload_json=json.dumps(payload or {}, ensure_ascii=False), status=JobStatus.QUEUED,
              attempts=0, max_attempts=max_attempts, run_after=run_after or now, created_at=now)  # fmt: skip
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class Claimed:
    """A job this worker has just claimed, with its kind: the worker needs no further read to know whether
    the kind has a `prepare` step (see run_claimed)."""

    id: int
    kind: str


def claim(session: Session, worker_id: str, limit: int = 10, lease: timedelta = DEFAULT_LEASE,
          now: datetime | None = None) -> list[int]:  # fmt: skip
    """Take up to `limit` due jobs (queued, or running with an expired lease) for this worker: their ids."""
    return [job.id for job in claim_jobs(session, worker_id, limit, lease, now)]


def claim_jobs(session: Session, worker_id: str, limit: int = 10, lease: timedelta = DEFAULT_LEASE,
               now: datetime | None = None) -> list[Claimed]:  # fmt: skip
    """As claim, with each job's kind."""
    now = now or utcnow()
    query = (
        select(Job)
        .where(or_(
            (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
            (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now),
        ))  # fmt: skip
        .order_by(Job.run_after, Job.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for job in session.scalars(query):
        if job.status == JobStatus.RUNNING and job.attempts >= job.max_attempts:
            job.last_error = (job.last_error or "") + f"\nlease of {job.locked_by} expired after the last attempt"
            job.status, job.finished_at, job.locked_by = JobStatus.FAILED, now, None
            continue
        job.status, job.locked_by = JobStatus.RUNNING, worker_id
        job.lease_expires_at = now + lease
        job.attempts += 1
        claimed.append(Claimed(job.id, job.kind))
    session.flush()
    return claimed


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def run_claimed(factory: sessionmaker[Session], job_id: int, worker_id: str, context: JobContext,
                kind: str | None = None) -> bool:  # fmt: skip
    """Run one claimed job; True when it completed. A failure is recorded and the job retried later.

    `kind` (from claim_jobs) spares a kind without `prepare` the short transaction that would look it up;
    without it, any registered `prepare` means that look-up."""
    try:
        prepares = bool(PREPARERS) if kind is None else kind in PREPARERS
        if prepares:
            prepared = _prepare(factory, job_id, worker_id, context)
            if prepared is None:
                return False  # our lease expired and another worker took the job
            context = prepared
        with factory() as session, session.begin():
            query = select(Job).where(Job.id == job_id)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()  # held until commit: nobody reclaims it while we run
            job = session.scalars(query).one()
            if job.status != JobStatus.RUNNING or job.locked_by != worker_id:
                return False  # our lease expired and another worker took the job
            function = HANDLERS.get(job.kind)
            if function is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            function(session, json.loads(job.payload_json), context)
            job.status, job.finished_at, job.last_error = JobStatus.DONE, utcnow(), None
            job.locked_by, job.lease_expires_at = None, None
        return True
    except Exception:  # noqa: BLE001 - any handler failure is recorded on the job, the worker carries on
        error = traceback.format_exc(limit=5)
        with factory() as session, session.begin():
            now = utcnow()
            job = session.get(Job, job_id)
            if job is None or job.locked_by != worker_id or job.status != JobStatus.RUNNING:
                return False
            if job.attempts >= job.max_attempts:
                values: dict[str, Any] = {"status": JobStatus.FAILED, "finished_at": now}
            else:
                values = {"status": JobStatus.QUEUED, "run_after": now + backoff(job.attempts)}
            session.execute(update(Job).where(Job.id == job_id)
                            .values(**values, last_error=error, locked_by=None, lease_expires_at=None))  # fmt: skip
        return False


def _prepare(factory: sessionmaker[Session], job_id: int, worker_id: str, context: JobContext) -> JobContext | None:
    """The context the job's handler runs with: for a kind with `prepare`, its lease stretched (in a short
    transaction) and its preparation's result; None when the job is no longer this worker's."""
    with factory() as session, session.begin():
        query = select(Job.kind, Job.payload_json).where(Job.id == job_id, Job.locked_by == worker_id,
                                                         Job.status == JobStatus.RUNNING)  # fmt: skip
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # nobody reclaims it between this look and the stretched lease
        found = session.execute(query).first()
        if found is None:
            return None
        if found.kind not in PREPARERS:
            return context
        prepare, lease = PREPARERS[found.kind]
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() + lease))
    context = replace(context, job_id=job_id, worker_id=worker_id)
    return replace(context, prepared=prepare(factory, json.loads(found.payload_json or "{}"), context))


@dataclass(frozen=True)
class DrainResult:
    done: int
    failed: int


def drain(factory: sessionmaker[Session], worker_id: str, context: JobContext, *, batch: int = 10,
          lease: timedelta = DEFAULT_LEASE, should_stop: Callable[[], bool] = lambda: False) -> DrainResult:  # fmt: skip
    """Claim and run batches until no job is due (or the worker is asked to stop)."""
    done = failed = 0
    while not should_stop():
        with factory() as session, session.begin():
            jobs = claim_jobs(session, worker_id, batch, lease)
        if not jobs:
            break
        for position, job in enumerate(jobs):
            if should_stop():
                release(factory, [later.id for later in jobs[position:]], worker_id)
                break
            if run_claimed(factory, job.id, worker_id, context, job.kind):
                done += 1
            else:
                failed += 1
    return DrainResult(done, failed)


def release(factory: sessionmaker[Session], ids: list[int], worker_id: str) -> None:
    """Hand back claimed jobs this worker will not run (it is stopping): queued again, the attempt not counted."""
    with factory() as session, session.begin():
        session.execute(update(Job).where(Job.id.in_(ids), Job.locked_by == worker_id, Job.status == JobStatus.RUNNING)
                        .values(status=JobStatus.QUEUED, locked_by=None, lease_expires_at=None,
                                attempts=Job.attempts - 1))  # fmt: skip
