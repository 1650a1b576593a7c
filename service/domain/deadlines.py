"""Deadlines are calendar dates in Vietnam: a dossier is on time through the whole deadline day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..errors import DeadlinePassed

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at an aware moment."""
    return moment.astimezone(VN).date()


def require_on_time(deadline: date | None, now: datetime, what: str = "Hạn nộp hồ sơ") -> None:
    """Raise DeadlinePassed, showing the deadline, when `now` is after the deadline day."""
    if deadline is not None and local_date(now) > deadline:
        raise DeadlinePassed(
            f"{what} là ngày {deadline:%d/%m/%Y}; hôm nay {local_date(now):%d/%m/%Y} đã quá hạn, "
            "hồ sơ nộp muộn không được xét.",
            deadline=deadline.isoformat(),
        )
