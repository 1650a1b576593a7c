"""The audit page's list of the trail's latest verifications (operations.audit_verification): who, when, outcome."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditVerification, Job, JobStatus, User, VerificationState


@dataclass(frozen=True)
class VerificationView:
    verification: AuditVerification
    requester_name: str | None
    requester_username: str | None
    job_status: JobStatus | None  # of a pending one: queued (no worker has taken it yet), running or failed
    job_error: str | None
    problems: list[str]

    @property
    def outcome(self) -> str:
        """pending, running, ok, alarm, or failed (its job gave up: no result)."""
        v = self.verification
        if v.state == VerificationState.FAILED or (v.state == VerificationState.PENDING
                                                   and self.job_status == JobStatus.FAILED):  # fmt: skip
            return "failed"
        if v.state == VerificationState.PENDING:
            return "running" if self.job_status == JobStatus.RUNNING else "pending"
        return "ok" if v.ok else "alarm"


def recent_verifications(session: Session, limit: int = 5) -> list[VerificationView]:
    """The latest verifications, newest first, with who asked and their job's state."""
    rows = session.execute(
        select(AuditVerification, User.full_name, User.username, Job.status, Job.last_error)
        .outerjoin(User, User.id == AuditVerification.requested_by)
        .outerjoin(Job, Job.id == AuditVerification.job_id)
        .order_by(AuditVerification.id.desc()).limit(limit)
    ).all()  # fmt: skip
    return [VerificationView(v, name, username, status, v.error or error,
                             json.loads(v.problems_json) if v.problems_json else [])  # fmt: skip
            for v, name, username, status, error in rows]
