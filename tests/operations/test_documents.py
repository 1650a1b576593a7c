"""Uploads while the unit holds the dossier, the checklist gating submission, audited downloads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.errors import Conflict, Forbidden, InvalidInput
from service.models import AuditEvent, Document, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.documents import download_document, upload_document
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.editing import add_nominee, remove_nominee, submit_dossier
from service.operations.demo import sample_pdf
from service.storage import FileStore
from workflows import Engine, FixedClock

from .helpers import act, dossier


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


def bare_dossier(factory, engine) -> int:
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        made = create_dossier(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), engine,
                              campaign_code="TEST-PL-ALL", unit_id=unit.id, title="Hồ sơ chưa có tài liệu",
                              nominees=[NomineeInput("individual", "Đỗ Thị Mai", "GK-XA")])  # fmt: skip
        return made.id


def test_submission_waits_for_every_required_document(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    clerk = "hn-hd-pl-vh.unit_clerk"
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="Biên bản họp bình xét"):
        submit_dossier(session, actor_for(session, clerk), engine, dossier_id)
    with factory() as session, session.begin():
        actor = actor_for(session, clerk)
        nominee = session.scalar(select(Nominee).where(Nominee.dossier_id == dossier_id))
        now = engine.clock.now()
        for kind in ("meeting_minutes", "proposal_letter"):
            upload_document(session, actor, store, now, dossier_id=dossier_id, kind=kind, filename=f"{kind}.pdf",
                            data=sample_pdf(kind))  # fmt: skip
        for kind in ("achievement_report", "summary_sheet"):
            upload_document(session, actor, store, now, dossier_id=dossier_id, kind=kind, nominee_id=nominee.id,
                            filename="Báo cáo.pdf", data=sample_pdf(kind + "x"))  # fmt: skip
    with factory() as session, session.begin():
        result = submit_dossier(session, actor_for(session, clerk), engine, dossier_id)
    assert result.next_steps == ("ward_office_review",)


def test_new_upload_of_a_kind_replaces_the_old_one_which_stays_on_record(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    with factory() as session, session.begin():
        actor = actor_for(session, "hn-hd-pl-vh.unit_clerk")
        first = upload_document(session, actor, store, engine.clock.now(), dossier_id=dossier_id,
                                kind="meeting_minutes", filename="v1.pdf", data=sample_pdf("v1"))  # fmt: skip
        second = upload_document(session, actor, store, engine.clock.now(), dossier_id=dossier_id,
                                 kind="meeting_minutes", filename="v2.pdf", data=sample_pdf("v2"))  # fmt: skip
        first_id, second_id = first.id, second.id
    with factory() as session:
        assert session.get(Document, first_id).is_current is False
        assert session.get(Document, second_id).is_current is True
        assert store.read(session.get(Document, first_id).sha256) == sample_pdf("v1")


def test_upload_refused_for_bad_type_for_other_units_and_after_submission(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="PDF"):
        upload_document(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), store, engine.clock.now(),
                        dossier_id=dossier_id, kind="other", filename="x.pdf", data=b"MZ not a pdf")  # fmt: skip
    with factory() as session, session.begin(), pytest.raises(Forbidden):
        upload_document(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), store, engine.clock.now(),
                        dossier_id=dossier_id, kind="other", filename="x.pdf", data=sample_pdf("x"))  # fmt: skip
    with factory() as session:
        assert session.scalars(select(Document).where(Document.dossier_id == dossier_id)).all() == []
    from .helpers import new_dossier

    submitted = new_dossier(factory, engine)
    act(factory, engine, submitted)
    with factory() as session, session.begin(), pytest.raises(Conflict, match="đang được xét"):
        upload_document(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), store, engine.clock.now(),
                        dossier_id=submitted, kind="other", filename="x.pdf", data=sample_pdf("late"))  # fmt: skip


def test_download_is_allowed_up_the_chain_refused_elsewhere_and_audited(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    with factory() as session, session.begin():
        doc = upload_document(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), store, engine.clock.now(),
                              dossier_id=dossier_id, kind="other", filename="Ảnh.png",
                              data=b"\x89PNG\r\n\x1a\n" + b"\0" * 16)  # fmt: skip
        doc_id = doc.id
    with factory() as session, session.begin():
        got = download_document(session, actor_for(session, "hn.ban_tdkt"), store, doc_id, engine.clock.now())
        assert got.data.startswith(b"\x89PNG") and got.document.filename == "Ảnh.png"
    with factory() as session, session.begin(), pytest.raises(Exception, match="Không tìm thấy"):
        download_document(session, actor_for(session, "qn-hl-gd.office_clerk"), store, doc_id, engine.clock.now())
    with factory() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "document.download")) is not None


def test_adding_a_province_nominee_raises_the_target_level(factory, engine):
    dossier_id = bare_dossier(factory, engine)
    assert dossier(factory, dossier_id).target_level == "ward"
    with factory() as session, session.begin():
        added = add_nominee(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), engine.clock.now(),
                            dossier_id=dossier_id, kind="collective", full_name="Bộ phận Văn hóa - Thông tin",
                            award_form_code="BK-TINH")  # fmt: skip
        added_id = added.id
    assert dossier(factory, dossier_id).target_level == "province"
    with factory() as session, session.begin():
        remove_nominee(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), engine.clock.now(), added_id)
    assert dossier(factory, dossier_id).target_level == "ward"


def test_an_added_nominee_must_ask_for_a_form_its_campaign_offers(factory, engine):
    # PL-CCHC-2024, the ward's plan, offers only its ward Giấy khen (GK-XA), as creating a dossier checks.
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH"))
        made = create_dossier(session, actor_for(session, "hn-hd-pl-vh.unit_clerk"), engine,
                              campaign_code="PL-CCHC-2024", unit_id=unit.id, title="Đề nghị khen thưởng",
                              nominees=[NomineeInput("individual", "Đỗ Thị Thu", "GK-XA")])  # fmt: skip
        dossier_id = made.id
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-vh.unit_clerk")
        with pytest.raises(InvalidInput, match="không có hình thức 'BK-TINH'"):
            add_nominee(session, clerk, engine.clock.now(), dossier_id=dossier_id, kind="individual",
                        full_name="Lê Văn Nam", award_form_code="BK-TINH")  # fmt: skip
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-vh.unit_clerk")
        add_nominee(session, clerk, engine.clock.now(), dossier_id=dossier_id, kind="individual",
                    full_name="Lê Văn Nam", award_form_code="GK-XA")  # fmt: skip
    with factory() as session:
        names = session.scalars(select(Nominee.full_name).where(Nominee.dossier_id == dossier_id).order_by(Nominee.id))
        assert list(names) == ["Đỗ Thị Thu", "Lê Văn Nam"]
