"""Requests slower than the configured threshold are logged: method, path, status and milliseconds.

An operator reading the server log sees which pages are slow without a profiler (THIDUA_SLOW_REQUEST_MS).
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request


def init_timing(app: Flask, threshold_ms: int) -> None:
    if threshold_ms <= 0:
        return

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_if_slow(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms >= threshold_ms:
                app.logger.warning("slow request: %s %s -> %s in %.0f ms", request.method, request.path,
                                   response.status_code, elapsed_ms)  # fmt: skip
        return response
