"""The inbox: open tasks for the roles an actor holds at their org units, from the indexed task table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, and_, case, cast, column, func, literal, or_, select, union_all, values
from sqlalchemy.orm import Session, aliased

from workflows import LEVELS, StepInfo

from ..db import not_driving
from ..domain.actors import Actor
from ..domain.deadlines import SOON_DAYS, VN, ForwardBy, forward_by, level_deadlines, local_date, receiving_level
from ..domain.text import natural_key
from ..models import (
    AwardForm, Campaign, CampaignAwardForm, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance, ProcessVersion, User,
)  # fmt: skip
from ..operations.definitions import version_definition
from .org import unit_labels
from .step_names import step_names

# The decision the inbox's "Đồng ý các việc đã chọn" records for every task ticked.
BULK_DECISION = "approve"


def bulk_decides(step: StepInfo | None, decision: str = BULK_DECISION) -> bool:
    """Whether a step's form offers the bulk decision: only then is its task ticked and approved with others (the
    unit's "Lập và nộp hồ sơ" offers submit and withdraw: each dossier opened on its own)."""
    return step is not None and any(d.value == decision for d in step.decisions)


@dataclass(frozen=True)
class AwardAsked:
    """An award form the dossier's nominees still ask for, as a row names it in short ("BK tỉnh/thành phố"):
    its kind's initials (Bằng khen, Giấy khen) and its granting level; `name` in full for the tooltip."""

    kind: str  # "BK", "GK", or the catalogue name when it is neither
    level: str  # ward | district | province
    name: str


# The award kinds a row shortens to their initials (an official's own shorthand: "BK tỉnh", "GK huyện").
AWARD_KINDS = {"bằng khen": "BK", "giấy khen": "GK"}


def award_asked(level: str, name: str) -> AwardAsked:
    folded = name.casefold()
    kind = next((short for words, short in AWARD_KINDS.items() if folded.startswith(words)), name)
    return AwardAsked(kind, level, name)


@dataclass(frozen=True)
class ReturnedRow:
    """Why a task's dossier is back at its step: the step above returned it (its decision "return"), with its
    reason. Read with the row (returned_here says it on the task page)."""

    step_name: str  # the step that sent it back
    reason: str | None

    @property
    def short_reason(self) -> str | None:
        """The reason as a row shows it: its first 80 characters (the whole in the row's tooltip)."""
        if not self.reason or len(self.reason) <= SHORT_REASON:
            return self.reason
        return self.reason[: SHORT_REASON - 1].rstrip() + "…"


SHORT_REASON = 80


@dataclass(frozen=True)
class InboxRow:
    task_id: int
    step: str
    step_name: str
    role: str
    org_unit_id: int
    dossier_id: int
    dossier_title: str
    campaign_code: str
    submitting_unit: str
    due_at: datetime | None
    escalated_at: datetime | None
    claimed_by: int | None
    created_at: datetime
    escalated_to_me: bool
    submitting_unit_id: int = 0
    claimed_by_name: str | None = None  # who holds it, named on the row
    # The row can be ticked for "Đồng ý các việc đã chọn": its step offers that decision, the task is the actor's
    # own (not escalated to them) and no colleague holds it.
    bulk: bool = False
    returned: ReturnedRow | None = None  # sent back to this step by a return from the step above
    nominee_count: int = 0  # the dossier's nominees still travelling (not yet granted or refused)
    awards: tuple[AwardAsked, ...] = ()  # the award forms they ask for, each once
    # A step without a timer of its own (a unit's draft, a council's vote, a chairman's decision) where the dossier
    # still goes up: the campaign's deadline for reaching the next level, the date it works to (None beside a due_at).
    forward_by: ForwardBy | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


# How the inbox's rows can be ordered: by due date (the default), submitting unit, campaign, arrival (oldest first).
SORTS = ("due", "unit", "campaign", "arrival")


@dataclass(frozen=True)
class InboxFilter:
    """What an official narrows the inbox to, and how its rows are ordered; saved per user."""

    campaign: str | None = None
    step: str | None = None
    unit_id: int | None = None  # the submitting unit
    overdue: bool = False
    due_soon: bool = False  # due within SOON_DAYS days (with `overdue` as well: either)
    sort: str = "due"

    def as_dict(self) -> dict[str, object]:
        return {"campaign": self.campaign, "step": self.step, "unit_id": self.unit_id, "overdue": self.overdue,
                "due_soon": self.due_soon, "sort": self.sort}  # fmt: skip

    @property
    def chooses(self) -> bool:
        """Whether it differs from the plain inbox at all: narrows it, or orders it otherwise than by due date."""
        return self.narrows or self.sort != "due"

    @property
    def narrows(self) -> bool:
        """Whether it leaves anything out (an empty list then says the filter found nothing, not the inbox)."""
        return bool(self.campaign or self.step or self.unit_id or self.overdue or self.due_soon)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> InboxFilter:
        unit = data.get("unit_id")
        return cls(
            campaign=str(data["campaign"]) if data.get("campaign") else None,
            step=str(data["step"]) if data.get("step") else None,
            unit_id=int(str(unit)) if unit not in (None, "") and str(unit).isdigit() else None,
            overdue=bool(data.get("overdue")),
            due_soon=bool(data.get("due_soon")),
            sort=str(data["sort"]) if data.get("sort") in SORTS else "due",
        )


def _sorted(session: Session, query: Select[Any], sort: str, facets: InboxFacets | None) -> Select[Any]:
    """The list in the order chosen, ordered by the database, so a page of the first LIST_LIMIT rows is the first of
    the whole inbox in that order, not the soonest due re-sorted: by submitting unit as the page names it (the
    facets' labels, numbers in them by value), by campaign (codes, numbers by value), by arrival (oldest first); each
    then, and the default, by due date (undated last), then arrival. The units' and campaigns' ranks are the facets'
    own order, computed in Python (natural_key) and joined as a VALUES list (hashed or indexed by the database: a CASE
    over two thousand units costs a tenth of a second at ten thousand rows). A step without a timer is due when the
    dossier must reach the next level (_due_or_forward_by), as its row says."""
    if sort == "arrival":
        return query.order_by(HumanTask.created_at, HumanTask.id)
    due = _due_or_forward_by(session)
    by_due = (due.is_(None), due, HumanTask.created_at, HumanTask.id)
    if sort == "unit" and facets is not None and facets.units:
        units = [unit_id for unit_id, _ in facets.units]  # by label already
        return _ranked(query, Dossier.unit_id, Integer, units).order_by(*by_due)
    if sort == "campaign" and facets is not None and facets.campaigns:
        return _ranked(query, Campaign.code, String, sorted(facets.campaigns, key=natural_key)).order_by(*by_due)
    return query.order_by(*by_due)


def _due_or_forward_by(session: Session) -> ColumnElement[Any]:
    """The moment each task of the list is due: its due time (a timer's), or, for a step without a timer where the
    dossier still goes up (InboxRow.forward_by), the end of the campaign's deadline day for reaching the next level in
    Vietnam; None for a step decided at its level. One CASE branch per task level and deadline day (a few: campaigns
    a year by levels), its campaigns and its moment bound parameters, so the statement stays in SQLAlchemy's cache
    (a VALUES list would be compiled again at each request); a row without a due time asks whether its dossier goes
    up (one lookup of its nominees), others not."""
    whens = [(and_(HumanTask.level == level, Dossier.campaign_id.in_(campaigns), _going_up(level)),
              literal(datetime.combine(day + timedelta(days=1), time(0), VN), HumanTask.due_at.type))
             for level, by_day in forward_deadlines(session, lambda day: True).items()
             for day, campaigns in sorted(by_day.items())]  # fmt: skip
    if not whens:
        return HumanTask.due_at
    return case((HumanTask.due_at.is_not(None), HumanTask.due_at), *whens, else_=None)


def _ranked(query: Select[Any], key: Any, key_type: Any, keys: list[Any]) -> Select[Any]:
    """`query` ordered first by the position of its `key` among `keys` (a VALUES list joined; a key not listed last)."""
    ranks = values(column("key", key_type), column("position", Integer), name="rank").data(
        [(value, position) for position, value in enumerate(keys)]).cte()
    return query.outerjoin(ranks, ranks.c.key == key).order_by(ranks.c.position.is_(None), ranks.c.position)


def actionable_task_ids(actor: Actor, *, escalations: bool = True):  # type: ignore[no-untyped-def]
    """Ids of the ready tasks of the actor's (role, unit) pairs, and of those escalated to them.

    One indexed lookup per pair joined by UNION ALL: an OR over the pairs (or over "mine" and
    "escalated to me") makes the planner scan every ready task, which costs seconds at a million rows.
    """
    pairs = sorted(actor.roles)
    if not pairs:
        return None
    parts = [
        select(HumanTask.id).where(HumanTask.role == role, HumanTask.org_unit_id == unit, HumanTask.state == "ready")
        for role, unit in pairs
    ]
    if escalations:
        parts += [
            select(HumanTask.id).where(HumanTask.escalate_to_role == role, HumanTask.escalate_to_unit_id == unit,
                                       HumanTask.state == "ready", HumanTask.escalated_at.is_not(None))  # fmt: skip
            for role, unit in pairs
        ]
    return union_all(*parts) if len(parts) > 1 else parts[0]


# An inbox listing shows at most this many tasks, the soonest due first (the page and the API say how many more).
LIST_LIMIT = 200


def open_tasks(ids: Any, *columns: Any) -> Select[Any]:
    """SELECT `columns` of the ready tasks among `ids` (actionable_task_ids) with their instance, dossier,
    campaign and submitting unit (OrgUnit) joined. A suspended instance's tasks are not actionable (instance
    admin), so they are left out."""
    return (
        select(*columns)
        .select_from(HumanTask)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(Campaign, Dossier.campaign_id == Campaign.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        # The instance's status filters, it does not lead: the official's task ids do (db.not_driving).
        .where(HumanTask.id.in_(ids), HumanTask.state == "ready", not_driving(ProcessInstance.status) == "running")
    )


def inbox(
    session: Session, actor: Actor, limit: int = LIST_LIMIT, filters: InboxFilter | None = None,
    now: datetime | None = None, facets: InboxFacets | None = None,
) -> list[InboxRow]:  # fmt: skip
    """Open tasks the actor may take, plus overdue tasks escalated to one of their roles; due first, or in the order
    `filters.sort` chooses (by unit or campaign with the inbox's `facets`, which name and rank them: _sorted)."""
    ids = actionable_task_ids(actor)
    if ids is None:
        return []
    query = (
        # Columns, not the HumanTask entity: a page of 200 rows is read without making 200 session objects.
        open_tasks(ids, HumanTask.id, HumanTask.bpmn_id, HumanTask.role, HumanTask.org_unit_id, HumanTask.due_at,
                   HumanTask.escalated_at, HumanTask.claimed_by, HumanTask.created_at, ProcessInstance.version_id,
                   Dossier.id, Dossier.title, Campaign.code, OrgUnit.name, OrgUnit.id, User.full_name,
                   ProcessVersion.sha256, *_before(HumanTask.decision), *_before(HumanTask.bpmn_id),
                   *_before(HumanTask.comment), _NOMINEES_ASKING, HumanTask.level, Campaign.id,
                   Campaign.deadlines_json, Campaign.submission_deadline)
        # Who holds each claimed task, and its version's sha256 (its Definition from the cache: the step's name and
        # whether it offers the bulk decision), in the same query.
        .outerjoin(User, User.id == HumanTask.claimed_by)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .limit(limit)
    )  # fmt: skip
    if filters is not None:
        if filters.campaign:
            query = query.where(Campaign.code == filters.campaign)
        if filters.step:
            query = query.where(HumanTask.bpmn_id == filters.step)
        if filters.unit_id:
            query = query.where(Dossier.unit_id == filters.unit_id)
        if (filters.overdue or filters.due_soon) and now is not None:
            wanted = []
            if filters.overdue:
                late = forward_late(session, now)
                wanted += [HumanTask.due_at <= now] + ([late] if late is not None else [])
            if filters.due_soon:
                wanted += due_soon(session, now)
            query = query.where(or_(*wanted))
    found = session.execute(_sorted(session, query, filters.sort if filters is not None else "due", facets)).all()
    definitions = {row[8]: version_definition(session, row[8], row[15]) for row in found}
    # Each row's step, and the step that returned it (in the same version: a return goes back along its process).
    wanted = {(row[8], row[1]) for row in found} | {(row[8], row[17]) for row in found if row[16] == "return"}
    steps = {(version_id, bpmn_id): definitions[version_id].steps.get(bpmn_id) for version_id, bpmn_id in wanted}
    # Each campaign's deadlines parsed once for its rows.
    deadlines = {campaign_id: level_deadlines(text, day) for campaign_id, text, day in {row[21:24] for row in found}}
    return [
        InboxRow(
            task_id=task_id, step=step, step_name=getattr(steps[(version_id, step)], "name", step), role=role,
            org_unit_id=org_unit_id, dossier_id=dossier_id, dossier_title=title, campaign_code=campaign_code,
            submitting_unit=unit_name, due_at=due_at, escalated_at=escalated_at, claimed_by=claimed_by,
            created_at=created_at, escalated_to_me=not actor.holds(role, org_unit_id), submitting_unit_id=unit_id,
            claimed_by_name=holder, bulk=bulk_decides(steps[(version_id, step)]) and actor.holds(role, org_unit_id)
            and claimed_by in (None, actor.user_id),
            returned=ReturnedRow(getattr(steps[(version_id, before_step)], "name", before_step), before_comment)
            if before_decision == "return" else None,
            # A step with a timer works to its due time (due_at), not the next level's deadline (as DossierView).
            **_asking(asking, str(level), deadlines[campaign_id] if due_at is None else {}),
        )
        for (task_id, step, role, org_unit_id, due_at, escalated_at, claimed_by, created_at, version_id, dossier_id,
             title, campaign_code, unit_name, unit_id, holder, _sha256, before_decision, before_step, before_comment,
             asking, level, campaign_id, _deadlines_json, _submission_deadline) in found
    ]  # fmt: skip


def forward_late(session: Session, now: datetime) -> ColumnElement[bool] | None:
    """Open tasks without a timer whose forward-by deadline has passed (InboxRow.forward_by, ForwardBy.passed): at a
    level whose next level's deadline in the dossier's campaign is over, with a nominee still asking for an award
    granted above that level. The overdue filter lists them with the tasks past their due time, as the rows mark
    them, and the campaign dashboard counts them. A condition on a query joining HumanTask and its Dossier."""
    today = local_date(now)
    parts = [forward_by_in(level, [campaign for campaigns in by_day.values() for campaign in campaigns])
             for level, by_day in forward_deadlines(session, lambda day: today > day).items()]  # fmt: skip
    return or_(*parts) if parts else None


def due_soon(session: Session, now: datetime, days: int = SOON_DAYS) -> list[ColumnElement[bool]]:
    """Conditions (any of them) for the open tasks whose deadline is near but not past: a due time within the next
    `days` days, or, for a step without a timer, the deadline for reaching the next level between today and `days`
    days from today in Vietnam (what the worker reminds of: operations.reminders)."""
    return [and_(HumanTask.due_at > now, HumanTask.due_at <= now + timedelta(days=days))] + [
        forward_by_in(level, [campaign for campaigns in by_day.values() for campaign in campaigns])
        for level, by_day in forward_deadlines_within(session, now, days).items()]  # fmt: skip


def forward_deadlines_within(session: Session, now: datetime, days: int) -> dict[str, dict[date, list[int]]]:
    """forward_deadlines from today to `days` days on in Vietnam, both days included: the near ones (the due-soon
    filter, the reminders)."""
    today = local_date(now)
    last = today + timedelta(days=days)
    return forward_deadlines(session, lambda day: today <= day <= last)


def forward_deadlines(session: Session, wanted: Callable[[date], bool]) -> dict[str, dict[date, list[int]]]:
    """The campaigns' forward-by deadlines that are `wanted`, by the level of the tasks working to them: task level →
    deadline (the next level's, receiving_level) → the campaigns setting it. Read in Python (a campaign a year per
    plan: a few rows); forward_by_in makes each into a condition on the tasks."""
    found: dict[str, dict[date, list[int]]] = {}
    for campaign_id, deadlines_json, submission_deadline in session.execute(
        select(Campaign.id, Campaign.deadlines_json, Campaign.submission_deadline).order_by(Campaign.id)
    ):  # fmt: skip
        deadlines = level_deadlines(deadlines_json, submission_deadline)
        for level in LEVELS[:-1]:
            day = deadlines.get(receiving_level(level))
            if day is not None and wanted(day):
                found.setdefault(level, {}).setdefault(day, []).append(campaign_id)
    return found


def forward_by_in(level: str, campaign_ids: list[int]) -> ColumnElement[bool]:
    """Tasks without a timer at `level`, of a dossier in one of these campaigns with a nominee still asking for an
    award granted above that level: those working to the campaign's deadline for the next level (domain.deadlines.
    forward_by, the rule for one row). A condition on a query joining HumanTask and its Dossier."""
    return and_(HumanTask.due_at.is_(None), HumanTask.level == level, Dossier.campaign_id.in_(campaign_ids),
                _going_up(level))


def _going_up(level: str) -> ColumnElement[bool]:
    """The row's dossier has a nominee still asking for an award granted above `level` (correlated to Dossier)."""
    above = LEVELS[LEVELS.index(level) + 1:]
    return (select(Nominee.id).join(AwardForm, AwardForm.id == Nominee.award_form_id)
            .where(Nominee.dossier_id == Dossier.id, Nominee.outcome.is_(None), AwardForm.granting_level.in_(above))
            .correlate(Dossier).exists())  # fmt: skip


def _before(column: Any) -> tuple[Any]:
    """`column` of the task completed last in the same instance before this one opened (as returned_here finds it on
    the task page: its decision "return" means the dossier was sent back here), a subquery per listed row."""
    done = aliased(HumanTask)
    return (
        select(getattr(done, column.key)).where(done.instance_id == HumanTask.instance_id, done.state == "completed",
                                                done.completed_at <= HumanTask.created_at)
        .order_by(done.completed_at.desc(), done.id.desc()).limit(1)
        .correlate(HumanTask).scalar_subquery().label(f"before_{column.key}"),
    )  # fmt: skip


# Each nominee of the dossier still travelling, as "level:award form name" (the campaign's name for it, as
# CampaignConfig.award_name gives it), joined by _ASKING_SEP: how many the row counts and the award forms they ask
# for, read in the row's query (aggregate_strings: group_concat on SQLite, string_agg on PostgreSQL).
_ASKING_SEP = "\x1f"
_NOMINEES_ASKING = (
    select(func.aggregate_strings(
        cast(AwardForm.granting_level, String) + ":" + func.coalesce(func.nullif(CampaignAwardForm.name, ""),
                                                                      AwardForm.name), _ASKING_SEP))
    .select_from(Nominee).join(AwardForm, AwardForm.id == Nominee.award_form_id)
    .outerjoin(CampaignAwardForm, (CampaignAwardForm.award_form_id == Nominee.award_form_id)
               & (CampaignAwardForm.campaign_id == Dossier.campaign_id))
    .where(Nominee.dossier_id == Dossier.id, Nominee.outcome.is_(None))
    .correlate(Dossier).scalar_subquery().label("nominees_asking")
)  # fmt: skip


def _asking(asking: str | None, task_level: str, deadlines: dict[str, date]) -> dict[str, Any]:
    """The nominee count, the award forms asked (each once, the highest level first, then by name) and, where they
    take the dossier above the task's level, the campaign's deadline for reaching the next level."""
    asked = [item.partition(":") for item in asking.split(_ASKING_SEP)] if asking else []
    order = {"province": 0, "district": 1, "ward": 2}
    forms = sorted({(level, name) for level, _, name in asked}, key=lambda f: (order.get(f[0], 3), natural_key(f[1])))
    return {"nominee_count": len(asked), "awards": tuple(award_asked(level, name) for level, name in forms),
            "forward_by": forward_by(task_level, (level for level, _ in forms), deadlines)}


@dataclass(frozen=True)
class InboxFacets:
    """What the whole inbox holds, however long: its count and the choices its filter offers."""

    total: int
    campaigns: list[str]  # codes
    steps: list[tuple[str, str]]  # (bpmn id, label), one per step, by id
    units: list[tuple[int, str]]  # submitting units (id, label), one per unit, by label


def inbox_facets(session: Session, actor: Actor) -> InboxFacets:
    """Count the actor's open tasks (the inbox's rows, all of them: the list shows a page) and gather the
    campaigns, steps and submitting units the filter can narrow to, in one grouped query: no row is loaded."""
    ids = actionable_task_ids(actor)
    if ids is None:
        return InboxFacets(0, [], [], [])
    grouped = (Campaign.code, ProcessInstance.version_id, HumanTask.bpmn_id, OrgUnit.id, OrgUnit.name)
    groups = session.execute(open_tasks(ids, *grouped, func.count()).group_by(*grouped)).all()
    names = step_names(session, [(version_id, bpmn_id) for _, version_id, bpmn_id, *_ in groups])
    # A step keeps its id across versions, and the filter chooses by id: one choice per step, labelled with every
    # name its open tasks' versions give it, the newest version's first.
    by_step: dict[str, dict[int, str]] = {}
    for _, version_id, bpmn_id, *_ in groups:
        by_step.setdefault(bpmn_id, {})[version_id] = names[(version_id, bpmn_id)]
    steps = [(bpmn_id, " / ".join(dict.fromkeys(found[v] for v in sorted(found, reverse=True))))
             for bpmn_id, found in sorted(by_step.items())]  # fmt: skip
    units = unit_labels(session, {unit_id: unit_name for _, _, _, unit_id, unit_name, _ in groups})
    return InboxFacets(
        total=sum(count for *_, count in groups),
        campaigns=sorted({code for code, *_ in groups}),
        steps=steps,
        units=sorted(units.items(), key=lambda unit: (natural_key(unit[1]), unit[0])),
    )


def inbox_total(session: Session, actor: Actor) -> int:
    """How many open tasks the actor's inbox holds (the rows of inbox(), all of them)."""
    ids = actionable_task_ids(actor)
    return 0 if ids is None else int(session.scalar(open_tasks(ids, func.count())) or 0)


def task_labels(session: Session, task_ids: list[int]) -> dict[int, str]:
    """Each task named as an official knows it: its dossier's title and submitting unit ("Đề nghị khen thưởng năm
    2024 — Khu phố 1"), for reports of many decisions at once. One query."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(HumanTask.id, Dossier.title, OrgUnit.name)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(HumanTask.id.in_(task_ids))
    ).all()  # fmt: skip
    return {task_id: f"{title} — {unit}" for task_id, title, unit in rows}
