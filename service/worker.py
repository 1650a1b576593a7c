"""The `thidua worker` loop: fires due timers (and sends the reminders of forward-by deadlines, operations.reminders)
every `interval` seconds and drains the queued jobs every
`job_interval` (2 s: a decision's certificates, a queued PDF or e-mail start within seconds of the click that
queued them, whatever `--interval` the timers are fired at); SIGTERM stops it cleanly."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from workflows import Engine

from .config import Config
from .db import make_engine, make_session_factory, session_scope
from .operations import job_kinds  # noqa: F401 - registers the built-in job handlers
from .operations.jobs import JobContext, drain
from .operations.reminders import send_forward_reminders
from .operations.timers import fire_due_timers
from .startup_objects import freeze_startup_objects


def run_worker(config: Config, *, interval: float = 30.0, once: bool = False, lease: float = 300.0, batch: int = 10,
               log: Callable[[str], None] = print, job_interval: float = 2.0) -> None:  # fmt: skip
    """Loop until SIGTERM/SIGINT (or after one pass with `once`). A stop request lets the running job finish."""
    # THIDUA_WORKER_IMPORTS: extra modules (comma-separated) that register job handlers, e.g. a site plug-in.
    for name in filter(None, (part.strip() for part in os.environ.get("THIDUA_WORKER_IMPORTS", "").split(","))):
        importlib.import_module(name)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    database = make_engine(config.database_url)
    factory = make_session_factory(database)
    context = JobContext(settings={"config": config})
    if not once:
        freeze_startup_objects()  # a loop that runs for days: see service/startup_objects.py
    try:
        timers_due = time.monotonic()
        while not stopping:
            if time.monotonic() >= timers_due:
                with session_scope(factory) as session:
                    run = fire_due_timers(session, Engine())
                if run.instances:
                    log(f"{run.instances} quy trình, {run.escalations} việc được báo quá hạn")
                # In a transaction of its own: a reminder that fails (a database hiccup) leaves the timers fired.
                with session_scope(factory) as session:
                    reminded = send_forward_reminders(session, Engine().clock.now(), config.reminder_days)
                if reminded.tasks:
                    log(f"{reminded.tasks} việc được nhắc hạn gửi lên cấp trên ({reminded.notices} thông báo)")
                timers_due = time.monotonic() + interval
            result = drain(factory, worker_id, context, batch=batch, lease=timedelta(seconds=lease),
                           should_stop=lambda: stopping)  # fmt: skip
            if result.done or result.failed:
                log(f"{result.done} việc nền xong, {result.failed} việc lỗi (sẽ thử lại)")
            if once:
                break
            deadline = time.monotonic() + min(interval, job_interval)
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
    finally:
        database.dispose()  # the connections closed as the worker stops
