"""A dossier's status read from where its process stands (end event ids follow a naming convention)."""

from __future__ import annotations

from ..errors import InvalidInput
from .text import clean_text

END_EVENT_STATUS = (("end_granted", "granted"), ("end_rejected", "rejected"), ("end_withdrawn", "withdrawn"))
FIRST_STEP = "unit_prepare"
DECISIONS_NEEDING_REASON = frozenset({"return", "reject", "withdraw"})


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
