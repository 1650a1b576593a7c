"""Several timer workers at once: every due instance is advanced exactly once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent
from service.operations.timers import fire_due_timers
from workflows import Engine, FixedClock

from .helpers import act, new_dossier


@pytest.mark.postgres
def test_three_workers_never_escalate_the_same_task_twice(postgres_url):
    from service.db import make_engine, make_session_factory

    db = make_engine(postgres_url, pool_size=6)
    factory = make_session_factory(db)
    clock = FixedClock()
    ids = [new_dossier(factory, Engine(clock)) for _ in range(6)]
    for dossier_id in ids:
        act(factory, Engine(clock), dossier_id)  # each now waits at the ward office with a 10-day timer
    later = FixedClock(clock.advance(days=11))
    barrier, runs, errors = threading.Barrier(3), [], []

    def work() -> None:
        barrier.wait()
        try:
            while True:
                with factory() as session, session.begin():
                    run = fire_due_timers(session, Engine(later), limit=2)
                runs.append(run.escalations)
                if run.instances == 0:
                    return
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(runs) == len(ids)
    with factory() as session:
        escalations = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.escalate"))
        assert escalations == len(ids)
    db.dispose()


def test_the_worker_command_runs_one_round(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite3'}")
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["demo", "--plan-dates"]).exit_code == 0
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "việc được báo quá hạn" in result.output  # the demo's 2024 reviews are overdue
