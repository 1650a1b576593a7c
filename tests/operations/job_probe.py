"""A job kind for tests, loaded into real worker processes through THIDUA_WORKER_IMPORTS.

`probe` records each execution in the `jobs_probe` table in the job's own transaction, so a count per job
says how many times it ran to completion. `flaky` fails until its payload's `fail_times` executions failed.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from service.operations.jobs import JobContext, handler

PROBE_TABLE = "CREATE TABLE IF NOT EXISTS jobs_probe (job_id INTEGER NOT NULL, worker VARCHAR(64) NOT NULL)"
FAILURES: dict[int, int] = {}


@handler("probe")
def probe(session: Session, payload: dict[str, Any], _context: JobContext) -> None:
    time.sleep(float(payload.get("sleep", 0)))
    session.execute(text("INSERT INTO jobs_probe (job_id, worker) VALUES (:job, :worker)"),
                    {"job": payload["n"], "worker": str(os.getpid())})  # fmt: skip


@handler("flaky")
def flaky(_session: Session, payload: dict[str, Any], _context: JobContext) -> None:
    seen = FAILURES.get(payload["n"], 0)
    if seen < payload["fail_times"]:
        FAILURES[payload["n"]] = seen + 1
        raise RuntimeError(f"lỗi thử lần {seen + 1}")
