"""Notices, the level's tờ trình and the báo cáo are unsigned drafts like the unit's tờ trình: generating one again
replaces the previous one (its event says which; the older stay on record), and the dossier page lists only a
unit's newest notice. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from service.models import AuditEvent, GeneratedDocument, OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput
from service.operations.official_documents import generate_forwarding_proposal, generate_notices, generate_report
from service.queries.decisions import dossier_generated
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act
from .test_quotas_enforced import lodge

CAMPAIGN = "TEST-PL-ALL"


def refused(factory, engine: Engine, name: str) -> int:  # type: ignore[no-untyped-def]
    """A dossier of Bộ phận Văn hóa - Thông tin whose nominee the ward's chairman did not award."""
    dossier_id = lodge(factory, engine, "HN-HD-PL-VH", CAMPAIGN, [NomineeInput("individual", name, "GK-XA")])
    for _ in range(3):
        act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "reject", "Chưa đủ tiêu chuẩn khen thưởng")
    return dossier_id


def notices(factory, engine: Engine) -> list[int]:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        chairman = actor_for(session, "hn-hd-pl.chairman")
        return [d.id for d in generate_notices(session, chairman, FileStore(FILES), engine.clock.now(), CAMPAIGN)]


def generated_events(factory, ids: list[int]) -> dict[int, dict[str, object]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return {int(e.object_id): json.loads(e.after_json) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.generate", AuditEvent.object_type == "generated_document",
                                     AuditEvent.object_id.in_([str(i) for i in ids])))}  # fmt: skip


def test_a_units_new_notice_replaces_its_previous_one_and_the_dossier_lists_the_newest(factory):
    engine = Engine(FixedClock())
    dossier_id = refused(factory, engine, "Người chưa đạt")
    [first], [second], [third] = notices(factory, engine), notices(factory, engine), notices(factory, engine)
    with factory() as session:
        assert [d.id for d in dossier_generated(session, dossier_id) if d.kind == "notice"] == [third]
        kept = [d.id for d in dossier_generated(session, dossier_id, superseded=True) if d.kind == "notice"]
        assert kept == [first, second, third]  # the older ones stay on record
    events = generated_events(factory, [first, second, third])
    assert "replaces" not in events[first]
    assert events[second]["replaces"] == [first] and events[third]["replaces"] == [second]
    assert all(e["kind"] == "notice" and e["dossier_id"] == dossier_id for e in events.values())


def test_the_units_current_notice_is_listed_on_one_of_its_dossiers_only(factory):
    """A unit's notice is kept with one of its dossiers: when a later one carries it, the earlier lists none."""
    engine = Engine(FixedClock())
    earlier = refused(factory, engine, "Người thứ nhất")
    [first] = notices(factory, engine)
    later = refused(factory, engine, "Người thứ hai")
    [second] = notices(factory, engine)
    with factory() as session:
        assert session.get(GeneratedDocument, second).dossier_id == later
        assert [d.id for d in dossier_generated(session, later) if d.kind == "notice"] == [second]
        assert [d.id for d in dossier_generated(session, earlier) if d.kind == "notice"] == []
        assert [d.id for d in dossier_generated(session, earlier, superseded=True) if d.kind == "notice"] == [first]
    assert generated_events(factory, [second])[second]["replaces"] == [first]


def test_the_levels_tờ_trình_and_the_báo_cáo_name_the_draft_they_replace(factory):
    engine = Engine(FixedClock())
    up = lodge(factory, engine, "HN-HD-PL-TP", CAMPAIGN, [NomineeInput("individual", "Người lên quận", "GK-HUYEN")])
    for _ in range(4):
        act(factory, engine, up)
    made: dict[str, list[int]] = {"forwarding": [], "report": []}
    for _ in range(2):
        with factory() as session, session.begin():
            chairman = actor_for(session, "hn-hd-pl.chairman")
            ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
            store, now = FileStore(FILES), engine.clock.now()
            made["forwarding"].append(generate_forwarding_proposal(session, chairman, store, now, CAMPAIGN, ward.id).id)
            made["report"].append(generate_report(session, chairman, store, now, CAMPAIGN).id)
    for first, second in made.values():
        events = generated_events(factory, [first, second])
        assert "replaces" not in events[first] and events[second]["replaces"] == [first]
    # Nothing of one kind replaces the other's draft, nor the unit's dossier draft.
    assert made["forwarding"][0] != made["report"][0]
