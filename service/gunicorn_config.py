"""gunicorn settings of `thidua serve --workers N` (loaded with `-c python:service.gunicorn_config`).

The command line sets the rest (bind, workers, threads, access log); this module holds the hooks."""

from __future__ import annotations

from typing import Any

from .startup_objects import freeze_startup_objects


def post_worker_init(worker: Any) -> None:
    """Each worker has built its app (gunicorn loads it after forking): freeze its start-up objects."""
    frozen = freeze_startup_objects()
    worker.log.info("Worker %s ready: %d start-up objects frozen", worker.pid, frozen)
