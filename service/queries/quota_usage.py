"""Quota usage for a decision: what is already decided in the campaign at this unit, and what this adds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.campaign_config import CampaignConfig
from ..domain.campaign_file import RuleSpec
from ..domain.dossier_status import FIRST_STEP
from ..domain.nominee_standing import counts_at_level
from ..domain.quotas import Nominated, RuleCheck, RuleContext, Tally, check_rule
from ..models import AwardForm, Campaign, Dossier, HumanTask, IndexResult, Nominee, NomineeDecision, OrgUnit, Registration
from .campaign_config import campaign_config

# Dossiers submitted and not withdrawn or cancelled: their nominees were proposed (one that ended refused may still
# hold a nominee the ward granted).
SUBMITTED = ("in_review", "returned", "granted", "rejected")


def binding_point(task: HumanTask, decision: str | None) -> str | None:
    """Which kind of rules a decision binds: submission, council or chairman (None when none)."""
    if task.bpmn_id == FIRST_STEP and decision in (None, "submit"):
        return "submission"
    if decision not in (None, "approve"):
        return None
    return {"council_secretary": "council", "chairman": "chairman"}.get(task.role)


def rules_binding_at(config: CampaignConfig, point: str) -> list[RuleSpec]:
    """The campaign's quota rules a decision at this binding point must keep (whatever the level)."""
    return [rule for rule in config.rules if rule.params.get("binds_at", "chairman") == point]


@dataclass(frozen=True)
class Staying:
    """A nominee this decision approves: its subject type, award form and whether it is granted right here."""

    kind: str
    award_form: str
    granted_here: bool


def staying_by_default(session: Session, task: HumanTask, dossier: Dossier) -> list[Staying]:
    """Every travelling nominee of the dossier, as if the decision approved them all."""
    rows = session.execute(
        select(Nominee.kind, AwardForm.code, AwardForm.granting_level).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .where(Nominee.dossier_id == dossier.id, Nominee.outcome.is_(None))
    ).all()  # fmt: skip
    return [Staying(str(k), code, task.role == "chairman" and str(level) == str(task.level)) for k, code, level in rows]


def _submitted_nominees(session: Session, dossier: Dossier) -> Tally:
    rows = session.execute(
        select(Nominee.kind, AwardForm.code).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id)
        .where(Dossier.campaign_id == dossier.campaign_id, Dossier.unit_id == dossier.unit_id, Dossier.id != dossier.id,
               Dossier.status.in_(SUBMITTED), Nominee.outcome.is_distinct_from("rejected"))
    ).all()  # fmt: skip
    return Tally(tuple(Nominated(str(kind), code) for kind, code in rows))


def _decided_here(session: Session, task: HumanTask, dossier: Dossier, results: tuple[str, ...]) -> Tally:
    """Nominees of the campaign's other dossiers standing as decided with `results` at this kind of step by this org
    unit: each once, by its latest decision there (a chairman approving again after a return adds nobody)."""
    counted = counted_decisions(session, dossier.campaign_id, str(task.role), results, level=str(task.level),
                                org_unit_id=task.org_unit_id, other_than=dossier.id)  # fmt: skip
    return Tally(tuple(Nominated(c.kind, c.award_form) for c in counted))


@dataclass(frozen=True)
class Counted:
    """A nominee counted at a level: its latest decision there (by the step's role) and what the nominee is."""

    nominee_id: int
    kind: str
    award_form: str
    level: str
    result: str  # approve (forwarded) | granted


def counted_decisions(
    session: Session, campaign_id: int, role: str, results: tuple[str, ...], *, level: str | None = None,
    org_unit_id: int | None = None, other_than: int | None = None,
) -> list[Counted]:  # fmt: skip
    """Each nominee of the campaign once per level where its latest decision by `role` is one of `results` and still
    stands (nominee_standing.counts_at_level: not refused at that level since, its dossier not withdrawn or
    cancelled); only at `level`, by the steps of `org_unit_id`, outside dossier `other_than` when given. One query:
    the latest decision per nominee and level is picked in SQL (the highest id), so however often a step decided
    again after a return, its nominees come once."""
    latest = (
        select(NomineeDecision.nominee_id.label("nominee_id"), HumanTask.level.label("level"),
               func.max(NomineeDecision.id).label("decision_id"))
        .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
        .join(Nominee, NomineeDecision.nominee_id == Nominee.id).join(Dossier, Nominee.dossier_id == Dossier.id)
        .where(Dossier.campaign_id == campaign_id, HumanTask.role == role)
        .group_by(NomineeDecision.nominee_id, HumanTask.level)
    )  # fmt: skip
    if level is not None:
        latest = latest.where(HumanTask.level == level)
    if org_unit_id is not None:
        latest = latest.where(HumanTask.org_unit_id == org_unit_id)
    last = latest.subquery()
    query = (
        select(Nominee.id, Nominee.kind, AwardForm.code, last.c.level, NomineeDecision.result, Nominee.outcome,
               Nominee.outcome_level, Dossier.status)
        .select_from(last).join(NomineeDecision, NomineeDecision.id == last.c.decision_id)
        .join(Nominee, Nominee.id == last.c.nominee_id).join(Dossier, Nominee.dossier_id == Dossier.id)
        .join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .where(NomineeDecision.result.in_(results))
    )  # fmt: skip
    if other_than is not None:
        query = query.where(Dossier.id != other_than)
    return [Counted(nid, str(kind), code, str(at), str(result))
            for nid, kind, code, at, result, outcome, outcome_level, status in session.execute(query)
            if counts_at_level(str(at), str(result), results, outcome, outcome_level, str(status))]  # fmt: skip


def quota_checks(
    session: Session, task: HumanTask, dossier: Dossier, decision: str | None = None,
    staying: list[Staying] | None = None, config: CampaignConfig | None = None,
) -> list[RuleCheck]:  # fmt: skip
    """used/allowed of every quota rule this decision binds (empty when none binds)."""
    point = binding_point(task, decision)
    campaign = session.get(Campaign, dossier.campaign_id)
    if point is None or campaign is None:
        return []
    config = config or campaign_config(session, campaign)
    if not rules_binding_at(config, point):
        return []  # nothing to count: no query
    issuer_level = str(session.get(OrgUnit, campaign.issuing_unit_id).level)  # type: ignore[union-attr]
    staying = staying if staying is not None else staying_by_default(session, task, dossier)
    checks = []
    for rule in rules_binding_at(config, point):
        if not _at_level(rule, task, point, issuer_level):
            continue
        onward_only = rule.type == "forward_cap"
        adding = Tally(tuple(Nominated(s.kind, s.award_form) for s in staying if not (onward_only and s.granted_here)))
        if onward_only and not adding.items:
            continue  # this approval grants here; it sends nothing up
        if point == "submission":
            unit = session.get(OrgUnit, dossier.unit_id)
            ranks = {r.index_code: r.rank for r in session.scalars(
                select(IndexResult).where(IndexResult.org_unit_id == dossier.unit_id, IndexResult.year == campaign.year,
                                          IndexResult.rank.is_not(None)))}  # fmt: skip
            context = RuleContext(staff_count=unit.staff_count if unit else 0, unit_index_ranks=ranks)
            decided = _submitted_nominees(session, dossier)
        else:
            results = ("approve",) if onward_only else ("approve", "granted")
            registered = session.scalar(
                select(func.count()).select_from(Registration).where(Registration.campaign_id == dossier.campaign_id)
            )
            proposed = session.scalar(
                select(func.count()).select_from(Nominee).join(Dossier, Nominee.dossier_id == Dossier.id)
                .where(Dossier.campaign_id == dossier.campaign_id, Dossier.status.in_(SUBMITTED))
            )  # fmt: skip
            context = RuleContext(registered_units=int(registered or 0), nominees_proposed=int(proposed or 0))
            decided = _decided_here(session, task, dossier, results)
        check = check_rule(rule, decided, adding, context)
        if check is not None:
            checks.append(check)
    return checks


def _at_level(rule: RuleSpec, task: HumanTask, point: str, issuer_level: str) -> bool:
    return point == "submission" or str(task.level) == rule.params.get("level", issuer_level)
