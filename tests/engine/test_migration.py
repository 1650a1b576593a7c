"""Instances move to a new version only where their history allows; the engine says why not."""

from __future__ import annotations

import pytest

from workflows import InvalidDecision, check_migration, parse_definition

from .bpmn_edits import remove_level


@pytest.fixture(scope="module")
def no_district(chain_xml):
    xml = remove_level(chain_xml, "district", {"district_noi_vu_review": "province_ban_review",
                                               "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip
    return parse_definition(xml)


def test_an_instance_still_at_the_ward_moves_and_then_skips_the_district(drive, engine, chain, no_district):
    run = drive("province")
    run.approve_until("ward_council_vote")
    assert check_migration(chain, no_district, run.outcome.state).can_migrate
    moved = engine.migrate(chain, no_district, run.outcome.state)
    assert [t.bpmn_id for t in moved.ready_tasks] == ["ward_council_vote"]
    run.definition, run.outcome = no_district, moved
    run.approve_until("province_ban_review")
    assert "district_noi_vu_review" not in run.visited


def test_an_instance_past_a_changed_gateway_stays_and_the_reason_names_it(drive, engine, chain, no_district):
    run = drive("province")
    run.approve_until("district_noi_vu_review")
    check = check_migration(chain, no_district, run.outcome.state)
    assert not check.can_migrate
    assert any("gw_ward_grant" in reason for reason in check.reasons)
    assert any("district_noi_vu_review" in reason for reason in check.reasons)
    with pytest.raises(InvalidDecision, match="Không chuyển được"):
        engine.migrate(chain, no_district, run.outcome.state)
