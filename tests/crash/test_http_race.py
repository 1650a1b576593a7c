"""Two server processes on one PostgreSQL, fifty clients racing for the same tasks: one winner per task."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from service.db import make_engine, make_session_factory
from service.models import AuditEvent, HumanTask, OrgUnit, ProcessInstance
from service.operations.accounts import actor_for
from service.operations.audit import verify_chain
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock
from workflows.state import state_dict

from .test_sigkill import Client, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fifty_clients_two_servers_exactly_one_winner_per_task(postgres_url, tmp_path):
    db = make_engine(postgres_url)
    factory = make_session_factory(db)
    engine = Engine(FixedClock())
    tasks = []
    for number in range(5):  # five dossiers waiting at the Giếng Đáy ward office (campaign without a deadline)
        with factory() as session, session.begin():
            clerk = actor_for(session, "qn-hl-gd-kp1.unit_clerk")
            unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-HL-GD-KP1"))
            dossier = create_dossier(session, clerk, engine, campaign_code="GD-CCHC-2024", unit_id=unit.id,
                                     title=f"Đua {number}", nominees=[NomineeInput("individual", f"Người {number}", "GK-XA")])  # fmt: skip
            attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
            complete_task(session, clerk, engine, open_task_for(session, dossier.id).id, "submit")
            tasks.append(open_task_for(session, dossier.id).id)
    env = {**os.environ, "DATABASE_URL": postgres_url, "THIDUA_UPLOAD_DIR": str(FILES), "THIDUA_INSTANCE_DIR": str(tmp_path),
           "THIDUA_SECRET_KEY": "race"}  # fmt: skip
    ports = [_port(), _port()]
    servers = [start(env, port) for port in ports]
    try:
        tokens = [Client(f"http://127.0.0.1:{p}").token("qn-hl-gd.office_clerk") for p in ports]
        barrier, results = threading.Barrier(50), Counter()
        lock = threading.Lock()

        def race(number: int) -> None:
            client = Client(f"http://127.0.0.1:{ports[number % 2]}")
            barrier.wait()
            for task_id in tasks:
                status, _ = client.call("POST", f"/api/v1/tasks/{task_id}/complete", tokens[number % 2],
                                        {"decision": "approve", "comment": f"luồng {number}"})  # fmt: skip
                with lock:
                    results[(task_id, status)] += 1

        threads = [threading.Thread(target=race, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    for task_id in tasks:
        assert results[(task_id, 200)] == 1, results
        assert results[(task_id, 409)] == 49, results
    with factory() as session:
        assert verify_chain(session).ok
        for task_id in tasks:
            task = session.get(HumanTask, task_id)
            assert task.state == "completed"
            events = session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "task.complete", AuditEvent.object_id == str(task_id)))  # fmt: skip
            assert events == 1
            instance = session.get(ProcessInstance, task.instance_id)
            ready = session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance.id,
                                                                    HumanTask.state == "ready")).all()  # fmt: skip
            assert ready == ["ward_council_vote"]
            decisions = [t["delta"].get("updates", {}) for t in state_dict(instance.state_json)["tasks"].values()]
            assert {"ward_office_review_decision": "approve"} in decisions
    db.dispose()
