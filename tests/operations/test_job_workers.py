"""Three real `thidua worker` processes drain 200 jobs while one of them is SIGKILLed mid-way:
every job completes exactly once (each execution is recorded in the job's own transaction)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from service.db import make_engine, make_session_factory
from service.models import Job, JobStatus
from service.operations.jobs import enqueue

from .job_probe import PROBE_TABLE

REPO = Path(__file__).resolve().parents[2]
JOBS = 200


def _start_worker(url: str, instance: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "THIDUA_INSTANCE_DIR": str(instance),
           "THIDUA_WORKER_IMPORTS": "tests.operations.job_probe", "PYTHONPATH": str(REPO)}  # fmt: skip
    return subprocess.Popen([str(Path(sys.executable).with_name("thidua")), "worker", "--interval", "0.2", "--lease", "3"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def session_count(factory, pid: int) -> int:  # type: ignore[no-untyped-def]
    """Jobs the worker with this process id has run so far."""
    with factory() as session:
        return int(session.scalar(text("SELECT count(*) FROM jobs_probe WHERE worker = :w"), {"w": str(pid)}) or 0)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_three_workers_one_killed_run_every_job_exactly_once(backend, request, tmp_path):
    url = request.getfixturevalue(f"{backend}_url")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # The jobs fall due a few seconds from now, once all three workers are up and polling: a worker
    # that starts late on a busy machine would otherwise find the queue already drained.
    due = datetime.now(UTC) + timedelta(seconds=8)
    with factory() as session, session.begin():
        session.execute(text(PROBE_TABLE))
        for n in range(JOBS):
            enqueue(session, "probe", {"n": n, "sleep": 0.02}, run_after=due)
    workers = [_start_worker(url, tmp_path) for _ in range(3)]
    victim = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with factory() as session:
                executed = int(session.scalar(text("SELECT count(*) FROM jobs_probe")))
                finished = session.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.DONE))
            if victim is None and executed >= 40:
                # SIGKILL the worker that has run the most so far: it is busy, most likely inside a job's
                # transaction. (On SQLite the write lock is not handed out fairly, so one worker may do most.)
                victim = max(workers, key=lambda w: session_count(factory, w.pid))
                victim.send_signal(signal.SIGKILL)
            if finished == JOBS:
                break
            time.sleep(0.2)
        assert victim is not None
        survivors = [w for w in workers if w is not victim]
        for worker in survivors:
            assert worker.poll() is None
            worker.send_signal(signal.SIGTERM)  # graceful: finishes its job, then exits 0
        for worker in survivors:
            assert worker.wait(timeout=30) == 0
        assert victim.wait(timeout=10) == -signal.SIGKILL
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
    with factory() as session:
        per_job = dict(session.execute(text("SELECT job_id, count(*) FROM jobs_probe GROUP BY job_id")).all())
        statuses = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        runners = set(session.scalars(text("SELECT DISTINCT worker FROM jobs_probe")))
    engine.dispose()
    assert statuses == {JobStatus.DONE: JOBS}
    assert per_job == {n: 1 for n in range(JOBS)}  # none lost, none run twice
    assert str(victim.pid) in runners  # the killed worker had been working
    if backend == "postgres":
        assert len(runners) == 3  # SKIP LOCKED: all three claim side by side


def test_the_cli_queues_a_report_that_the_worker_renders(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import main
    from service.models import GeneratedDocument

    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["demo"]).exit_code == 0
    assert runner.invoke(main, ["jobs", "render-report", "NO-SUCH"]).exit_code == 1
    with make_session_factory(make_engine(url))() as session:
        code = session.scalar(text("SELECT code FROM campaign ORDER BY id LIMIT 1"))
    result = runner.invoke(main, ["jobs", "render-report", code])
    assert result.exit_code == 0 and "Đã xếp việc" in result.output
    assert "queued   1" in runner.invoke(main, ["jobs", "status"]).output
    assert runner.invoke(main, ["worker", "--once"]).exit_code == 0
    assert "done     1" in runner.invoke(main, ["jobs", "status"]).output
    with make_session_factory(make_engine(url))() as session:
        doc = session.scalar(select(GeneratedDocument).where(GeneratedDocument.kind == "report"))
    from service.storage import FileStore

    data = FileStore(tmp_path / "uploads").read(doc.sha256)
    assert data.startswith(b"%PDF-") and len(data) == doc.size > 1000
