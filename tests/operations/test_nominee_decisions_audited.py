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
    # Every nominee of a counted vote is listed (each has its votes); a refusal also by its name as it stood.
    assert "approved" not in council
    assert [n.pop("name", None) for n in council["nominees"]] == [
        "Người trượt phiếu" if n["id"] == ids["Người trượt phiếu"] else None for n in council["nominees"]]
    assert council["nominees"] == sorted([
        {"id": ids["Người trượt phiếu"], "result": "reject", "reason": "Không đạt tỷ lệ phiếu (2/5)", "votes_for": 2,
         "votes_against": 3},
        {"id": ids["Người được khen ở phường"], "result": "approve", "votes_for": 4, "votes_against": 1},
        {"id": ids["Người Chủ tịch không duyệt"], "result": "approve", "votes_for": 4, "votes_against": 1},
        {"id": ids["Người đi tiếp"], "result": "approve", "votes_for": 4, "votes_against": 1},
    ], key=lambda n: n["id"])  # fmt: skip
    chairman = events["ward_chairman_decide"]
    assert "council" not in chairman
    # The one simply passed on is counted, not listed (every completion's event is kept for good: kept small).
    assert chairman["approved"] == 1
    assert {n["id"]: (n["result"], n.get("reason"), n.get("name")) for n in chairman["nominees"]} == {
        ids["Người được khen ở phường"]: ("granted", None, None),
        ids["Người Chủ tịch không duyệt"]: ("reject", "Chưa đủ tiêu chuẩn theo Điều 39", "Người Chủ tịch không duyệt"),
    }  # fmt: skip

    # The trail and the rows say the same, and the chain (which the hash of each event covers) verifies.
    with factory() as session:
        for step, event in events.items():
            rows = session.scalars(select(NomineeDecision).where(NomineeDecision.human_task_id == event["task"])).all()
            listed = {n["id"]: (n["result"], n.get("votes_for")) for n in event.get("nominees", [])}
            assert {r.nominee_id: (r.result, r.votes_for) for r in rows if r.nominee_id in listed} == listed, step
            assert len(rows) - len(listed) == event.get("approved", 0), step
            assert session.get(HumanTask, event["task"]).bpmn_id == step
        assert verify_chain(session).ok
        assert check_decision_trail(session).ok


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


def test_a_plain_approval_deleted_or_turned_into_a_refusal_is_found(factory, engine):
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người một", "BK-TINH"), NomineeInput("individual", "Người hai", "BK-TINH")])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    for _ in range(3):  # submitted, the office, the council (no vote counted: both simply passed on)
        act(factory, engine, dossier_id)
    events = completion_events(factory, dossier_id)
    assert events["ward_council_vote"]["approved"] == 2 and "nominees" not in events["ward_council_vote"]
    with factory() as session, session.begin():
        rows = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id.in_(ids.values()))
                               .order_by(NomineeDecision.nominee_id)).all()  # fmt: skip
        rows[0].result, rows[0].reason = "reject", "sửa sau"
        session.delete(rows[1])
    with factory() as session:
        found = check_decision_trail(session)
    assert found.disagreements == 2, found.problems
    assert any(f"người được đề nghị {ids['Người một']}" in p and "(reject, lý do “sửa sau”) mà nhật ký không ghi" in p
               for p in found.problems), found.problems  # fmt: skip
    assert any("nhật ký ghi 2 người được thông qua, bản ghi quyết định có 1" in p for p in found.problems)
