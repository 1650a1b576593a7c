"""A verification of the audit trail asked for on the audit page: who asked, when, and what the check found."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, str_enum


class VerificationState(enum.StrEnum):
    PENDING = "pending"  # asked for; its job is queued or running
    DONE = "done"  # the check ran: the columns below hold what it found
    FAILED = "failed"  # its job gave up (the error is kept); a new request replaces it


PENDING = text("state = 'pending'")


class AuditVerification(Base):
    """One request to verify the audit trail (the hash chain, then each nominee decision row against the
    trail: operations.audit_verification.check_audit_trail, as `thidua audit verify` does) and its result.

    At most one is pending at a time: the partial unique index refuses a second (two requests at once included).
    """

    __tablename__ = "audit_verification"
    __table_args__ = (
        Index("uq_audit_verification_pending", "state", unique=True, sqlite_where=PENDING, postgresql_where=PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[VerificationState] = mapped_column(str_enum(VerificationState), default=VerificationState.PENDING)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The hash chain: events checked, and the first event that breaks it (None: intact) with why.
    events_checked: Mapped[int | None] = mapped_column()
    chain_ok: Mapped[bool | None] = mapped_column()
    first_broken_event_id: Mapped[int | None] = mapped_column()
    broken_reason: Mapped[str | None] = mapped_column(Text)
    # The nominee decision rows against the trail (not compared when the chain is broken, as the CLI does).
    decisions_checked: Mapped[int | None] = mapped_column()
    decisions_edited: Mapped[int | None] = mapped_column()
    decisions_deleted: Mapped[int | None] = mapped_column()
    decisions_added: Mapped[int | None] = mapped_column()
    unrecorded_steps: Mapped[int | None] = mapped_column()
    problems_json: Mapped[str | None] = mapped_column(Text)  # the first disagreements in words (a JSON list)
    error: Mapped[str | None] = mapped_column(Text)  # why a failed one failed

    @property
    def ok(self) -> bool | None:
        """True: chain intact and every decision row as the trail says; False: an alarm; None: no result yet."""
        if self.state != VerificationState.DONE:
            return None
        return bool(self.chain_ok) and not (self.decisions_edited or self.decisions_deleted or self.decisions_added)
