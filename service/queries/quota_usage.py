"""Quota usage for a decision: what is already decided in the campaign at this unit, and what this adds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.awards import level_rank
from ..domain.campaign_file import RuleSpec
from ..domain.dossier_status import FIRST_STEP
from ..domain.quotas import Nominated, RuleCheck, RuleContext, Tally, check_rule
from ..models import AwardForm, Campaign, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance, Registration
from .campaign_config import campaign_config

SUBMITTED = ("in_review", "returned", "granted")


def binding_point(task: HumanTask, decision: str | None) -> str | None:
    """Which kind of rules a decision binds: submission, council or chairman (None when none)."""
    if task.bpmn_id == FIRST_STEP and decision in (None, "submit"):
        return "submission"
    if decision not in (None, "approve"):
        return None
    return {"council_secretary": "council", "chairman": "chairman"}.get(task.role)


def _nominees(session: Session, dossier_ids: object) -> Tally:
    rows = session.execute(
        select(Nominee.kind, AwardForm.code).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .where(Nominee.dossier_id.in_(dossier_ids))  # type: ignore[arg-type]
    ).all()  # fmt: skip
    return Tally(tuple(Nominated(str(kind), code) for kind, code in rows))


def _approved_here(session: Session, task: HumanTask, campaign_id: int, dossier_id: int, forwarded: bool | None):
    """Dossiers of the campaign (this one excepted) approved at the same step kind by the same org unit."""
    query = (
        select(ProcessInstance.dossier_id)
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
        .where(HumanTask.role == task.role, HumanTask.level == task.level, HumanTask.org_unit_id == task.org_unit_id,
               HumanTask.decision == "approve", Dossier.campaign_id == campaign_id, Dossier.id != dossier_id,
               Dossier.status.not_in(("rejected", "withdrawn", "cancelled")))
        .distinct()
    )  # fmt: skip
    if forwarded is not None:
        above = [lvl for lvl in ("ward", "district", "province") if level_rank(lvl) > level_rank(str(task.level))]
        query = query.where(Dossier.target_level.in_(above) if forwarded else Dossier.target_level.not_in(above))
    return query


def quota_checks(session: Session, task: HumanTask, dossier: Dossier, decision: str | None = None) -> list[RuleCheck]:
    """used/allowed of every quota rule this decision binds (empty when none binds)."""
    point = binding_point(task, decision)
    campaign = session.get(Campaign, dossier.campaign_id)
    if point is None or campaign is None:
        return []
    config = campaign_config(session, campaign)
    issuer_level = str(session.get(OrgUnit, campaign.issuing_unit_id).level)  # type: ignore[union-attr]
    adding = _nominees(session, [dossier.id])
    checks = []
    for rule in config.rules:
        if rule.params.get("binds_at", "chairman") != point or not _at_level(rule, task, point, issuer_level):
            continue
        decided, context = _decided(session, rule, task, dossier, point)
        if rule.type == "forward_cap" and level_rank(str(dossier.target_level)) <= level_rank(str(task.level)):
            continue  # this approval grants here; it sends nothing up
        check = check_rule(rule, decided, adding, context)
        if check is not None:
            checks.append(check)
    return checks


def _at_level(rule: RuleSpec, task: HumanTask, point: str, issuer_level: str) -> bool:
    return point == "submission" or str(task.level) == rule.params.get("level", issuer_level)


def _decided(session: Session, rule: RuleSpec, task: HumanTask, dossier: Dossier, point: str) -> tuple[Tally, RuleContext]:
    if point == "submission":
        others = select(Dossier.id).where(Dossier.campaign_id == dossier.campaign_id, Dossier.unit_id == dossier.unit_id,
                                          Dossier.id != dossier.id, Dossier.status.in_(SUBMITTED))  # fmt: skip
        unit = session.get(OrgUnit, dossier.unit_id)
        return _nominees(session, others), RuleContext(staff_count=unit.staff_count if unit else 0)
    forwarded = True if rule.type == "forward_cap" else None
    decided = _nominees(session, _approved_here(session, task, dossier.campaign_id, dossier.id, forwarded))
    registered = session.scalar(
        select(func.count()).select_from(Registration).where(Registration.campaign_id == dossier.campaign_id)
    )
    return decided, RuleContext(registered_units=int(registered or 0))
