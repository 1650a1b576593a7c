"""Uploads are checked and written to the file store before the transaction that attaches them."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import Document
from service.operations.accounts import actor_for
from service.operations.demo import sample_pdf
from service.operations.documents import receive_upload, store_upload, upload_document
from service.storage import FileStore
from workflows import Engine, FixedClock

from .helpers import act
from .test_documents import bare_dossier

CLERK = "hn-hd-pl-vh.unit_clerk"


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


def test_a_file_stored_first_is_attached_as_its_bytes_would_be(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    stored = store_upload(store, sample_pdf("Biên bản"))
    assert store.read(stored.sha256) == sample_pdf("Biên bản")
    with factory() as session, session.begin():
        clerk = actor_for(session, CLERK)
        first = upload_document(session, clerk, store, engine.clock.now(), dossier_id=dossier_id,
                                kind="meeting_minutes", filename="Biên bản họp.pdf", data=stored)  # fmt: skip
        second = upload_document(session, clerk, store, engine.clock.now(), dossier_id=dossier_id,
                                 kind="proposal_letter", filename="Biên bản họp.pdf", data=sample_pdf("Biên bản"))  # fmt: skip
        attached = [(d.sha256, d.size, d.content_type, d.filename) for d in (first, second)]
    assert attached[0] == attached[1] == (stored.sha256, stored.size, "application/pdf", "Biên bản họp.pdf")


@pytest.mark.parametrize("data", [b"", b"MZ\x90 not a document"])
def test_a_bad_file_is_refused_before_anything_is_stored(store, data):
    with pytest.raises(InvalidInput):
        store_upload(store, data)
    assert store.stored() == {}


def test_someone_who_may_not_change_the_dossier_stores_no_file(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    with factory() as session, pytest.raises((Forbidden, NotFound)):
        receive_upload(session, actor_for(session, "hn-hd-pl-tc.unit_clerk"), store, dossier_id, sample_pdf("x"))
    with factory() as session, pytest.raises((Forbidden, NotFound)):
        receive_upload(session, actor_for(session, "hn-hd-pl.office_clerk"), store, dossier_id, sample_pdf("x"))
    assert store.stored() == {}


def test_a_dossier_gone_up_the_chain_takes_no_file(factory, engine, store):
    from .helpers import new_dossier

    dossier_id = new_dossier(factory, engine, unit_code="HN-HD-PL-VH")
    act(factory, engine, dossier_id)  # submitted: the ward holds it now
    with factory() as session, pytest.raises(Conflict):
        receive_upload(session, actor_for(session, CLERK), store, dossier_id, sample_pdf("muộn"))
    assert store.stored() == {}


def test_a_file_whose_attachment_is_refused_is_left_for_the_clean_up(factory, engine, store):
    dossier_id = bare_dossier(factory, engine)
    with factory() as session:
        stored = receive_upload(session, actor_for(session, CLERK), store, dossier_id, sample_pdf("lạc"))
    with factory() as session, session.begin(), pytest.raises(InvalidInput, match="Loại tài liệu"):
        upload_document(session, actor_for(session, CLERK), store, engine.clock.now(), dossier_id=dossier_id,
                        kind="no_such_kind", filename="x.pdf", data=stored)  # fmt: skip
    with factory() as session:
        referenced = set(session.scalars(select(Document.sha256)))
    assert stored.sha256 not in referenced
    assert store.remove_unreferenced(referenced, time.time() - 600) == []  # too new: maybe still being attached
    assert store.remove_unreferenced(referenced, time.time() + 1) == [stored.sha256]


def test_storing_the_same_bytes_again_makes_them_new_for_the_clean_up(store):
    """A file left unreferenced long ago, uploaded again: the clean-up must not take it while its new row is written."""
    sha256 = store.put(sample_pdf("cũ"))
    long_ago = time.time() - 86_400
    os.utime(store.path_for(sha256), (long_ago, long_ago))
    assert store_upload(store, sample_pdf("cũ")).sha256 == sha256
    assert store.path_for(sha256).stat().st_mtime > time.time() - 60
    assert store.remove_unreferenced(set(), time.time() - 600) == []
