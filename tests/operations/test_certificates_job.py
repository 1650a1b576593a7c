"""A decision's certificates made by `thidua worker` (job `decision_certificates`): the decision is numbered and
written at once, its certificates follow, chunk by chunk, each chunk committed, and then the one PDF of all of them;
an attempt that stops half-way leaves what it made, and the next makes only the rest. The clerks are told."""

from __future__ import annotations

import subprocess

from sqlalchemy import func, select

from service.config import Config
from service.models import AuditEvent, GeneratedDocument, Job, JobStatus, Notification, OrgUnit, User
from service.operations import decisions, job_kinds  # noqa: F401 - registers decision_certificates
from service.operations.accounts import actor_for
from service.operations.decisions import ALL_CERTIFICATES, CERTIFICATES_JOB, issue_decision
from service.operations.jobs import JobContext, drain
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .test_decisions import grant_at_ward

NAMES = ["Nguyễn Thị Hương", "Trần Văn Đức", "Lê Thị Ánh"]


def worker_context() -> JobContext:
    return JobContext(settings={"config": Config(database_url="", secret_key="test", upload_dir=FILES)})


def issue_in_background(factory, engine) -> tuple[int, list[str]]:
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành",
                                background=True)  # fmt: skip
        return issued.decision.id, [d.kind for d in issued.documents]


def pdf_text(sha256: str) -> str:
    path = FileStore(FILES).path_for(sha256)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pages(sha256: str) -> int:
    info = subprocess.run(["pdfinfo", str(FileStore(FILES).path_for(sha256))], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip
    return int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Pages:")))


def documents(factory, decision_id: int) -> list[GeneratedDocument]:
    with factory() as session:
        return list(session.scalars(select(GeneratedDocument).where(GeneratedDocument.decision_id == decision_id)
                                    .order_by(GeneratedDocument.id)))  # fmt: skip


def test_the_decision_is_written_at_once_and_the_worker_makes_each_certificate_and_all_in_one(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", NAMES)
    decision_id, kinds = issue_in_background(factory, engine)
    assert kinds == []  # nothing rendered in the issuing transaction
    with factory() as session:
        job = session.scalar(select(Job).where(Job.kind == CERTIFICATES_JOB))
        assert job is not None and job.status == JobStatus.QUEUED
    assert documents(factory, decision_id) == []

    assert drain(factory, "w", worker_context()).done == 1
    docs = documents(factory, decision_id)
    certificates = [d for d in docs if d.kind == "certificate"]
    assert [d.kind for d in docs] == ["decision"] + ["certificate"] * 3 + [ALL_CERTIFICATES]
    assert len({d.nominee_id for d in certificates}) == 3
    for doc in certificates:  # each its own one-page PDF naming its own awardee
        text = pdf_text(doc.sha256)
        assert pages(doc.sha256) == 1 and "GIẤY KHEN" in text and "01/QĐ-UBND" in text
        assert sum(name in text for name in NAMES) == 1
    everything = docs[-1]
    text = pdf_text(everything.sha256)
    assert pages(everything.sha256) == 3
    # In the decision's list order, which is the certificates' order too.
    order = [next(n for n in NAMES if n in pdf_text(d.sha256)) for d in certificates]
    assert [text.index(n) for n in order] == sorted(text.index(n) for n in order)
    with factory() as session:
        generated = session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "document.generate")).all()
        assert {str(d.id) for d in docs} <= set(generated)  # every document audited
        assert session.scalar(select(Job.status).where(Job.kind == CERTIFICATES_JOB)) == JobStatus.DONE
    assert drain(factory, "w", worker_context()).done == 0  # nothing left to do, nothing made twice
    assert len(documents(factory, decision_id)) == 5


def test_an_attempt_stopped_half_way_keeps_what_it_made_and_the_next_makes_the_rest(factory, monkeypatch):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", NAMES)
    decision_id, _ = issue_in_background(factory, engine)
    monkeypatch.setattr(decisions, "CHUNK", 1)  # one certificate per chunk: each committed on its own
    real, calls = decisions._store_certificate, []

    def dies_at_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions, "_store_certificate", dies_at_the_second)
    assert drain(factory, "w", worker_context()).failed == 1
    assert [d.kind for d in documents(factory, decision_id)] == ["decision", "certificate"]  # the first chunk stays
    with factory() as session, session.begin():
        job = session.scalar(select(Job).where(Job.kind == CERTIFICATES_JOB))
        assert job.status == JobStatus.QUEUED and "worker killed" in job.last_error
        job.run_after = job.created_at  # retry now rather than after the backoff
    assert drain(factory, "w", worker_context()).done == 1
    docs = documents(factory, decision_id)
    assert [d.kind for d in docs] == ["decision"] + ["certificate"] * 3 + [ALL_CERTIFICATES]
    assert len({d.nominee_id for d in docs if d.kind == "certificate"}) == 3
    assert pages(docs[-1].sha256) == 3


def test_certificates_made_at_once_are_the_same_set_and_all_in_one_too(factory):
    engine = Engine(FixedClock())
    grant_at_ward(factory, engine, "HN-HD-PL-TP", NAMES[:2])
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        issued = issue_decision(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES), engine.clock.now(),
                                campaign_code="TEST-PL-ALL", unit_id=ward.id, signer_name="Nguyễn Văn Thành")  # fmt: skip
        decision_id = issued.decision.id
    assert [d.kind for d in documents(factory, decision_id)] == ["decision", "certificate", "certificate",
                                                                 ALL_CERTIFICATES]  # fmt: skip
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == CERTIFICATES_JOB)) == 0


def test_the_units_clerks_are_told_of_the_decision_and_mailed_its_number(factory, monkeypatch):
    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")
    engine = Engine(FixedClock())
    dossier_id = grant_at_ward(factory, engine, "HN-HD-PL-TP", NAMES[:1])
    with factory() as session, session.begin():
        clerk = session.scalar(select(User).where(User.username == "hn-hd-pl-tp.unit_clerk"))
        clerk.email = "van-thu@example.vn"
        clerk_id = clerk.id
    issue_in_background(factory, engine)
    with factory() as session:
        told = session.execute(select(Notification.user_id, Notification.dossier_id)
                               .where(Notification.kind == "decision_issued")).all()  # fmt: skip
        assert (clerk_id, dossier_id) in told
        mails = [j.payload_json for j in session.scalars(select(Job).where(Job.kind == "send_email"))]
    mail = next(m for m in mails if "van-thu@example.vn" in m and "Quyết định số 01/QĐ-UBND" in m)
    assert f"/dossiers/{dossier_id}" in mail and "Phường Phú Lãm" in mail
