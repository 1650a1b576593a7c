"""Do the nominee_decision rows still say what the audit trail says was decided?

Since 2026-12-07 each council's and chairman's task.complete event carries its decisions nominee by nominee
(operations.nominee_decisions.step_for_audit), and the hash chain covers the event. The rows the pages read
(nominee_decision) are ordinary rows: this check compares them with the trail, so a row edited, deleted or
added afterwards is found, as verify_chain finds an edited event. Steps decided before events carried their
decisions cannot be checked (counted apart).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, NomineeDecision

# What the trail and a row must agree on, as the event writes them: result, reason, votes, the meeting's count.
Decided = tuple[str, str | None, int | None, int | None, int | None, int | None]
# A nominee simply passed on (no vote counted, no reason): the event counts these ("approved") without listing them.
PLAIN: Decided = ("approve", None, None, None, None, None)


@dataclass
class DecisionTrailCheck:
    checked: int = 0  # decisions (one nominee at one step) compared with the trail
    unrecorded_steps: int = 0  # steps with decisions whose event predates decisions in the trail: not checkable
    problems: list[str] = field(default_factory=list)  # in words, one per disagreement (the first 50)
    disagreements: int = 0
    # The rows behind the disagreements: changed from what the trail says, missing, or more than it says.
    edited: int = 0
    deleted: int = 0
    added: int = 0

    @property
    def ok(self) -> bool:
        return self.disagreements == 0


def check_decision_trail(session: Session, batch: int = 2000) -> DecisionTrailCheck:
    """Compare every nominee_decision row with its step's task.complete event, a batch of events at a time."""
    check = DecisionTrailCheck()
    last_id = 0
    events = select(AuditEvent.id, AuditEvent.object_id, AuditEvent.after_json).where(
        AuditEvent.action == "task.complete", AuditEvent.object_type == "human_task")
    while True:
        page = session.execute(events.where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)).all()
        if not page:
            break
        last_id = page[-1].id
        told: dict[int, tuple[int, tuple[dict[int, Decided], int] | None]] = {}
        for event_id, task_id, after_json in page:
            after = json.loads(after_json) if after_json else {}
            recorded = "nominees" in after or "approved" in after
            told[int(task_id)] = (event_id, (_decisions_of(after), int(after.get("approved", 0))) if recorded else None)
        stored: dict[int, dict[int, Decided]] = {}
        for row in session.scalars(select(NomineeDecision).where(NomineeDecision.human_task_id.in_(list(told)))):
            stored.setdefault(row.human_task_id, {})[row.nominee_id] = (
                row.result, row.reason, row.votes_for, row.votes_against, row.members_present, row.council_size)
        for task_id, (event_id, recorded) in told.items():
            rows = stored.get(task_id, {})
            if recorded is None:
                check.unrecorded_steps += 1 if rows else 0
                continue
            said, approved = recorded
            unlisted = 0  # rows the event does not list: it counts them as simply passed on ("approved")
            unlisted_changed = 0  # of those, rows that are not a plain pass
            for nominee_id in sorted(said.keys() | rows.keys()):
                check.checked += 1
                trail, row = said.get(nominee_id), rows.get(nominee_id)
                unlisted += trail is None
                if trail == row or (trail is None and row == PLAIN):
                    continue
                if trail is None:
                    unlisted_changed += 1
                elif row is None:
                    check.deleted += 1
                else:
                    check.edited += 1
                _disagree(check, _told(event_id, task_id, nominee_id, trail, row))  # edited (or listed and deleted)
            # More unlisted rows than the event counts were added; fewer, deleted. An unlisted row that is not a
            # plain pass is one of the added rows if there are any, else a plain pass edited.
            added = max(0, unlisted - approved)
            check.added += added
            check.deleted += max(0, approved - unlisted)
            check.edited += max(0, unlisted_changed - added)
            if unlisted != approved:
                _disagree(check, f"việc {task_id} (sự kiện {event_id}): nhật ký ghi {approved} người được thông qua, "
                                 f"bản ghi quyết định có {unlisted} (bản ghi đã bị xóa hoặc thêm)")  # fmt: skip
    return check


def _disagree(check: DecisionTrailCheck, problem: str) -> None:
    check.disagreements += 1
    if len(check.problems) < 50:
        check.problems.append(problem)


def _decisions_of(after: dict[str, Any]) -> dict[int, Decided]:
    council = after.get("council") or {}
    return {int(n["id"]): (n["result"], n.get("reason"), n.get("votes_for"), n.get("votes_against"),
                           council.get("present"), council.get("size")) for n in after.get("nominees", [])}  # fmt: skip


def _told(event_id: int, task_id: int, nominee_id: int, trail: Decided | None, row: Decided | None) -> str:
    where = f"việc {task_id}, người được đề nghị {nominee_id} (sự kiện {event_id})"
    if row is None:
        return f"{where}: nhật ký ghi quyết định “{trail[0] if trail else ''}” nhưng bản ghi quyết định đã bị xóa"
    if trail is None:
        return f"{where}: có bản ghi quyết định {_show(row)} mà nhật ký không ghi (bị sửa hoặc thêm sau)"
    return f"{where}: bản ghi quyết định {_show(row)} khác với nhật ký {_show(trail)} (đã bị sửa)"


def _show(decided: Decided) -> str:
    result, reason, votes_for, votes_against, present, size = decided
    parts = [result]
    if votes_for is not None or votes_against is not None:
        parts.append(f"phiếu {votes_for}/{votes_against}")
    if present is not None:
        parts.append(f"có mặt {present}/{size}")
    if reason:
        parts.append(f"lý do “{reason}”")
    return "(" + ", ".join(parts) + ")"
