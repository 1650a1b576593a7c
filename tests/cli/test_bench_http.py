"""`thidua bench --http`: completions over real HTTP against the real server, counted and checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

THIDUA = Path(sys.executable).with_name("thidua")

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize(("backend", "clients", "workers"),
                         [("sqlite", 1, 0), pytest.param("postgres", 3, 2, marks=pytest.mark.postgres)])  # fmt: skip
def test_http_bench_completes_every_review_once_and_reports_latency(request, backend, clients, workers):
    url = request.getfixturevalue(f"{backend}_url")
    done = subprocess.run([str(THIDUA), "bench", "--http", "--dossiers", "30", "--clients", str(clients),
                           "--workers", str(workers), "--database-url", url, "--json"],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    expected = clients * 10 * -(-30 // (clients * 10))  # whole units: each of the ward's ten units sends as many
    assert result["ok"] is True and result["errors"] == 0
    assert result["clients"] == clients and result["workers"] == workers
    assert result["completions"] == result["reviews_completed_in_db"] == expected
    assert result["audit_chain_ok"] is True
    assert 0 < result["complete_p50_ms"] <= result["complete_p95_ms"]
    assert result["completions_per_s"] > 0
    assert result["raw_completion_p50_ms"] > 0
    assert result["http_to_raw_p50"] == round(result["complete_p50_ms"] / result["raw_completion_p50_ms"], 2)
