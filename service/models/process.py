"""Process definitions and versions, running instances (state as compressed JSON text) and the inbox task table."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, CompactUuid, CompressedText, UTCDateTime, str_enum, utcnow
from .audit_codes import Coded
from .task_codes import (
    ESCALATED_CONDITION, READY_CONDITION, TASK_DECISION_CODES, TASK_LEVEL_CODES, TASK_ROLE_CODES, TASK_STATE_CODES,
)  # fmt: skip


class InstanceStatus(enum.StrEnum):
    running = "running"
    completed = "completed"
    cancelled = "cancelled"
    suspended = "suspended"
    error = "error"


class HumanTaskState(enum.StrEnum):
    ready = "ready"
    completed = "completed"
    cancelled = "cancelled"


class ProcessDefinition(Base):
    __tablename__ = "process_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # the BPMN process id
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProcessVersion(Base):
    """One deployed BPMN file: its XML, sha256 and the serialized spec every instance refers to."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("definition_id", "version"),
        Index("ix_process_version_definition_sha", "definition_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    version: Mapped[int]
    bpmn_xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=False)


class ProcessInstance(Base):
    """The engine state of one dossier's process; guarded by optimistic locking on lock_version."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_status_timer", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), unique=True)
    status: Mapped[str] = mapped_column(str_enum(InstanceStatus), default=InstanceStatus.running)
    # The serialised JSON text, zlib-compressed in a binary column (`state_zlib`, migration 0012), never
    # json/jsonb: SpiffWorkflow restores task data as deltas in key order (SPIFFWORKFLOW.md P3). The text
    # is the engine's compact form (workflows/state.py, about 205 bytes stored for a finished chain) or,
    # in older rows, SpiffWorkflow's own form; the text itself says which.
    state_json: Mapped[str] = mapped_column("state_zlib", CompressedText())
    # SpiffWorkflow's serializer version (workflows.SERIALIZER_VERSION), whichever form the text is in.
    serializer_version: Mapped[str] = mapped_column(String(16), default="")
    end_event: Mapped[str | None] = mapped_column(String(128))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class HumanTask(Base):
    """An inbox row, kept in step with the engine's READY user tasks in the same transaction.

    The task's lane is not stored: a lane is always named "role@level" (workflows.lanes), both columns
    of the row (migration 0019). Nor is its name: it is the step's name in the BPMN of the instance's
    process version (queries.step_names, migration 0023). Role, level, state, decision and the escalation's
    role are stored as small integer codes and read as their texts (models/task_codes.py, migration 0025).
    """

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_guid"),  # also finds an instance's tasks in any state
        # Whole: quota tallies read the completed tasks of a role at a unit through it.
        Index("ix_human_task_inbox", "role", "org_unit_id", "state", "due_at"),
        # The rest hold open tasks only (about 1 % of the table once dossiers finish; migration 0016). A query
        # uses them when it says state == "ready" (and, for escalations, escalated_at IS NOT NULL) itself; the
        # indexes' WHERE compares with the code of "ready" (migration 0025).
        Index("ix_human_task_ready_due", "due_at", sqlite_where=READY_CONDITION, postgresql_where=READY_CONDITION),
        Index("ix_human_task_ready_claimed", "claimed_by", sqlite_where=READY_CONDITION,
              postgresql_where=READY_CONDITION),  # fmt: skip
        Index("ix_human_task_ready_escalated", "escalate_to_role", "escalate_to_unit_id",
              sqlite_where=ESCALATED_CONDITION, postgresql_where=ESCALATED_CONDITION),  # fmt: skip
        Index("ix_human_task_ready_instance", "instance_id", sqlite_where=READY_CONDITION,
              postgresql_where=READY_CONDITION),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    task_guid: Mapped[str] = mapped_column(CompactUuid())  # the engine's task id, canonical text; 16 bytes stored
    bpmn_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(Coded(TASK_ROLE_CODES))
    level: Mapped[str] = mapped_column(Coded(TASK_LEVEL_CODES))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    state: Mapped[str] = mapped_column(Coded(TASK_STATE_CODES), default=HumanTaskState.ready.value)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalate_to_role: Mapped[str | None] = mapped_column(Coded(TASK_ROLE_CODES))
    escalate_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(Coded(TASK_DECISION_CODES))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
