"""How a nominee stands for lists and counts: its final outcome, or else its dossier's status; and whether it counts
against a level's quota, once, by its latest decision at that level."""

from __future__ import annotations

# Nominees whose dossier is not, or no longer, a proposal: a draft not yet submitted, a dossier the unit withdrew,
# one an admin cancelled. Their nominees are neither under review nor counted as proposed (dossier statuses and
# nominee states share these names).
SET_APART = ("draft", "withdrawn", "cancelled")


def nominee_state(outcome: str | None, outcome_level: str | None, dossier_status: str) -> str:
    """granted_<level> or rejected once decided; until then as its dossier stands: draft, withdrawn, cancelled,
    or travelling (under review). A withdrawal writes no outcome: the dossier's status says it."""
    if outcome == "granted":
        return f"granted_{outcome_level}"
    if outcome:
        return str(outcome)
    return dossier_status if dossier_status in SET_APART else "travelling"


def counts_at_level(
    level: str, latest_result: str, counted: tuple[str, ...], outcome: str | None, outcome_level: str | None,
    dossier_status: str,
) -> bool:  # fmt: skip
    """Whether a nominee counts against a quota of `level`, once, by its latest decision at that level.

    It counts if that decision is one of `counted` (approve: forwarded; granted), unless the nominee was refused
    at that level since (by another step there, after a return) or its dossier left the chain undecided
    (withdrawn, cancelled). A refusal at a level above does not undo what this level forwarded; an award granted
    stays granted."""
    if latest_result not in counted:
        return False
    if outcome == "rejected" and outcome_level == level:
        return False
    return outcome is not None or dossier_status not in SET_APART
