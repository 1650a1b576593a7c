"""End to end: a dossier decided in 2024, then the 2025 reform (ward merged, district level abolished, a unit
renamed); the old dossier, its decision PDF and its audit events still read under the old names, and new dossiers
use the new tree."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from service.errors import InvalidInput
from service.models import Dossier, OrgUnit, RoleAssignment, User
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.campaigns import import_campaign, read_campaign_file
from service.operations.dossiers import NomineeInput, cancel_dossier
from service.operations.org_admin import abolish_level, create_unit, merge_units, rename_unit
from service.queries.audit import AuditFilter, audit_page
from service.queries.dossier_view import dossier_view
from tests.conftest import TEST_CAMPAIGN
from workflows import Engine, FixedClock

from .helpers import act, open_task, owner_username
from .test_decisions import grant_at_ward, issue, pdf_text
from .test_quotas_enforced import lodge

REFORM = date(2025, 7, 1)
NOW = datetime(2025, 7, 2, 3, 0, tzinfo=UTC)


def _id(session, code: str) -> int:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def _act_in_new_tree(factory, engine, dossier_id: int, ward_z: int) -> None:
    """Complete the open task as its holder; the ward roles moved from Phú Lãm to the merged ward with the merge."""
    task = open_task(factory, dossier_id)
    with factory() as session:
        holder = session.scalar(select(User.username).join(RoleAssignment, RoleAssignment.user_id == User.id)
                                .where(RoleAssignment.role == task.role, RoleAssignment.org_unit_id == task.org_unit_id)
                                .order_by(User.username).limit(1))  # fmt: skip
    act(factory, engine, dossier_id, username=holder if task.org_unit_id == ward_z else owner_username(factory, task))


def test_reform_keeps_the_past_readable_and_routes_new_dossiers_in_the_new_tree(factory):
    engine = Engine(FixedClock())  # 1 December 2024
    old = grant_at_ward(factory, engine, "HN-HD-PL-TP", ["Nguyễn Thị Hương"])
    number, documents = issue(factory, engine)

    # July 2025: the dossiers still in flight are finished first (the reform refuses while any is running there)
    engine.clock.set(NOW)
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        for running in session.scalars(select(Dossier.id).where(Dossier.status == "in_review")).all():
            cancel_dossier(session, admin, engine, running, "Sắp xếp đơn vị hành chính 2025")
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        ward_z = create_unit(session, admin, NOW, code="HN-PLKH", name="Phường Kiến Hưng", level="ward",
                             parent_id=_id(session, "HN-HD"), valid_from=REFORM).id  # fmt: skip
        merge_units(session, admin, NOW, _id(session, "HN-HD-PL"), target_id=ward_z, effective=REFORM, move_roles=True)
        abolish_level(session, admin, NOW, "district", effective=REFORM)
        rename_unit(session, admin, NOW, _id(session, "HN-HD-PL-TP"), new_name="Bộ phận Tư pháp", effective=REFORM)

    with factory() as session:
        tp, pl = session.get(OrgUnit, _id(session, "HN-HD-PL-TP")), session.get(OrgUnit, _id(session, "HN-HD-PL"))
        assert tp.parent_id == ward_z and session.get(OrgUnit, ward_z).parent_id == _id(session, "HN")
        assert pl.valid_to == REFORM and tp.ancestor_at("district") is None
        view = dossier_view(session, engine, old)
        assert view.unit_name == "Bộ phận Tư pháp - Hộ tịch" and view.unit.name == "Bộ phận Tư pháp"
        events = audit_page(session, AuditFilter(dossier_id=old))
        by_unit = {row.event.actor_unit_id: row.unit_name for row in events if row.event.actor_unit_id}
        assert by_unit.get(tp.id, "Bộ phận Tư pháp - Hộ tịch") == "Bộ phận Tư pháp - Hộ tịch"
        assert by_unit[pl.id] == "Phường Phú Lãm"  # the ward that approved it, closed now, still named
        assert verify_chain(session).ok
    decision = pdf_text(documents[0][1])  # the stored decision is never re-issued: it keeps the old issuer
    assert "PHƯỜNG PHÚ LÃM" in decision and number in decision

    # a new ward-level dossier from the same unit, in the merged ward's 2025 campaign, goes unit → the merged ward
    spec = TEST_CAMPAIGN.read_text(encoding="utf-8").replace("TEST-PL-ALL", "KH-2025").replace("year: 2024", "year: 2025")
    spec = spec.replace("issuing_unit: HN-HD-PL", "issuing_unit: HN-PLKH").replace("ward: 2024-12-10", "ward: 2025-12-10")
    with factory() as session, session.begin():
        import_campaign(session, actor_for(session, "admin"), read_campaign_file(spec, "kh-2025.yaml"), NOW)
    new = lodge(factory, engine, "HN-HD-PL-TP", "KH-2025", [NomineeInput("individual", "Lê Văn Bình", "GK-XA", "Chuyên viên")])
    act(factory, engine, new)
    assert open_task(factory, new).org_unit_id == ward_z
    while open_task(factory, new) is not None:
        _act_in_new_tree(factory, engine, new, ward_z)
    with factory() as session:
        assert session.get(Dossier, new).status == "granted"
        assert dossier_view(session, engine, new).unit_name == "Bộ phận Tư pháp"


def test_province_dossier_after_abolition_is_refused_clearly_at_the_missing_district(factory):
    """The version in use still has the district's steps after the district is abolished: a new province award is
    refused when the dossier is made (it would stop there), and one already on its way is refused with a clear
    message at the step that would open a district task, nothing changing (it stays at the ward), rather than
    breaking silently."""
    engine = Engine(FixedClock())
    with factory() as session, session.begin():
        admin = actor_for(session, "admin")
        for running in session.scalars(select(Dossier.id).where(Dossier.status == "in_review")).all():
            cancel_dossier(session, admin, engine, running, "Sắp xếp đơn vị hành chính 2025")
    early = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Lê Văn Bình", "BK-TINH", "Chuyên viên")])
    act(factory, engine, early)  # submitted before the reform
    with factory() as session, session.begin():
        abolish_level(session, actor_for(session, "admin"), NOW, "district", effective=REFORM)
    with pytest.raises(InvalidInput, match="hồ sơ phải qua cấp quận/huyện"):
        lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Lê Văn An", "BK-TINH", "Chuyên viên")])
    with pytest.raises(InvalidInput, match="cấp quận/huyện nào"):
        while open_task(factory, early) is not None:
            act(factory, engine, early)
    assert open_task(factory, early).org_unit_id == _id_of(factory, "HN-HD-PL")


def _id_of(factory, code: str) -> int:
    with factory() as session:
        return _id(session, code)
