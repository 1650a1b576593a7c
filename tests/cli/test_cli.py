"""The thidua command as an admin uses it: init and demo are idempotent, validate explains, deploy versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.conftest import CHAIN
from tests.engine.bpmn_edits import remove_level

MIWG = CHAIN.parents[2] / "shared" / "external" / "bpmn-miwg"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("THIDUA_DEMO_PASSWORD", "mật-khẩu")
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_init_and_demo_are_idempotent_and_list_logins(run):
    first = run("init")
    assert first.exit_code == 0 and "phiên bản 1 (đã triển khai)" in first.output
    assert "phiên bản 1 (không đổi)" in run("init").output
    demo = run("demo")
    assert demo.exit_code == 0 and "hn-hd-pl.office_clerk" in demo.output and "Phường Phú Lãm" in demo.output
    again = run("demo")
    assert again.output == demo.output
    users = json.loads(run("users", "--json").output)
    names = {u["username"] for u in users}
    assert {"admin", "auditor", "hn-hd-pl.chairman", "qn-hl-gd.office_clerk", "bt-gt.noi_vu", "hn.ban_tdkt"} <= names
    chairman = next(u for u in users if u["username"] == "hn-hd-pl.chairman")
    assert chairman["roles"] == [{"role": "chairman", "unit_code": "HN-HD-PL", "unit": "Phường Phú Lãm"}]
    assert run("audit", "verify").exit_code == 0


def test_validate_reports_each_problem_with_its_element_and_exit_1(run):
    ok = run("bpmn", "validate", str(CHAIN))
    assert ok.exit_code == 0 and "unit → ward → district → province" in ok.output
    bad = run("bpmn", "validate", str(MIWG / "A.2.0.bpmn"))
    assert bad.exit_code == 1
    assert "bpmn:task" in bad.output and "_5a972b87-735d-454a-b31c-f52fb3afc5c7" in bad.output


def test_deploy_creates_a_new_version_only_when_the_file_changed(run, tmp_path):
    run("init")
    assert "không đổi" in run("bpmn", "deploy", str(CHAIN)).output
    edited = tmp_path / "no_district.bpmn"
    edited.write_bytes(remove_level(CHAIN.read_bytes(), "district", {
        "district_noi_vu_review": "province_ban_review", "district_chairman_decide": "ward_chairman_decide"}))
    result = run("bpmn", "deploy", str(edited), "--comment", "Bỏ cấp huyện")
    assert result.exit_code == 0 and "phiên bản 2 đã triển khai" in result.output
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions", encoding="utf-8")
    refused = run("bpmn", "deploy", str(broken))
    assert refused.exit_code == 1 and "XML" in refused.output


def test_audit_verify_fails_with_exit_1_after_tampering(run, tmp_path):
    import sqlite3

    run("init")
    run("demo")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        conn.execute("UPDATE audit_event SET comment = 'sửa' WHERE id = 2")
    result = run("audit", "verify")
    assert result.exit_code == 1 and "sự kiện 2" in result.output


def test_campaign_list_export_and_import(run, tmp_path):
    run("init")
    run("demo", "--plan-dates")  # the plans' own dates, as the exported file is compared with them
    listed = run("campaign", "list").output
    assert "PL-CCHC-2024" in listed and "MT-CCHC-2015" in listed and "Phường Giếng Đáy" in listed
    exported = run("campaign", "export", "MT-CCHC-2015").output
    assert "chọn 01 tập thể, 03 cá nhân" in exported and "district: '2015-12-10'" in exported
    changed = tmp_path / "mt.yaml"
    changed.write_text(exported.replace("code: MT-CCHC-2015", "code: MT-CCHC-2016").replace("year: 2015", "year: 2016"),
                       encoding="utf-8")  # fmt: skip
    result = run("campaign", "import", str(changed))
    assert result.exit_code == 0 and "MT-CCHC-2016: đã nhập (2 hình thức khen thưởng, 3 quy định)" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: X\nyear: nope\n", encoding="utf-8")
    refused = run("campaign", "import", str(bad))
    assert refused.exit_code == 1 and "year" in refused.output and "award_forms" in refused.output
    assert run("campaign", "export", "NOPE").exit_code == 1


def test_backup_destroy_restore_keeps_the_audit_chain_and_the_files(run, tmp_path):
    import hashlib

    run("init")
    run("demo")
    uploads = tmp_path / "uploads"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in uploads.rglob("*") if p.is_file()}
    assert before
    archive = tmp_path / "backup" / "thidua.tar.gz"
    result = run("backup", str(archive))
    assert result.exit_code == 0 and f"{len(before)} tệp" in result.output
    (tmp_path / "cli.sqlite3").unlink()
    import shutil

    shutil.rmtree(uploads)
    restored = run("restore", str(archive))
    assert restored.exit_code == 0 and "chuỗi nhật ký nguyên vẹn" in restored.output
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in uploads.rglob("*") if p.is_file()}
    assert after == before
    assert run("audit", "verify").exit_code == 0
    assert "hn-hd-pl.office_clerk" in run("users").output


def test_a_backup_from_before_schema_0018_is_upgraded_when_restored(run, tmp_path):
    import sqlite3

    from alembic import command
    from alembic.script import ScriptDirectory

    from service.db import alembic_config

    run("init")
    run("demo")
    database = tmp_path / "cli.sqlite3"
    config = alembic_config(f"sqlite:///{database}")
    command.downgrade(config, "0017")  # times stored as text, as they were before 0018
    archive = tmp_path / "backup" / "old.tar.gz"
    assert run("backup", str(archive)).exit_code == 0
    database.unlink()
    restored = run("restore", str(archive))
    assert restored.exit_code == 0 and "chuỗi nhật ký nguyên vẹn" in restored.output
    with sqlite3.connect(database) as conn:
        head = ScriptDirectory.from_config(config).get_current_head()
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
        assert conn.execute("SELECT DISTINCT typeof(occurred_at) FROM audit_event").fetchall() == [("integer",)]


def test_serve_with_several_gunicorn_workers_answers(run, tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    run("init")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    thidua = Path(sys.executable).with_name("thidua")
    server = subprocess.Popen([str(thidua), "serve", "--workers", "2", "--port", str(port)], env=dict(os.environ),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()
    assert output.count("Booting worker") == 2
    # service/gunicorn_config.py was loaded: each worker froze its start-up objects once its app was built.
    frozen = [int(n) for n in re.findall(r"ready: (\d+) start-up objects frozen", output)]
    assert len(frozen) == 2 and all(n > 10_000 for n in frozen), output


def test_audit_benchmark_fills_the_trail_and_reports_page_timings(run):
    result = run("bench", "--audit-events", "3000", "--json")
    report = json.loads(result.output)
    assert report["audit_events"] == 3000 and report["audit_page_p95_ms"] > 0


def test_audit_verify_finds_nominee_decisions_changed_behind_the_trail(run, tmp_path):
    import sqlite3

    run("init")
    run("demo")  # the demo's dossiers have been through councils and chairmen
    clean = run("audit", "verify")
    assert clean.exit_code == 0 and "Quyết định từng người khớp nhật ký:" in clean.output
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        rows = conn.execute("SELECT id, human_task_id, nominee_id, result FROM nominee_decision ORDER BY id").fetchall()
        assert len(rows) >= 2
        edited, deleted = rows[0], rows[1]
        conn.execute("UPDATE nominee_decision SET result = 'reject', reason = 'sửa sau' WHERE id = ?", (edited[0],))
        conn.execute("DELETE FROM nominee_decision WHERE id = ?", (deleted[0],))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "Chuỗi nhật ký nguyên vẹn" in result.output  # the events themselves are untouched
    assert "Quyết định từng người không khớp nhật ký: 2 sai lệch" in result.output
    assert f"việc {edited[1]}, người được đề nghị {edited[2]}" in result.output and "bị sửa" in result.output
    # A row simply passing a nominee on is counted by its event, not listed: its deletion is found by the count.
    assert f"việc {deleted[1]} (sự kiện" in result.output and "bản ghi đã bị xóa hoặc thêm" in result.output
