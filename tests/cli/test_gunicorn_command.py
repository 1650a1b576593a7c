"""The gunicorn command line `thidua serve --workers N [--threads T]` runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import service
from service.cli import gunicorn_command


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_one_thread_runs_the_sync_worker_without_a_request_time_limit():
    command = gunicorn_command("0.0.0.0", 5000, 3, 1)
    assert command[1:4] == ["-P", "-m", "gunicorn"] and command[-1] == "service.app_factory:build_app()"
    assert _option(command, "-c") == "python:service.gunicorn_config"
    assert _option(command, "--workers") == "3" and _option(command, "--threads") == "1"
    assert _option(command, "--worker-class") == "sync" and _option(command, "--timeout") == "0"
    assert _option(command, "--bind") == "0.0.0.0:5000"


def test_several_threads_leave_the_worker_class_to_gunicorn():
    command = gunicorn_command("127.0.0.1", 8000, 2, 4)
    assert _option(command, "--threads") == "4" and _option(command, "-c") == "python:service.gunicorn_config"
    assert "--worker-class" not in command and "--timeout" not in command  # gunicorn picks gthread for threads > 1


def test_the_workers_import_this_code_even_from_a_directory_holding_another_copy(tmp_path: Path):
    decoy = tmp_path / "service"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the copy in the current directory was imported')\n")
    interpreter = gunicorn_command("127.0.0.1", 8000, 1, 1)[:2]  # the Python and its flags, as gunicorn is run
    shown = subprocess.run([*interpreter, "-c", "import service; print(service.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert Path(shown.stdout.strip()) == Path(service.__file__)
