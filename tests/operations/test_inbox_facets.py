"""The inbox filter's choices: one per step and one per submitting unit, each told apart from the others."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from service.models import OrgUnit
from service.operations.accounts import actor_for
from service.queries.inbox import InboxFilter, inbox, inbox_facets
from service.queries.org import unit_labels
from tests.operations.helpers import act, new_dossier, statements
from workflows import Engine, FixedClock


def unit_ids(session: Session, *codes: str) -> list[int]:
    found = dict(session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))).all())
    return [found[code] for code in codes]


def rename(factory: sessionmaker[Session], code: str, name: str) -> None:
    with factory() as session, session.begin():
        session.execute(update(OrgUnit).where(OrgUnit.code == code).values(name=name))


def test_units_sharing_a_name_are_told_apart_by_their_parent_then_their_code(factory):
    # Giếng Đáy has its "Khu phố 1"; two of Phú Lãm's units are renamed to the same name.
    rename(factory, "HN-HD-PL-TC", "Khu phố 1")
    rename(factory, "HN-HD-PL-VH", "Khu phố 1")
    with factory() as session:
        gd, tc, vh, tp = unit_ids(session, "QN-HL-GD-KP1", "HN-HD-PL-TC", "HN-HD-PL-VH", "HN-HD-PL-TP")
        ward_names = dict(session.execute(select(OrgUnit.code, OrgUnit.name)
                                          .where(OrgUnit.code.in_(["QN-HL-GD", "HN-HD-PL"]))).all())  # fmt: skip
        labels = unit_labels(session, {gd: "Khu phố 1", tc: "Khu phố 1", vh: "Khu phố 1",
                                       tp: "Bộ phận Tư pháp - Hộ tịch"})  # fmt: skip
    assert labels == {
        gd: f"Khu phố 1 ({ward_names['QN-HL-GD']})",
        tc: f"Khu phố 1 ({ward_names['HN-HD-PL']}) [HN-HD-PL-TC]",
        vh: f"Khu phố 1 ({ward_names['HN-HD-PL']}) [HN-HD-PL-VH]",
        tp: "Bộ phận Tư pháp - Hộ tịch",  # a name nobody else has stays as it is
    }
    assert len(set(labels.values())) == len(labels)


def test_unique_names_cost_no_query(factory):
    with factory() as session:
        tc, vh = unit_ids(session, "HN-HD-PL-TC", "HN-HD-PL-VH")
        with statements(session.get_bind()) as sent:
            assert unit_labels(session, {tc: "A", vh: "B"}) == {tc: "A", vh: "B"}
    assert sent == []


def test_the_inbox_filter_offers_each_submitting_unit_once_under_a_label_of_its_own(factory):
    engine = Engine(FixedClock())
    rename(factory, "HN-HD-PL-VH", "Bộ phận Tài chính - Kế toán")  # the same name as HN-HD-PL-TC's
    dossiers = {code: new_dossier(factory, engine, unit_code=code) for code in ("HN-HD-PL-TC", "HN-HD-PL-VH")}
    for dossier_id in dossiers.values():
        act(factory, engine, dossier_id)  # submitted: waiting at the ward office
    with factory() as session:
        office = actor_for(session, "hn-hd-pl.office_clerk")
        tc, vh = unit_ids(session, "HN-HD-PL-TC", "HN-HD-PL-VH")
        units = dict(inbox_facets(session, office).units)
        assert units[tc] != units[vh]
        assert units[tc].startswith("Bộ phận Tài chính - Kế toán (") and units[tc].endswith("[HN-HD-PL-TC]")
        assert units[vh].endswith("[HN-HD-PL-VH]")
        assert len(set(units.values())) == len(units)
        # Each choice filters to its own unit's tasks.
        for unit_id, code in ((tc, "HN-HD-PL-TC"), (vh, "HN-HD-PL-VH")):
            rows = inbox(session, office, filters=InboxFilter(unit_id=unit_id))
            assert dossiers[code] in {r.dossier_id for r in rows}
            assert {r.submitting_unit_id for r in rows} == {unit_id}
