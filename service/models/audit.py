"""The append-only, hash-chained audit trail and the single row that serialises appends to it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..db import Base, UTCDateTime
from .audit_codes import ACTION_CODES, OBJECT_TYPE_CODES, ROLE_CODES, Coded
from .dialect_indexes import newest_first

GENESIS_HASH = "0" * 64
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_NO_DOSSIER = text("dossier_id IS NULL")
_NO_USER_AGENT = text("user_agent_id IS NULL")
_NO_IP = text("ip IS NULL")


class Sha256Digest(TypeDecorator[str]):
    """A sha256 digest: 64 hex characters in Python (as it is hashed, shown and exported), 32 bytes stored."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        # Only the form hexdigest() gives: an uppercase or padded text would be stored as the same 32 bytes
        # and read back different from what was written (and hashed into an audit event).
        if not isinstance(value, str) or _SHA256_HEX.fullmatch(value) is None:
            raise ValueError(f"not a sha256 digest (64 lowercase hex characters): {value!r}")
        return bytes.fromhex(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else bytes(value).hex()


class UserAgent(Base):
    """A browser's or client's user agent text, stored once however many events carry it (migration 0021).

    The text is still part of each event's hash (AuditEvent.user_agent), so editing a row here breaks the
    chain at the first event that refers to it. Rows are only ever added (PostgreSQL refuses the rest).
    Events refer to it through their request origin (schema 0027).
    """

    __tablename__ = "user_agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500), unique=True)


class RequestOrigin(Base):
    """Where requests come from: an IP address and a user agent, one row per pair (migration 0027).

    Every event of a web request carries both, and an official works from a handful of (address, browser)
    pairs: an event keeps the pair's id instead of the address text and the user agent's id. Either may be
    missing (an API client that sends no user agent; an event given a user agent but no address); an event
    with neither has no origin. Both are still part of each event's hash (AuditEvent.ip, .user_agent), so
    editing a row here breaks the chain at the first event that refers to it. Rows are only ever added
    (PostgreSQL refuses the rest).
    """

    __tablename__ = "request_origin"
    __table_args__ = (
        # A pair is stored once. NULLs are distinct in a unique index (SQLite, PostgreSQL before NULLS NOT
        # DISTINCT), so a pair missing one half is kept unique by its own partial index on the other half.
        UniqueConstraint("ip", "user_agent_id", name="uq_request_origin_ip_user_agent_id"),
        Index("uq_request_origin_ip_without_user_agent", "ip", unique=True, sqlite_where=_NO_USER_AGENT,
              postgresql_where=_NO_USER_AGENT),  # fmt: skip
        Index("uq_request_origin_user_agent_without_ip", "user_agent_id", unique=True, sqlite_where=_NO_IP,
              postgresql_where=_NO_IP),  # fmt: skip
        # An event with neither has no origin row, so no row (NULL, NULL), which no index would keep unique.
        CheckConstraint("ip IS NOT NULL OR user_agent_id IS NOT NULL", name="ip_or_user_agent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_agent.id"))
    # Read with the origin, in the same query: whoever reads an origin reads its text (hash, export).
    agent: Mapped[UserAgent | None] = relationship(lazy="joined")

    @property
    def user_agent(self) -> str | None:
        return None if self.agent is None else self.agent.text


class AuditEvent(Base):
    """One event. Its hash covers its fields and the hash of the event before it in id order (the first
    event's predecessor is GENESIS_HASH), so an edited, inserted or deleted row breaks every later link."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # A dossier's history finds its events by dossier_id, and by object only those without one (events
        # written before schema 0003): the others cost this index nothing.
        Index("ix_audit_event_object", "object_type", "object_id", sqlite_where=_NO_DOSSIER,
              postgresql_where=_NO_DOSSIER),  # fmt: skip
        # The auditor's page filters by actor, action or dossier and shows the newest first (ORDER BY id DESC):
        # the index gives a filter's rows newest first, so a page is read off it instead of sorting every match
        # (on PostgreSQL (column, id); on SQLite (column), whose entries end with the id anyway: dialect_indexes).
        *newest_first("actor_id", postgresql_name="ix_audit_event_actor_id", sqlite_name="ix_audit_event_actor"),
        *newest_first("action", postgresql_name="ix_audit_event_action_id", sqlite_name="ix_audit_event_action"),
        *newest_first("dossier_id", postgresql_name="ix_audit_event_dossier_id_id",
                      sqlite_name="ix_audit_event_dossier"),  # fmt: skip
        # ... and by the unit the actor acted for: without it a unit with few events meant reading the
        # whole table newest first (100-150 ms at a million events on SQLite; migration 0020).
        *newest_first("actor_unit_id", postgresql_name="ix_audit_event_actor_unit_id_id",
                      sqlite_name="ix_audit_event_actor_unit"),  # fmt: skip
        # A date window picks the page's ids from this index alone (an index-only scan on PostgreSQL).
        *newest_first("occurred_at", postgresql_name="ix_audit_event_occurred_at_id",
                      sqlite_name="ix_audit_event_occurred_at"),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The role, action and object type are texts in Python and small integer codes in the table (schema 0024,
    # service/models/audit_codes.py): `AuditEvent.action == "task.complete"` compares codes.
    actor_role: Mapped[str | None] = mapped_column(Coded(ROLE_CODES))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    action: Mapped[str] = mapped_column(Coded(ACTION_CODES))
    object_type: Mapped[str] = mapped_column(Coded(OBJECT_TYPE_CODES))
    object_id: Mapped[str] = mapped_column(String(64))
    # The dossier an event concerns, when there is one: the per-dossier timeline and filter use it.
    dossier_id: Mapped[int | None]
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    # The request's IP address and user agent, kept once per pair in request_origin (schema 0027; the user
    # agent text once in user_agent, 0021); NULL when the event has neither (CLI, jobs).
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("request_origin.id"))
    # Loaded by id, from the session's identity map when it is there; lists load a page's at once
    # (selectinload), each origin with its user agent.
    origin: Mapped[RequestOrigin | None] = relationship()
    # The previous event's hash is not stored (schema 0014): it is the hash of the row before.
    hash: Mapped[str] = mapped_column(Sha256Digest())

    # Not a column: (IP address, user agent text) of a new event whose origin row the append statement finds
    # itself on PostgreSQL (service/operations/audit.py), so that it can be hashed before that row is read.
    origin_texts = None

    @property
    def ip(self) -> str | None:
        """The IP address the event was written with (hashed as it was when it was a column of its own)."""
        texts = self.__dict__.get("origin_texts")
        if texts is not None:
            return texts[0]  # type: ignore[no-any-return]
        return None if self.origin is None else self.origin.ip

    @property
    def user_agent(self) -> str | None:
        """The user agent text the event was written with (hashed as it was when it was a column of its own)."""
        texts = self.__dict__.get("origin_texts")
        if texts is not None:
            return texts[1]  # type: ignore[no-any-return]
        return None if self.origin is None else self.origin.user_agent


class AuditChainHead(Base):
    """One row (id 1): the newest event's id and hash. Appenders lock it, so the chain never forks; it
    also keeps the newest hash, so deleting the newest events is caught."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(Sha256Digest(), default=GENESIS_HASH)
