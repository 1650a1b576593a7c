"""The dossier page's history names each decision as its step's form offered it in the instance's own process
version ("Đạt" at an appraisal, "Thông qua" at a council, "Đồng ý" at a chairman), not the code's generic label;
each nominee's refusal comes with its reason, step, level and votes. SQLite and PostgreSQL."""

from __future__ import annotations


import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.actors import Actor
from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.models import HumanTask, Nominee, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.definitions import deploy_definition, instance_definition
from service.operations.dossiers import NomineeInput
from service.operations.tasks import complete_task
from service.queries.dossier_view import decision_labels, dossier_view
from tests.conftest import CHAIN
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task, owner_username, statements
from .test_quotas_enforced import lodge

SHIPPED_LABELS = [
    ("unit_prepare", "Nộp hồ sơ"), ("ward_office_review", "Đạt"), ("ward_council_vote", "Trả lại thẩm định"),
    ("ward_office_review", "Đạt"), ("ward_council_vote", "Thông qua"), ("ward_chairman_decide", "Đồng ý"),
    ("district_noi_vu_review", "Đạt"), ("district_council_vote", "Thông qua"), ("district_chairman_decide", "Đồng ý"),
    ("province_ban_review", "Đạt"), ("province_council_vote", "Thông qua"), ("province_chairman_decide", "Đồng ý"),
]  # fmt: skip
OWN_LABEL = "Hồ sơ đủ điều kiện trình Hội đồng"  # the ward office's approval in the edited version


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


def labelled_history(session: Session, engine: Engine, dossier_id: int) -> list[tuple[str, str | None]]:
    """(step, label) of each done task, oldest first; None where the view has no step label (generic shown)."""
    view = dossier_view(session, engine, dossier_id)
    return [(t.bpmn_id, view.decision_labels.get((t.bpmn_id, str(t.decision)))) for t, _ in view.done_tasks]


def test_each_done_step_reads_as_its_own_form_offered_it(factory, engine):
    dossier_id = new_dossier(factory, engine)  # a Bằng khen: the dossier travels to the province
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "return", "Thiếu biên bản họp bình xét")  # the ward council sends it back
    while open_task(factory, dossier_id):
        act(factory, engine, dossier_id)
    with factory() as session:
        assert labelled_history(session, engine, dossier_id) == SHIPPED_LABELS
        view = dossier_view(session, engine, dossier_id)
        assert view.dossier.status == "granted"
        assert {str(t.decision) for t, _ in view.done_tasks} == {"submit", "approve", "return"}


def edited_chain() -> bytes:
    """The shipped chain with the ward office's approval flow named otherwise."""
    xml = CHAIN.read_text(encoding="utf-8")
    flow = 'id="flow_gw_ward_office_review_to_ward_council_vote" name="Đạt"'
    assert xml.count(flow) == 1
    return xml.replace(flow, flow.replace('name="Đạt"', f'name="{OWN_LABEL}"')).encode("utf-8")


def test_labels_come_from_the_instances_own_version_and_fall_back_when_it_lacks_the_step(factory, engine):
    shipped = new_dossier(factory, engine)
    with factory() as session, session.begin():
        assert deploy_definition(session, Actor(None, "test"), edited_chain(), filename=CHAIN.name).created
    edited = new_dossier(factory, engine)
    for dossier_id in (shipped, edited):
        act(factory, engine, dossier_id)
        act(factory, engine, dossier_id)
    with factory() as session:
        assert labelled_history(session, engine, shipped) == [("unit_prepare", "Nộp hồ sơ"),
                                                              ("ward_office_review", "Đạt")]  # fmt: skip
        assert labelled_history(session, engine, edited) == [("unit_prepare", "Nộp hồ sơ"),
                                                             ("ward_office_review", OWN_LABEL)]  # fmt: skip
    # A done task whose step its version does not have (or a decision the step does not offer) gets no label:
    # the page shows the code's generic one.
    with factory() as session, session.begin():
        task = session.scalars(select(HumanTask).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                               .where(ProcessInstance.dossier_id == edited, HumanTask.bpmn_id == "ward_office_review")
                               ).one()  # fmt: skip
        task.bpmn_id = "no_such_step"
    with factory() as session:
        assert labelled_history(session, engine, edited) == [("unit_prepare", "Nộp hồ sơ"), ("no_such_step", None)]
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == shipped))
        definition = instance_definition(session, instance)
        offered = decision_labels(definition, [("ward_office_review", "withdraw"), ("ward_office_review", None),
                                               ("unit_prepare", "withdraw")])  # fmt: skip
        assert offered == {("unit_prepare", "withdraw"): "Rút hồ sơ"}  # the office offers no withdrawal




def test_a_long_history_costs_the_statements_of_a_short_one(factory, engine):
    short, long = new_dossier(factory, engine), new_dossier(factory, engine)
    act(factory, engine, short)
    act(factory, engine, long)
    for _ in range(8):  # to the province council: nine done tasks with their labels
        act(factory, engine, long)
    bind = factory.kw["bind"]

    def cost(dossier_id: int) -> tuple[int, int]:
        with factory() as session:
            dossier_view(session, engine, dossier_id)  # the version's definition cached, as after any first page
            with statements(bind) as seen:
                view = dossier_view(session, engine, dossier_id)
            assert all((t.bpmn_id, str(t.decision)) in view.decision_labels for t, _ in view.done_tasks)
            return len(view.done_tasks), len(seen)

    (few, few_cost), (many, many_cost) = cost(short), cost(long)
    assert (few, many) == (1, 9) and many_cost == few_cost


def ids_of(factory, dossier_id: int) -> dict[str, int]:
    with factory() as session:
        return {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}


def decide(factory, engine, dossier_id, decision, comment=None, results=None, council=None):
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin():
        actor = actor_for(session, owner_username(factory, task))
        return complete_task(session, actor, engine, task.id, decision, comment, nominee_results=results,
                             council=council)  # fmt: skip


def test_each_refused_nominee_shows_its_reason_step_level_and_votes(factory, engine):
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [
        NomineeInput("individual", "Người trượt phiếu", "BK-TINH"),
        NomineeInput("individual", "Người Chủ tịch không duyệt", "GK-HUYEN"),
        NomineeInput("individual", "Người đi tiếp", "BK-TINH"),
        NomineeInput("individual", "Người bị trả cả hồ sơ", "BK-TINH"),
    ])  # fmt: skip
    ids = ids_of(factory, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    votes = {nid: NomineeResult(True, votes_for=4, votes_against=1) for nid in ids.values()}
    votes[ids["Người trượt phiếu"]] = NomineeResult(True, votes_for=2, votes_against=3)
    decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(7, 5))
    with factory() as session:  # the ward council: one nominee failed the vote, the others go on
        refusals = dossier_view(session, engine, dossier_id).refusals
        assert set(refusals) == {ids["Người trượt phiếu"]}
        failed = refusals[ids["Người trượt phiếu"]]
        assert (failed.step, failed.level, failed.votes_for, failed.votes_against, failed.members_present) \
            == ("ward_council_vote", "ward", 2, 3, 5)  # fmt: skip
        assert "2/5" in failed.reason
    act(factory, engine, dossier_id)  # the ward chairman forwards the rest
    act(factory, engine, dossier_id)  # Phòng Nội vụ
    act(factory, engine, dossier_id)  # the district council
    decide(factory, engine, dossier_id, "approve",
           results={ids["Người Chủ tịch không duyệt"]: NomineeResult(False, "Chưa đủ tiêu chuẩn theo Điều 39")})
    act(factory, engine, dossier_id, "reject", "Hồ sơ không đạt yêu cầu của thành phố")  # Ban TĐKT: the whole dossier
    with factory() as session:
        view = dossier_view(session, engine, dossier_id)
        shown = {name: (r.reason, r.step, r.level, r.votes_for) for name, nid in ids.items()
                 if (r := view.refusals.get(nid)) is not None}  # fmt: skip
        outcomes = {n.full_name: (n.outcome, n.outcome_level) for n, _ in view.nominees}
    assert shown == {
        "Người trượt phiếu": (failed.reason, "ward_council_vote", "ward", 2),
        "Người Chủ tịch không duyệt": ("Chưa đủ tiêu chuẩn theo Điều 39", "district_chairman_decide", "district", None),
        "Người đi tiếp": ("Hồ sơ không đạt yêu cầu của thành phố", "province_ban_review", "province", None),
        "Người bị trả cả hồ sơ": ("Hồ sơ không đạt yêu cầu của thành phố", "province_ban_review", "province", None),
    }  # fmt: skip
    assert outcomes["Người Chủ tịch không duyệt"] == ("rejected", "district")
    assert outcomes["Người trượt phiếu"] == ("rejected", "ward")
