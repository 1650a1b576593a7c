"""Staging a shipped plan as a rehearsal: every date of the plan moved by one whole number of days.

The demo's plans are real ones, with their real (past) dates. To let someone walk the chain today, `thidua demo`
loads each plan shifted so that its sample dossiers stand today where the demo means them to stand relative to
the plan: `margin_days` before the first day something closes (the first level's deadline, or without one the end
of the period). The plan's code, title, year and source stay as issued (records and eligibility rules key on the
year; the tờ trình and quyết định quote the source: "Căn cứ Kế hoạch số …"); its `theme`, shown on the campaign page
and in no document, says that the dates were moved and by how much.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from .campaign_file import CampaignSpec

# Days between the day the demo is staged and the first day a shipped plan closes something: about three weeks
# to walk the chain after `make run` before the first deadline (or the end of the period) comes.
REHEARSAL_MARGIN_DAYS = 24


def closing_day(spec: CampaignSpec) -> date | None:
    """The first day after which the plan refuses something: a level's last day for dossiers, the end of the
    receipt window, the registration deadline, or the end of the period. None for a plan without dates."""
    days = [*spec.deadlines.values(), spec.receipt_to, spec.registration_deadline, spec.period_to]
    known = [day for day in days if day is not None]
    return min(known) if known else None


def rehearsal_shift(spec: CampaignSpec, as_of: date, margin_days: int = REHEARSAL_MARGIN_DAYS) -> int:
    """Whole days to add to every date of the plan so that its closing day falls `margin_days` after `as_of`."""
    closing = closing_day(spec)
    if closing is None:
        return 0
    return (as_of + timedelta(days=margin_days) - closing).days


def rehearsal_note(days: int) -> str:
    """The sentence a rehearsal campaign carries in its `theme`, shown on the campaign page."""
    if days > 0:
        return f"Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời {days} ngày để diễn tập."
    if days < 0:
        return f"Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời sớm {-days} ngày để diễn tập."
    return "Dữ liệu mẫu: các mốc thời gian giữ như kế hoạch gốc, dùng để diễn tập."


def shift_campaign(spec: CampaignSpec, days: int) -> CampaignSpec:
    """The same plan with its period, registration deadline, per-level deadlines and receipt window all moved by
    `days`, and the rehearsal sentence added to its theme. Code, title, year, source, award forms and rules are
    kept."""
    delta = timedelta(days=days)

    def moved(day: date | None) -> date | None:
        return day + delta if day is not None else None

    theme = rehearsal_note(days) if not spec.theme else f"{spec.theme.rstrip().rstrip('.')}. {rehearsal_note(days)}"
    return replace(
        spec,
        period_from=moved(spec.period_from),
        period_to=moved(spec.period_to),
        registration_deadline=moved(spec.registration_deadline),
        deadlines={level: day + delta for level, day in spec.deadlines.items()},
        receipt_from=moved(spec.receipt_from),
        receipt_to=moved(spec.receipt_to),
        theme=theme,
    )
