"""The unit's tờ trình draft: a new generation replaces the one before (kept on record, audited), and a draft,
being unsigned, never stands for the signed tờ trình the checklist asks for."""

from __future__ import annotations

import json

from sqlalchemy import select

from service.models import AuditEvent, Document, Dossier, GeneratedDocument
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput
from service.operations.official_documents import generate_proposal
from service.queries.checklist import dossier_checklist
from service.queries.decisions import dossier_generated
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .test_quotas_enforced import lodge


def generate(factory, engine: Engine, dossier_id: int) -> int:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        return generate_proposal(session, clerk, FileStore(FILES), engine.clock.now(), dossier_id).id


def test_a_second_tờ_trình_draft_replaces_the_first_and_its_event_says_so(factory):
    engine = Engine(FixedClock())
    dossier_id = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", [NomineeInput("individual", "Trần Văn Bình", "GK-XA")])
    first = generate(factory, engine, dossier_id)
    second = generate(factory, engine, dossier_id)
    third = generate(factory, engine, dossier_id)
    with factory() as session:
        listed = [d.id for d in dossier_generated(session, dossier_id) if d.kind == "proposal_letter"]
        assert listed == [third]  # one current draft, not three of the same name
        # The older drafts stay on record.
        kept = [d.id for d in dossier_generated(session, dossier_id, superseded=True) if d.kind == "proposal_letter"]
        assert kept == [first, second, third]
        assert session.get(GeneratedDocument, first) is not None
        events = {int(e.object_id): json.loads(e.after_json) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.generate", AuditEvent.object_type == "generated_document",
                                     AuditEvent.object_id.in_([str(first), str(second), str(third)])))}  # fmt: skip
    assert "replaces" not in events[first]
    assert events[second]["replaces"] == [first] and events[third]["replaces"] == [second]
    assert all(e["kind"] == "proposal_letter" and e["dossier_id"] == dossier_id for e in events.values())


def test_drafts_are_current_per_dossier_and_never_satisfy_the_signed_tờ_trình(factory):
    engine = Engine(FixedClock())
    nominee = [NomineeInput("individual", "Lê Thị Cúc", "GK-XA")]
    one = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", nominee)
    other = lodge(factory, engine, "HN-HD-PL-TP", "TEST-PL-ALL", nominee)
    mine = generate(factory, engine, one)
    theirs = generate(factory, engine, other)  # a newer draft of another dossier replaces nothing of this one
    with factory() as session:
        assert [d.id for d in dossier_generated(session, one)] == [mine]
        assert [d.id for d in dossier_generated(session, other)] == [theirs]
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.generate",
                                                        AuditEvent.object_id == str(theirs)))  # fmt: skip
        assert "replaces" not in json.loads(event.after_json)
    # A dossier without its signed tờ trình still lacks it, draft or no draft.
    with factory() as session, session.begin():
        for doc in session.scalars(select(Document).where(Document.dossier_id == one, Document.kind == "proposal_letter")):
            doc.is_current = False
    generate(factory, engine, one)
    with factory() as session:
        missing = dossier_checklist(session, session.get(Dossier, one))
        assert "proposal_letter" in [m.kind for m in missing]
