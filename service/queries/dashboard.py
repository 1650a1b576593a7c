"""Campaign dashboard: dossiers and nominees by status per unit, quota usage, overdue tasks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.dossier_status import shown_status
from ..domain.nominee_standing import SET_APART, nominee_state
from ..domain.quotas import Nominated, RuleCheck, RuleContext, Tally, check_rule
from ..domain.text import natural_key
from ..models import Campaign, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance
from .campaign_config import campaign_config
from .inbox import forward_late
from .quota_usage import counted_decisions
from .step_names import step_names


@dataclass
class UnitRow:
    unit: str
    dossiers: Counter[str] = field(default_factory=Counter)  # by dossier status
    nominees: Counter[str] = field(default_factory=Counter)  # by nominee state (nominee_standing.nominee_state)

    @property
    def proposed(self) -> int:
        """Dossiers submitted and neither withdrawn nor cancelled (a draft is not yet a proposal)."""
        return proposed(self.dossiers)


@dataclass
class Dashboard:
    campaign: Campaign
    units: list[UnitRow]
    totals: Counter[str]
    nominee_totals: Counter[str]
    quotas: list[RuleCheck]
    overdue: list[tuple[str, str, int]]  # (org unit, step, count)


def proposed(counts: Counter[str]) -> int:
    """The count of dossiers (by status) or nominees (by state) that are proposals: all but the set-apart ones
    (drafts, withdrawn, cancelled)."""
    return sum(count for key, count in counts.items() if key not in SET_APART)


def campaign_dashboard(session: Session, campaign: Campaign, now: datetime) -> Dashboard:
    rows: dict[str, UnitRow] = {}
    totals: Counter[str] = Counter()
    nominee_totals: Counter[str] = Counter()
    dossiers = []
    for dossier, unit in session.execute(
        select(Dossier, OrgUnit).join(OrgUnit, Dossier.unit_id == OrgUnit.id).where(Dossier.campaign_id == campaign.id)
    ):  # fmt: skip
        rows.setdefault(unit.name, UnitRow(unit.name))
        dossiers.append((dossier.id, str(dossier.status), unit.name))
    outcomes: defaultdict[int, list[str | None]] = defaultdict(list)
    for dossier_id, outcome, outcome_level, status, unit_name in session.execute(
        select(Nominee.dossier_id, Nominee.outcome, Nominee.outcome_level, Dossier.status, OrgUnit.name)
        .join(Dossier, Nominee.dossier_id == Dossier.id).join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(Dossier.campaign_id == campaign.id)
    ):  # fmt: skip
        # Undecided nominees stand as their dossier does: a draft's are being prepared, a withdrawn one's withdrawn.
        state = nominee_state(outcome, outcome_level, str(status))
        rows[unit_name].nominees[state] += 1
        nominee_totals[state] += 1
        outcomes[dossier_id].append(outcome)
    for dossier_id, status, unit_name in dossiers:  # as each is shown: granted in part when its nominees differ
        shown = shown_status(status, outcomes[dossier_id])
        rows[unit_name].dossiers[shown] += 1
        totals[shown] += 1
    # Units by name, numbers in names by value ("Khu phố 2" before "Khu phố 10"), whatever the database's collation.
    return Dashboard(campaign, sorted(rows.values(), key=lambda r: natural_key(r.unit)), totals, nominee_totals,
                     _quota_usage(session, campaign), _overdue(session, campaign, now))  # fmt: skip


def _overdue(session: Session, campaign: Campaign, now: datetime) -> list[tuple[str, str, int]]:
    """Overdue open tasks counted by org unit and step name: by version and bpmn id in SQL (names are not
    stored), then groups of equal names merged, so a step's line counts its tasks of every version. Overdue: past
    its due time, or, for a step without a timer, past the deadline for reaching the next level (inbox.forward_late)."""
    late = forward_late(session, now)
    counted = session.execute(
        select(OrgUnit.name, ProcessInstance.version_id, HumanTask.bpmn_id, func.count())
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(Dossier, ProcessInstance.dossier_id == Dossier.id)
        .join(OrgUnit, HumanTask.org_unit_id == OrgUnit.id)
        .where(Dossier.campaign_id == campaign.id, HumanTask.state == "ready",
               HumanTask.due_at <= now if late is None else or_(HumanTask.due_at <= now, late))
        .group_by(OrgUnit.name, ProcessInstance.version_id, HumanTask.bpmn_id)
    ).all()  # fmt: skip
    names = step_names(session, [(version, step) for _, version, step, _ in counted])
    by_name: Counter[tuple[str, str]] = Counter()
    for unit, version, step, count in counted:
        by_name[(unit, names[(version, step)])] += int(count)
    return [(unit, name, count) for (unit, name), count in
            sorted(by_name.items(), key=lambda item: (natural_key(item[0][0]), item[0][1]))]  # fmt: skip


def _quota_usage(session: Session, campaign: Campaign) -> list[RuleCheck]:
    """Campaign-wide usage of count and forward rules at their level (per-unit rules are checked per dossier): each
    nominee once per level, by the chairman's latest decision there that still stands (quota_usage.counted_decisions)."""
    decided: dict[str, list[Nominated]] = defaultdict(list)
    for counted in counted_decisions(session, campaign.id, "chairman", ("approve", "granted")):
        decided[f"{counted.level}:{counted.result}"].append(Nominated(counted.kind, counted.award_form))
    issuer = session.get(OrgUnit, campaign.issuing_unit_id)
    checks = []
    for rule in campaign_config(session, campaign).rules:
        level = rule.params.get("level", str(issuer.level) if issuer else "ward")
        if rule.type == "count_range":
            tally = Tally(tuple(decided[f"{level}:granted"] + decided[f"{level}:approve"]))
        elif rule.type == "forward_cap":
            tally = Tally(tuple(decided[f"{level}:approve"]))
        else:
            continue
        check = check_rule(rule, tally, Tally(), RuleContext())
        if check is not None:
            checks.append(check)
    return checks
