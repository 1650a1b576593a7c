"""Per-nominee rules without a database: council thresholds, quorum, who is granted where."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.nominee_outcomes import (
    CouncilCount, NomineeResult, NomineeState, check_quorum, council_passes, decide_step,
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
