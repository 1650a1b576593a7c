"""Verify the audit trail: the checks of `thidua audit verify`, also asked for on the audit page and run by a worker.

check_audit_trail is the one code path: the CLI calls it in a read-only snapshot, and so does the
`audit_verify` job (job_kinds.py), outside its own transaction (jobs.handler's `prepare`), so a walk of a
million events holds no write lock. request_verification records the request (a row, its job and an audit
event, in the caller's transaction) and refuses a second while one is pending; record_result stores what the
check found and writes it as an audit event, in the job's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..db import snapshot_scope
from ..domain.actors import Actor
from ..domain.permissions import require_can_review_audit
from ..errors import Conflict
from ..models import AuditVerification, Job, JobStatus, VerificationState
from ..queries.decision_trail import DecisionTrailCheck, check_decision_trail
from .audit import VerifyResult, record_event, verify_chain
from .jobs import enqueue

JOB_KIND = "audit_verify"  # its handler: job_kinds.audit_verify
PROBLEMS_KEPT = 20  # the first disagreements kept in words for the page


@dataclass(frozen=True)
class TrailCheck:
    """The hash chain's verification, then (only if the chain holds, since a broken trail proves nothing)
    the nominee decision rows compared with it."""

    chain: VerifyResult
    decisions: DecisionTrailCheck | None

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.decisions is not None and self.decisions.ok


def check_audit_trail(session: Session) -> TrailCheck:
    """The checks of `thidua audit verify`, in the caller's (snapshot) transaction."""
    chain = verify_chain(session)
    return TrailCheck(chain, check_decision_trail(session) if chain.ok else None)


def check_in_snapshot(factory: sessionmaker[Session]) -> TrailCheck:
    """check_audit_trail in one read-only snapshot: writers go on meanwhile, and rows they commit during the
    walk cannot appear halfway through it."""
    with snapshot_scope(factory) as session:
        return check_audit_trail(session)


def pending_verification(session: Session) -> AuditVerification | None:
    return session.scalars(select(AuditVerification).where(AuditVerification.state == VerificationState.PENDING)).first()


def request_verification(session: Session, actor: Actor, now: datetime) -> AuditVerification:
    """Queue a verification of the whole trail for the worker, as `actor` (an auditor or an admin: Forbidden
    otherwise); Conflict while one is pending. The row, its job and the request's audit event commit together."""
    require_can_review_audit(actor)
    replaced = None
    pending = pending_verification(session)
    if pending is not None:
        job = session.get(Job, pending.job_id) if pending.job_id is not None else None
        if job is None or job.status != JobStatus.FAILED:
            raise Conflict("Đang có một lần kiểm tra toàn vẹn nhật ký chờ kết quả; chưa thể yêu cầu thêm.",
                           verification_id=pending.id)  # fmt: skip
        # Its job gave up (the error is on the job): that one failed; this request takes its place.
        pending.state, pending.finished_at, pending.error = VerificationState.FAILED, now, job.last_error
        replaced = pending.id
    job = enqueue(session, JOB_KIND, {}, max_attempts=3)
    verification = AuditVerification(state=VerificationState.PENDING, requested_by=actor.user_id, requested_at=now,
                                     job_id=job.id)  # fmt: skip
    try:
        with session.begin_nested():  # a request at the same moment as another meets the unique index
            session.add(verification)
    except IntegrityError:
        raise Conflict("Đang có một lần kiểm tra toàn vẹn nhật ký chờ kết quả; chưa thể yêu cầu thêm.") from None
    job.payload_json = json.dumps({"verification_id": verification.id})
    after: dict[str, Any] = {"verification_id": verification.id, "job_id": job.id}
    if replaced is not None:
        after["replaces_failed"] = replaced
    record_event(session, action="audit.verify_request", object_type="audit", object_id=str(verification.id),
                 actor=actor.user_id, after=after, now=now)  # fmt: skip
    return verification


def record_result(session: Session, verification_id: int, check: TrailCheck, now: datetime) -> AuditVerification:
    """Store what the check found on its verification and write it as an audit event (the job's transaction)."""
    verification = session.get(AuditVerification, verification_id)
    if verification is None:
        raise LookupError(f"no audit verification {verification_id}")
    if verification.state != VerificationState.PENDING:
        return verification  # already recorded (or replaced): nothing changes
    chain, decisions = check.chain, check.decisions
    verification.state, verification.finished_at = VerificationState.DONE, now
    verification.events_checked, verification.chain_ok = chain.checked, chain.ok
    verification.first_broken_event_id, verification.broken_reason = chain.first_broken_id, chain.reason
    if decisions is not None:
        verification.decisions_checked = decisions.checked
        verification.decisions_edited = decisions.edited
        verification.decisions_deleted = decisions.deleted
        verification.decisions_added = decisions.added
        verification.unrecorded_steps = decisions.unrecorded_steps
        verification.problems_json = json.dumps(decisions.problems[:PROBLEMS_KEPT], ensure_ascii=False)
    after = {
        "verification_id": verification.id, "requested_by": verification.requested_by,
        "requested_at": verification.requested_at.isoformat(), "ok": verification.ok,
        "events_checked": chain.checked, "chain_ok": chain.ok, "first_broken_event_id": chain.first_broken_id,
        "decisions_checked": verification.decisions_checked, "edited": verification.decisions_edited,
        "deleted": verification.decisions_deleted, "added": verification.decisions_added,
        "unrecorded_steps": verification.unrecorded_steps,
    }  # fmt: skip
    record_event(session, action="audit.verify", object_type="audit", object_id=str(verification.id), after=after,
                 comment=chain.reason, now=now)  # fmt: skip
    return verification
