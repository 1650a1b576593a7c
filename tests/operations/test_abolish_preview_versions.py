"""The abolish preview names the process versions in use that still give work at the level (new dossiers asking an
award from there up would be refused), counts only the running dossiers that travel that far, and does not call
work done on the effective day itself late. SQLite and PostgreSQL (the demo's data)."""

from __future__ import annotations

from datetime import date

from service.operations.org_admin import abolish_preview
from workflows import Engine, FixedClock

from .helpers import act, new_dossier

DECEMBER_1 = date(2024, 12, 1)  # the demo clock's day: the tasks below are completed on it


def test_the_preview_names_the_versions_in_use_with_steps_at_the_level(factory):
    with factory() as session:
        assert abolish_preview(session, "district", date(2025, 7, 1)).active_versions == ["commendation_chain v1"]


def test_only_dossiers_travelling_that_far_are_counted_and_the_same_day_is_not_late(factory):
    engine = Engine(FixedClock())
    ward_only = new_dossier(factory, engine, award="GK-XA")
    province = new_dossier(factory, engine, award="BK-TINH")
    for dossier_id in (ward_only, province):
        act(factory, engine, dossier_id)  # submitted: both at the ward's Văn phòng
    with factory() as session:
        impact = abolish_preview(session, "district", date(2025, 7, 1))
        assert province in impact.routed_dossiers and ward_only not in impact.routed_dossiers
    for _ in range(3):  # the ward's office, council and chairman: on to the district, whose step opens that day
        act(factory, engine, province)
    act(factory, engine, province)  # Phòng Nội vụ, on the clock's day
    with factory() as session:
        assert abolish_preview(session, "district", engine.clock.now().date()).late_activity == []
