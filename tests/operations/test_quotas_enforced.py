"""Each plan's quotas bind where it says, across all dossiers of the campaign; a race cannot beat a cap."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service.errors import QuotaExceeded
from service.models import OrgUnit, RoleAssignment, User
from service.operations.accounts import actor_for, hash_password
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act, open_task

MT_DAY = datetime(2015, 11, 20, 2, tzinfo=UTC)
PL_DAY = datetime(2024, 12, 2, 2, tzinfo=UTC)


def lodge(factory, engine, unit_code: str, campaign: str, nominees: list[NomineeInput]) -> int:
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code=campaign, unit_id=unit.id,
                                 title="Đề nghị khen thưởng", nominees=nominees)  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        return dossier.id


def test_my_thanh_each_unit_proposes_at_most_one_collective_and_three_individuals(factory):
    engine = Engine(FixedClock(MT_DAY))
    first = lodge(factory, engine, "BT-GT-MT-A2", "MT-CCHC-2015", [NomineeInput("collective", "Ấp 2", "GK-XA")] +
                  [NomineeInput("individual", f"Cá nhân {n}", "GK-XA") for n in range(3)])  # fmt: skip
    act(factory, engine, first)
    second = lodge(factory, engine, "BT-GT-MT-A2", "MT-CCHC-2015", [NomineeInput("individual", "Cá nhân 4", "GK-XA")])
    with pytest.raises(QuotaExceeded, match="MT-DON-VI.*cá nhân: 4/3"):
        act(factory, engine, second)
    assert open_task(factory, second).bpmn_id == "unit_prepare"


def test_my_thanh_commune_forwards_at_most_one_individual_to_the_district(factory):
    engine = Engine(FixedClock(MT_DAY))
    ids = [lodge(factory, engine, code, "MT-CCHC-2015", [NomineeInput("individual", f"Người {code}", "GK-HUYEN")])
           for code in ("BT-GT-MT-A2", "BT-GT-MT-VP")]  # fmt: skip
    for dossier_id in ids:
        for _ in range(3):
            act(factory, engine, dossier_id)  # submit, office, council
    act(factory, engine, ids[0])  # the commune chairman forwards the first
    assert open_task(factory, ids[0]).bpmn_id == "district_noi_vu_review"
    with pytest.raises(QuotaExceeded, match="MT-TRINH-HUYEN.*cá nhân: 2/1"):
        act(factory, engine, ids[1])


def _five_then_more(factory, engine, count: int) -> list[int]:
    units = ["HN-HD-PL-TP", "HN-HD-PL-VH", "HN-HD-PL-TC"]
    ids = [lodge(factory, engine, units[n % 3], "PL-CCHC-2024", [NomineeInput("collective", f"Tập thể {n}", "GK-XA")])
           for n in range(count)]  # fmt: skip
    for dossier_id in ids:
        for _ in range(3):
            act(factory, engine, dossier_id)  # submit, office, council: now at the ward chairman
    return ids


def test_phu_lam_grants_at_most_five_collectives(factory):
    engine = Engine(FixedClock(PL_DAY))
    ids = _five_then_more(factory, engine, 6)
    for dossier_id in ids[:5]:
        act(factory, engine, dossier_id)
    with pytest.raises(QuotaExceeded, match="PL-TAP-THE.*tập thể: 6/5 \\(tối thiểu 3\\)"):
        act(factory, engine, ids[5])
    act(factory, engine, ids[5], "reject", "Vượt chỉ tiêu 5 tập thể")  # rejecting is always possible


@pytest.mark.postgres
def test_two_chairmen_racing_for_the_last_place_cannot_both_win(postgres_url):
    from service.db import make_engine, make_session_factory

    db = make_engine(postgres_url, pool_size=6)
    factory = make_session_factory(db)
    engine = Engine(FixedClock(PL_DAY))
    ids = _five_then_more(factory, engine, 6)
    for dossier_id in ids[:4]:
        act(factory, engine, dossier_id)
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        deputy = User(username="hn-hd-pl.chairman2", full_name="Phó Chủ tịch UBND phường Phú Lãm",
                      password_hash=hash_password("x"))  # fmt: skip
        session.add(deputy)
        session.flush()
        session.add(RoleAssignment(user_id=deputy.id, role="chairman", org_unit_id=ward.id))
    tasks = [open_task(factory, i).id for i in ids[4:]]
    barrier, outcomes = threading.Barrier(2), []

    def decide(username: str, task_id: int) -> None:
        barrier.wait()
        try:
            with factory() as session, session.begin():
                complete_task(session, actor_for(session, username), engine, task_id, "approve", "Đồng ý")
            outcomes.append("granted")
        except QuotaExceeded:
            outcomes.append("over quota")

    threads = [threading.Thread(target=decide, args=(u, t)) for u, t in zip(("hn-hd-pl.chairman", "hn-hd-pl.chairman2"), tasks, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["granted", "over quota"]
    db.dispose()


def test_phu_lam_individuals_at_most_half_of_the_units_staff(factory):
    engine = Engine(FixedClock(PL_DAY))  # Bộ phận Tài chính - Kế toán has 3 staff: 50 % allows 1
    first = lodge(factory, engine, "HN-HD-PL-TC", "PL-CCHC-2024", [NomineeInput("individual", "Phạm Thị Lan", "GK-XA")])
    act(factory, engine, first)
    second = lodge(factory, engine, "HN-HD-PL-TC", "PL-CCHC-2024", [NomineeInput("individual", "Vũ Văn Nam", "GK-XA")])
    with pytest.raises(QuotaExceeded, match="PL-CA-NHAN.*cá nhân: 2/1"):
        act(factory, engine, second)


def test_phu_lam_dossiers_arriving_on_10_december_are_late(factory):
    from service.errors import DeadlinePassed

    dossier_id = lodge(factory, Engine(FixedClock(PL_DAY)), "HN-HD-PL-TP", "PL-CCHC-2024",
                       [NomineeInput("collective", "Bộ phận Tư pháp - Hộ tịch", "GK-XA")])  # fmt: skip
    with pytest.raises(DeadlinePassed, match="09/12/2024"):
        act(factory, Engine(FixedClock(datetime(2024, 12, 10, 3, tzinfo=UTC))), dossier_id)
    act(factory, Engine(FixedClock(datetime(2024, 12, 9, 16, 30, tzinfo=UTC))), dossier_id)  # 23:30 in Hà Nội


def test_gieng_day_bang_khen_needs_an_excellent_par_index(factory):
    from service.operations.records import import_records
    from service.operations.tasks import complete_task
    from tests.operations.test_records import xlsx

    engine = Engine(FixedClock(datetime(2024, 12, 5, 2, tzinfo=UTC)))
    dossier_id = lodge(factory, engine, "QN-HL-GD-KP2", "GD-CCHC-2024",
                       [NomineeInput("collective", "Khu phố 2, phường Giếng Đáy", "BK-TINH")])  # fmt: skip
    act(factory, engine, dossier_id)
    task = open_task(factory, dossier_id)
    with factory() as session, session.begin():
        import_records(session, actor_for(session, "qn-hl-gd.office_clerk"), "index",
                       xlsx("index", [["QN-HL-GD-KP2", 2024, "PAR_INDEX", 86.5, 4, None, "tốt"]]), engine.clock.now())
    with factory() as session, session.begin(), pytest.raises(Exception, match="xếp loại tốt \\(cần từ xuất sắc\\)"):
        complete_task(session, actor_for(session, "qn-hl-gd.office_clerk"), engine, task.id, "approve")
    with factory() as session, session.begin():
        import_records(session, actor_for(session, "qn-hl-gd.office_clerk"), "index",
                       xlsx("index", [["QN-HL-GD-KP2", 2024, "PAR_INDEX", 93.1, 1, None, "Xuất sắc"]]), engine.clock.now())
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "qn-hl-gd.office_clerk"), engine, task.id, "approve")
