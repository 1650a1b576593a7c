"""The abolish preview counts and lists the running dossiers whose process version has steps at the level, even
when they are past it (a dossier waiting at the province could still be returned to the district), and warns of work
done at the units after the effective date; abolition stays possible (it records those dossiers in its audit event).
SQLite and PostgreSQL (the demo's data)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from service.models import AuditEvent, Dossier, OrgUnit, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.dossiers import cancel_dossier
from service.operations.org_admin import abolish_level, abolish_preview
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task

REFORM = date(2025, 7, 1)


def dossier_waiting_at_the_province(factory, engine: Engine) -> int:
    """The demo's dossiers cancelled, then one Bằng khen dossier taken past the ward and the district."""
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        for running in session.scalars(select(Dossier.id).where(Dossier.status == "in_review")).all():
            cancel_dossier(session, admin, engine, running, "Sắp xếp đơn vị hành chính 2025")
    dossier_id = new_dossier(factory, engine)
    while open_task(factory, dossier_id).level != "province":
        act(factory, engine, dossier_id)
    return dossier_id


def test_a_dossier_past_the_district_is_counted_and_abolition_records_it(factory):
    engine = Engine(FixedClock())  # 1 December 2024
    waiting = dossier_waiting_at_the_province(factory, engine)
    with factory() as session:
        impact = abolish_preview(session, "district", REFORM)
        assert impact.running_dossiers == []  # nothing is at a district unit now: abolition is not blocked
        assert waiting in impact.routed_dossiers
        running = set(session.scalars(select(ProcessInstance.dossier_id).where(ProcessInstance.status == "running")))
        assert set(impact.routed_dossiers) <= running
        assert impact.late_activity == []
        routed = impact.routed_dossiers
    with factory() as session, session.begin():
        abolish_level(session, actor_for(session, "admin"), engine.clock.now(), "district", effective=REFORM)
    with factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "org.abolish_level"))
        assert json.loads(event.after_json)["routed_dossiers"] == routed


def test_an_effective_date_before_work_done_there_is_warned_of(factory):
    engine = Engine(FixedClock())
    dossier_waiting_at_the_province(factory, engine)  # the district's tasks were completed on 1 December 2024
    with factory() as session:
        district = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD"))
        late = abolish_preview(session, "district", date(2024, 11, 1)).late_activity
        assert [(unit.code, day) for unit, day in late] == [("HN-HD", date(2024, 12, 1))]
        assert district in [unit for unit, _ in late]
        assert abolish_preview(session, "district", date(2024, 12, 2)).late_activity == []
