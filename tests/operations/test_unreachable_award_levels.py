"""A nominee may only ask for an award whose granting level its dossier can reach: after the 2025 reform (the
district level abolished in the org tree, a process version without it deployed) a district Giấy khen is refused
when a dossier is created, when a nominee is added and when a draft made before the reform is submitted; and a
dossier already in flight whose nominee's level is skipped ends with its dossier, nominee and notice agreeing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.domain.actors import Actor
from service.domain.dossier_status import shown_status
from service.domain.nominee_standing import nominee_state
from service.domain.notices import outcome_notice
from service.errors import InvalidInput
from service.models import AuditEvent, Campaign, Dossier, Nominee, Notification, OrgUnit, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents, username_for
from service.operations.definitions import deploy_definition
from service.operations.dossiers import NomineeInput, cancel_dossier, create_dossier
from service.operations.editing import add_nominee, remove_nominee, submit_dossier
from service.operations.migrations import migrate_instances
from service.operations.notifications import dossier_fates
from service.operations.org_admin import abolish_level
from service.queries.dashboard import campaign_dashboard
from service.web.messages_en import refusal_in
from service.storage import FileStore
from tests.conftest import CHAIN, FILES
from tests.engine.bpmn_edits import remove_level
from workflows import Engine, FixedClock, parse_definition

from .helpers import act, open_task
from .test_quotas_enforced import lodge

REFORM = date(2025, 7, 1)
NOW = datetime(2025, 7, 2, 3, 0, tzinfo=UTC)
UNIT = "QN-HL-GD-KP2"
CAMPAIGN = "GD-CCHC-2024"
HA_LONG_GK = "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố Hạ Long"
REFUSED = (f"Không đề nghị được “{HA_LONG_GK}” cho Trần Văn Nam: cấp quận/huyện không còn trên đường trình hồ sơ "
           "của đơn vị (đã bãi bỏ hoặc quy trình không có bước cấp này). Hãy chọn hình thức khen khác.")


def district_free_chain() -> bytes:
    """The shipped chain as an admin edits it for 2025: the district lanes gone, the ward forwarding to the
    province and the province returning to the ward."""
    return remove_level(CHAIN.read_bytes(), "district", {"district_noi_vu_review": "province_ban_review",
                                                         "district_chairman_decide": "ward_chairman_decide"})  # fmt: skip


def deploy_district_free(session: Session) -> int:
    return deploy_definition(session, Actor(None, "admin"), district_free_chain(), filename="chain-2025.bpmn",
                             comment="Bỏ cấp huyện từ 01/07/2025", now=NOW).version.id  # fmt: skip


def abolish_district(session: Session, engine: Engine, keep: tuple[int, ...] = ()) -> None:
    """The reform as an admin applies it: the dossiers in review elsewhere finished first (abolishing refuses while
    any is running at a district unit), then the district level abolished as of 1 July 2025."""
    admin = actor_for(session, "admin")
    for running in session.scalars(select(Dossier.id).where(Dossier.status == "in_review")).all():
        if running not in keep:
            cancel_dossier(session, admin, engine, running, "Sắp xếp đơn vị hành chính 2025")
    abolish_level(session, admin, NOW, "district", effective=REFORM)


def _counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                 for model in (Dossier, Nominee, ProcessInstance, AuditEvent))  # fmt: skip


def _create(session: Session, engine: Engine, award: str, name: str = "Trần Văn Nam") -> Dossier:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == UNIT))
    return create_dossier(session, actor_for(session, username_for(UNIT, "unit_clerk")), engine,
                          campaign_code=CAMPAIGN, unit_id=unit.id, title="Đề nghị khen thưởng năm 2024",
                          nominees=[NomineeInput("individual", name, award, "Trưởng khu phố")])  # fmt: skip


def test_after_the_reform_a_district_award_is_refused_at_creation_and_nothing_is_written(factory):
    engine = Engine(FixedClock(NOW))
    with factory() as session, session.begin():
        deploy_district_free(session)
        abolish_district(session, engine)
    with factory() as session:
        before = _counts(session)
        with pytest.raises(InvalidInput) as refused:
            _create(session, engine, "GK-HUYEN")
        session.rollback()
        assert refused.value.message == REFUSED
        assert "“Giấy khen của Chủ tịch Ủy ban nhân dân thành phố Hạ Long” cannot be requested for Trần Văn Nam: the " \
               "district level is no longer on the unit's dossier path" in refusal_in(refused.value, "en")
        assert _counts(session) == before
    with factory() as session, session.begin():  # the levels still on the path are offered as before
        assert _create(session, engine, "GK-XA").target_level == "ward"
        assert _create(session, engine, "BK-TINH", "Lê Thị Hoa").target_level == "province"


def test_a_process_without_the_district_step_alone_refuses_the_district_award(factory):
    """The org tree still has the district, but the campaign's process version has no step there."""
    engine = Engine(FixedClock(NOW))
    with factory() as session, session.begin():
        deploy_district_free(session)
    with factory() as session:
        before = _counts(session)
        with pytest.raises(InvalidInput, match="cấp quận/huyện không còn trên đường trình"):
            _create(session, engine, "GK-HUYEN")
        session.rollback()
        assert _counts(session) == before


def test_a_draft_made_before_the_reform_is_refused_at_submit_and_cannot_gain_a_district_nominee(factory):
    engine = Engine(FixedClock())  # 2024: the district level is there, GK-HUYEN may be asked for
    draft = lodge(factory, engine, UNIT, CAMPAIGN, [NomineeInput("individual", "Trần Văn Nam", "GK-HUYEN", "Trưởng khu phố")])
    with factory() as session:
        assert session.get(Dossier, draft).target_level == "district"
    engine.clock.set(NOW)
    with factory() as session, session.begin():
        abolish_district(session, engine)
    with factory() as session:
        before = _counts(session)
        clerk = actor_for(session, username_for(UNIT, "unit_clerk"))
        with pytest.raises(InvalidInput) as refused:
            submit_dossier(session, clerk, engine, draft)
        assert refused.value.message == REFUSED
        with pytest.raises(InvalidInput, match=f"“{HA_LONG_GK}” cho Nguyễn Thị Mai: cấp quận/huyện"):
            add_nominee(session, clerk, NOW, dossier_id=draft, kind="individual", full_name="Nguyễn Thị Mai",
                        award_form_code="GK-HUYEN")  # fmt: skip
        session.rollback()
        assert _counts(session) == before
        assert session.get(Dossier, draft).status == "draft"
    assert open_task(factory, draft).bpmn_id == "unit_prepare"
    # The draft's instance still runs the version with the district's steps: a province award would stop there,
    # so it is refused too (until an admin moves the draft onto the district-free version).
    with factory() as session:
        clerk = actor_for(session, username_for(UNIT, "unit_clerk"))
        with pytest.raises(InvalidInput, match="hồ sơ phải qua cấp quận/huyện"):
            add_nominee(session, clerk, NOW, dossier_id=draft, kind="individual", full_name="Trần Văn Nam",
                        award_form_code="BK-TINH")  # fmt: skip
        session.rollback()
    # The clerk chooses the ward's form: the district nominee goes, and the dossier goes up.
    with factory() as session, session.begin():
        clerk = actor_for(session, username_for(UNIT, "unit_clerk"))
        add_nominee(session, clerk, NOW, dossier_id=draft, kind="individual", full_name="Trần Văn Nam",
                    award_form_code="GK-XA")  # fmt: skip
        first = session.scalar(select(Nominee).where(Nominee.dossier_id == draft).order_by(Nominee.id))
        remove_nominee(session, clerk, NOW, first.id)
        attach_sample_documents(session, clerk, FileStore(FILES), NOW, draft)
    act(factory, engine, draft)
    assert open_task(factory, draft).bpmn_id == "ward_office_review"


def _through_the_new_chain(factory: sessionmaker[Session], engine: Engine, nominees: list[NomineeInput]) -> int:
    """A dossier lodged and submitted in 2024 with the district on its path, in review at the ward when the reform
    comes: the district is abolished, the district-free version deployed and the dossier's instance moved onto it;
    then every step approves, ward → province."""
    dossier_id = lodge(factory, engine, UNIT, CAMPAIGN, nominees)
    act(factory, engine, dossier_id)  # submit
    act(factory, engine, dossier_id)  # the ward's Văn phòng
    engine.clock.set(NOW)
    with factory() as session, session.begin():
        old = session.scalar(select(ProcessInstance.version_id).where(ProcessInstance.dossier_id == dossier_id))
        new = deploy_district_free(session)
        abolish_district(session, engine, keep=(dossier_id,))
        moved = migrate_instances(session, actor_for(session, "admin"), engine, old, new, dry_run=False)
        assert any(line.dossier_id == dossier_id and line.moved for line in moved)
    visited = []
    while (task := open_task(factory, dossier_id)) is not None:
        visited.append(task.bpmn_id)
        act(factory, engine, dossier_id)
    assert visited == ["ward_council_vote", "ward_chairman_decide", "province_ban_review", "province_council_vote",
                       "province_chairman_decide"]  # fmt: skip
    return dossier_id


def test_a_dossier_in_flight_whose_district_award_was_skipped_ends_not_granted_everywhere(factory):
    engine = Engine(FixedClock())
    dossier_id = _through_the_new_chain(
        factory, engine, [NomineeInput("individual", "Trần Văn Nam", "GK-HUYEN", "Trưởng khu phố")])
    with factory() as session:
        dossier = session.get(Dossier, dossier_id)
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
        assert instance.status == "completed" and instance.end_event == "end_granted_province"
        # Nobody granted the district Giấy khen: the nominee is not left "under review" beside a granted dossier.
        nominee = session.scalar(select(Nominee).where(Nominee.dossier_id == dossier_id))
        assert (nominee.outcome, nominee.outcome_level) == ("rejected", "district")
        assert dossier.status == "rejected" and shown_status(dossier.status, [nominee.outcome]) == "rejected"
        assert nominee_state(nominee.outcome, nominee.outcome_level, dossier.status) == "rejected"
        campaign = session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN))
        board = campaign_dashboard(session, campaign, NOW)
        row = next(r for r in board.units if r.unit == session.get(OrgUnit, dossier.unit_id).name)
        assert row.nominees["travelling"] == 0 and row.nominees["rejected"] >= 1
        # The unit's clerks are told it was not granted, not that it was granted with the Giấy khen.
        kinds = set(session.scalars(select(Notification.kind).where(Notification.dossier_id == dossier_id,
                                                                    Notification.task_id.is_(None))))  # fmt: skip
        assert kinds == {"not_granted"}
        fates = dossier_fates(session, [dossier_id])[dossier_id]
        assert [(f.name, f.granted, f.level) for f in fates] == [("Trần Văn Nam", False, "district")]
        text, _ = outcome_notice("not_granted", dossier.title, fates)
        assert "không được khen thưởng" in text and "đã được khen thưởng" not in text
        # The trail says why, on the process's end.
        end = session.scalar(select(AuditEvent).where(AuditEvent.action == "instance.end",
                                                      AuditEvent.object_id == str(instance.id)))  # fmt: skip
        after = json.loads(end.after_json)
        assert after["dossier_status"] == "rejected"
        assert [(n["id"], n["award"], n["level"]) for n in after["not_reached"]] == [(nominee.id, "GK-HUYEN", "district")]
        assert after["not_reached"][0]["reason"].startswith("Cấp tặng không còn trên đường trình")
        status_event = session.scalar(select(AuditEvent).where(AuditEvent.action == "dossier.status",
                                                               AuditEvent.object_id == str(dossier_id))
                                      .order_by(AuditEvent.id.desc()).limit(1))  # fmt: skip
        assert json.loads(status_event.after_json)["status"] == "rejected"


def test_beside_a_granted_provincial_award_the_skipped_one_makes_the_dossier_granted_in_part(factory):
    engine = Engine(FixedClock())
    dossier_id = _through_the_new_chain(factory, engine, [
        NomineeInput("individual", "Trần Văn Nam", "GK-HUYEN", "Trưởng khu phố"),
        NomineeInput("individual", "Lê Thị Hoa", "BK-TINH", "Công chức"),
    ])  # fmt: skip
    with factory() as session:
        dossier = session.get(Dossier, dossier_id)
        outcomes = {n.full_name: (n.outcome, n.outcome_level)
                    for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id))}  # fmt: skip
        assert outcomes == {"Trần Văn Nam": ("rejected", "district"), "Lê Thị Hoa": ("granted", "province")}
        assert dossier.status == "granted"
        assert shown_status(dossier.status, [o for o, _ in outcomes.values()]) == "granted_in_part"
        fates = dossier_fates(session, [dossier_id])[dossier_id]
        text, _ = outcome_notice("granted", dossier.title, fates)
        assert "một phần" in text and "Trần Văn Nam" in text.split("Không được khen thưởng")[1]


def test_the_district_free_chain_really_skips_the_district_for_a_district_target(engine):
    """Why the safety net is needed, on the engine alone: a version without the district, given a dossier whose
    award is granted at the district, routes ward → province and ends at the province's granted end."""
    definition = parse_definition(district_free_chain(), "chain-2025.bpmn")
    assert "district" not in definition.levels
    outcome = engine.start(definition, {"dossier_id": 1, "target_level": "district", "campaign_code": CAMPAIGN})
    visited = []
    while outcome.status == "running":
        task = outcome.ready_tasks[0]
        visited.append(task.bpmn_id)
        decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
        outcome = engine.complete(definition, outcome.state, task.task_id, decision, {"target_level": "district"})
    assert visited[3:] == ["ward_chairman_decide", "province_ban_review", "province_council_vote",
                           "province_chairman_decide"]  # fmt: skip
    assert outcome.end_event == "end_granted_province"

