"""Per-nominee rules without a database: council thresholds, quorum, who is granted where."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.nominee_outcomes import (
    VOTES_NEED_COUNT, CouncilCount, NomineeResult, NomineeState, check_quorum, council_count, council_passes,
    decide_step,
)  # fmt: skip
from service.errors import InvalidInput

SETTINGS = {"quorum_percent": 50, "pass_percent": 50}
PEOPLE = [NomineeState(1, "A", "ward", True), NomineeState(2, "B", "province", True), NomineeState(3, "C", "ward", False)]


@pytest.mark.parametrize(("votes", "present", "percent", "passes"),
                         [(3, 5, 50, True), (2, 5, 50, False), (5, 9, 50, True), (4, 9, 50, False), (2, 3, 67, False),
                          (3, 3, 100, True), (0, 0, 50, False)])  # fmt: skip
def test_council_threshold(votes, present, percent, passes):
    assert council_passes(votes, present, percent) is passes


@given(st.integers(1, 50), st.integers(0, 50), st.integers(1, 100))
def test_quorum_is_refused_exactly_below_the_percentage(size, present, percent):
    count = CouncilCount(size, present)
    ok = 0 < present <= size and present * 100 >= percent * size
    if ok:
        check_quorum(count, percent)
    else:
        with pytest.raises(InvalidInput):
            check_quorum(count, percent)


def test_chairman_grants_his_level_and_forwards_the_rest():
    outcome = decide_step("chairman", "ward", "approve", PEOPLE, None, None, SETTINGS, None)
    assert outcome.granted_here == (1,) and outcome.target_level == "province" and set(outcome.results) == {1, 2}


def test_when_only_local_awards_remain_the_dossier_ends_here():
    outcome = decide_step("chairman", "ward", "approve", PEOPLE, {2: NomineeResult(False, "x")}, None, SETTINGS, None)
    assert outcome.target_level == "ward" and outcome.granted_here == (1,)


def test_return_decides_nothing_per_nominee():
    assert decide_step("chairman", "ward", "return", PEOPLE, None, None, SETTINGS, "thiếu") is None


def test_council_needs_votes_for_each_nominee_when_counting():
    with pytest.raises(InvalidInput, match="Thiếu số phiếu"):
        decide_step("council", "ward", "approve", PEOPLE, {1: NomineeResult(True, votes_for=3)}, CouncilCount(5, 5),
                    SETTINGS, None)  # fmt: skip
    with pytest.raises(InvalidInput, match="vượt"):
        decide_step("council", "ward", "approve", PEOPLE, {1: NomineeResult(True, votes_for=4, votes_against=2),
                                                           2: NomineeResult(True, votes_for=3)}, CouncilCount(5, 5),
                    SETTINGS, None)  # fmt: skip


@given(st.dictionaries(st.sampled_from([1, 2]), st.tuples(st.booleans(), st.one_of(st.none(), st.integers(0, 9)),
                                                         st.one_of(st.none(), st.integers(0, 9))), min_size=1))
def test_votes_without_the_meetings_count_are_refused_never_dropped(typed):
    given_results = {n: NomineeResult(ok, None if ok else "lý do", vf, va) for n, (ok, vf, va) in typed.items()}
    voted = any(r.votes_for is not None or r.votes_against is not None for r in given_results.values())
    if voted:
        with pytest.raises(InvalidInput) as refused:
            decide_step("council", "ward", "approve", PEOPLE, given_results, None, SETTINGS, None)
        assert refused.value.message == VOTES_NEED_COUNT
    elif any(r.approve for n, r in given_results.items()) or len(given_results) < 2:
        outcome = decide_step("council", "ward", "approve", PEOPLE, given_results, None, SETTINGS, None)
        assert outcome is not None and all(r.votes_for is None for r in outcome.results.values())


def test_3_for_4_against_without_counts_is_not_recorded_as_an_approval():
    typed = {1: NomineeResult(True, None, 3, 4)}
    with pytest.raises(InvalidInput, match="tổng số thành viên Hội đồng và số thành viên có mặt"):
        decide_step("council", "ward", "approve", PEOPLE, typed, None, SETTINGS, None)
    counted = typed | {2: NomineeResult(True, None, 6, 1)}
    outcome = decide_step("council", "ward", "approve", PEOPLE, counted, CouncilCount(9, 7), SETTINGS, None)
    assert outcome.results[1].approve is False and outcome.results[1].reason == "Không đạt tỷ lệ phiếu (3/7)"


@pytest.mark.parametrize(("size", "present", "expected"), [(None, None, None), (9, 7, CouncilCount(9, 7)),
                                                           (0, 0, CouncilCount(0, 0))])  # fmt: skip
def test_a_meeting_count_is_both_numbers_or_none(size, present, expected):
    assert council_count(size, present) == expected


@pytest.mark.parametrize(("size", "present"), [(9, None), (None, 7)])
def test_half_a_meeting_count_is_refused(size, present):
    with pytest.raises(InvalidInput, match="hoặc để trống cả hai"):
        council_count(size, present)
