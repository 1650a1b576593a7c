"""Batches above the unit: a level's open tasks of one campaign and step, grouped by the ward they come from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, String, cast, func, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.campaign_config import NamedAward
from ..domain.deadlines import ForwardBy, forward_by, level_deadlines
from ..models import AwardForm, Campaign, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance, ProcessVersion, User
from ..operations.definitions import version_definition
from .campaign_config import campaign_config, named_award
from .inbox import actionable_task_ids, open_tasks
from .step_names import step_names
from .task_view import ReturnedHere


@dataclass
class BatchItem:
    task: HumanTask
    dossier: Dossier
    unit: OrgUnit
    nominees: list[tuple[Nominee, NamedAward]]  # each award form under the campaign's name for it
    version_id: int = 0  # the instance's process version: what its step offers
    # Back here by a return ("Trả lại Hội đồng"): who, when, why (find_batch reads it; not ticked by default).
    returned: ReturnedHere | None = None
    # The step's return decision as its form names it ("Trả lại bổ sung"), where the step offers one (find_batch).
    return_label: str | None = None
    approve_label: str | None = None  # the step's approval as its form names it ("Đạt")


@dataclass
class Batch:
    campaign: Campaign
    step: str
    step_name: str
    org_unit_id: int
    source: OrgUnit | None  # the ward the dossiers come from (for district and province batches)
    items: list[BatchItem] = field(default_factory=list)

    @property
    def nominee_count(self) -> int:
        return sum(len(i.nominees) for i in self.items)

    @property
    def forward_by(self) -> ForwardBy | None:
        """The campaign's deadline for reaching the next level, where any of its dossiers still goes up (they share
        the step's level, so the next level and its deadline are the same for all of them)."""
        if not self.items:
            return None
        levels = {award.granting_level for item in self.items for _, award in item.nominees}
        deadlines = level_deadlines(self.campaign.deadlines_json, self.campaign.submission_deadline)
        return forward_by(str(self.items[0].task.level), levels, deadlines)


def _ward_of(session: Session, unit_id: int, cache: dict[int, OrgUnit | None]) -> OrgUnit | None:
    if unit_id not in cache:
        unit = session.get(OrgUnit, unit_id)
        cache[unit_id] = unit.ancestor_at("ward") if unit is not None else None
    return cache[unit_id]


@dataclass(frozen=True)
class BatchSummary:
    """A batch as the inbox lists it: what it is and how large, without its rows."""

    campaign_id: int
    campaign_code: str
    step: str
    step_name: str
    org_unit_id: int
    source: OrgUnit | None
    dossiers: int
    nominee_count: int
    forward_by: ForwardBy | None = None  # as Batch.forward_by: where any of its dossiers still goes up


# A dossier's nominees still to be decided (as _attach_nominees lists them), counted where its row is read.
_OPEN_NOMINEES = (
    select(func.count()).select_from(Nominee)
    .where(Nominee.dossier_id == Dossier.id, Nominee.outcome.is_(None))
    .correlate(Dossier).scalar_subquery()
)  # fmt: skip
# The granting levels those nominees ask for, each once, joined by commas (a dossier asks for one to three).
_OPEN_LEVELS = (
    select(func.aggregate_strings(cast(AwardForm.granting_level, String), ","))
    .select_from(Nominee).join(AwardForm, AwardForm.id == Nominee.award_form_id)
    .where(Nominee.dossier_id == Dossier.id, Nominee.outcome.is_(None))
    .correlate(Dossier).scalar_subquery()
)  # fmt: skip


def _open_batch_rows(session: Session, actor: Actor, *columns: Any, where: tuple[Any, ...] = ()) -> list[Row[Any]]:
    """`columns` of the open tasks above the unit level the actor may take themselves (escalated ones are
    not theirs to decide), with their instance, dossier, campaign and submitting unit joined; due first. `where`
    narrows them (find_batch: one campaign, step and deciding unit)."""
    ids = actionable_task_ids(actor, escalations=False)  # indexed per (role, unit)
    query = open_tasks(ids, *columns).where(HumanTask.level != "unit", *where).order_by(HumanTask.due_at, HumanTask.id)
    return list(session.execute(query).all())


def _batch_key(
    session: Session, cache: dict[int, OrgUnit | None], campaign_id: int, step: str, org_unit_id: int, level: str,
    submitting_unit_id: int,
) -> tuple[tuple[int, str, int, int | None], OrgUnit | None]:  # fmt: skip
    """What groups a task into a batch: campaign, step, the unit deciding, and (above the ward) the ward the
    dossier comes from."""
    source = _ward_of(session, submitting_unit_id, cache) if level != "ward" else None
    return (campaign_id, step, org_unit_id, source.id if source else None), source


def batches(session: Session, actor: Actor, minimum: int = 1, where: tuple[Any, ...] = ()) -> list[Batch]:
    """Every group of open tasks the actor may take that share campaign, step, unit and source ward. A batch is
    one while any of its tasks is open, a single one too (what is left of it after the others were decided must
    stay reachable, and listed, until it is decided); `minimum` keeps only the larger ones; `where` reads only the
    tasks it selects (find_batch)."""
    if not actor.roles:
        return []
    rows = _open_batch_rows(session, actor, HumanTask, ProcessInstance.version_id, Dossier, Campaign, OrgUnit,
                            where=where)  # fmt: skip
    rows = [row for row in rows if actor.holds(row[0].role, row[0].org_unit_id)]
    names = step_names(session, [(version_id, task.bpmn_id) for task, version_id, *_ in rows])
    cache: dict[int, OrgUnit | None] = {}
    groups: dict[tuple[int, str, int, int | None], Batch] = {}
    for task, version_id, dossier, campaign, unit in rows:
        key, source = _batch_key(session, cache, campaign.id, task.bpmn_id, task.org_unit_id, str(task.level), unit.id)
        name = names[(version_id, task.bpmn_id)]
        batch = groups.setdefault(key, Batch(campaign, task.bpmn_id, name, task.org_unit_id, source))
        batch.items.append(BatchItem(task, dossier, unit, [], version_id))
    found = [b for b in groups.values() if len(b.items) >= minimum]
    _attach_nominees(session, found)
    return found


def batch_summaries(session: Session, actor: Actor) -> list[BatchSummary]:
    """The batches of `batches` (same groups, same order) with their sizes only: for the inbox page, which
    lists them for a user whose inbox can hold hundreds of tasks. Reads plain columns and counts, no objects
    but the source wards."""
    if not actor.roles:
        return []
    rows = _open_batch_rows(
        session, actor, HumanTask.role, HumanTask.org_unit_id, HumanTask.level, HumanTask.bpmn_id,
        ProcessInstance.version_id, Campaign.id, Campaign.code, Dossier.unit_id, _OPEN_NOMINEES, _OPEN_LEVELS,
        Campaign.deadlines_json, Campaign.submission_deadline,
    )  # fmt: skip
    rows = [row for row in rows if actor.holds(row[0], row[1])]
    cache: dict[int, OrgUnit | None] = {}
    groups: dict[tuple[int, str, int, int | None], tuple[Any, OrgUnit | None, list[int], set[str]]] = {}
    deadlines: dict[int, dict[str, date]] = {}
    for (_role, org_unit_id, level, step, version_id, campaign_id, campaign_code, unit_id, nominees, asked,
         deadlines_json, submission_deadline) in rows:  # fmt: skip
        key, source = _batch_key(session, cache, campaign_id, step, org_unit_id, str(level), unit_id)
        group = groups.setdefault(key, ((version_id, step, campaign_code, str(level)), source, [], set()))
        group[2].append(nominees)
        group[3].update((asked or "").split(","))
        if campaign_id not in deadlines:  # parsed once per campaign
            deadlines[campaign_id] = level_deadlines(deadlines_json, submission_deadline)
    found = list(groups.items())  # a batch of one is still a batch (`batches`)
    names = step_names(session, [(version_id, step) for _, ((version_id, step, _, _), _, _, _) in found])
    return [
        BatchSummary(campaign_id=campaign_id, campaign_code=campaign_code, step=step, step_name=names[(version_id, step)],
                     org_unit_id=org_unit_id, source=source, dossiers=len(per_dossier), nominee_count=sum(per_dossier),
                     forward_by=forward_by(level, levels, deadlines[campaign_id]))
        for (campaign_id, _, org_unit_id, _), ((version_id, step, campaign_code, level), source, per_dossier, levels)
        in found
    ]  # fmt: skip


def _attach_nominees(session: Session, found: list[Batch]) -> None:
    by_dossier: dict[int, list[tuple[Nominee, AwardForm]]] = defaultdict(list)
    ids = [i.dossier.id for b in found for i in b.items]
    if ids:
        for nominee, form in session.execute(
            select(Nominee, AwardForm).join(AwardForm, Nominee.award_form_id == AwardForm.id)
            .where(Nominee.dossier_id.in_(ids), Nominee.outcome.is_(None)).order_by(Nominee.id)
        ):  # fmt: skip
            by_dossier[nominee.dossier_id].append((nominee, form))
    for batch in found:
        config = campaign_config(session, batch.campaign)
        for item in batch.items:
            item.nominees = [(nominee, named_award(config, form)) for nominee, form in by_dossier[item.dossier.id]]


def find_batch(session: Session, actor: Actor, campaign_id: int, step: str, org_unit_id: int, source_id: int | None,
               minimum: int = 1) -> Batch | None:  # fmt: skip
    """The batch so keyed, while any of its tasks is open (also what is left of one after its other dossiers were
    decided), each dossier with what its step offers and whether a return brought it back; None when none is.
    Only its campaign's tasks at its step and deciding unit are read (the source ward is found per dossier)."""
    narrowed = (Campaign.id == campaign_id, HumanTask.bpmn_id == step, HumanTask.org_unit_id == org_unit_id)
    for batch in batches(session, actor, minimum, where=narrowed):
        source = batch.source.id if batch.source else None
        if (batch.campaign.id, batch.step, batch.org_unit_id, source) == (campaign_id, step, org_unit_id, source_id):
            _attach_choices(session, batch)
            _attach_returns(session, batch)
            return batch
    return None


def _attach_choices(session: Session, batch: Batch) -> None:
    """Each dossier's approval and return as its step's form names them (the BPMN's decisions of its version): a
    return is offered in the batch only where the step offers one."""
    versions = {i.version_id for i in batch.items}
    found = session.execute(select(ProcessVersion.id, ProcessVersion.sha256).where(ProcessVersion.id.in_(versions)))
    definitions = {version_id: version_definition(session, version_id, sha256) for version_id, sha256 in found}
    for item in batch.items:
        definition = definitions.get(item.version_id)
        step = definition.steps.get(str(item.task.bpmn_id)) if definition is not None else None
        labels = {d.value: d.label for d in step.decisions} if step is not None else {}
        item.return_label, item.approve_label = labels.get("return"), labels.get("approve")


def _attach_returns(session: Session, batch: Batch) -> None:
    """For each dossier a return brought back to this step (the last decision before its task opened was "return",
    as task_view.returned_here reads it off a dossier's view), what that return said: one query for the batch."""
    instances = {i.task.instance_id for i in batch.items}
    if not instances:
        return
    done: dict[int, list[tuple[HumanTask, str | None]]] = defaultdict(list)
    for task, full_name in session.execute(
        select(HumanTask, User.full_name).outerjoin(User, HumanTask.completed_by == User.id)
        .where(HumanTask.instance_id.in_(instances), HumanTask.state == "completed")
        .order_by(HumanTask.completed_at, HumanTask.id)
    ):  # fmt: skip
        done[task.instance_id].append((task, full_name))
    returns = {}
    for item in batch.items:
        created = item.task.created_at
        before = [(t, name) for t, name in done[item.task.instance_id]
                  if t.completed_at is not None and (created is None or t.completed_at <= created)]  # fmt: skip
        if before and before[-1][0].decision == "return":
            returns[item.task.id] = before[-1]
    names = step_names(session, [(i.version_id, returns[i.task.id][0].bpmn_id) for i in batch.items
                                 if i.task.id in returns])  # fmt: skip
    for item in batch.items:
        if item.task.id in returns:
            by, name = returns[item.task.id], names[(item.version_id, returns[item.task.id][0].bpmn_id)]
            item.returned = ReturnedHere(name, by[0].comment, by[1], by[0].completed_at)
