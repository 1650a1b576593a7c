"""Append audit events to the hash chain (in the caller's transaction) and verify the chain."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import AuditChainHead, AuditEvent, RequestOrigin, UserAgent
from ..models.audit import GENESIS_HASH
from ..models.audit_codes import ACTION_CODES, OBJECT_TYPE_CODES, ROLE_CODES
from .rows import find_or_insert_row, insert_objects, update_row


# Where the current request comes from (IP address, user agent). The web layer sets it for each
# request, so every event a request writes carries its origin without operations knowing Flask.
REQUEST_ORIGIN: ContextVar[tuple[str | None, str | None]] = ContextVar("thidua_request_origin", default=(None, None))


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def _to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_nfc(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "actor_unit_id": event.actor_unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before_json,
        "after": event.after_json,
        "comment": event.comment,
        "ip": event.ip,
        "user_agent": event.user_agent,
    }


def event_hash(event: AuditEvent, prev_hash: str) -> str:
    """sha256 over a canonical encoding (sorted keys, NFC text, UTC microseconds) and the previous hash."""
    fields = _fields(event)
    if event.dossier_id is not None:  # added in schema 0003; events without one hash as they always did
        fields["dossier_id"] = event.dossier_id
    canonical = json.dumps(
        {"event": _nfc(fields), "prev_hash": prev_hash}, ensure_ascii=False, sort_keys=True,
        separators=(",", ":"),
    )  # fmt: skip
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _dossier_of(object_type: str, object_id: str, before: Any, after: Any) -> int | None:
    if object_type == "dossier" and str(object_id).isdigit():
        return int(object_id)
    for values in (after, before):
        if isinstance(values, dict) and isinstance(values.get("dossier_id"), int):
            return int(values["dossier_id"])
    return None


def _locked_head(session: Session) -> AuditChainHead:
    """The chain head, locked for this transaction; selected once per transaction, not once per event."""
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is transaction and cached[1] in session:
        return cached[1]  # type: ignore[no-any-return]
    # The head is the last row a writer locks: changes still pending in the session go first, so every
    # writer locks rows in the same order (its own rows, then the head) and none waits in a cycle.
    session.flush()
    head = session.scalar(_HEAD_FOR_UPDATE)
    if head is None:
        head = AuditChainHead(id=1, last_event_id=None, last_hash=GENESIS_HASH)
        session.add(head)
    session.info[_HEAD_KEY] = (transaction, head)
    return head


_HEAD_KEY = "thidua.audit_chain_head"
_HEAD_FOR_UPDATE = select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()  # built once


def user_agent_row(session: Session, text: str) -> UserAgent:
    """The user_agent row holding `text`, inserted if it is new; found once per transaction, not once per event.

    record_event calls it with the chain head locked: appenders then never wait on each other's new texts in
    a cycle (the insert is still safe without the lock; see rows.find_or_insert_row).
    """
    transaction = session.get_transaction()
    cached = session.info.get(_AGENTS_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_AGENTS_KEY] = cached
    agent = cached[1].get(text)
    # A row this transaction inserted inside a savepoint that rolled back has left the session: find it again.
    if agent is None or agent not in session:
        agent = cached[1][text] = find_or_insert_row(session, UserAgent, {"text": text})
    return agent  # type: ignore[no-any-return]


_AGENTS_KEY = "thidua.audit_user_agents"


def origin_row(session: Session, ip: str | None, user_agent: str | None) -> RequestOrigin:
    """The request_origin row of this IP address and user agent text (not both None), inserted if new; found
    once per transaction, not once per event, and in one query when the pair is known (the usual case).

    Like user_agent_row, record_event calls it with the chain head locked. Only the rows this transaction
    found or inserted are remembered, and only for this transaction: one inserted inside a savepoint that
    rolled back has left the session and is found (or inserted) again.
    """
    transaction = session.get_transaction()
    cached = session.info.get(_ORIGINS_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_ORIGINS_KEY] = cached
    origin = cached[1].get((ip, user_agent))
    if origin is None or origin not in session:
        look_up = _origin_statement(ip is None, user_agent is None)
        origin = session.scalars(look_up, {"ip": ip, "text": user_agent}).one_or_none()
        if origin is None:  # a new pair (perhaps a new text): through the user_agent row, which it refers to
            agent = None if user_agent is None else user_agent_row(session, user_agent)
            agent_id = None if agent is None else agent.id
            origin = find_or_insert_row(session, RequestOrigin, {"ip": ip, "user_agent_id": agent_id})
            if "agent" not in origin.__dict__:  # inserted here: give it its text without a query
                set_committed_value(origin, "agent", agent)
        cached[1][(ip, user_agent)] = origin
    return origin  # type: ignore[no-any-return]


_ORIGINS_KEY = "thidua.audit_request_origins"


@cache
def _origin_statement(no_ip: bool, no_user_agent: bool) -> Select[tuple[RequestOrigin]]:
    """The look-up of an origin by its IP address and its user agent's text (each may be NULL), built once each."""
    ip = RequestOrigin.ip.is_(None) if no_ip else RequestOrigin.ip == bindparam("ip")
    if no_user_agent:
        return select(RequestOrigin).where(ip, RequestOrigin.user_agent_id.is_(None))
    return (select(RequestOrigin).join(RequestOrigin.agent).where(ip, UserAgent.text == bindparam("text"))
            .options(contains_eager(RequestOrigin.agent)))  # fmt: skip


def record_event(
    session: Session, *, action: str, object_type: str, object_id: str, actor: int | None = None,
    actor_role: str | None = None, actor_unit_id: int | None = None, before: Any = None, after: Any = None,
    comment: str | None = None, ip: str | None = None, user_agent: str | None = None, now: datetime | None = None,
    dossier_id: int | None = None,
) -> AuditEvent:  # fmt: skip
    """Append one event after the chain head; writes at once, never commits (the caller's change and this row commit together).

    An action, object type or role without a code (service/models/audit_codes.py) raises ValueError before
    anything is sent to the database: no lock taken, no origin row, no event.
    """
    return record_events(session, [dict(
        action=action, object_type=object_type, object_id=object_id, actor=actor, actor_role=actor_role,
        actor_unit_id=actor_unit_id, before=before, after=after, comment=comment, ip=ip, user_agent=user_agent,
        now=now, dossier_id=dossier_id,
    )])[0]  # fmt: skip


def record_events(session: Session, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append events (record_event's keyword arguments each) after the chain head, in the order given.

    All of them go in one INSERT and the head moves once, to the last: a task completion appends two or
    three events, and on PostgreSQL each statement is a round trip. As record_event, nothing is sent if
    any event names an action, object type or role without a code.
    """
    for event in events:
        ACTION_CODES.code(event["action"])
        OBJECT_TYPE_CODES.code(event["object_type"])
        if event.get("actor_role") is not None:
            ROLE_CODES.code(event["actor_role"])
    if not events:
        return []
    head = _locked_head(session)
    prev_hash = head.last_hash
    built = []
    for event in events:
        row = _new_event(session, **event)
        row.hash = prev_hash = event_hash(row, prev_hash)
        built.append(row)
    insert_objects(session, built)
    update_row(session, head, {"last_event_id": built[-1].id, "last_hash": prev_hash})
    return built


def _new_event(
    session: Session, *, action: str, object_type: str, object_id: str, actor: int | None = None,
    actor_role: str | None = None, actor_unit_id: int | None = None, before: Any = None, after: Any = None,
    comment: str | None = None, ip: str | None = None, user_agent: str | None = None, now: datetime | None = None,
    dossier_id: int | None = None,
) -> AuditEvent:  # fmt: skip
    """The event's row, not yet hashed nor inserted; its origin row is found (or inserted) with the head locked."""
    origin_ip, origin_agent = REQUEST_ORIGIN.get()
    ip, user_agent = ip or origin_ip, user_agent or origin_agent
    user_agent = user_agent[:500] if user_agent else None
    origin = origin_row(session, ip, user_agent) if ip is not None or user_agent is not None else None
    return AuditEvent(
        occurred_at=(now or datetime.now(UTC)).astimezone(UTC), actor_id=actor, actor_role=actor_role,
        actor_unit_id=actor_unit_id, action=action, object_type=object_type, object_id=str(object_id)[:64],
        before_json=_to_json(before), after_json=_to_json(after), comment=_nfc(comment),
        origin_id=None if origin is None else origin.id, origin=origin,
        dossier_id=dossier_id if dossier_id is not None else _dossier_of(object_type, object_id, before, after),
    )  # fmt: skip


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first event whose hash does not follow from the row before it.

    Each event's predecessor is the previous row (its hash is not stored twice), so an edited event and the
    event after a deleted one both fail here; a gap in the ids before the failing event points to a deletion.
    The chain head keeps the newest hash, so deleting the newest events is caught too.
    """
    prev_hash, last_id, checked = GENESIS_HASH, 0, 0
    while True:
        # The batch's origins, each with its user agent text, come in one more query (by their distinct ids),
        # not one per event.
        page = select(AuditEvent).options(selectinload(AuditEvent.origin)).where(AuditEvent.id > last_id)
        events = list(session.scalars(page.order_by(AuditEvent.id).limit(batch)))
        if not events:
            break
        for event in events:
            if event_hash(event, prev_hash) != event.hash:
                return VerifyResult(False, checked, event.id, _broken_link(last_id, event.id))
            prev_hash, last_id, checked = event.hash, event.id, checked + 1
    head = session.get(AuditChainHead, 1)
    if head is not None and head.last_hash != prev_hash:
        return VerifyResult(False, checked, head.last_event_id, "sự kiện cuối chuỗi đã bị xóa")
    return VerifyResult(True, checked)


def _broken_link(last_id: int, event_id: int) -> str:
    """Why an event's hash does not follow: a gap in the ids before it points to deleted events."""
    if event_id == last_id + 1:
        return "nội dung sự kiện không khớp mã băm (sự kiện này hoặc sự kiện liền trước đã bị sửa)"
    missing = f"{last_id + 1}" if event_id == last_id + 2 else f"{last_id + 1}–{event_id - 1}"
    return f"liên kết tới sự kiện trước bị đứt: thiếu sự kiện số {missing} (bị xóa), hoặc sự kiện này không khớp mã băm"
