"""Campaigns as data: the three seed plans as files, import/export, and the rules each plan writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service.domain.actors import Actor
from service.errors import DeadlinePassed, InvalidInput
from service.models import Campaign, OrgUnit
from service.operations.accounts import actor_for
from service.operations.campaigns import (
    CAMPAIGN_FILES, dump_campaign_yaml, export_campaign, import_campaign, read_campaign_file, register_unit,
)  # fmt: skip
from service.operations.dossiers import NomineeInput, create_dossier
from service.queries.campaign_config import campaign_config
from workflows import Engine, FixedClock

from .helpers import act, new_dossier

NOW = datetime(2024, 12, 1, tzinfo=UTC)


def config_of(session, code):
    return campaign_config(session, session.scalar(select(Campaign).where(Campaign.code == code)))


def test_each_seed_plan_is_shipped_with_its_own_numbers(factory):
    with factory() as session:
        phu_lam, my_thanh, gieng_day = (config_of(session, c) for c in ("PL-CCHC-2024", "MT-CCHC-2015", "GD-CCHC-2024"))
    rules = {r.code: r for r in phu_lam.rules}
    assert (rules["PL-TAP-THE"].params["min"], rules["PL-TAP-THE"].params["max"]) == (3, 5)
    assert (rules["PL-CA-NHAN"].params["min_percent"], rules["PL-CA-NHAN"].params["max_percent"]) == (30, 50)
    assert phu_lam.deadlines == {"ward": datetime(2024, 12, 9).date()}
    assert list(phu_lam.offered) == ["GK-XA"]
    assert phu_lam.required_for("GK-XA") == ("meeting_minutes", "achievement_report", "summary_sheet")
    mt = {r.code: r.params for r in my_thanh.rules}
    assert (mt["MT-DON-VI"]["collective"], mt["MT-DON-VI"]["individual"]) == (1, 3)
    assert (mt["MT-TRINH-HUYEN"]["collective"], mt["MT-TRINH-HUYEN"]["individual"]) == (1, 1)
    assert {k: v.isoformat() for k, v in my_thanh.deadlines.items()} == {"ward": "2015-11-25", "district": "2015-12-10"}
    assert [(f.code, f.granting_level) for f in gieng_day.offered.values()] == [
        ("BK-TINH", "province"), ("GK-HUYEN", "district"), ("GK-XA", "ward")]
    assert gieng_day.offered["BK-TINH"].name == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Quảng Ninh"
    assert gieng_day.required_for("BK-TINH") == ("proposal_letter", "meeting_minutes", "achievement_report")


@pytest.mark.parametrize("path", sorted(CAMPAIGN_FILES.glob("*.yaml")), ids=lambda p: p.name)
def test_export_then_import_gives_the_same_campaign(factory, path):
    code = read_campaign_file(path.read_text(encoding="utf-8")).code
    with factory() as session, session.begin():
        first = export_campaign(session, code)
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(first)), NOW)
        assert export_campaign(session, code) == first


def test_file_errors_are_listed_with_their_paths():
    text = """
code: X
title: T
year: 1800
issuing_unit: HN
deadlines: {ward: 2024-13-01, moon: 2024-01-01}
award_forms:
  - {code: A, name: A, granting_level: galaxy, required_documents: [selfie]}
rules:
  - {type: per_unit_max, collective: -1}
  - {type: teleport}
  - {type: count_range, award_form: NOPE, max: 3}
"""
    with pytest.raises(InvalidInput) as raised:
        read_campaign_file(text)
    problems = "\n".join(raised.value.details["problems"])
    for expected in ("year:", "deadlines.ward", "deadlines.moon", "award_forms[0].granting_level",
                     "award_forms[0].required_documents", "rules[0].collective", "rules[1].type", "rules[2].award_form"):
        assert expected in problems, expected


def test_award_form_not_offered_by_the_campaign_is_refused(factory):
    engine = Engine(FixedClock())
    with pytest.raises(InvalidInput, match="không có hình thức 'BK-TINH'"):
        new_dossier(factory, engine, award="BK-TINH", campaign="PL-CCHC-2024")


def test_unregistered_unit_is_refused_naming_the_rule_and_registration_closes_on_time(factory):
    with factory() as session, session.begin():
        spec = read_campaign_file((CAMPAIGN_FILES / "phu-lam-ward-2024.yaml").read_text(encoding="utf-8"))
        data = export_campaign(session, spec.code) | {"code": "PL-DK", "registration_required": True,
                                                      "registration_deadline": "2024-11-30"}
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(data)), NOW)
    engine = Engine(FixedClock(datetime(2024, 11, 20, tzinfo=UTC)))
    with pytest.raises(InvalidInput, match="chưa đăng ký thi đua"):
        new_dossier(factory, engine, award="GK-XA", campaign="PL-DK")
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        register_unit(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), "PL-DK", unit.id, engine.clock.now())
        late = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        with pytest.raises(DeadlinePassed, match="30/11/2024"):
            register_unit(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), "PL-DK", late.id,
                          datetime(2024, 12, 1, tzinfo=UTC))  # fmt: skip
    assert new_dossier(factory, engine, award="GK-XA", campaign="PL-DK") > 0


def test_my_thanh_deadlines_bind_at_the_commune_and_at_the_district(factory):
    early = FixedClock(datetime(2015, 11, 20, 2, tzinfo=UTC))
    engine = Engine(early)
    dossier_id = new_dossier(factory, engine, award="GK-HUYEN", unit_code="BT-GT-MT-A1", campaign="MT-CCHC-2015")
    late_engine = Engine(FixedClock(datetime(2015, 11, 26, 2, tzinfo=UTC)))
    with pytest.raises(DeadlinePassed, match="25/11/2015"):
        act(factory, late_engine, dossier_id)
    act(factory, engine, dossier_id)  # submitted on 20/11: on time
    for _ in range(2):
        act(factory, engine, dossier_id)
    too_late = Engine(FixedClock(datetime(2015, 12, 11, 2, tzinfo=UTC)))
    with pytest.raises(DeadlinePassed, match="10/12/2015"):
        act(factory, too_late, dossier_id)  # the commune chairman forwards after the district's deadline
    act(factory, engine, dossier_id)


def test_subject_type_outside_the_award_form_is_refused(factory):
    with factory() as session, session.begin():
        data = export_campaign(session, "GD-CCHC-2024")
        data["code"] = "GD-CA-NHAN"
        data["award_forms"][0]["subject_types"] = ["individual"]
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(data)), NOW)
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-HL-GD-KP1"))
        with pytest.raises(InvalidInput, match="không xét cho tập thể"):
            create_dossier(session, actor_for(session, "qn-hl-gd-kp1.unit_clerk"), Engine(FixedClock()),
                           campaign_code="GD-CA-NHAN", unit_id=unit.id, title="x",
                           nominees=[NomineeInput("collective", "Khu phố 1", "BK-TINH")])  # fmt: skip


def _statements_on(session, run):  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    seen: list[str] = []
    engine = session.get_bind()

    def listen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return result, seen


def test_campaign_settings_are_read_once_per_digest_and_a_new_import_is_seen_at_once(factory):
    from sqlalchemy import update

    from service.models import CampaignRule

    with factory() as session, session.begin():
        campaign = session.scalar(select(Campaign).where(Campaign.code == "GD-CCHC-2024"))
        assert campaign.config_sha256 and len(campaign.config_sha256) == 64
        first = campaign_config(session, campaign)
        again, statements = _statements_on(session, lambda: campaign_config(session, campaign))
        assert again == first
        assert not [s for s in statements if "campaign_rule" in s or "campaign_award_form" in s]

        # A new import (here: one rule's description edited) writes new rows and a new digest: seen at once.
        exported = export_campaign(session, "GD-CCHC-2024")
        exported["rules"][0]["description"] = "Mô tả mới của quy tắc"
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(exported)), NOW)
        assert campaign.config_sha256 != first and campaign_config(session, campaign).rules[0].description == "Mô tả mới của quy tắc"

        # Rows edited behind import_campaign's back (in SQL) no longer match the digest: a process that has
        # not cached them yet reads them from the rows every time and never caches them.
        from service.queries.campaign_config import clear_campaign_config_cache

        clear_campaign_config_cache()
        session.execute(update(CampaignRule).where(CampaignRule.campaign_id == campaign.id)
                        .values(description="Sửa thẳng trong cơ sở dữ liệu"))  # fmt: skip
        assert {r.description for r in campaign_config(session, campaign).rules} == {"Sửa thẳng trong cơ sở dữ liệu"}
        _, statements = _statements_on(session, lambda: campaign_config(session, campaign))
        assert [s for s in statements if "campaign_rule" in s]


def test_without_a_registration_deadline_registration_closes_when_the_campaign_period_ends(factory):
    with factory() as session, session.begin():
        spec = read_campaign_file((CAMPAIGN_FILES / "phu-lam-ward-2024.yaml").read_text(encoding="utf-8"))
        data = export_campaign(session, spec.code) | {"code": "PL-KY", "registration_required": True,
                                                      "registration_deadline": None,
                                                      "period": {"from": "2024-01-01", "to": "2024-12-31"}}
        import_campaign(session, Actor(None, "test"), read_campaign_file(dump_campaign_yaml(data)), NOW)
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        # The period's last day (Vietnam's calendar: 16:59 UTC on 31/12 is still 31/12 in Hà Nội) is still open.
        assert register_unit(session, clerk, "PL-KY", unit.id, datetime(2024, 12, 31, 16, 59, tzinfo=UTC)).id
        late = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        with pytest.raises(DeadlinePassed, match="PL-KY đã kết thúc ngày 31/12/2024; không nhận đăng ký thi đua"):
            register_unit(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), "PL-KY", late.id,
                          datetime(2024, 12, 31, 17, 0, tzinfo=UTC))  # 1 January 2025 in Hà Nội  # fmt: skip
