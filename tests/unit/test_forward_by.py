"""The deadline a step works to where its dossier still goes up: the campaign's deadline for the next level."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.deadlines import ForwardBy, forward_by, level_deadlines, receiving_level
from workflows import LEVELS

DEADLINES = {"ward": date(2024, 11, 25), "district": date(2024, 12, 10), "province": date(2024, 12, 20)}


@pytest.mark.parametrize(("task_level", "asked", "expected"), [
    # A unit's clerk sends every dossier to the ward: the seed plan's "gửi về xã chậm nhất là ngày 25 tháng 11".
    ("unit", ["ward"], ForwardBy("ward", date(2024, 11, 25))),
    ("unit", ["province", "ward"], ForwardBy("ward", date(2024, 11, 25))),
    # A ward council or chairman forwarding a district award works to the district's deadline ("về huyện … 10/12").
    ("ward", ["district"], ForwardBy("district", date(2024, 12, 10))),
    ("ward", ["ward", "province"], ForwardBy("district", date(2024, 12, 10))),
    ("district", ["province"], ForwardBy("province", date(2024, 12, 20))),
    # Decided here: nothing to forward.
    ("ward", ["ward"], None),
    ("district", ["district", "ward"], None),
    ("province", ["province"], None),
    ("ward", [], None),  # every nominee decided already
    ("council", ["province"], None),  # not a level of the chain
])  # fmt: skip
def test_forward_by_is_the_next_levels_deadline_while_the_dossier_travels_above(task_level, asked, expected):
    assert forward_by(task_level, asked, DEADLINES) == expected


def test_a_level_without_a_deadline_gives_none_not_a_later_levels():
    # The dossier reaches the district first; the province's deadline binds the district's officials, not these.
    assert forward_by("ward", ["province"], {"province": date(2024, 12, 20)}) is None


@given(st.sampled_from(LEVELS), st.lists(st.sampled_from(LEVELS[1:]), max_size=4),
       st.dictionaries(st.sampled_from(LEVELS[1:]), st.dates(date(2020, 1, 1), date(2030, 12, 31))))
def test_forward_by_properties(task_level, asked, deadlines):
    found = forward_by(task_level, asked, deadlines)
    above = any(LEVELS.index(level) > LEVELS.index(task_level) for level in asked)
    following = receiving_level(task_level)
    if above and following in deadlines:
        assert found == ForwardBy(following, deadlines[following])
    else:
        assert found is None


def test_passed_after_the_whole_deadline_day_in_vietnam():
    due = ForwardBy("district", date(2024, 12, 10))
    assert not due.passed(datetime(2024, 12, 10, 16, 59, 59, tzinfo=UTC))  # 23:59:59 on the 10th in Hà Nội
    assert due.passed(datetime(2024, 12, 10, 17, 0, tzinfo=UTC))  # midnight: the 11th has begun


def test_level_deadlines_reads_the_levels_or_falls_back_to_the_submission_deadline():
    assert level_deadlines('{"ward": "2024-11-25", "district": "2024-12-10"}', date(2024, 1, 1)) == {
        "ward": date(2024, 11, 25), "district": date(2024, 12, 10)}
    assert level_deadlines(None, date(2024, 11, 25)) == {"ward": date(2024, 11, 25)}
    assert level_deadlines("{}", None) == {}
