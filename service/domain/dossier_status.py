"""A dossier's status read from where its process stands (end event ids follow a naming convention)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidInput
from .text import clean_text

END_EVENT_STATUS = (("end_granted", "granted"), ("end_rejected", "rejected"), ("end_withdrawn", "withdrawn"))
FIRST_STEP = "unit_prepare"
DECISIONS_NEEDING_REASON = frozenset({"return", "reject", "withdraw"})
# Shown, never stored: an ended dossier some of whose nominees were granted and others not (shown_status).
GRANTED_IN_PART = "granted_in_part"


def status_for_end_event(end_event: str | None) -> str | None:
    """granted / rejected / withdrawn from an end event id, or None when it follows no convention."""
    for prefix, status in END_EVENT_STATUS:
        if end_event and end_event.startswith(prefix):
            return status
    return None


def status_while_running(current_steps: list[str], was_submitted: bool) -> str:
    """draft before the first submission, returned when back at the unit, otherwise in review."""
    if current_steps and all(step == FIRST_STEP for step in current_steps):
        return "returned" if was_submitted else "draft"
    return "in_review"


def require_reason(decision: str | None, comment: str | None) -> str | None:
    """Return and reject need a reason the unit can act on, a withdrawal one the levels above can read; return
    the cleaned comment."""
    text = clean_text(comment or "")
    if decision in DECISIONS_NEEDING_REASON and not text:
        what = {"return": "trả lại bổ sung", "withdraw": "rút hồ sơ"}.get(str(decision), "không đồng ý")
        raise InvalidInput("Phải ghi rõ lý do khi {what}.", {"what": what})
    return text or None


def shown_status(status: str, nominee_outcomes: Iterable[str | None]) -> str:
    """The dossier's status as it is shown: the stored one, except that an ended dossier (granted or rejected)
    whose nominees came out differently is granted in part. A nominee with no outcome of its own takes the
    dossier's (as its notice counts it: operations.notifications.dossier_fates). Read from the nominees each time,
    so a filter on the stored status still finds such a dossier under granted or rejected."""
    if status not in ("granted", "rejected"):
        return status
    granted = {outcome == "granted" if outcome is not None else status == "granted" for outcome in nominee_outcomes}
    return GRANTED_IN_PART if granted == {True, False} else status
