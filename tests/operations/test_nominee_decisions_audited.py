"""A council's and a chairman's decisions nominee by nominee are in the audit trail, not only in nominee_decision
rows: each task.complete event names who was passed, granted or refused, why, with what votes and count, and the
hash chain covers it. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.models import AuditEvent, HumanTask, NomineeDecision
from service.operations.audit import verify_chain
from service.operations.dossiers import NomineeInput
from service.queries.decision_trail import check_decision_trail
from workflows import Engine, FixedClock

from .helpers import act
from .test_dossier_history_labels import decide, ids_of
from .test_quotas_enforced import lodge


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


def completion_events(factory, dossier_id: int) -> dict[str, dict]:
    """step → the `after` of its task.complete event (the latest, for a step done twice)."""
    with factory() as session:
        events = session.execute(select(AuditEvent.after_json, AuditEvent.object_id).where(
            AuditEvent.dossier_id == dossier_id, AuditEvent.action == "task.complete").order_by(AuditEvent.id)).all()  # fmt: skip
    return {json.loads(after)["step"]: {**json.loads(after), "task": int(task)} for after, task in events}


def test_votes_refusals_and_grants_are_written_into_the_trail(factory, engine):
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người trượt phiếu", "BK-TINH"),
        NomineeInput("individual", "Người được khen ở phường", "GK-XA"),
        NomineeInput("individual", "Người Chủ tịch không duyệt", "GK-HUYEN"),
        NomineeInput("individual", "Người đi tiếp", "BK-TINH"),
    ])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    act(factory, engine, dossier_id)  # submitted
    act(factory, engine, dossier_id)  # the ward office
    votes = {nid: NomineeResult(True, votes_for=4, votes_against=1) for nid in ids.values()}
    votes[ids["Người trượt phiếu"]] = NomineeResult(True, votes_for=2, votes_against=3)
    decide(factory, engine, dossier_id, "approve", "Biên bản họp số 7", results=votes, council=CouncilCount(7, 5))
    decide(factory, engine, dossier_id, "approve",
           results={ids["Người Chủ tịch không duyệt"]: NomineeResult(False, "Chưa đủ tiêu chuẩn theo Điều 39")})

    events = completion_events(factory, dossier_id)
    assert "nominees" not in events["ward_office_review"]  # an appraisal decides the dossier, not nominee by nominee
    council = events["ward_council_vote"]
    assert council["council"] == {"size": 7, "present": 5}
    names = {nid: name for name, nid in ids.items()}
    assert [n.pop("name") for n in council["nominees"]] == [names[n["id"]] for n in council["nominees"]]
    assert council["nominees"] == sorted([
        {"id": ids["Người trượt phiếu"], "result": "reject", "reason": "Không đạt tỷ lệ phiếu (2/5)", "votes_for": 2,
         "votes_against": 3},
        {"id": ids["Người được khen ở phường"], "result": "approve", "votes_for": 4, "votes_against": 1},
        {"id": ids["Người Chủ tịch không duyệt"], "result": "approve", "votes_for": 4, "votes_against": 1},
        {"id": ids["Người đi tiếp"], "result": "approve", "votes_for": 4, "votes_against": 1},
    ], key=lambda n: n["id"])  # fmt: skip
    chairman = events["ward_chairman_decide"]
    assert "council" not in chairman
    assert {n["id"]: (n["result"], n.get("reason")) for n in chairman["nominees"]} == {
        ids["Người được khen ở phường"]: ("granted", None),
        ids["Người Chủ tịch không duyệt"]: ("reject", "Chưa đủ tiêu chuẩn theo Điều 39"),
        ids["Người đi tiếp"]: ("approve", None),
    }  # fmt: skip

    # The trail and the rows say the same, and the chain (which the hash of each event covers) verifies.
    with factory() as session:
        for step, event in events.items():
            rows = session.scalars(select(NomineeDecision).where(NomineeDecision.human_task_id == event["task"])).all()
            assert {r.nominee_id: (r.result, r.votes_for) for r in rows} == {
                n["id"]: (n["result"], n.get("votes_for")) for n in event.get("nominees", [])}, step  # fmt: skip
            assert session.get(HumanTask, event["task"]).bpmn_id == step
        assert verify_chain(session).ok


def test_the_rows_are_checked_against_the_trail(factory, engine):
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người một", "BK-TINH"), NomineeInput("individual", "Người hai", "BK-TINH")])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    votes = {ids["Người một"]: NomineeResult(True, votes_for=5, votes_against=0),
             ids["Người hai"]: NomineeResult(True, votes_for=1, votes_against=4)}  # fmt: skip
    decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(7, 5))
    with factory() as session:
        before = check_decision_trail(session, batch=3)  # several pages of events
        assert before.ok and before.checked >= 2
    with factory() as session, session.begin():
        row = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id == ids["Người hai"])).one()
        row.result, row.reason = "approve", None  # the failed vote made to look passed
    with factory() as session:
        after = check_decision_trail(session, batch=3)
    assert not after.ok and after.disagreements == 1 and after.checked == before.checked
    assert f"người được đề nghị {ids['Người hai']}" in after.problems[0]
    assert "bản ghi quyết định (approve, phiếu 1/4, có mặt 5/7) khác với nhật ký (reject, phiếu 1/4, có mặt 5/7, " \
           "lý do “Không đạt tỷ lệ phiếu (1/5)”) (đã bị sửa)" in after.problems[0]  # fmt: skip
