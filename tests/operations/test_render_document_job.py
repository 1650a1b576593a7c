"""render_document jobs: a worker renders the PDF with WeasyPrint and stores it like the pages do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.config import Config
from service.errors import InvalidInput
from service.models import GeneratedDocument, Job, JobStatus, User
from service.operations.job_kinds import request_document
from service.operations.jobs import JobContext, drain
from service.storage import FileStore
from workflows import Engine, FixedClock

from .helpers import new_dossier


def test_a_worker_renders_the_report_and_the_proposal(factory, db_url, tmp_path):
    dossier_id = new_dossier(factory, Engine(FixedClock()))
    with factory() as session, session.begin():
        clerk = session.scalar(select(User.id).where(User.username == "hn-hd-pl-tp.unit_clerk"))
        request_document(session, None, "report", campaign_code="TEST-PL-ALL")
        request_document(session, clerk, "proposal", dossier_id=dossier_id)
    config = Config.for_tests(db_url, tmp_path)
    assert drain(factory, "w", JobContext(settings={"config": config})).done == 2
    with factory() as session:
        assert session.scalar(select(Job.id).where(Job.status != JobStatus.DONE)) is None
        docs = {d.kind: d for d in session.scalars(select(GeneratedDocument))}
    assert docs["proposal_letter"].dossier_id == dossier_id and docs["proposal_letter"].created_by == clerk
    for doc in (docs["report"], docs["proposal_letter"]):
        data = FileStore(config.upload_dir).read(doc.sha256)
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] and len(data) == doc.size > 1000


def test_a_proposal_requested_by_someone_not_allowed_fails_and_stores_nothing(factory, db_url, tmp_path):
    dossier_id = new_dossier(factory, Engine(FixedClock()))
    with factory() as session, session.begin():
        other = session.scalar(select(User.id).where(User.username == "hn-hd-pl.chairman"))
        job_id = request_document(session, other, "proposal", dossier_id=dossier_id)
        session.get(Job, job_id).max_attempts = 1
    drain(factory, "w", JobContext(settings={"config": Config.for_tests(db_url, tmp_path)}))
    with factory() as session:
        job = session.get(Job, job_id)
        assert job.status == JobStatus.FAILED and "Chỉ đơn vị lập hồ sơ" in job.last_error
        assert session.scalar(select(GeneratedDocument.id).where(GeneratedDocument.kind == "proposal_letter")) is None


def test_unknown_documents_are_refused_at_request_time(factory):
    with factory() as session, session.begin(), pytest.raises(InvalidInput):
        request_document(session, None, "certificate", nominee_id=1)
