"""A nominee counts against a level's quota, and stands in the level's tờ trình upward, once: by its latest decision
at that level. A chairman who approves again after a return adds nobody; a nominee he approved, then refused at
the same level, or whose dossier the unit withdrew, no longer counts. A unit's places are used by what it proposed
that was not refused, whatever the dossier's end."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.domain.actors import Actor
from service.domain.nominee_outcomes import NomineeResult
from service.errors import QuotaExceeded
from service.models import Campaign, Dossier, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.campaigns import dump_campaign_yaml, export_campaign, import_campaign, read_campaign_file
from service.operations.dossiers import NomineeInput
from service.operations.official_documents import generate_forwarding_proposal
from service.operations.tasks import complete_task
from service.queries.dashboard import campaign_dashboard
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act, open_task
from .test_official_documents import text_of
from .test_quotas_enforced import MT_DAY, lodge

CODE = "TEST-PL-TRINH"
RULE = {"code": "PL-TRINH-QUAN", "type": "forward_cap", "description": "Trình quận tối đa 2 tập thể, 3 cá nhân",
        "level": "ward", "collective": 2, "individual": 3, "binds_at": "chairman"}  # fmt: skip


def forward_cap_campaign(factory) -> None:  # type: ignore[no-untyped-def]
    """TEST-PL-ALL with a cap on what the ward chairman forwards to the district."""
    with factory() as session, session.begin():
        data = export_campaign(session, "TEST-PL-ALL") | {"code": CODE, "rules": [RULE]}
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(data)), Engine(FixedClock()).clock.now())


def quota_line(factory, engine: Engine) -> str:  # type: ignore[no-untyped-def]
    with factory() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == CODE))
        (check,) = [c for c in campaign_dashboard(session, campaign, engine.clock.now()).quotas if c.code == RULE["code"]]
        return check.message


def forwarded_text(factory, engine: Engine) -> str:  # type: ignore[no-untyped-def]
    """The ward's consolidated tờ trình upward, as its PDF reads."""
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        doc = generate_forwarding_proposal(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES),
                                           engine.clock.now(), CODE, ward.id)  # fmt: skip
        return text_of(doc)


def nominee_id(factory, name: str) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.scalar(select(Nominee.id).where(Nominee.full_name == name))


def forward_then_return_to_the_ward_chairman(factory, engine: Engine, dossier_id: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        act(factory, engine, dossier_id)  # submit, office, council, the ward chairman forwards
    assert open_task(factory, dossier_id).bpmn_id == "district_noi_vu_review"
    act(factory, engine, dossier_id, "return", "Bổ sung báo cáo thành tích")  # Phòng Nội vụ sends it back
    assert open_task(factory, dossier_id).bpmn_id == "ward_chairman_decide"


def test_a_dossier_forwarded_again_after_a_return_counts_its_nominees_once(factory):
    forward_cap_campaign(factory)
    engine = Engine(FixedClock())
    first = lodge(factory, engine, "HN-HD-PL-TP", CODE,
                  [NomineeInput("collective", "Tổ Một", "GK-HUYEN"), NomineeInput("individual", "Người Một", "GK-HUYEN"),
                   NomineeInput("individual", "Người Hai", "GK-HUYEN")])  # fmt: skip
    forward_then_return_to_the_ward_chairman(factory, engine, first)
    act(factory, engine, first)  # the ward chairman forwards it a second time
    assert open_task(factory, first).bpmn_id == "district_noi_vu_review"
    assert quota_line(factory, engine).endswith("tập thể: 1/2; cá nhân: 2/3")

    # Really forwarded so far: 1 collective, 2 individuals; this one fills the cap exactly and must pass.
    second = lodge(factory, engine, "HN-HD-PL-VH", CODE,
                   [NomineeInput("collective", "Tổ Hai", "GK-HUYEN"), NomineeInput("individual", "Người Ba", "GK-HUYEN")])
    for _ in range(4):
        act(factory, engine, second)
    assert open_task(factory, second).bpmn_id == "district_noi_vu_review"
    assert quota_line(factory, engine).endswith("tập thể: 2/2; cá nhân: 3/3")

    # One more individual is over the cap, counted right.
    third = lodge(factory, engine, "HN-HD-PL-TC", CODE, [NomineeInput("individual", "Người Bốn", "GK-HUYEN")])
    for _ in range(3):
        act(factory, engine, third)
    with pytest.raises(QuotaExceeded, match="PL-TRINH-QUAN.*tập thể: 2/2; cá nhân: 4/3"):
        act(factory, engine, third)

    text = forwarded_text(factory, engine)
    assert "khen thưởng cho 2 tập thể và 3 cá nhân" in text
    for name in ("Tổ Một", "Tổ Hai", "Người Một", "Người Hai", "Người Ba"):
        assert len(re.findall(rf"{name}\b", text)) == 1, name
    assert "Người Bốn" not in text


def test_a_nominee_refused_when_the_chairman_decides_again_no_longer_counts(factory):
    forward_cap_campaign(factory)
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", CODE,
                       [NomineeInput("individual", "Người Được", "GK-HUYEN"),
                        NomineeInput("individual", "Người Bị Loại", "GK-HUYEN")])  # fmt: skip
    forward_then_return_to_the_ward_chairman(factory, engine, dossier_id)
    refused, task = nominee_id(factory, "Người Bị Loại"), open_task(factory, dossier_id)
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, task.id, "approve",
                      nominee_results={refused: NomineeResult(False, "Chưa đủ thành tích")})  # fmt: skip
    assert open_task(factory, dossier_id).bpmn_id == "district_noi_vu_review"
    assert quota_line(factory, engine).endswith("tập thể: 0/2; cá nhân: 1/3")
    text = forwarded_text(factory, engine)
    assert "khen thưởng cho 1 cá nhân" in text
    assert len(re.findall(r"Người Được\b", text)) == 1 and "Người Bị Loại" not in text

    # Two more individuals fit under the cap of three.
    other = lodge(factory, engine, "HN-HD-PL-VH", CODE,
                  [NomineeInput("individual", f"Người Khác {n}", "GK-HUYEN") for n in (1, 2)])  # fmt: skip
    for _ in range(4):
        act(factory, engine, other)
    assert open_task(factory, other).bpmn_id == "district_noi_vu_review"
    assert quota_line(factory, engine).endswith("tập thể: 0/2; cá nhân: 3/3")


def test_a_forwarded_dossier_sent_back_down_and_withdrawn_frees_its_places(factory):
    forward_cap_campaign(factory)
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", CODE,
                       [NomineeInput("individual", f"Người Rút {n}", "GK-HUYEN") for n in (1, 2, 3)])  # fmt: skip
    forward_then_return_to_the_ward_chairman(factory, engine, dossier_id)
    for step in ("ward_chairman_decide", "ward_council_vote", "ward_office_review"):
        assert open_task(factory, dossier_id).bpmn_id == step
        act(factory, engine, dossier_id, "return", "Đơn vị xem lại hồ sơ")
    assert open_task(factory, dossier_id).bpmn_id == "unit_prepare"
    act(factory, engine, dossier_id, "withdraw", "Không đề nghị nữa")
    assert open_task(factory, dossier_id) is None
    assert quota_line(factory, engine).endswith("tập thể: 0/2; cá nhân: 0/3")

    other = lodge(factory, engine, "HN-HD-PL-VH", CODE,
                  [NomineeInput("individual", f"Người Thay {n}", "GK-HUYEN") for n in (1, 2, 3)])  # fmt: skip
    for _ in range(4):
        act(factory, engine, other)  # three places: the withdrawn dossier's are free again
    assert open_task(factory, other).bpmn_id == "district_noi_vu_review"
    text = forwarded_text(factory, engine)
    assert "khen thưởng cho 3 cá nhân" in text and "Người Rút" not in text


def test_nominees_granted_in_a_dossier_that_ended_refused_still_use_the_units_places(factory):
    """My Thạnh: each unit proposes at most 3 individuals. A dossier whose commune awards stand while its last
    nominee is refused by the district ends 'rejected', yet its two awardees were proposed and count."""
    engine = Engine(FixedClock(MT_DAY))
    first = lodge(factory, engine, "BT-GT-MT-A2", "MT-CCHC-2015",
                  [NomineeInput("individual", "Người Xã 1", "GK-XA"), NomineeInput("individual", "Người Xã 2", "GK-XA"),
                   NomineeInput("individual", "Người Huyện", "GK-HUYEN")])  # fmt: skip
    for _ in range(4):
        act(factory, engine, first)  # submit, office, council; the commune chairman grants two and forwards one
    assert open_task(factory, first).bpmn_id == "district_noi_vu_review"
    act(factory, engine, first, "reject", "Chưa đủ tiêu chuẩn khen cấp huyện")
    with factory() as session:
        assert session.get(Dossier, first).status == "rejected"
    second = lodge(factory, engine, "BT-GT-MT-A2", "MT-CCHC-2015",
                   [NomineeInput("individual", f"Người Mới {n}", "GK-XA") for n in (1, 2)])  # fmt: skip
    with pytest.raises(QuotaExceeded, match="MT-DON-VI.*cá nhân: 4/3"):
        act(factory, engine, second)
