"""The demo staged as a rehearsal on a given day: every shipped plan moved so that the chain can be walked from then.

Each test stages the whole demo (org trees, users, the three shipped plans, the sample dossiers advanced through the
BPMN by SpiffWorkflow) into an empty database, on SQLite and on PostgreSQL, for today and for a day years ahead.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from service.domain.actors import Actor
from service.domain.deadlines import VN, local_date, registration_closed
from service.domain.demo_dates import REHEARSAL_MARGIN_DAYS
from service.models import AuditEvent, Campaign, Dossier, HumanTask, OrgUnit, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.campaigns import load_shipped_campaigns, register_unit
from service.operations.definitions import deploy_definition
from service.operations.demo import (
    DEMO_CLOCKS, _org_tree, _users, demo_campaign_dates, load_demo, shipped_specs, username_for,
)  # fmt: skip
from service.operations.tasks import complete_task, open_task_for
from service.operations.timers import fire_due_timers
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import CHAIN, DEMO_PASSWORD, FILES
from workflows import Engine, FixedClock

TODAY = date(2026, 12, 7)  # the day this was written: the shipped plans' own deadlines are long past
LATER = date(2031, 3, 15)
STAGED = 8  # load_demo stages a day's rehearsal at 08:00 in Vietnam
SHIPPED = {spec.code: spec for spec in shipped_specs()}
# The sample dossiers, as DEMO_CLOCKS places them: (campaign, submitting unit) → the step each one waits at.
WAITING_AT = {
    ("PL-CCHC-2024", "HN-HD-PL-TP"): "unit_prepare",
    ("PL-CCHC-2024", "HN-HD-PL-VH"): "ward_office_review",
    ("GD-CCHC-2024", "QN-HL-GD-KP1"): "district_noi_vu_review",
    ("MT-CCHC-2015", "BT-GT-MT-A1"): "ward_council_vote",
}


def moment(day: date, hour: int = STAGED, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN).astimezone(UTC)


def stage(session, as_of: date | None) -> int:  # type: ignore[no-untyped-def]
    """Deploy the chain and load the demo; the number of audit events before the demo's."""
    deploy_definition(session, Actor(None, "test"), CHAIN.read_bytes(), filename=CHAIN.name)
    session.flush()
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    load_demo(session, DEMO_PASSWORD, FileStore(FILES), as_of)
    session.flush()
    return int(before)


def campaign(session, code: str) -> Campaign:  # type: ignore[no-untyped-def]
    found = session.scalar(select(Campaign).where(Campaign.code == code))
    assert found is not None
    return found


def dossier_of(session, unit_code: str) -> Dossier:  # type: ignore[no-untyped-def]
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    found = session.scalar(select(Dossier).where(Dossier.unit_id == unit.id))
    assert found is not None
    return found


def advance(session, dossier: Dossier, engine: Engine, decision: str = "approve"):  # type: ignore[no-untyped-def]
    task = open_task_for(session, dossier.id)
    owner = session.get(OrgUnit, task.org_unit_id)
    actor = actor_for(session, username_for(owner.code, task.role))
    return complete_task(session, actor, engine, task.id, decision, "Đồng ý.",
                         confirmed=unconfirmed_keys(session, dossier))  # fmt: skip


@pytest.mark.parametrize("as_of", [TODAY, LATER], ids=str)
def test_every_plan_closes_nothing_before_the_margin_and_keeps_its_identity(any_db_session, as_of):
    session = any_db_session
    stage(session, as_of)
    margin = as_of + timedelta(days=REHEARSAL_MARGIN_DAYS)
    for code, spec in SHIPPED.items():
        row = campaign(session, code)
        shift = (row.period_from - spec.period_from).days
        assert shift > 0
        moved = timedelta(days=shift)
        # Every date moved by the same whole number of days, so the plan's own intervals are kept.
        assert (row.period_from, row.period_to) == (spec.period_from + moved, spec.period_to + moved)
        deadlines = {level: date.fromisoformat(day) for level, day in json.loads(row.deadlines_json).items()}
        assert deadlines == {level: day + moved for level, day in spec.deadlines.items()}
        assert (row.title, row.year) == (spec.title, spec.year)
        # The first day it refuses something lies exactly the margin ahead; nothing closes before.
        closing = [*deadlines.values(), row.period_to]
        assert min(closing) == margin and row.period_from <= as_of
        assert row.theme == f"{spec.theme}. Dữ liệu mẫu: các mốc thời gian của kế hoạch gốc được dời {shift} ngày " \
                            "để diễn tập."  # fmt: skip
        assert row.source == spec.source  # quoted by the tờ trình and quyết định: no rehearsal note there
    pl, gd, mt = campaign(session, "PL-CCHC-2024"), campaign(session, "GD-CCHC-2024"), campaign(session, "MT-CCHC-2015")
    assert pl.submission_deadline == margin and gd.period_to == margin and gd.submission_deadline is None
    district = margin + timedelta(days=15)  # the plan's 25/11 → 10/12, kept
    assert json.loads(mt.deadlines_json) == {"ward": margin.isoformat(), "district": district.isoformat()}
    assert {found.code: found.closing_day for found in demo_campaign_dates(session)} == dict.fromkeys(SHIPPED, margin)
    if as_of == TODAY:  # the numbers README gives for 7 December 2026
        assert {found.code: found.shift_days for found in demo_campaign_dates(session)} == {
            "PL-CCHC-2024": 752, "GD-CCHC-2024": 730, "MT-CCHC-2015": 4054}  # fmt: skip


@pytest.mark.parametrize("as_of", [TODAY, LATER], ids=str)
def test_the_sample_dossiers_stand_at_their_steps_today_with_every_timer_ahead(any_db_session, as_of):
    session = any_db_session
    earlier = stage(session, as_of)
    staged = moment(as_of)
    waiting = {}
    for (code, unit_code), step in WAITING_AT.items():
        dossier = dossier_of(session, unit_code)
        assert dossier.campaign_id == campaign(session, code).id
        waiting[unit_code] = open_task_for(session, dossier.id).bpmn_id
        assert waiting[unit_code] == step
    tasks = session.scalars(select(HumanTask)).all()
    assert len(tasks) == 11
    # Made and advanced in the minutes before 08:00 of as_of, in order, one second a step.
    created = [task.created_at for task in sorted(tasks, key=lambda t: t.id)]
    assert created == sorted(created) and created[-1] == staged and all(local_date(at) == as_of for at in created)
    dues = [task.due_at for task in tasks if task.state == "ready" and task.due_at is not None]
    assert len(dues) == 2 and all(due > staged + timedelta(days=9) for due in dues)  # P10D escalations, ahead
    timers = session.scalars(select(ProcessInstance.next_timer_at).where(ProcessInstance.status == "running")).all()
    assert all(at is None or at > staged for at in timers) and any(at is not None for at in timers)
    events = session.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id).offset(earlier)).all()
    assert len(events) > 11 and events == sorted(events) and events[-1] == staged
    assert all(local_date(at) == as_of for at in events)
    # No timer fires on as_of: nothing is overdue; ten days on, the reviews not done are escalated as designed.
    assert fire_due_timers(session, Engine(FixedClock(moment(as_of, 23, 59)))).escalations == 0
    assert fire_due_timers(session, Engine(FixedClock(staged + timedelta(days=10, hours=1)))).escalations == 2


@pytest.mark.parametrize("as_of", [TODAY, LATER], ids=str)
def test_the_ha_noi_clerk_submits_demo_dossier_1_and_units_register_at_as_of(any_db_session, as_of):
    session = any_db_session
    stage(session, as_of)
    engine = Engine(FixedClock(moment(as_of, 9, 30)))
    dossier = dossier_of(session, "HN-HD-PL-TP")
    # Demo dossier #1 (the first made; on PostgreSQL a rolled-back test still spends ids), at the unit.
    assert dossier.id == session.scalar(select(func.min(Dossier.id))) and dossier.status == "draft"
    task = open_task_for(session, dossier.id)
    clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
    result = complete_task(session, clerk, engine, task.id, "submit", "Nộp hồ sơ.")
    assert result.next_steps == ("ward_office_review",) and result.dossier_status == "in_review"
    review = open_task_for(session, dossier.id)
    assert review.bpmn_id == "ward_office_review" and review.due_at == engine.clock.now() + timedelta(days=10)
    # Registration is open in every plan (each has a period, none a registration deadline).
    for code, unit_code in {code: unit for code, unit in WAITING_AT}.items():
        row = campaign(session, code)
        assert registration_closed(code, row.registration_deadline, row.period_to, as_of) is None
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        registration = register_unit(session, actor_for(session, username_for(unit_code, "unit_clerk")), code,
                                     unit.id, engine.clock.now())  # fmt: skip
        assert registration.id is not None


@pytest.mark.parametrize("as_of", [TODAY, LATER], ids=str)
def test_the_my_thanh_dossier_still_reaches_the_district_three_weeks_on(any_db_session, as_of):
    """Walkable for three weeks: the commune council and chairman forward to the district 21 days later, inside
    the district's (moved) deadline."""
    session = any_db_session
    stage(session, as_of)
    engine = Engine(FixedClock(moment(as_of + timedelta(days=21), 10)))
    dossier = dossier_of(session, "BT-GT-MT-A1")
    assert advance(session, dossier, engine).next_steps == ("ward_chairman_decide",)
    assert advance(session, dossier, engine).next_steps == ("district_noi_vu_review",)


def test_without_as_of_the_plans_keep_their_own_dates(factory):
    """The default the tests build on (tests/conftest.py seeds with it): the historic dates, no rehearsal note."""
    with factory() as session:
        pl, gd, mt = (campaign(session, code) for code in ("PL-CCHC-2024", "GD-CCHC-2024", "MT-CCHC-2015"))
        assert pl.submission_deadline == date(2024, 12, 9)
        assert (gd.period_to, gd.submission_deadline) == (date(2024, 12, 31), None)
        assert json.loads(mt.deadlines_json) == {"ward": "2015-11-25", "district": "2015-12-10"}
        assert all(row.theme == SHIPPED[row.code].theme and "Dữ liệu mẫu" not in row.theme for row in (pl, gd, mt))
        first = dossier_of(session, "HN-HD-PL-TP")
        assert first.created_at == DEMO_CLOCKS["PL-CCHC-2024"]
        assert dossier_of(session, "BT-GT-MT-A1").created_at == DEMO_CLOCKS["MT-CCHC-2015"]
        assert {found.shift_days for found in demo_campaign_dates(session)} == {0}


def test_staging_again_later_changes_nothing_and_says_how_the_plans_stand(session):
    stage(session, TODAY)
    before = {row.code: (row.period_from, row.deadlines_json, row.source) for row in session.scalars(select(Campaign))}
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    load_demo(session, DEMO_PASSWORD, FileStore(FILES), TODAY + timedelta(days=60))
    after = {row.code: (row.period_from, row.deadlines_json, row.source) for row in session.scalars(select(Campaign))}
    assert after == before and session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert session.scalar(select(func.count()).select_from(Dossier)) == 4
    # What `thidua demo` reads to warn that this demo has gone past its first deadline.
    assert all(found.closing_day < TODAY + timedelta(days=60) for found in demo_campaign_dates(session))


def test_a_rehearsal_into_campaigns_imported_earlier_stages_the_dossiers_in_their_dates(session):
    """Campaigns already there (here with their plan dates) and no dossier: the dossiers are made where they are
    meant to stand in those campaigns, not at as_of, where the campaigns' deadlines would refuse them."""
    deploy_definition(session, Actor(None, "test"), CHAIN.read_bytes(), filename=CHAIN.name)
    units = _org_tree(session)
    _users(session, units, DEMO_PASSWORD)
    session.flush()
    load_shipped_campaigns(session, Actor(None, "test"), datetime.now(UTC))
    load_demo(session, DEMO_PASSWORD, FileStore(FILES), TODAY)
    assert campaign(session, "PL-CCHC-2024").submission_deadline == date(2024, 12, 9)
    first = dossier_of(session, "HN-HD-PL-TP")
    assert local_date(first.created_at) == date(2024, 12, 9) - timedelta(days=REHEARSAL_MARGIN_DAYS)
    assert open_task_for(session, dossier_of(session, "BT-GT-MT-A1").id).bpmn_id == "ward_council_vote"
