"""The lane naming convention role@level."""

from __future__ import annotations

import pytest

from workflows import LEVELS, TASK_ROLES, parse_lane


@pytest.mark.parametrize("role", sorted(TASK_ROLES))
@pytest.mark.parametrize("level", LEVELS)
def test_every_known_role_at_every_level_parses(role, level):
    lane = parse_lane(f"{role}@{level}")
    assert (lane.role, lane.level, lane.name) == (role, level, f"{role}@{level}")


@pytest.mark.parametrize("name", [None, "", "office_clerk", "@ward", "office_clerk@", "admin@ward", "chairman@nation"])
def test_invalid_lane_names_are_refused_with_a_message(name):
    with pytest.raises(ValueError, match=r"\S"):
        parse_lane(name)
