"""Batches above the unit: a level's open tasks of one campaign and step, grouped by the ward they come from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..models import AwardForm, Campaign, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance
from .inbox import actionable_task_ids
from .step_names import step_names


@dataclass
class BatchItem:
    task: HumanTask
    dossier: Dossier
    unit: OrgUnit
    nominees: list[tuple[Nominee, AwardForm]]


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


def _ward_of(session: Session, unit_id: int, cache: dict[int, OrgUnit | None]) -> OrgUnit | None:
    if unit_id not in cache:
        unit = session.get(OrgUnit, unit_id)
        cache[unit_id] = unit.ancestor_at("ward") if unit is not None else None
    return cache[unit_id]


def batches(session: Session, actor: Actor) -> list[Batch]:
    """Every group of two or more open tasks the actor may take that share campaign, step, unit and source ward."""
    pairs = sorted(actor.roles)
    if not pairs:
        return []
    rows = session.execute(
        select(HumanTask, ProcessInstance.version_id, Dossier, Campaign, OrgUnit)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(Campaign, Dossier.campaign_id == Campaign.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(HumanTask.id.in_(actionable_task_ids(actor, escalations=False)))  # indexed per (role, unit)
        .where(HumanTask.state == "ready", HumanTask.level != "unit")
        .where(ProcessInstance.status == "running")  # suspended instances' tasks are not actionable (instance admin)
        .order_by(HumanTask.due_at, HumanTask.id)
    ).all()  # fmt: skip
    rows = [row for row in rows if actor.holds(row[0].role, row[0].org_unit_id)]
    names = step_names(session, [(version_id, task.bpmn_id) for task, version_id, *_ in rows])
    cache: dict[int, OrgUnit | None] = {}
    groups: dict[tuple[int, str, int, int | None], Batch] = {}
    for task, version_id, dossier, campaign, unit in rows:
        source = _ward_of(session, unit.id, cache) if task.level != "ward" else None
        key = (campaign.id, task.bpmn_id, task.org_unit_id, source.id if source else None)
        name = names[(version_id, task.bpmn_id)]
        batch = groups.setdefault(key, Batch(campaign, task.bpmn_id, name, task.org_unit_id, source))
        batch.items.append(BatchItem(task, dossier, unit, []))
    found = [b for b in groups.values() if len(b.items) >= 2]
    _attach_nominees(session, found)
    return found


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
        for item in batch.items:
            item.nominees = by_dossier[item.dossier.id]


def find_batch(session: Session, actor: Actor, campaign_id: int, step: str, org_unit_id: int, source_id: int | None) -> Batch | None:
    for batch in batches(session, actor):
        source = batch.source.id if batch.source else None
        if (batch.campaign.id, batch.step, batch.org_unit_id, source) == (campaign_id, step, org_unit_id, source_id):
            return batch
    return None
