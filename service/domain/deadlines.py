"""Deadlines are calendar dates in Vietnam: a dossier is on time through the whole deadline day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at an aware moment."""
    return moment.astimezone(VN).date()
