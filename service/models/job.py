"""Background jobs (claimed by `thidua worker` processes) and in-app notifications."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, str_enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """One unit of background work. A worker claims it by setting locked_by and a lease expiry."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


UNREAD = text("read_at IS NULL")


class Notification(Base):
    """An in-app notice for one user: a new task, a return for supplement, an escalation, an assignment.

    The row holds the kind, the task and the dossier; what it says is built from them when it is shown
    (`domain.notices`), not stored once per recipient (migration 0015).
    """

    __tablename__ = "notification"
    # The newest-first list walks (user_id, id) backwards; the header's unread count reads the unread rows'
    # own index, which a row leaves once read (migration 0028).
    __table_args__ = (
        Index("ix_notification_user_newest", "user_id", "id"),
        Index("ix_notification_user_unread", "user_id", sqlite_where=UNREAD, postgresql_where=UNREAD),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(32))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TaskReminder(Base):
    """A reminder sent to the holders of an open task before its forward-by deadline (operations.reminders): the day
    by which the dossier must reach the next level up, and when it was sent. One per task and deadline: a later
    pass of the worker sends none again, and a campaign whose deadline moves reminds once more of the new day.

    A table of its own, not a column of human_task: few tasks are ever reminded, and the task rows of every chain
    stay as narrow as they were (the benchmark's bytes per chain)."""

    __tablename__ = "task_reminder"

    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date(), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))  # the level the dossier must reach by then
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified: Mapped[int] = mapped_column(default=0)  # how many officials were told
