"""Deadlines are calendar dates in Vietnam: a dossier is on time through the whole deadline day."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from workflows import LEVELS

from ..errors import DeadlinePassed

if TYPE_CHECKING:  # campaign_config imports this module
    from .campaign_config import CampaignConfig


VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A deadline this many days ahead or fewer is near: the inbox's "due soon" filter lists such tasks, and the worker
# reminds their officials (unless THIDUA_REMINDER_DAYS says another number of days).
SOON_DAYS = 3


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at an aware moment."""
    return moment.astimezone(VN).date()


@dataclass(frozen=True)
class SubmissionClosed:
    """Why a dossier submitted now would be refused for its timing, told before the clerk prepares it."""

    message: str  # what submitting would answer (CampaignConfig.check_arrival's words)
    deadline: date | None  # the receiving level's deadline that has passed; None when outside the receipt window
    error: DeadlinePassed | None = field(default=None, compare=False)  # the refusal itself: a page words it


def receiving_level(unit_level: str) -> str:
    """The level a dossier prepared at `unit_level` reaches when submitted: the next one up the chain."""
    rank = LEVELS.index(unit_level)
    return LEVELS[min(rank + 1, len(LEVELS) - 1)]


def submission_closed(config: CampaignConfig, unit_level: str, now: datetime) -> SubmissionClosed | None:
    """Would submitting a dossier of a unit at `unit_level` be refused as late now? The rule is the one
    submission applies (CampaignConfig.check_arrival), asked ahead so the forms can say it in time."""
    try:
        config.check_arrival(receiving_level(unit_level), now)
    except DeadlinePassed as exc:
        deadline = exc.details.get("deadline")
        return SubmissionClosed(exc.message, date.fromisoformat(deadline) if isinstance(deadline, str) else None, exc)
    return None


def registration_closed(code: str, deadline: date | None, period_to: date | None, today: date) -> DeadlinePassed | None:
    """Why a unit registering in a campaign (đăng ký thi đua) today would be refused, or None: past the campaign's
    registration deadline, or, without one, past the end of the period the campaign runs for (registering for a
    race already run means nothing). Asked by the registration and by the campaign page, which then offers no
    button that could only be refused."""
    if deadline is not None and today > deadline:
        return DeadlinePassed("Hạn đăng ký thi đua là ngày {deadline:%d/%m/%Y}; đã quá hạn.",
                              {"deadline": deadline}, deadline=deadline.isoformat())  # fmt: skip
    if deadline is None and period_to is not None and today > period_to:
        return DeadlinePassed("Phong trào {code} đã kết thúc ngày {period_to:%d/%m/%Y}; không nhận đăng ký thi đua nữa.",
                              {"code": code, "period_to": period_to}, deadline=period_to.isoformat())  # fmt: skip
    return None


def level_deadlines(deadlines_json: str | None, submission_deadline: date | None) -> dict[str, date]:
    """A campaign row's deadlines by receiving level: its `deadlines_json` ({"ward": "2024-11-25", …}), or, for a
    campaign imported before levels had their own, the units' submission deadline as the ward's."""
    deadlines = {level: date.fromisoformat(day) for level, day in json.loads(deadlines_json or "{}").items()}
    if not deadlines and submission_deadline:
        deadlines = {"ward": submission_deadline}
    return deadlines


@dataclass(frozen=True)
class ForwardBy:
    """The day by which a dossier must reach the next level up (the campaign's deadline for that level): past it,
    that level refuses it (CampaignConfig.check_arrival)."""

    level: str  # the level it goes to next
    deadline: date

    def passed(self, now: datetime) -> bool:
        """Whether the deadline day is over in Vietnam: the dossier can no longer reach that level."""
        return local_date(now) > self.deadline


def forward_by(task_level: str, asked_levels: Iterable[str], deadlines: Mapping[str, date]) -> ForwardBy | None:
    """The deadline a step at `task_level` works to, where the dossier still travels above it: its nominees still ask
    for awards granted at `asked_levels`, and the highest of them is above this level. The dossier goes up the chain
    one level at a time (receiving_level), so the deadline is the next level's, if the campaign sets one; None when
    the dossier is decided at this level (or the level is not one of the chain's)."""
    if task_level not in LEVELS:
        return None
    rank = LEVELS.index(task_level)
    if max((LEVELS.index(level) for level in asked_levels if level in LEVELS), default=-1) <= rank:
        return None
    following = receiving_level(task_level)
    deadline = deadlines.get(following)
    return ForwardBy(following, deadline) if deadline is not None else None
