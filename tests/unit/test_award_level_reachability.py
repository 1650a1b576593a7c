"""The plain rules behind unreachable award levels: which levels a dossier can reach, the refusal, and the safety
net of a granted end whose nominee's granting level was skipped."""

from __future__ import annotations

import pytest

from service.domain.awards import blocking_level, check_reachable, reachable_levels
from service.domain.nominee_outcomes import NomineeState, end_level, status_after_unreached, unreached_at_end
from service.errors import InvalidInput


def test_a_level_is_reachable_only_with_an_open_unit_and_a_step_there_and_nothing_in_the_way():
    assert reachable_levels({"unit", "ward", "province"}, ("unit", "ward", "province")) == {
        "unit", "ward", "province"}  # the district abolished in the tree and dropped from the process
    assert reachable_levels({"unit", "ward", "district", "province"}, ("unit", "ward", "province")) == {
        "unit", "ward", "province"}  # the process without the district step
    # The district abolished while the version in use still has district steps: a province award stops there.
    assert reachable_levels({"unit", "ward", "province"}, ("unit", "ward", "district", "province")) == {"unit", "ward"}
    assert blocking_level("province", {"unit", "ward", "province"}, ("unit", "ward", "district", "province")) == (
        "district")
    assert blocking_level("district", {"unit", "ward", "province"}, ("unit", "ward", "province")) == "district"
    assert blocking_level("ward", {"unit", "ward", "province"}, ("unit", "ward", "district", "province")) is None


def test_the_refusal_names_the_award_and_the_level_in_words():
    without_district = ("unit", "ward", "province")
    with pytest.raises(InvalidInput) as refused:
        check_reachable("Trần Văn Nam", "Giấy khen của Chủ tịch UBND thành phố Hạ Long", "district",
                        {"unit", "ward", "province"}, without_district)  # fmt: skip
    assert refused.value.message.startswith(
        "Không đề nghị được “Giấy khen của Chủ tịch UBND thành phố Hạ Long” cho Trần Văn Nam: cấp quận/huyện không còn")
    assert refused.value.details["level"] == "district"
    check_reachable("Trần Văn Nam", "Bằng khen", "province", {"unit", "ward", "province"}, without_district)
    with pytest.raises(InvalidInput) as through:  # the version in use still has the district's steps
        check_reachable("Trần Văn Nam", "Bằng khen", "province", {"unit", "ward", "province"},
                        ("unit", "ward", "district", "province"))  # fmt: skip
    assert "hồ sơ phải qua cấp quận/huyện" in through.value.message and through.value.details["level"] == "district"


def test_only_travelling_nominees_of_a_level_never_visited_are_unreached():
    nominees = [NomineeState(1, "A", "district", True), NomineeState(2, "B", "province", False),
                NomineeState(3, "C", "ward", True), NomineeState(4, "D", "province", True)]  # fmt: skip
    ended = end_level("end_granted_province")
    assert ended == "province"
    unreached = unreached_at_end(nominees, ended, {"unit", "ward", "province"})
    assert [n.id for n in unreached] == [1]  # C's ward was visited and D's is the end's: they keep the old rule
    assert unreached_at_end(nominees, ended, {"unit", "ward", "district", "province"}) == []


def test_a_granted_end_with_nobody_granted_is_not_granted():
    assert status_after_unreached("granted", ["rejected"]) == "rejected"
    assert status_after_unreached("granted", ["rejected", "granted"]) == "granted"
    assert status_after_unreached("granted", ["rejected", None]) == "granted"  # None takes the dossier's outcome
    assert status_after_unreached("rejected", ["rejected"]) == "rejected"
