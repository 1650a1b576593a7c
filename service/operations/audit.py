"""Append audit events to the hash chain (in the caller's transaction) and verify the chain."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any, overload
from weakref import WeakKeyDictionary

from sqlalchemy import (Select, Text, and_, bindparam, cast, exists, func, insert, inspect, literal_column, null,
                        select, true, union_all, update)  # fmt: skip
from sqlalchemy.event import listens_for
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.pool import Pool
from sqlalchemy.orm.attributes import set_committed_value

from .. import direct_sql
from ..models import AuditChainHead, AuditEvent, RequestOrigin, UserAgent
from ..models.audit import GENESIS_HASH
from ..models.audit_codes import ACTION_CODES, OBJECT_TYPE_CODES, ROLE_CODES
from .rows import (current_row, find_or_insert_row, insert_objects, loaded_row, new_row_values, note_inserted,
                   note_written, update_row)


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
    """sha256 over a canonical encoding (sorted keys, NFC text, UTC microseconds) and the previous hash:
    the UTF-8 of {"event":{…},"prev_hash":"…"} in JSON with sorted keys and no spaces."""
    return _hash_after(_hash_prefix(event), prev_hash)


def _hash_after(prefix: str, prev_hash: str) -> str:
    """event_hash of the event whose _hash_prefix is `prefix`."""
    canonical = prefix + json.dumps(prev_hash, ensure_ascii=False) + "}"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_prefix(event: AuditEvent) -> str:
    """The canonical text hashed for an event up to its previous hash: '{"event":{…},"prev_hash":'. The whole
    text is this, the previous hash as a JSON string, and '}' (PostgreSQL's append computes it so, below)."""
    fields = _fields(event)
    if event.dossier_id is not None:  # added in schema 0003; events without one hash as they always did
        fields["dossier_id"] = event.dossier_id
    body = json.dumps(_nfc(fields), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return '{"event":' + body + ',"prev_hash":'


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
    # The row's values as they are now (a session keeps its objects across transactions: the head it held may be
    # one another writer has moved since), read by a Core statement.
    found = direct_sql.execute(session, _HEAD_FOR_UPDATE).first()
    if found is None:
        head = AuditChainHead(id=1, last_event_id=None, last_hash=GENESIS_HASH)
        session.add(head)
    else:
        head = current_row(session, AuditChainHead, found._asdict())
    session.info[_HEAD_KEY] = (transaction, head)
    return head


_HEAD_KEY = "thidua.audit_chain_head"
_HEAD_TABLE = AuditChainHead.__table__
_HEAD_FOR_UPDATE = (
    select(_HEAD_TABLE.c.id, _HEAD_TABLE.c.last_event_id, _HEAD_TABLE.c.last_hash).where(_HEAD_TABLE.c.id == 1)
    .with_for_update()
)  # built once; the columns are named as the class's attributes  # fmt: skip


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


@overload
def origin_row(session: Session, ip: str | None, user_agent: str | None) -> RequestOrigin: ...
@overload
def origin_row(session: Session, ip: str | None, user_agent: str | None, insert: bool) -> RequestOrigin | None: ...


def origin_row(session: Session, ip: str | None, user_agent: str | None, insert: bool = True) -> RequestOrigin | None:
    """The request_origin row of this IP address and user agent text (not both None), inserted if new; found
    once per transaction, not once per event, and in one query when the pair is known (the usual case).

    Like user_agent_row, record_event calls it with the chain head locked. Only the rows this transaction
    found or inserted are remembered, and only for this transaction: one inserted inside a savepoint that
    rolled back has left the session and is found (or inserted) again. With `insert` False a new pair is not
    inserted: None.
    """
    transaction = session.get_transaction()
    cached = session.info.get(_ORIGINS_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_ORIGINS_KEY] = cached
    origin = cached[1].get((ip, user_agent))
    if origin is None or origin not in session:
        origin = _found_origin(session, ip, user_agent)
        if origin is None and not insert:
            return None
        if origin is None:  # a new pair (perhaps a new text): through the user_agent row, which it refers to
            agent = None if user_agent is None else user_agent_row(session, user_agent)
            agent_id = None if agent is None else agent.id
            origin = find_or_insert_row(session, RequestOrigin, {"ip": ip, "user_agent_id": agent_id})
            if "agent" not in origin.__dict__:  # inserted here: give it its text without a query
                set_committed_value(origin, "agent", agent)
        cached[1][(ip, user_agent)] = origin
    return origin  # type: ignore[no-any-return]


_ORIGINS_KEY = "thidua.audit_request_origins"


def _found_origin(session: Session, ip: str | None, user_agent: str | None) -> RequestOrigin | None:
    """The request_origin row of this pair with its user agent, as the session's objects; None if there is none.
    Read by a Core statement (direct_sql): through the ORM the look-up cost about as much as the rest of a
    completion's audit append on SQLite."""
    found = direct_sql.execute(session, _origin_statement(ip is None, user_agent is None),
                               {"ip": ip, "text": user_agent}).first()  # fmt: skip
    if found is None:
        return None
    origin = loaded_row(session, RequestOrigin, {"id": found.id, "ip": found.ip, "user_agent_id": found.user_agent_id})
    if "agent" not in origin.__dict__:  # as the ORM's joined load gives it: the origin with its text
        agent = None
        if found.agent_text is not None:
            agent = loaded_row(session, UserAgent, {"id": found.user_agent_id, "text": found.agent_text})
        set_committed_value(origin, "agent", agent)
    return origin


@cache
def _origin_statement(no_ip: bool, no_user_agent: bool) -> Select[Any]:
    """The look-up of an origin by its IP address and its user agent's text (each may be NULL), built once each:
    the origin's columns and its user agent's text."""
    origin, agent = RequestOrigin.__table__, UserAgent.__table__
    ip = origin.c.ip.is_(None) if no_ip else origin.c.ip == bindparam("ip", type_=origin.c.ip.type)
    if no_user_agent:
        return select(origin.c.id, origin.c.ip, origin.c.user_agent_id, null().label("agent_text")).where(
            ip, origin.c.user_agent_id.is_(None))
    return (select(origin.c.id, origin.c.ip, origin.c.user_agent_id, agent.c.text.label("agent_text"))
            .join(agent, agent.c.id == origin.c.user_agent_id)
            .where(ip, agent.c.text == bindparam("text", type_=agent.c.text.type)))  # fmt: skip


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
        _send_riders_alone(session)
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _append_in_one_statement(session, events)
    head = _locked_head(session)
    built = _new_events(session, events)
    last_hash = _chain(built, head.last_hash)
    insert_objects(session, built)
    update_row(session, head, {"last_event_id": built[-1].id, "last_hash": last_hash})
    return built


def _chain(built: list[AuditEvent], prev_hash: str) -> str:
    """Hash the events in order after `prev_hash`; returns the last one's hash."""
    for row in built:
        row.hash = prev_hash = event_hash(row, prev_hash)
    return prev_hash


# PostgreSQL: the newest (last_event_id, last_hash) each connection pool (one database, shared by an engine's
# copies with other execution options) has seen: its guess of the head for the next append.
_HEAD_GUESS: WeakKeyDictionary[Pool, tuple[int | None, str]] = WeakKeyDictionary()


def _append_in_one_statement(session: Session, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """record_events on PostgreSQL: lock the head, insert the events and move the head in one statement.

    A round trip for the whole append instead of three (lock the head, insert, move it). Up to
    _HASHED_BY_DATABASE_MAX events the statement hashes them itself after the head it locks
    (_append_hashed_by_database), so it holds whoever appended before. A larger batch is hashed here after a guess
    of the head (the last one this pool's connections wrote or saw) and the statement inserts it only if the
    head it locks is that guess: if another writer moved the head meanwhile, nothing is inserted, the statement
    returns the head it has locked, and the events are hashed again after it and appended by the same
    statement, which then holds (this transaction holds the lock). Ids and order are as in the other path:
    the events take their ids in the order given, after the head is locked.
    """
    session.flush()  # the head is the last row a writer locks: this transaction's own rows go first
    pool = session.get_bind().engine.pool
    if len(events) <= _HASHED_BY_DATABASE_MAX and _hashes_utf8(session, pool):
        return _append_finding_origins(session, pool, events)
    built = _new_events(session, events, find_origins_only=True)
    if built is None:
        # A new origin (IP address and user agent pair) is inserted with the head locked (origin_row says why).
        head = _locked_head(session)
        guess = head.last_event_id, head.last_hash
        built = _new_events(session, events)
    else:
        guess = _HEAD_GUESS.get(pool, (None, GENESIS_HASH))
    riders = _take_riders(session)
    for _attempt in range(2):
        last_hash = _chain(built, guess[1])
        ids, found = _append_if_head_is(session, built, guess, last_hash, riders)
        riders = []  # sent with the first attempt, whatever became of the append
        if ids:
            break
        if found is None:
            raise RuntimeError("the audit chain head row (id 1) is missing")
        guess = found  # locked by now: the second attempt appends after it
    else:
        raise RuntimeError("the audit chain head moved while this transaction held its lock")
    _finish_append(session, pool, built, ids, last_hash)
    return built


def _append_finding_origins(session: Session, pool: Pool, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """_append_in_one_statement for a few events, hashed by PostgreSQL: the statement also finds each event's
    request origin row by its texts (one query less than looking it up first; the events are hashed with the
    texts). An origin it does not find is new: nothing is appended (the head is not locked; the riders are
    written), the origin is inserted with the head locked (origin_row says why) and the events are appended
    by a second statement, with their origins' ids."""
    built, origins = _events_with_origin_texts(events)
    appended = _append_hashed_by_database(session, built, _take_riders(session), origins)
    if appended is None:
        _locked_head(session)
        built = _new_events(session, events)
        appended = _append_hashed_by_database(session, built, [])
        assert appended is not None
    ids, last_hash = appended
    _finish_append(session, pool, built, ids, last_hash)
    return built


def _events_with_origin_texts(events: list[dict[str, Any]]) -> tuple[list[AuditEvent], _OriginsToFind]:
    """The events' rows with their origins' texts instead of their origin rows, and which origins (distinct
    (IP address, user agent) pairs, in order) the append statement is to find, for which event."""
    built, pairs, of_event = [], [], []
    for event in events:
        row, texts = _new_event_row(**event)
        built.append(row)
        if texts is None:
            row.origin = None  # known to have none (not to be loaded)
            of_event.append(None)
            continue
        row.origin_texts = texts
        if texts not in pairs:
            pairs.append(texts)
        of_event.append(pairs.index(texts))
    return built, _OriginsToFind(tuple(pairs), tuple(of_event))


@dataclass(frozen=True)
class _OriginsToFind:
    pairs: tuple[tuple[str | None, str | None], ...]  # (IP address, user agent text), each pair once
    of_event: tuple[int | None, ...]  # for each event, its pair's position (None: the event has no origin)

    def shape(self) -> tuple[tuple[tuple[bool, bool], ...], tuple[int | None, ...]]:
        """What the statement depends on: which half of each pair is missing, and each event's pair."""
        return tuple((ip is None, agent is None) for ip, agent in self.pairs), self.of_event

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for number, (ip, agent) in enumerate(self.pairs):
            out.update({f"origin{number}_ip": ip, f"origin{number}_text": agent})
        return out


def _finish_append(session: Session, pool: Pool, built: list[AuditEvent], ids: list[int], last_hash: str) -> None:
    for row, event_id in zip(built, ids, strict=True):
        note_inserted(session, row, event_id)
    _HEAD_GUESS[pool] = (ids[-1], last_hash)
    loaded = session.identity_map.get(_HEAD_IDENTITY)
    if loaded is not None:  # a head this session has read shows where the chain now ends
        note_written(session, loaded, {"last_event_id": ids[-1], "last_hash": last_hash})


# Up to this many events (a completion appends two or three) PostgreSQL hashes them itself, after the head it
# locks: no guess of the head, so one statement however many other processes append. A larger batch (an import)
# is hashed here after a guess, as above: its statement would chain that many hashing steps.
_HASHED_BY_DATABASE_MAX = 8
# Whether each pool's database keeps text in UTF-8, so that convert_to(text, 'UTF8') there gives the bytes
# Python hashes (a database in another encoding could not even store every Vietnamese letter).
_UTF8: WeakKeyDictionary[Pool, bool] = WeakKeyDictionary()


def _hashes_utf8(session: Session, pool: Pool) -> bool:
    known = _UTF8.get(pool)
    if known is None:
        # psycopg has it from the server's greeting (no round trip); any other driver asks.
        info = getattr(session.connection().connection.dbapi_connection, "info", None)
        encoding = info.parameter_status("server_encoding") if info is not None else None
        if encoding is None:
            encoding = session.execute(select(func.current_setting("server_encoding"))).scalar()
        known = _UTF8[pool] = str(encoding).upper() in ("UTF8", "UTF-8")
    return known


def _append_hashed_by_database(
    session: Session, built: list[AuditEvent], riders: list[Rider], origins: _OriginsToFind | None = None,
) -> tuple[list[int], str] | None:  # fmt: skip
    """Run the append statement that hashes the events in the database, after the head it locks: (the new ids in
    order, the last hash). Each hash is also computed here from the head the statement locked, and the append fails
    (its transaction with it) if PostgreSQL's differs: the chain is only ever what verify_chain will recompute.
    With `origins` the statement finds the events' origin rows by their texts; None if one of them is not there
    (then nothing is appended and the head is not locked; the riders are written).
    RiderRefused if a required rider changed no row (then nothing is appended)."""
    hashed = [_hash_prefix(row) for row in built]  # sent for PostgreSQL to hash, and kept to check its hashes here
    prefixes = {f"prefix_{n}": prefix for n, prefix in enumerate(hashed)}
    if origins is None:
        rows = _send_append(session, _append_hashed_statement, built, riders, prefixes, omit=("hash",))
    else:
        lookups, of_event = origins.shape()
        finding = partial(_append_hashed_statement, lookups=lookups, origin_of=of_event)
        rows = _send_append(session, finding, built, riders, {**prefixes, **origins.params()}, omit=("hash", "origin_id"))
    first = rows[0]
    if origins is not None:
        found = [getattr(first, f"origin_{number}") for number in range(len(origins.pairs))]
        if None in found:
            return None
        for row, number in zip(built, origins.of_event, strict=True):
            row.origin_id = None if number is None else found[number]
    if first.last_hash is None:
        raise RuntimeError("the audit chain head row (id 1) is missing")
    appended = sorted((row.id, row.hash) for row in rows if row.id is not None)
    if len(appended) != len(built) or first.moved != 1:
        raise RuntimeError(f"audit append: {len(built)} events sent, {len(appended)} inserted, head moved {first.moved}")
    prev_hash = first.last_hash
    for row, prefix, (event_id, digest) in zip(built, hashed, appended, strict=True):
        if digest != _hash_after(prefix, prev_hash):
            raise RuntimeError(f"audit append: PostgreSQL's hash of event {event_id} is not the one Python computes")
        row.hash = prev_hash = digest
    return [event_id for event_id, _ in appended], prev_hash


@overload
def _new_events(session: Session, events: list[dict[str, Any]]) -> list[AuditEvent]: ...
@overload
def _new_events(session: Session, events: list[dict[str, Any]], find_origins_only: bool) -> list[AuditEvent] | None: ...


def _new_events(session: Session, events: list[dict[str, Any]], find_origins_only: bool = False) -> list[AuditEvent] | None:
    """The events' rows, not yet hashed nor inserted. With `find_origins_only` (the head not locked) their
    origins are only looked up, and None says one of them is new (to be inserted with the head locked)."""
    built = []
    for event in events:
        row = _new_event(session, **event, find_origin_only=find_origins_only)
        if row is None:
            return None
        built.append(row)
    return built


def _send_append(
    session: Session, statement_for: Callable[..., Select[Any]], built: list[AuditEvent], riders: list[Rider],
    params: dict[str, Any], omit: tuple[str, ...] = (),
) -> list[Any]:  # fmt: skip
    """Send one of the append statements (built by `statement_for`) for these events with the riders and more
    `params`: the rows it returns. RiderRefused if a required rider changed no row (then nothing is appended)."""
    values = [new_row_values(row, omit=omit) for row in built]
    keys = tuple(sorted(values[0]))
    params = {**params, **{f"{key}_{n}": row[key] for n, row in enumerate(values) for key in keys}}
    for number, rider in enumerate(riders):
        params.update({f"rider{number}_{key}": value for key, value in rider.params.items()})
    shape = tuple((rider.statement, rider.required) for rider in riders)
    rows = direct_sql.execute(session, statement_for(len(built), keys, shape), params).all()
    for number, rider in enumerate(riders):
        if rider.required and not getattr(rows[0], f"rider_{number}"):
            raise RiderRefused(rider.statement)
        if rider.done is not None:
            rider.done()
    return rows


def _append_if_head_is(
    session: Session, built: list[AuditEvent], guess: tuple[int | None, str], last_hash: str, riders: list[Rider],
) -> tuple[list[int], tuple[int | None, str] | None]:  # fmt: skip
    """Run the append statement (with the riders): (the new ids in order, the head it locked); no ids if that
    head was not `guess`. RiderRefused if a required rider changed no row (then nothing is appended)."""
    guessed = {"prev_id": guess[0], "prev_hash": guess[1], "new_hash": last_hash}
    rows = _send_append(session, _append_statement, built, riders, guessed)
    first = rows[0]
    if first.last_hash is None:
        return [], None
    found = (first.last_event_id, first.last_hash)
    ids = sorted(row.id for row in rows if row.id is not None)
    if ids and (len(ids) != len(built) or first.moved != 1):
        raise RuntimeError(f"audit append: {len(built)} events sent, {len(ids)} inserted, head moved {first.moved}")
    return ids, found


_HEAD_IDENTITY = inspect(AuditChainHead).identity_key_from_primary_key([1])


def _riders_and_head(riders: tuple[tuple[Any, bool], ...], conditions: list[Any] | None = None) -> tuple[list[Any], Any]:
    """The riders' writes as CTEs, and the head CTE that locks the chain head after them, only if every
    required one changed a row and every one of `conditions` holds (the head's row is locked after the riders'
    rows: every writer locks it last)."""
    chain_head = AuditChainHead.__table__
    written = [_with_prefixed_parameters(statement, f"rider{number}_").cte(f"rider_{number}")
               for number, (statement, _) in enumerate(riders)]  # fmt: skip
    after_riders = [exists(select(literal_column("1")).select_from(cte)) if required
                    else select(func.count()).select_from(cte).scalar_subquery() >= literal_column("0")
                    for cte, (_, required) in zip(written, riders, strict=True)]  # fmt: skip
    head = (select(chain_head.c.last_event_id, chain_head.c.last_hash)
            .where(chain_head.c.id == 1, *after_riders, *(conditions or ()))
            .with_for_update().cte("head"))  # fmt: skip
    return written, head


@cache
def _append_statement(count: int, keys: tuple[str, ...], riders: tuple[tuple[Any, bool], ...] = ()) -> Select[Any]:
    """WITH the riders' writes, head (locked once they are done, and only if every required one changed a row),
    inserted (the events, only if the head is :prev_id/:prev_hash), moved (the head, to the last of them)
    SELECT the head as locked, each new id, whether the head moved and how many rows each rider wrote.
    Built once per count of events and set of riders."""
    events, chain_head = AuditEvent.__table__, AuditChainHead.__table__
    column = inspect(AuditEvent).get_property
    written, head = _riders_and_head(riders)
    new_rows = union_all(*(
        select(*(cast(bindparam(f"{key}_{n}", type_=column(key).columns[0].type), column(key).columns[0].type).label(key)
                 for key in keys), literal_column(str(n)).label("position"))
        for n in range(count)
    )).subquery("new_rows")  # fmt: skip
    at_guess = and_(head.c.last_hash == bindparam("prev_hash"), head.c.last_event_id.is_not_distinct_from(bindparam("prev_id")))
    inserted = (
        insert(events)
        .from_select([column(key).columns[0] for key in keys],
                     select(*(new_rows.c[key] for key in keys)).select_from(new_rows.join(head, at_guess))
                     .order_by(new_rows.c.position))
        .returning(events.c.id)
        .cte("inserted")
    )  # fmt: skip
    moved = (
        update(chain_head)
        .where(chain_head.c.id == 1, exists(select(inserted.c.id)))
        .values(last_event_id=select(func.max(inserted.c.id)).scalar_subquery(),
                last_hash=bindparam("new_hash", type_=chain_head.c.last_hash.type))
        .returning(chain_head.c.id)
        .cte("moved")
    )  # fmt: skip
    anchor = select(literal_column("1").label("one")).subquery("anchor")  # a row even when the head is not locked
    return (
        select(head.c.last_event_id, head.c.last_hash, inserted.c.id,
               select(func.count()).select_from(moved).scalar_subquery().label("moved"),
               *(select(func.count()).select_from(cte).scalar_subquery().label(cte.name) for cte in written))
        .select_from(anchor.outerjoin(head, true()).outerjoin(inserted, true()))
    )  # fmt: skip


@cache
def _append_hashed_statement(
    count: int, keys: tuple[str, ...], riders: tuple[tuple[Any, bool], ...] = (),
    lookups: tuple[tuple[bool, bool], ...] = (), origin_of: tuple[int | None, ...] = (),
) -> Select[Any]:  # fmt: skip
    """As _append_statement, but the events' hashes are computed by the statement, one after the other from the
    head it locks: hash_1 is sha256 of the UTF-8 of :prefix_0, the head's hash as a JSON string, and '}' (see
    event_hash), hash_2 the same after hash_1, and so on. The events are inserted whatever the head is (no
    guess to match); SELECT the head as locked, each new id with its hash, whether the head moved and how many
    rows each rider wrote. Built once per count of events, set of riders and origins to find.

    With `lookups` the events' origin_id is not a parameter: origin_<k> finds the request_origin row of the
    k-th (IP address, user agent text) pair (:origin<k>_ip, :origin<k>_text; each tuple says which half is
    missing), event n takes pair origin_of[n] (None: no origin), the head is locked (and anything appended)
    only if every pair was found, and the ids found are SELECTed as origin_<k> (NULL: not found)."""
    events, chain_head = AuditEvent.__table__, AuditChainHead.__table__
    column = inspect(AuditEvent).get_property
    origins = [_origin_lookup(number, no_ip, no_agent) for number, (no_ip, no_agent) in enumerate(lookups)]
    written, head = _riders_and_head(riders, [exists(select(found.c.id)) for found in origins])
    digest_type = chain_head.c.last_hash.type
    hashes, previous = [], head.c.last_hash
    for n in range(count):
        # prefix || '"' || hex of the previous digest || '"}', each part text, so || is the concatenation.
        canonical = (bindparam(f"prefix_{n}", type_=Text()) + literal_column("'\"'", type_=Text())
                     + func.encode(previous, literal_column("'hex'"), type_=Text()) + literal_column("'\"}'", type_=Text()))
        step = (select(func.sha256(func.convert_to(canonical, literal_column("'UTF8'")), type_=digest_type).label("digest"))
                .select_from(hashes[-1] if hashes else head).cte(f"hash_{n}"))  # fmt: skip
        hashes.append(step)
        previous = step.c.digest
    origin_id = events.c.origin_id
    found_ids = [select(found.c.id).scalar_subquery() for found in origins]

    def origin_of_event(n: int) -> Any:
        number = origin_of[n]
        return cast(null() if number is None else found_ids[number], origin_id.type).label("origin_id")

    columns = [column(key).columns[0] for key in keys] + ([origin_id] if origins else [])
    new_rows = union_all(*(
        select(*(cast(bindparam(f"{key}_{n}", type_=column(key).columns[0].type), column(key).columns[0].type).label(key)
                 for key in keys), *([origin_of_event(n)] if origins else []),
               hashes[n].c.digest.label("hash"), literal_column(str(n)).label("position"))
        .select_from(hashes[n])
        for n in range(count)
    )).subquery("new_rows")  # fmt: skip
    inserted = (
        insert(events)
        .from_select([*columns, events.c.hash],
                     select(*(new_rows.c[c.key] for c in columns), new_rows.c.hash).order_by(new_rows.c.position))
        .returning(events.c.id, events.c.hash)
        .cte("inserted")
    )  # fmt: skip
    last = select(inserted.c.hash).order_by(inserted.c.id.desc()).limit(1).scalar_subquery()
    moved = (
        update(chain_head)
        .where(chain_head.c.id == 1, exists(select(inserted.c.id)))
        .values(last_event_id=select(func.max(inserted.c.id)).scalar_subquery(), last_hash=last)
        .returning(chain_head.c.id)
        .cte("moved")
    )  # fmt: skip
    anchor = select(literal_column("1").label("one")).subquery("anchor")  # a row even when the head is not locked
    return (
        select(head.c.last_event_id, head.c.last_hash, inserted.c.id, inserted.c.hash,
               select(func.count()).select_from(moved).scalar_subquery().label("moved"),
               *(select(func.count()).select_from(cte).scalar_subquery().label(cte.name) for cte in written),
               *(found_id.label(f"origin_{number}") for number, found_id in enumerate(found_ids)))
        .select_from(anchor.outerjoin(head, true()).outerjoin(inserted, true()))
    )  # fmt: skip


def _origin_lookup(number: int, no_ip: bool, no_agent: bool) -> Any:
    """CTE origin_<number>: the id of the request_origin row of (:origin<number>_ip, :origin<number>_text), as
    _origin_statement finds it (on the same unique indexes); no row if there is none."""
    origin, agent = RequestOrigin.__table__, UserAgent.__table__
    ip = origin.c.ip.is_(None) if no_ip else origin.c.ip == bindparam(f"origin{number}_ip", type_=origin.c.ip.type)
    if no_agent:
        found = select(origin.c.id).where(ip, origin.c.user_agent_id.is_(None))
    else:
        found = (select(origin.c.id).join(agent, agent.c.id == origin.c.user_agent_id)
                 .where(ip, agent.c.text == bindparam(f"origin{number}_text", type_=agent.c.text.type)))  # fmt: skip
    return found.cte(f"origin_{number}")


def _with_prefixed_parameters(statement: Any, prefix: str) -> Any:
    """A copy of `statement` whose named parameters have `prefix` before their names. Riders' parameters then
    never share a name with each other's or the append's, nor with a column of a table an UPDATE in the
    statement writes: SQLAlchemy would add that column to the UPDATE's SET clause, set to the parameter."""

    def renamed(element: Any) -> Any:
        if isinstance(element, BindParameter) and not element.unique:
            return bindparam(prefix + element.key, type_=element.type)
        return None

    return replacement_traverse(statement, {}, renamed)


@dataclass(frozen=True)
class Rider:
    """A write sent in the same statement as the next audit append of the session (PostgreSQL): one round trip
    less. `statement` is an INSERT or UPDATE with RETURNING, built once, whose values are all named parameters
    (in the append they are renamed, so columns taken from the parameters' names would be lost); `required` makes it a compare-and-set the append depends on: if it changes no row,
    nothing is appended and RiderRefused is raised. `done` runs once the write is made (to tell the session).

    A rider is sent with the next append, or on its own if the transaction commits (or the next append has no
    events) first, and is dropped if its transaction rolls back first. Only code that appends right after it
    (a completion's writes, then its audit events) should use one: the write happens that late."""

    statement: Any
    params: dict[str, Any]
    required: bool = False
    done: Callable[[], None] | None = None


class RiderRefused(Exception):
    """A required rider (a compare-and-set) changed no row: nothing was appended."""


def send_with_next_append(session: Session, rider: Rider) -> None:
    """Hold `rider` for the next audit append of this session (see Rider). On SQLite, whose append is
    separate statements with nothing to carry it, and when no transaction has begun to hold it for, it is
    sent now (RiderRefused at once if it is a compare-and-set that changed no row)."""
    if session._transaction is None or session.get_bind().dialect.name != "postgresql":  # noqa: SLF001
        _send_alone(session, rider)
        return
    _held_riders(session).append(rider)


_RIDERS_KEY = "thidua.audit_riders"


def _held_riders(session: Session) -> list[Rider]:
    transaction = session._transaction  # noqa: SLF001 - the innermost (a savepoint's rollback drops its riders)
    held = session.info.get(_RIDERS_KEY)
    if held is None or held[0] is not transaction:
        _send_riders_alone(session)  # riders of an enclosing transaction still to send (none in practice)
        held = session.info[_RIDERS_KEY] = (transaction, [])
    return held[1]  # type: ignore[no-any-return]


def _take_riders(session: Session) -> list[Rider]:
    held = session.info.pop(_RIDERS_KEY, None)
    if held is None or not held[0].is_active:
        return []
    return held[1]  # type: ignore[no-any-return]


def _send_riders_alone(session: Session) -> None:
    for rider in _take_riders(session):
        _send_alone(session, rider)


def _send_alone(session: Session, rider: Rider) -> None:
    written = direct_sql.execute(session, rider.statement, rider.params).all()
    if rider.required and not written:
        raise RiderRefused(rider.statement)
    if rider.done is not None:
        rider.done()


@listens_for(Session, "before_commit")
def _riders_before_commit(session: Session) -> None:
    if session.info.get(_RIDERS_KEY) is not None:
        _send_riders_alone(session)  # held, but no append came: written now, in their transaction


@listens_for(Session, "after_soft_rollback")
def _riders_after_rollback(session: Session, _previous: Any) -> None:
    held = session.info.get(_RIDERS_KEY)
    if held is not None and not held[0].is_active:
        del session.info[_RIDERS_KEY]  # their transaction rolled back: they never happened


def _new_event(session: Session, *, find_origin_only: bool = False, **fields: Any) -> AuditEvent | None:
    """The event's row (record_event's keyword arguments), not yet hashed nor inserted; its origin row is found
    (or inserted) with the head locked.

    With `find_origin_only` (the head not locked yet) an origin is only looked up: None if it is new."""
    row, texts = _new_event_row(**fields)
    origin = None
    if texts is not None:
        origin = origin_row(session, texts[0], texts[1], insert=not find_origin_only)
        if origin is None:
            return None
    row.origin_id, row.origin = None if origin is None else origin.id, origin
    return row


def _new_event_row(
    *, action: str, object_type: str, object_id: str, actor: int | None = None, actor_role: str | None = None,
    actor_unit_id: int | None = None, before: Any = None, after: Any = None, comment: str | None = None,
    ip: str | None = None, user_agent: str | None = None, now: datetime | None = None, dossier_id: int | None = None,
) -> tuple[AuditEvent, tuple[str | None, str | None] | None]:  # fmt: skip
    """The event's row without its origin, and the (IP address, user agent text) of that origin: the request's
    unless given; None when there is neither."""
    origin_ip, origin_agent = REQUEST_ORIGIN.get()
    ip, user_agent = ip or origin_ip, user_agent or origin_agent
    user_agent = user_agent[:500] if user_agent else None
    row = AuditEvent(
        occurred_at=(now or datetime.now(UTC)).astimezone(UTC), actor_id=actor, actor_role=actor_role,
        actor_unit_id=actor_unit_id, action=action, object_type=object_type, object_id=str(object_id)[:64],
        before_json=_to_json(before), after_json=_to_json(after), comment=_nfc(comment),
        dossier_id=dossier_id if dossier_id is not None else _dossier_of(object_type, object_id, before, after),
    )  # fmt: skip
    return row, None if ip is None and user_agent is None else (ip, user_agent)


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
