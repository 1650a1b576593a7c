"""Audit trail reads for auditors: filtered, newest first, keyset-paginated (fast at millions of rows)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from ..db import fold_text, folded
from ..domain.audit_labels import readable_changes, readable_details
from ..domain.deadlines import local_date
from ..errors import Phrase
from ..models import AuditEvent, OrgUnit, User
from ..models.audit_codes import ACTION_CODES
from .org import NameHistory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Accounts:
    """The accounts the actor filter covers, read from what the auditor typed (read_filter), for the page to say.

    `exact`: the user name typed (in any case), that account alone, even when it is a part of other accounts'
    names; `others` then counts those other accounts and `named` names the first of them. Else the accounts a
    part of a name matched, by user name: `named` the first of them, `more` how many the page does not name."""

    ids: tuple[int, ...]
    usernames: tuple[str, ...]
    exact: bool = False
    others: int = 0  # exact only: other accounts whose user name or full name contains what was typed
    other_names: tuple[str, ...] = ()  # the first of them

    @property
    def named(self) -> tuple[str, ...]:
        return self.usernames[:ACCOUNTS_NAMED]

    @property
    def more(self) -> int:
        return len(self.usernames) - len(self.named)


@dataclass(frozen=True)
class AuditFilter:
    """Dates are Vietnamese calendar days, inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str | None = None  # a username, or (with `accounts`) the part of a name the auditor typed
    unit_id: int | None = None  # the unit the actor acted for
    dossier_id: int | None = None
    action: str | None = None
    unit_code: str | None = None  # the unit's code, for showing the filter (unit_id is what filters)
    # The accounts `actor` covers, as read_filter found them; None: `actor` is a username, looked up in the query.
    accounts: Accounts | None = None

    @property
    def several_actors(self) -> bool:
        return self.accounts is not None and len(self.accounts.ids) > 1

    def as_args(self) -> dict[str, str]:
        pairs = {"date_from": self.date_from, "date_to": self.date_to, "actor": self.actor, "unit_id": self.unit_id,
                 "dossier_id": self.dossier_id, "action": self.action}  # fmt: skip
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor_name: str | None
    actor_username: str | None
    unit_name: str | None

    @property
    def details(self) -> list[tuple[str, str]]:
        """What the event recorded after it, as short `key: value` pairs for the events table."""
        return readable_details(self.event.after_json)

    @property
    def before_details(self) -> list[tuple[str, str]]:
        return readable_details(self.event.before_json)

    @property
    def changes(self) -> list[tuple[str, str, str]] | None:
        """What changed, key by key, when the event recorded both a before and an after object (else None)."""
        return readable_changes(self.event.before_json, self.event.after_json)


def read_filter(session: Session, args: Any) -> tuple[AuditFilter, list[str]]:
    """The auditor's filter from the page's address, and a sentence for each value in it that cannot be read.

    Nothing is dropped silently: a list without a condition the auditor typed would look like its result, so
    the page shows the sentences and no event instead. The unit is given by its code (what officials see
    everywhere) or by its number (the links the page makes). Each sentence is a Phrase: Vietnamese, and its
    template for a page in English (service.web.messages_en)."""
    problems: list[str] = []

    def text(key: str) -> str:
        return str(args.get(key) or "").strip()

    def day(key: str, label: str) -> date | None:
        raw = text(key)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append(Phrase("“{label}” không phải một ngày (năm-tháng-ngày): “{raw}”.",
                                   {"label": label, "raw": raw}))
            return None

    date_from, date_to = day("date_from", "Từ ngày"), day("date_to", "Đến ngày")
    if date_from and date_to and date_from > date_to:
        problems.append(Phrase("“Từ ngày” ({date_from:%d/%m/%Y}) sau “Đến ngày” ({date_to:%d/%m/%Y}).",
                               {"date_from": date_from, "date_to": date_to}))
    dossier_id = None
    if raw := text("dossier_id"):
        # A number too long for an id (SQLite refuses integers past 64 bits) names no dossier either.
        if raw.isascii() and raw.isdigit() and 0 < int(raw) and len(raw) < 19:
            dossier_id = int(raw)
        else:
            problems.append(Phrase("Số hồ sơ phải là một số nguyên dương: “{raw}”.", {"raw": raw}))
    unit_id, unit_code = None, None
    if raw := text("unit_id"):
        if raw.isascii() and raw.isdigit() and len(raw) < 19:
            found = session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id == int(raw))).first()
        else:
            found = session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.code.in_({raw, raw.upper()}))).first()
        if found is None:
            problems.append(Phrase("Không có đơn vị mã “{raw}”.", {"raw": raw}))
        else:
            unit_id, unit_code = found
    actor, accounts = text("actor") or None, None
    if actor is not None:
        actor, accounts = _accounts(session, actor, problems)
    action = text("action") or None
    if action is not None and action not in ACTION_CODES:
        # Said, as an account that does not exist: an empty list would read as "nobody did that".
        problems.append(Phrase("Không có hành động “{action}” trong nhật ký.", {"action": action}))
    filters = AuditFilter(date_from, date_to, actor, unit_id, dossier_id, action, unit_code, accounts)
    return filters, problems


# The page names at most this many of the accounts the filter covers, then says how many more.
ACCOUNTS_NAMED = 10
# A part of a name matching more accounts than this is refused (a longer part is asked for): the page's query
# lists their ids on the actor index, one range each, and a list of hundreds of accounts is no search.
ACCOUNTS_LIMIT = 50


def _accounts(session: Session, typed: str, problems: list[str]) -> tuple[str, Accounts | None]:
    """The accounts the auditor means: the user name typed (in any case), that account alone even when it is also a
    part of other names ("admin" beside "admin2"); else every account whose user name or full name contains what
    was typed (an auditor remembers "hn-hd" or "Hương"), up to ACCOUNTS_LIMIT. None, or too many, is said.
    Returns what the filter keeps as `actor` (the user name, or the part as typed: the page's links and its CSV
    export read it again) and the accounts, None when a problem was said."""
    for username in dict.fromkeys((typed, typed.lower())):  # usernames are lower case; capitals mean that account
        found_id = session.scalar(select(User.id).where(User.username == username))
        if found_id is not None:
            others = _containing(typed, select(func.count()).select_from(User)).where(User.id != found_id)
            count = session.scalar(others) or 0
            names = _containing(typed, select(User.username)).where(User.id != found_id)
            other_names = tuple(session.scalars(names.order_by(User.username).limit(ACCOUNTS_NAMED))) if count else ()
            return username, Accounts((found_id,), (username,), exact=True, others=count, other_names=other_names)
    found = session.execute(
        _containing(typed, select(User.id, User.username)).order_by(User.username).limit(ACCOUNTS_LIMIT + 1)
    ).all()  # fmt: skip
    if not found:  # said, else an empty list would read as "did nothing"
        problems.append(Phrase("Không có tài khoản “{actor}”.", {"actor": typed}))
        return typed, None
    if len(found) > ACCOUNTS_LIMIT:  # said, nothing listed: a page of everyone's events is no search
        problems.append(Phrase("“{actor}” khớp hơn {limit} tài khoản; hãy ghi một phần dài hơn của tên.",
                               {"actor": typed, "limit": ACCOUNTS_LIMIT}))
        return typed, None
    accounts = Accounts(tuple(row.id for row in found), tuple(row.username for row in found))
    # One account: the filter keeps its user name (the field then shows it whole); several: the part as typed.
    return (found[0].username if len(found) == 1 else typed), accounts


def _containing(typed: str, query: Select[Any]) -> Select[Any]:
    """`query` of the accounts whose user name or full name contains what was typed, as text: LIKE's own wildcards
    escaped. Both sides folded alike in every script (db.folded): "đông" finds "Trần Văn Đông" on SQLite too."""
    part = fold_text(typed) or ""
    needle = "%" + part.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
    return query.where(or_(folded(User.username).like(needle, escape="!"),
                           folded(User.full_name).like(needle, escape="!")))  # fmt: skip


def _conditions(filters: AuditFilter, actor_id: int | None = None) -> list[ColumnElement[bool]]:
    """The filters as conditions on audit_event's own columns: with no join they can pick a page's ids from an
    index alone (the actor's username becomes the id it names, looked up once). `actor_id`: one of the filter's
    accounts in place of all of them (page_ids)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(filters.date_from, time.min, VN))
    if filters.date_to:
        conditions.append(AuditEvent.occurred_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, VN))
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    elif filters.accounts is not None:
        # The accounts read_filter found: one, or an IN list of several (the export's batches; a page's ids come
        # off the actor index one account at a time, page_ids).
        ids = filters.accounts.ids
        conditions.append(AuditEvent.actor_id.in_(ids) if len(ids) > 1 else AuditEvent.actor_id == ids[0])
    elif filters.actor:
        # A username nobody has gives NULL, which equals no actor_id: no event, as before.
        conditions.append(AuditEvent.actor_id == select(User.id).where(User.username == filters.actor).scalar_subquery())
    if filters.unit_id:
        conditions.append(AuditEvent.actor_unit_id == filters.unit_id)
    if filters.dossier_id:
        conditions.append(AuditEvent.dossier_id == filters.dossier_id)
    if filters.action:
        # The action is stored as its code (schema 0024): one typed into the address that has no code names
        # no event, and binding it would raise.
        known = filters.action in ACTION_CODES
        conditions.append(AuditEvent.action == filters.action if known else false())
    return conditions


def _query(filters: AuditFilter) -> Select[Any]:
    return (
        select(AuditEvent, User.full_name, User.username, OrgUnit.name)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .outerjoin(OrgUnit, AuditEvent.actor_unit_id == OrgUnit.id)
        .where(*_conditions(filters))
    )


def _window(filters: AuditFilter) -> bool:
    return bool(filters.date_from or filters.date_to)


def _newest_first(filters: AuditFilter) -> tuple[ColumnElement[Any], ...]:
    """A page's order, newest first: by id (the chain's order), or under a date window by the event's time, then
    id. A window's page is then read off the time index from the window's end, however far back the window
    lies. Ordered by id, PostgreSQL walked the primary key back from the newest event past every event after
    the window, its planner taking times and ids for unrelated: 880,000 rows and 120-190 ms for a day eight
    months back, at a million events."""
    if _window(filters):
        return AuditEvent.occurred_at.desc(), AuditEvent.id.desc()
    return (AuditEvent.id.desc(),)


def _older_than(filters: AuditFilter, before_id: int) -> ColumnElement[bool]:
    """The events after the cursor's in the page's order (the cursor is the last shown event's id). Under a
    window, those before its time, or at its time with a smaller id; a cursor naming no event gives none."""
    if not _window(filters):
        return AuditEvent.id < before_id
    at = select(AuditEvent.occurred_at).where(AuditEvent.id == before_id).scalar_subquery()
    return and_(AuditEvent.occurred_at <= at, or_(AuditEvent.occurred_at < at, AuditEvent.id < before_id))


def page_ids(filters: AuditFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> Select[Any]:
    """The ids of a page, in the page's order, from audit_event alone: under a date window SQLite then reads them
    off the occurred_at index without a table row (with the name joins in the query it read every row of the
    window, about 80,000 for a month of a million events), PostgreSQL with an index-only scan."""
    if filters.several_actors and not _window(filters):
        return _each_actors_newest(filters, before_id, size)
    query = select(AuditEvent.id).where(*_conditions(filters))
    if before_id:
        query = query.where(_older_than(filters, before_id))
    return query.order_by(*_newest_first(filters)).limit(size)


def _each_actors_newest(filters: AuditFilter, before_id: int | None, size: int) -> Select[Any]:
    """A page's ids, newest first, under several accounts (a part of a name) and no date window: each account's
    newest read off the actor index as one account's are (at most `size` entries each, however many events an
    account has), then the page's from all of them. As one IN list PostgreSQL walked the primary key back testing
    each event against the list: all of a million events, 550 ms, for accounts that had done nothing. (Under a
    window the IN list stays: one walk of the window at worst, as for one account, where one walk per account
    would be up to 50.)"""
    assert filters.accounts is not None
    branches = []
    for actor_id in filters.accounts.ids:
        branch = select(AuditEvent.id).where(*_conditions(filters, actor_id))
        if before_id:
            branch = branch.where(_older_than(filters, before_id))
        # each a subquery: SQLite takes no ORDER BY or LIMIT on a compound's own members
        branches.append(select(branch.order_by(AuditEvent.id.desc()).limit(size).subquery().c.id))
    newest = union_all(*branches).subquery()
    return select(newest.c.id).order_by(newest.c.id.desc()).limit(size)


def audit_page(session: Session, filters: AuditFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> list[AuditRow]:
    """One page, newest first (under a date window by time, then id); pass the last row's id as `before_id` for
    the next page (no OFFSET scans)."""
    if _window(filters) or filters.several_actors:
        # A date window matches many rows in occurred_at order, and several accounts' newest come from one range
        # of the actor index each (page_ids): pick the page's ids first from the indexes alone, then load those
        # rows only.
        query = _query(AuditFilter()).where(AuditEvent.id.in_(page_ids(filters, before_id, size).scalar_subquery()))
    else:
        query = _query(filters)
        if before_id:
            query = query.where(_older_than(filters, before_id))
    rows = session.execute(query.order_by(*_newest_first(filters)).limit(size))
    names = NameHistory(session)  # the unit as it was called when the event happened
    return [AuditRow(e, name, username, names.name(e.actor_unit_id, unit, local_date(e.occurred_at)))
            for e, name, username, unit in rows]


def audit_rows(session: Session, filters: AuditFilter, batch: int = 2000) -> Iterator[AuditRow]:
    """Every matching row, oldest first, in keyset batches (for CSV export, which shows each event's IP address:
    a batch's origins come in one more query, not one per event)."""
    last, names = 0, NameHistory(session)
    while True:
        query = _query(filters).options(selectinload(AuditEvent.origin)).where(AuditEvent.id > last)
        rows = session.execute(query.order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return
        for event, name, username, unit in rows:
            yield AuditRow(event, name, username, names.name(event.actor_unit_id, unit, local_date(event.occurred_at)))
        last = rows[-1][0].id


def known_actions(session: Session) -> list[str]:
    """The actions the trail holds, by name (the table holds codes, whose order is not the names')."""
    return sorted(session.scalars(select(AuditEvent.action).distinct()))


def dossier_events(dossier_id: int, instance_id: int, task_ids: list[str]) -> ColumnElement[bool]:
    """The events of one dossier: by dossier_id, and by object (its instance, its tasks) those without one.

    Only events written before schema 0003 lack a dossier_id. The object branches say so, which lets them
    use the object index that holds those events only (migration 0014) instead of scanning the trail.
    """
    no_dossier = AuditEvent.dossier_id.is_(None)
    condition = or_(
        AuditEvent.dossier_id == dossier_id,
        no_dossier & (AuditEvent.object_type == "process_instance") & (AuditEvent.object_id == str(instance_id)),
    )
    if task_ids:
        tasks = no_dossier & (AuditEvent.object_type == "human_task") & AuditEvent.object_id.in_(task_ids)
        condition = or_(condition, tasks)
    return condition
