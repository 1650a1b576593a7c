"""Decide nominee by nominee at council and chairman steps, and record each nominee's outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .. import direct_sql
from ..domain.actors import Actor
from ..domain.nominee_outcomes import CouncilCount, NomineeResult, NomineeState, StepOutcome, decide_step
from ..models import AwardForm, Dossier, HumanTask, Nominee, NomineeDecision
from ..queries.quota_usage import Staying
from .rows import insert_rows, update_by_id

STEP_KINDS = {"council_secretary": "council", "chairman": "chairman"}


# One read per step: each nominee's state, kind and award form.
_NOMINEES = (
    select(Nominee.id, Nominee.full_name, Nominee.outcome, Nominee.kind, AwardForm.code, AwardForm.granting_level)
    .join(AwardForm, Nominee.award_form_id == AwardForm.id)
    .where(Nominee.dossier_id == bindparam("dossier_id"))
    .order_by(Nominee.id)
)


def nominee_states(session: Session, dossier_id: int) -> list[NomineeState]:
    return [NomineeState(r.id, r.full_name, str(r.granting_level), r.outcome is None) for r in _nominee_rows(session, dossier_id)]


def _nominee_rows(session: Session, dossier_id: int) -> list[Any]:
    # Read at every council and chairman step, twice on SQLite (the step computed ahead, then written): straight
    # on the driver (direct_sql), rows with the same names as session.execute's.
    return direct_sql.execute(session, _NOMINEES, {"dossier_id": dossier_id}).all()


def plan_step(
    session: Session, task: HumanTask, dossier: Dossier, decision: str | None, comment: str | None,
    given: Mapping[int, NomineeResult] | None, council: CouncilCount | None, settings: Mapping[str, int],
) -> tuple[StepOutcome | None, list[Staying] | None]:  # fmt: skip
    """What this decision means per nominee (None when the step decides nothing per nominee)."""
    kind = STEP_KINDS.get(task.role, "review")
    if kind == "review" and decision != "reject":
        return None, None
    rows = _nominee_rows(session, dossier.id)
    states = [NomineeState(r.id, r.full_name, str(r.granting_level), r.outcome is None) for r in rows]
    names = {r.id: r.full_name for r in rows}
    if kind == "review":  # a reviewer's rejection ends the dossier for every travelling nominee
        results = {n.id: NomineeResult(False, comment) for n in states if n.travelling}
        return StepOutcome(results, (), str(task.level), "reject", names), None
    outcome = decide_step(kind, str(task.level), decision, states, given, council, settings, comment)
    if outcome is None:
        return None, None
    outcome = replace(outcome, names=names)
    by_id = {r.id: r for r in rows}
    staying = [Staying(str(by_id[nid].kind), by_id[nid].code, nid in outcome.granted_here)
               for nid, result in outcome.results.items() if result.approve]  # fmt: skip
    return outcome, staying


def step_for_audit(outcome: StepOutcome, council: CouncilCount | None) -> dict[str, Any]:
    """What a council's or chairman's step decided nominee by nominee, for its task.complete event: the trail, which
    nobody can rewrite unseen, then holds who was granted or refused, why and with what votes, not only the
    NomineeDecision rows (queries.decision_trail checks the rows against it).

    Kept small (every completion's event is stored for good): "approved" counts the nominees simply passed on (no
    votes, no reason), "nominees" lists the others, each {"id", "result", and "reason", "votes_for",
    "votes_against" where given; "name" for a refusal, as the name stood}, and "council" the meeting's count
    where counted. Results read as record_step stores them."""
    listed: list[dict[str, Any]] = []
    approved = 0
    for nominee_id, result in sorted(outcome.results.items()):
        granted = nominee_id in outcome.granted_here
        verdict = "granted" if granted else ("approve" if result.approve else "reject")
        if verdict == "approve" and result.reason is None and result.votes_for is None and result.votes_against is None:
            approved += 1
            continue
        entry: dict[str, Any] = {"id": nominee_id, "result": verdict}
        if verdict == "reject" and nominee_id in outcome.names:
            entry["name"] = outcome.names[nominee_id]
        for key, value in (("reason", result.reason), ("votes_for", result.votes_for),
                           ("votes_against", result.votes_against)):  # fmt: skip
            if value is not None:
                entry[key] = value
        listed.append(entry)
    step: dict[str, Any] = {}
    if approved or not listed:
        step["approved"] = approved
    if listed:
        step["nominees"] = listed
    if council is not None:
        step["council"] = {"size": council.council_size, "present": council.present}
    return step


def record_step(
    session: Session, actor: Actor, task: HumanTask, outcome: StepOutcome, council: CouncilCount | None,
    now: datetime,
) -> None:  # fmt: skip
    """Write one NomineeDecision per nominee and settle final outcomes (granted here, or rejected)."""
    decisions = []
    for nominee_id, result in outcome.results.items():
        granted = nominee_id in outcome.granted_here
        decisions.append({
            "nominee_id": nominee_id, "human_task_id": task.id,
            "result": "granted" if granted else ("approve" if result.approve else "reject"), "reason": result.reason,
            "votes_for": result.votes_for, "votes_against": result.votes_against,
            "members_present": council.present if council else None,
            "council_size": council.council_size if council else None,
            "decided_by": actor.user_id, "decided_at": now,
        })  # fmt: skip
        if granted or not result.approve:
            update_by_id(session, Nominee, nominee_id,
                         {"outcome": "granted" if granted else "rejected", "outcome_level": str(task.level)})  # fmt: skip
    insert_rows(session, NomineeDecision, decisions)
