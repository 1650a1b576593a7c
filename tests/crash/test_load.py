"""The bounded load test: a hundred officials clearing their inboxes over real HTTP, with zero errors."""

from __future__ import annotations

import pytest

from service.loadtest import WARD_ROLES, plan_shape, run_load

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("users", [4, 5, 17, 60, 100, 101, 500])
def test_the_generated_tree_seats_about_the_asked_number_of_officials(users):
    wards, units_per_ward = plan_shape(users)
    seated = wards * (len(WARD_ROLES) + units_per_ward)
    assert wards >= 1 and units_per_ward >= 1
    assert abs(seated - users) <= wards  # rounding to whole wards, never far off


@pytest.mark.parametrize(("backend", "workers"), [("sqlite", 0), pytest.param("postgres", 2, marks=pytest.mark.postgres)])
def test_a_hundred_officials_clear_every_inbox_with_no_error(request, backend, workers):
    url = request.getfixturevalue(f"{backend}_url")
    report = run_load(users=100, dossiers_per_unit=1, duration=300, workers=workers, database_url=url)
    assert report["errors"] == 0, report["first_errors"]
    assert report["users"] == 100
    assert report["completions"] == report["completions_expected"] == report["dossiers"] * 4
    assert report["dossiers_finished"] == report["dossiers"] == 40
    assert report["task_events_match"] and report["audit_chain_ok"]
    assert report["ok"] is True
    latency = report["latency"]
    assert {"login", "inbox", "claim", "complete"} <= latency.keys()
    for kind in ("inbox", "claim", "complete"):
        assert 0 < latency[kind]["p50_ms"] <= latency[kind]["p95_ms"] <= latency[kind]["p99_ms"] <= latency[kind]["max_ms"]
    assert latency["complete"]["count"] == report["completions"]
