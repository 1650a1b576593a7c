"""Admins change the path by editing BPMN: no code change is needed to drop the district level."""

from __future__ import annotations

import pytest

from workflows import EngineError, parse_definition

from .bpmn_edits import remove_level, replace_condition


@pytest.fixture(scope="module")
def no_district(chain_xml):
    xml = remove_level(
        chain_xml,
        "district",
        reroute={
            "district_noi_vu_review": "province_ban_review",  # the ward forwards straight to the province
            "district_chairman_decide": "ward_chairman_decide",  # the province returns to the ward
        },
    )
    return parse_definition(xml, "commendation_chain_2025.bpmn")


def test_copy_without_district_level_validates(no_district, chain):
    assert no_district.levels == ("unit", "ward", "province")
    assert no_district.sha256 != chain.sha256


def test_new_dossier_goes_ward_to_province_without_district(drive, no_district):
    run = drive("province", definition=no_district)
    outcome = run.approve_to_end()
    assert run.visited == [
        "unit_prepare", "ward_office_review", "ward_council_vote", "ward_chairman_decide",
        "province_ban_review", "province_council_vote", "province_chairman_decide",
    ]  # fmt: skip
    assert outcome.end_event == "end_granted_province"


def test_province_returns_to_the_ward_when_district_is_gone(drive, no_district):
    run = drive("province", definition=no_district)
    run.approve_until("province_ban_review")
    run.decide("return")
    assert run.current == "ward_chairman_decide"


def test_old_instances_keep_the_definition_they_started_with(drive, chain, no_district):
    old = drive("province")
    old.approve_until("ward_chairman_decide")
    new = drive("province", definition=no_district)
    new.approve_until("ward_chairman_decide")
    old.decide("approve")
    new.decide("approve")
    assert old.current == "district_noi_vu_review"
    assert new.current == "province_ban_review"


def test_condition_is_evaluated_by_the_restricted_evaluator_at_run_time(chain_xml, drive):
    # Passes the deploy-time syntax check, but simpleeval refuses to build a gigabyte string.
    xml = replace_condition(
        chain_xml, "flow_gw_ward_grant_to_end_granted_ward", "len('x' * 10**9) > 0 and target_level == 'ward'"
    )
    definition = parse_definition(xml)
    run = drive("ward", definition=definition)
    run.approve_until("ward_chairman_decide")
    with pytest.raises(EngineError, match="gw_ward_grant"):
        run.decide("approve")
