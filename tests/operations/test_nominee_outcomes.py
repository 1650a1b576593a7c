"""Nominee by nominee: council votes with quorum, chairmen granting some and forwarding others."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.errors import InvalidInput
from service.models import Nominee, NomineeDecision
from service.operations.accounts import actor_for
from service.operations.tasks import complete_task
from workflows import Engine, FixedClock

from .helpers import act, dossier, open_task, owner_username
from .test_quotas_enforced import lodge
from service.operations.dossiers import NomineeInput


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


def mixed(factory, engine) -> tuple[int, dict[str, int]]:
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Nguyễn Văn Xã", "GK-XA"),
        NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch", "BK-TINH"),
        NomineeInput("individual", "Trần Thị Huyện", "GK-HUYEN"),
    ])  # fmt: skip
    with factory() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}
    return dossier_id, ids


def decide(factory, engine, dossier_id, decision, comment=None, results=None, council=None):
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin():
        actor = actor_for(session, owner_username(factory, task))
        return complete_task(session, actor, engine, task.id, decision, comment, nominee_results=results, council=council)


def outcomes(factory, dossier_id):
    with factory() as session:
        return {n.full_name: (n.outcome, n.outcome_level) for n in
                session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}  # fmt: skip


def test_each_level_grants_its_own_awards_and_forwards_the_rest(factory, engine):
    dossier_id, _ = mixed(factory, engine)
    for _ in range(4):
        act(factory, engine, dossier_id)  # submit, office, council, ward chairman
    assert outcomes(factory, dossier_id)["Nguyễn Văn Xã"] == ("granted", "ward")
    assert open_task(factory, dossier_id).bpmn_id == "district_noi_vu_review"
    for _ in range(3):
        act(factory, engine, dossier_id)
    assert outcomes(factory, dossier_id)["Trần Thị Huyện"] == ("granted", "district")
    assert dossier(factory, dossier_id).target_level == "province"
    while open_task(factory, dossier_id):
        act(factory, engine, dossier_id)
    assert outcomes(factory, dossier_id) == {
        "Nguyễn Văn Xã": ("granted", "ward"), "Trần Thị Huyện": ("granted", "district"),
        "Bộ phận Tư pháp - Hộ tịch": ("granted", "province")}  # fmt: skip
    assert dossier(factory, dossier_id).status == "granted"


def test_council_vote_counts_decide_who_passes_and_are_recorded(factory, engine):
    dossier_id, ids = mixed(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    votes = {ids["Nguyễn Văn Xã"]: NomineeResult(True, votes_for=4, votes_against=1),
             ids["Bộ phận Tư pháp - Hộ tịch"]: NomineeResult(True, votes_for=2, votes_against=3),
             ids["Trần Thị Huyện"]: NomineeResult(True, votes_for=3, votes_against=2)}  # fmt: skip
    with pytest.raises(InvalidInput, match="không đủ số thành viên"):
        decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(7, 3))
    decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(7, 5))
    assert outcomes(factory, dossier_id)["Bộ phận Tư pháp - Hộ tịch"] == ("rejected", "ward")
    # The province nominee failed: the dossier now only travels as far as the district.
    assert dossier(factory, dossier_id).target_level == "district"
    with factory() as session:
        row = session.scalar(select(NomineeDecision).where(NomineeDecision.nominee_id == ids["Bộ phận Tư pháp - Hộ tịch"]))
        assert (row.result, row.votes_for, row.votes_against, row.members_present, row.council_size) == ("reject", 2, 3, 5, 7)
        assert "2/5" in row.reason


def test_chairman_can_turn_one_down_with_a_reason_and_not_everyone(factory, engine):
    dossier_id, ids = mixed(factory, engine)
    for _ in range(3):
        act(factory, engine, dossier_id)
    with pytest.raises(InvalidInput, match="lý do"):
        decide(factory, engine, dossier_id, "approve", results={ids["Trần Thị Huyện"]: NomineeResult(False)})
    everyone_out = {nid: NomineeResult(False, "Chưa tiêu biểu") for nid in ids.values()}
    with pytest.raises(InvalidInput, match="không đồng ý"):
        decide(factory, engine, dossier_id, "approve", results=everyone_out)
    decide(factory, engine, dossier_id, "approve", results={ids["Trần Thị Huyện"]: NomineeResult(False, "Đã khen năm trước")})
    assert outcomes(factory, dossier_id)["Trần Thị Huyện"] == ("rejected", "ward")
    assert outcomes(factory, dossier_id)["Nguyễn Văn Xã"] == ("granted", "ward")


def test_rejecting_the_dossier_rejects_every_nominee_still_travelling(factory, engine):
    dossier_id, _ = mixed(factory, engine)
    for _ in range(4):
        act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "reject", "Hồ sơ không đạt yêu cầu của quận")
    assert outcomes(factory, dossier_id) == {
        "Nguyễn Văn Xã": ("granted", "ward"), "Trần Thị Huyện": ("rejected", "district"),
        "Bộ phận Tư pháp - Hộ tịch": ("rejected", "district")}  # fmt: skip


def test_a_vote_nobody_passes_rejects_the_dossier_at_that_level(factory, engine):
    dossier_id, ids = mixed(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    votes = {nid: NomineeResult(True, votes_for=1, votes_against=4) for nid in ids.values()}
    result = decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(5, 5))
    assert result.decision == "reject" and result.dossier_status == "rejected"
    assert {o for o, _ in outcomes(factory, dossier_id).values()} == {"rejected"}
