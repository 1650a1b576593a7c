"""What a level's council decided for each nominee, for the chairman of that level who decides on its recommendation."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HumanTask, Nominee, NomineeDecision

COUNCIL_ROLE = "council_secretary"  # who records the council's meeting (operations.nominee_decisions.STEP_KINDS)


@dataclass(frozen=True)
class CouncilResult:
    """The council's latest decision on one nominee at a level: passed on or refused, with the meeting's count where
    the council voted nominee by nominee (a council passing the list without a vote has no votes to show)."""

    nominee_id: int
    full_name: str
    passed: bool
    reason: str | None
    votes_for: int | None
    votes_against: int | None
    members_present: int | None
    council_size: int | None
    decided_at: datetime | None


def council_results(session: Session, dossier_ids: Collection[int], level: str) -> dict[int, dict[int, CouncilResult]]:
    """Dossier id → nominee id → the council's latest decision at `level` (after a return and a second meeting, the
    later one); every nominee it decided, those it refused included. One query for all the dossiers."""
    if not dossier_ids:
        return {}
    rows = session.execute(
        select(NomineeDecision, Nominee.dossier_id, Nominee.full_name)
        .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
        .join(Nominee, NomineeDecision.nominee_id == Nominee.id)
        .where(Nominee.dossier_id.in_(list(dossier_ids)), HumanTask.role == COUNCIL_ROLE, HumanTask.level == level)
        .order_by(NomineeDecision.id)
    )  # fmt: skip
    found: dict[int, dict[int, CouncilResult]] = {}
    for decision, dossier_id, full_name in rows:  # oldest first: a later meeting's decision replaces an earlier one
        found.setdefault(dossier_id, {})[decision.nominee_id] = CouncilResult(
            decision.nominee_id, full_name, decision.result != "reject", decision.reason, decision.votes_for,
            decision.votes_against, decision.members_present, decision.council_size, decision.decided_at)  # fmt: skip
    # In the dossier's order of nominees (their ids), as its other lists are.
    return {d: dict(sorted(per.items())) for d, per in found.items()}
