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



def _writes_of_one_post(connection_class: type, body: bytes) -> list[bytes]:
    """The writes a connection of `connection_class` makes to send one POST with `body` (to a listener that
    answers 204 once the whole request has arrived)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        peer, _ = listener.accept()
        with peer:
            data = b""
            while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + len(body):
                data += peer.recv(65536)
            peer.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")

    class Recording(connection_class):  # type: ignore[misc, valid-type]
        writes: list[bytes] = []

        def send(self, data: bytes) -> None:
            self.writes.append(bytes(data))
            super().send(data)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    connection = Recording("127.0.0.1", listener.getsockname()[1], timeout=10)
    connection.request("POST", "/api/v1/tasks/1/complete", body=body, headers={"Content-Type": "application/json"})
    assert connection.getresponse().status == 204
    connection.close()
    thread.join(5)
    listener.close()
    return Recording.writes


def test_the_bench_client_sends_a_small_body_with_its_headers_as_a_browser_does():
    import http.client

    from service.bench_http import MERGED_BODY_BYTES, BrowserLikeConnection

    small = b'{"decision": "approve"}'
    assert len(_writes_of_one_post(http.client.HTTPConnection, small)) == 2  # what http.client does by itself
    (request,) = _writes_of_one_post(BrowserLikeConnection, small)
    assert request.startswith(b"POST /api/v1/tasks/1/complete HTTP/1.1\r\n") and request.endswith(b"\r\n\r\n" + small)
    assert len(_writes_of_one_post(BrowserLikeConnection, b"x" * (MERGED_BODY_BYTES + 1))) == 2  # a large one as before
