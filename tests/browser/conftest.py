"""Browser fixtures: a real `thidua serve` process on a fresh demo database, and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
THIDUA = Path(sys.executable).with_name("thidua")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.browser
SERVER_LOGS: list[Path] = []  # every test server's log, shown when a browser test fails


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A failing browser test reports the end of each server's log (tracebacks of 500s, lock timeouts)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for log in SERVER_LOGS:
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-60:]
                report.sections.append((f"server log {log.parent.name}", "\n".join(tail)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("server")) as base:
        yield base


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A `thidua serve` process on a fresh demo database in `folder`; yields its base URL."""
    if not Path(CHROMIUM).exists():
        if os.geteuid() == 0:
            pytest.fail("Debian's chromium is missing: run 'make deps-system' (make test does).")
        pytest.skip("Debian's chromium is not installed and we are not root to install it")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'thidua.sqlite3'}", "THIDUA_INSTANCE_DIR": str(folder),
           "THIDUA_DEMO_PASSWORD": "demo", "THIDUA_SECRET_KEY": "browser-tests"}  # fmt: skip
    for command in (["init"], ["demo", "--plan-dates"]):  # the plans' own dates: pages compared with them
        subprocess.run([str(THIDUA), *command], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    SERVER_LOGS.append(folder / "server.log")
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen([str(THIDUA), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the server did not start: " + (folder / "server.log").read_text(errors="replace"))
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server, locale="vi-VN")
    # A 2-core CI machine running Chromium, the server and pytest at once can stall for seconds; a real fault
    # still fails, with the page's message and the server log (see login() and pytest_runtest_makereport).
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def shot(page, artifacts: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=False)

