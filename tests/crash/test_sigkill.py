"""Crash safety: the server is killed with SIGKILL in the middle of uploads and completions, again and again.

After each restart every task is either completed with its audit event or untouched, every document's
file is there, no file is left without its document once `thidua files gc` has run, the audit chain
verifies, and new work continues the chain.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.db import make_engine, make_session_factory
from service.models import AuditEvent, Document, HumanTask
from service.operations.audit import verify_chain
from service.operations.demo import sample_pdf
from service.storage import FileStore
from tests.conftest import DEMO_PASSWORD, FILES

pytestmark = pytest.mark.slow
THIDUA = Path(sys.executable).with_name("thidua")


class Client:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, token: str | None = None, body: object = None,
             form: dict[str, tuple[str, bytes] | str] | None = None) -> tuple[int, dict]:  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in form.items():
                if isinstance(value, tuple):
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{value[0]}"\r\n'
                                 f"Content-Type: application/pdf\r\n\r\n".encode() + value[1] + b"\r\n")  # fmt: skip
                else:
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, {}

    def token(self, username: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/token", body={"username": username, "password": DEMO_PASSWORD})
        assert status == 201, status
        return str(body["token"])


def workload(client: Client, stop: threading.Event) -> None:
    """Lodge, document and submit dossiers, and approve them at the ward office, until the server dies."""
    try:
        clerk, office = client.token("qn-hl-gd-kp1.unit_clerk"), client.token("qn-hl-gd.office_clerk")
        _, me = client.call("GET", "/api/v1/me", clerk)
        unit_id = me["roles"][0]["unit_id"]
        while not stop.is_set():
            status, dossier = client.call("POST", "/api/v1/dossiers", clerk, {
                "campaign_code": "GD-CCHC-2024", "unit_id": unit_id, "title": "Hồ sơ thử mất điện",
                "nominees": [{"kind": "individual", "full_name": f"Người {uuid.uuid4().hex[:6]}", "award_form_code": "GK-XA"}]})  # fmt: skip
            if status != 201:
                continue
            nominee = dossier["nominees"][0]["id"]
            for kind, who in (("meeting_minutes", ""), ("proposal_letter", ""), ("achievement_report", nominee)):
                client.call("POST", f"/api/v1/dossiers/{dossier['id']}/documents", clerk,
                            form={"kind": kind, "nominee_id": str(who), "file": ("t.pdf", sample_pdf(uuid.uuid4().hex))})
            client.call("POST", f"/api/v1/dossiers/{dossier['id']}/submit", clerk)
            _, inbox = client.call("GET", "/api/v1/tasks", office)
            for task in inbox.get("tasks", []):
                if task["dossier_id"] == dossier["id"]:
                    client.call("POST", f"/api/v1/tasks/{task['id']}/complete", office, {"decision": "approve"})
    except (OSError, http.client.HTTPException, AssertionError, KeyError, ValueError):
        return  # the server was killed under us (connection refused, reset, or a reply cut short)


def start(env: dict[str, str], port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    process = subprocess.Popen([str(THIDUA), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start")


def check(url: str, uploads: Path, env: dict[str, str]) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert verify_chain(session).ok
        completed = set(session.scalars(select(HumanTask.id).where(HumanTask.state == "completed")))
        events = session.execute(
            select(AuditEvent.object_id, func.count()).where(AuditEvent.action == "task.complete").group_by(AuditEvent.object_id)
        ).all()  # fmt: skip
        assert {int(obj) for obj, _ in events} == completed, "a completion without its event, or the reverse"
        assert all(count == 1 for _, count in events)
        stored = FileStore(uploads)
        for sha in session.scalars(select(Document.sha256)):
            assert stored.path_for(sha).exists(), "a document lost its file"
    engine.dispose()
    subprocess.run([str(THIDUA), "files", "gc", "--min-age", "0"], env=env, check=True, capture_output=True)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        referenced = set(session.scalars(select(Document.sha256)))
    engine.dispose()
    assert set(FileStore(uploads).stored()) <= referenced, "a file without its document after gc"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_during_uploads_and_completions_loses_nothing_and_breaks_nothing(request, backend, tmp_path):
    url = request.getfixturevalue(f"{backend}_url")
    uploads = tmp_path / "uploads"
    shutil.copytree(FILES, uploads)
    env = {**os.environ, "DATABASE_URL": url, "THIDUA_UPLOAD_DIR": str(uploads), "THIDUA_INSTANCE_DIR": str(tmp_path),
           "THIDUA_SECRET_KEY": "crash-test"}  # fmt: skip
    rng = random.Random(20241210)
    before = _counts(url)
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for _ in range(5):
        server = start(env, port)
        stop = threading.Event()
        worker = threading.Thread(target=workload, args=(Client(f"http://127.0.0.1:{port}"), stop))
        worker.start()
        time.sleep(rng.uniform(0.8, 2.0))
        os.killpg(server.pid, signal.SIGKILL)  # no chance to finish anything
        server.wait(timeout=10)
        stop.set()
        worker.join(timeout=20)
        check(url, uploads, env)
    server = start(env, port)  # and the chain continues
    client = Client(f"http://127.0.0.1:{port}")
    assert client.token("qn-hl-gd.office_clerk")
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=10)
    check(url, uploads, env)
    after = _counts(url)
    assert after[0] > before[0] and after[1] > before[1], "the workload did no work between the kills"


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        documents = session.scalar(select(func.count()).select_from(Document)) or 0
        completions = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.complete")) or 0
    engine.dispose()
    return int(documents), int(completions)
