"""The audit trail as stored before migration 0027 (the address and the user agent's id in each event row),
for the migration tests of 0024 and 0027: read it, rebuild each event as the service hashes it, walk the chain.

Each test module keeps its own table of audit_event as it was before its migration (the role, action and
object type columns are texts before 0024 and codes from 0024 on) and passes it in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, String, Table, column, select, table

from service.db import make_engine
from service.models import AuditEvent, RequestOrigin, UserAgent
from service.models.audit import GENESIS_HASH, Sha256Digest
from service.operations.audit import event_hash

OLD_AGENT = table("user_agent", column("id", Integer), column("text", String))
OLD_HEAD = table("audit_chain_head", column("id", Integer), column("last_event_id", Integer),
                 column("last_hash", Sha256Digest()))  # fmt: skip


def old_rows(url: str, old_event_table: Table) -> list[Any]:
    """Every event as stored, with its user agent's text (`agent_text`), in id order."""
    engine = make_engine(url)
    with engine.connect() as conn:
        query = select(old_event_table, OLD_AGENT.c.text.label("agent_text")).outerjoin(
            OLD_AGENT, OLD_AGENT.c.id == old_event_table.c.user_agent_id).order_by(old_event_table.c.id)  # fmt: skip
        rows = conn.execute(query).all()
    engine.dispose()
    return rows


def old_event(row: dict[str, Any]) -> AuditEvent:
    """The event such a row holds, as event_hash reads it (its address and user agent through an origin)."""
    values = {k: v for k, v in row.items() if k not in ("hash", "ip", "user_agent_id", "agent_text")}
    agent = None if row["agent_text"] is None else UserAgent(text=row["agent_text"])
    return AuditEvent(**values, origin=RequestOrigin(ip=row["ip"], agent=agent))


def verify_old_chain(url: str, old_event_table: Table) -> int:
    """Walk the chain as stored; the number of events, all linked, the head holding the last hash."""
    return walk_old_chain(url, old_rows(url, old_event_table), old_event)


def walk_old_chain(url: str, rows: list[Any], as_event: Callable[[dict[str, Any]], AuditEvent]) -> int:
    """Walk stored rows (in id order) rebuilt as events by `as_event`; the number of events, all linked, the
    head holding the last hash."""
    prev = GENESIS_HASH
    for row in rows:
        assert event_hash(as_event(dict(row._mapping)), prev) == row.hash, f"event {row.id} does not follow"
        prev = row.hash
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(OLD_HEAD.c.last_hash)).scalar_one() == prev
    engine.dispose()
    return len(rows)
