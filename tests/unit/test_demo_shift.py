"""domain.demo_dates: a plan moved by whole days for a rehearsal keeps its intervals, its identity and says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from service.domain.campaign_file import parse_campaign
from service.domain.demo_dates import (
    REHEARSAL_MARGIN_DAYS, closing_day, rehearsal_note, rehearsal_shift, shift_campaign,
)  # fmt: skip
from service.operations.demo import shipped_specs

SHIPPED = {spec.code: spec for spec in shipped_specs()}
PLAN = parse_campaign({
    "code": "X-2024", "title": "Phong trào thử", "year": 2024, "issuing_unit": "HN-HD-PL", "source": "Kế hoạch số 1.",
    "theme": "Chủ đề thử.",
    "period": {"from": "2024-01-01", "to": "2024-12-31"}, "registration_required": True,
    "registration_deadline": "2024-03-31", "deadlines": {"ward": "2024-11-20", "district": "2024-12-05"},
    "receipt_window": {"from": "2024-11-01", "to": "2024-11-20"},
    "award_forms": [{"code": "GK-XA", "name": "Giấy khen", "granting_level": "ward"}],
    "rules": [{"code": "R1", "type": "consecutive_years", "years": 2}],
})  # fmt: skip


def test_every_date_moves_by_the_same_days_and_nothing_else_changes():
    moved = shift_campaign(PLAN, 100)
    days = timedelta(days=100)
    assert (moved.period_from, moved.period_to) == (date(2024, 1, 1) + days, date(2024, 12, 31) + days)
    assert moved.registration_deadline == date(2024, 3, 31) + days
    assert moved.deadlines == {"ward": date(2024, 11, 20) + days, "district": date(2024, 12, 5) + days}
    assert (moved.receipt_from, moved.receipt_to) == (date(2024, 11, 1) + days, date(2024, 11, 20) + days)
    note = "Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời 100 ngày để diễn tập."
    assert moved.theme == f"Chủ đề thử. {note}"
    kept = ("code", "title", "year", "issuing_unit", "process", "source", "registration_required", "council",
            "award_forms", "rules")  # fmt: skip
    assert all(getattr(moved, key) == getattr(PLAN, key) for key in kept)
    assert PLAN.deadlines["ward"] == date(2024, 11, 20)  # the parsed plan itself is left as it was


def test_the_closing_day_is_the_first_day_the_plan_refuses_something():
    assert closing_day(PLAN) == date(2024, 3, 31)  # the registration deadline comes first
    assert closing_day(replace(PLAN, registration_deadline=None)) == date(2024, 11, 20)
    assert closing_day(replace(PLAN, registration_deadline=None, deadlines={}, receipt_to=None)) == date(2024, 12, 31)
    bare = replace(PLAN, registration_deadline=None, deadlines={}, receipt_to=None, period_to=None)
    assert closing_day(bare) is None and rehearsal_shift(bare, date(2026, 12, 7)) == 0


@pytest.mark.parametrize("as_of", [date(2026, 12, 7), date(2031, 3, 15)], ids=str)
def test_each_shipped_plan_closes_the_margin_after_as_of(as_of):
    for spec in SHIPPED.values():
        moved = shift_campaign(spec, rehearsal_shift(spec, as_of))
        assert closing_day(moved) == as_of + timedelta(days=REHEARSAL_MARGIN_DAYS)
        assert moved.period_from is not None and moved.period_from <= as_of
    mt = shift_campaign(SHIPPED["MT-CCHC-2015"], rehearsal_shift(SHIPPED["MT-CCHC-2015"], as_of))
    assert mt.deadlines["district"] - mt.deadlines["ward"] == timedelta(days=15) and mt.year == 2015


def test_the_shifts_on_7_december_2026():
    """PL: ward deadline 09/12/2024 → 31/12/2026; GD: period end 31/12/2024 → 31/12/2026; MT: ward deadline
    25/11/2015 → 31/12/2026 (district 10/12/2015 → 15/01/2027)."""
    shifts = {code: rehearsal_shift(spec, date(2026, 12, 7)) for code, spec in SHIPPED.items()}
    assert shifts == {"PL-CCHC-2024": 752, "GD-CCHC-2024": 730, "MT-CCHC-2015": 4054}


def test_the_note_says_which_way_the_dates_moved():
    assert rehearsal_note(752) == "Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời 752 ngày để diễn tập."
    assert rehearsal_note(-3) == "Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời sớm 3 ngày để diễn tập."
    assert "giữ như kế hoạch gốc" in rehearsal_note(0)
    assert shift_campaign(replace(PLAN, theme=None), 5).theme == rehearsal_note(5)
