"""Audit trail reads for auditors: filtered, newest first, keyset-paginated (fast at millions of rows)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.audit_labels import readable_changes, readable_details
from ..domain.deadlines import local_date
from ..errors import Phrase
from ..models import AuditEvent, OrgUnit, User
from ..models.audit_codes import ACTION_CODES
from .org import NameHistory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """Dates are Vietnamese calendar days, inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str | None = None  # username
    unit_id: int | None = None  # the unit the actor acted for
    dossier_id: int | None = None
    action: str | None = None
    unit_code: str | None = None  # the unit's code, for showing the filter (unit_id is what filters)

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
    actor = text("actor") or None
    if actor is not None:
        actor = _account(session, actor, problems)
    action = text("action") or None
    if action is not None and action not in ACTION_CODES:
        # Said, as an account that does not exist: an empty list would read as "nobody did that".
        problems.append(Phrase("Không có hành động “{action}” trong nhật ký.", {"action": action}))
    filters = AuditFilter(date_from, date_to, actor, unit_id, dossier_id, action, unit_code)
    return filters, problems


# At most this many accounts are named when a part of a name matches several.
ACCOUNT_CHOICES = 6


def _account(session: Session, typed: str, problems: list[str]) -> str | None:
    """The account the auditor means: the user name typed (in any case), else the one account whose user name or
    full name contains what was typed (an auditor remembers "adm" or "Hương"); several such accounts are named
    for the auditor to choose, none is said. Returns the user name, or what was typed when a problem was said."""
    if session.scalar(select(User.id).where(User.username == typed)) is not None:
        return typed
    if session.scalar(select(User.id).where(User.username == typed.lower())) is not None:
        return typed.lower()  # usernames are lower case; one typed in capitals means that account
    # What was typed, as text: LIKE's own wildcards escaped. SQLite's lower() folds ASCII only, enough for a part.
    part = unicodedata.normalize("NFC", typed).lower()
    needle = "%" + part.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
    found = list(session.scalars(
        select(User.username).where(or_(func.lower(User.username).like(needle, escape="!"),
                                        func.lower(User.full_name).like(needle, escape="!")))
        .order_by(User.username).limit(ACCOUNT_CHOICES + 1)
    ))  # fmt: skip
    if len(found) == 1:
        return found[0]
    if not found:  # said, else an empty list would read as "did nothing"
        problems.append(Phrase("Không có tài khoản “{actor}”.", {"actor": typed}))
    else:
        names = ", ".join(found[:ACCOUNT_CHOICES]) + (", …" if len(found) > ACCOUNT_CHOICES else "")
        problems.append(Phrase("“{actor}” khớp nhiều tài khoản: {names}; hãy ghi đúng một tên đăng nhập.",
                               {"actor": typed, "names": names}))
    return typed


def _conditions(filters: AuditFilter) -> list[ColumnElement[bool]]:
    """The filters as conditions on audit_event's own columns: with no join they can pick a page's ids from an
    index alone (the actor's username becomes the id it names, looked up once)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(filters.date_from, time.min, VN))
    if filters.date_to:
        conditions.append(AuditEvent.occurred_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, VN))
    if filters.actor:
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
    query = select(AuditEvent.id).where(*_conditions(filters))
    if before_id:
        query = query.where(_older_than(filters, before_id))
    return query.order_by(*_newest_first(filters)).limit(size)


def audit_page(session: Session, filters: AuditFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> list[AuditRow]:
    """One page, newest first (under a date window by time, then id); pass the last row's id as `before_id` for
    the next page (no OFFSET scans)."""
    if _window(filters):
        # A date window matches many rows in occurred_at order: pick the page's ids first from the index, then
        # load those rows only.
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
