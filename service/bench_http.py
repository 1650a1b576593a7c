"""`thidua bench --http`: the cost of one task completion over real HTTP, as an official's browser pays it.

Dossiers are prepared in-process and submitted, so that every ward office has a queue of reviews.
Then the real server starts (`thidua serve`, or gunicorn with --workers N) on a loopback port, and
C clients (one per ward, each the ward's office clerk, on a keep-alive connection) fetch their inbox
and approve the reviews one after the other. Only the completion requests are timed; completions/s
is counted over the whole HTTP phase (inbox fetches included). Afterwards the database is checked:
every review completed once, with its audit event, and the hash chain verifies. The raw engine's cost
of one step is measured right after (as `thidua bench` measures it), so runs on a faster or slower hour
of the machine can be compared: `http_to_raw_p50`.
"""

from __future__ import annotations

import http.client
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from .benchmark import run_raw
from .db import make_engine, make_session_factory
from .loadtest import Official, Tally, free_port, prepare, start_server, stop_server
from .models import AuditEvent, HumanTask
from .operations.audit import verify_chain

UNITS_PER_WARD = 10
RAW_DOSSIERS = 30  # 300 raw steps, about a second
MERGED_BODY_BYTES = 1400  # Chromium writes a request body up to this size with its headers


class BrowserLikeConnection(http.client.HTTPConnection):
    """Writes a small request body in the same send as the headers, as a browser does.

    http.client sends them in two writes, and with TCP_NODELAY (which it sets) those are two segments:
    the server reads the headers, goes back to waiting, and is woken again for the body. A browser
    (Chromium's HTTP/1.1 stream parser) merges a body under 1,400 bytes into the headers' write, so a
    JSON completion reaches the server in one segment; the bench times that, not http.client's habit."""

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        if isinstance(message_body, bytes) and len(message_body) <= MERGED_BODY_BYTES and not encode_chunked:
            self._buffer.extend((b"", b""))  # type: ignore[attr-defined]
            request = b"\r\n".join(self._buffer) + message_body  # type: ignore[attr-defined]
            del self._buffer[:]  # type: ignore[attr-defined]
            self.send(request)
            return
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]


def run_http_bench(
    completions: int = 1000, clients: int = 1, workers: int = 0, database_url: str | None = None, log: Any = None
) -> dict[str, Any]:
    """Run in a temporary directory (uploads, the SQLite file when no URL is given), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="thidua-bench-http-") as tmp:
        return _run_http_bench(Path(tmp), completions, clients, workers, database_url, log)


def _run_http_bench(
    workdir: Path, completions: int, clients: int, workers: int, database_url: str | None, log: Any
) -> dict[str, Any]:
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    per_unit = max(1, -(-completions // (clients * UNITS_PER_WARD)))  # ceil
    plan = prepare(url, workdir / "uploads", clients * 4, per_unit, shape=(clients, UNITS_PER_WARD), submit=True)
    total = plan.dossiers
    if log:
        log(f"{total} hồ sơ chờ Văn phòng {clients} phường/xã xem xét; máy chủ {workers or 'waitress'}")
    before = _reviews_completed(url)  # a database that already holds other work (tests use the demo data)
    env = {**os.environ, "DATABASE_URL": url, "THIDUA_UPLOAD_DIR": str(workdir / "uploads"),
           "THIDUA_INSTANCE_DIR": str(workdir), "THIDUA_SECRET_KEY": "bench-http"}  # fmt: skip
    port = free_port()
    server = start_server(env, port, workers)
    tally = Tally()
    clerks = [name for name in plan.usernames if name.endswith(".office_clerk")]
    try:
        officials = [Official(port, name, tally) for name in clerks]
        for official in officials:
            official.conn = BrowserLikeConnection("127.0.0.1", port, timeout=60)
        for official in officials:  # log in before the clock starts: Argon2id is not what we measure
            status, body = official.call("login", "POST", "/api/v1/auth/token",
                                         {"username": official.username, "password": "tai-thu-nghiem"})  # fmt: skip
            assert status == 201, f"đăng nhập thất bại: {status}"
            official.token = body["token"]
        barrier = threading.Barrier(len(officials) + 1)

        def clear(official: Official) -> None:
            barrier.wait()
            while True:
                status, body = official.call("inbox", "GET", "/api/v1/tasks")
                tasks = body.get("tasks", []) if status == 200 and body else []
                if not tasks:
                    official.conn.close()
                    return
                for task in tasks:
                    status, _ = official.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete",
                                              {"decision": "approve"})  # fmt: skip
                    if status == 200:
                        with tally.lock:
                            tally.completed += 1

        threads = [threading.Thread(target=clear, args=(o,), daemon=True) for o in officials]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        stop_server(server)
    reviewed = _reviews_completed(url) - before
    db = make_engine(url)
    with make_session_factory(db)() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.complete"))
        chain_ok = verify_chain(session).ok
    db.dispose()
    completes = sorted(tally.latencies.get("complete", []))
    # The machine's speed this minute, for reading the latencies: the raw engine's cost of one step (restore,
    # run, serialise the same BPMN with plain SpiffWorkflow), measured right after the HTTP phase. It varies
    # from hour to hour on a shared machine by as much as the changes one wants to compare.
    raw = run_raw(RAW_DOSSIERS)
    p50 = round(statistics.median(completes) * 1000, 2) if completes else None
    return {
        "clients": len(officials), "workers": workers, "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "completions": tally.completed, "errors": len(tally.errors), "first_errors": tally.errors[:5],
        "wall_s": round(wall, 2), "completions_per_s": round(tally.completed / wall, 1) if wall else 0.0,
        "complete_p50_ms": p50,
        "complete_p95_ms": round(completes[min(len(completes) - 1, int(len(completes) * 0.95))] * 1000, 2) if completes else None,
        "raw_completion_p50_ms": raw["raw_completion_p50_ms"],
        "http_to_raw_p50": round(p50 / raw["raw_completion_p50_ms"], 2) if p50 and raw["raw_completion_p50_ms"] else None,
        "reviews_completed_in_db": int(reviewed or 0), "task_complete_events": int(events or 0), "audit_chain_ok": chain_ok,
        "ok": tally.completed == total and not tally.errors and reviewed == total and chain_ok,
    }  # fmt: skip


def _reviews_completed(url: str) -> int:
    db = make_engine(url)
    with make_session_factory(db)() as session:
        count = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "ward_office_review", HumanTask.state == "completed"))  # fmt: skip
    db.dispose()
    return int(count or 0)
