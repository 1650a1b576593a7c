"""`thidua demo` (run by `make run`) stages the shipped plans as a rehearsal from today, and says when an earlier
demo database has gone past its deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.domain.deadlines import local_date


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert invoke("init").exit_code == 0
    return invoke


def test_the_demo_is_staged_from_today_and_a_later_run_warns_how_to_start_afresh(run):
    today = local_date(datetime.now(UTC))
    first = run("demo")
    assert first.exit_code == 0 and "hn-hd-pl-tp.unit_clerk" in first.output and "Lưu ý" not in first.output
    closing = f"{today + timedelta(days=24):%d/%m/%Y}"
    for code in ("PL-CCHC-2024", "GD-CCHC-2024", "MT-CCHC-2015"):
        assert f"{code:<14} {closing} (dời " in first.output
    exported = run("campaign", "export", "PL-CCHC-2024").output
    assert f"ward: '{(today + timedelta(days=24)).isoformat()}'" in exported and "year: 2024" in exported
    assert "để diễn tập" in exported
    # Two months on, the same database keeps its dates (nothing is re-staged) and the command says what to do.
    later = run("demo", "--as-of", (today + timedelta(days=60)).isoformat())
    assert later.exit_code == 0 and f"{'PL-CCHC-2024':<14} {closing} (dời " in later.output
    assert "Lưu ý: phong trào mẫu đã quá hạn: GD-CCHC-2024" in later.output
    assert "xóa thư mục instance/" in later.output and "make run" in later.output


def test_as_of_a_day_and_the_plan_dates(run, tmp_path, monkeypatch):
    staged = run("demo", "--as-of", "2026-12-07")
    assert "PL-CCHC-2024   31/12/2026 (dời 752 ngày so với kế hoạch gốc)" in staged.output
    assert "MT-CCHC-2015   31/12/2026 (dời 4054 ngày so với kế hoạch gốc)" in staged.output
    assert "GD-CCHC-2024   31/12/2026 (dời 730 ngày so với kế hoạch gốc)" in staged.output
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'historic.sqlite3'}")
    assert run("init").exit_code == 0
    historic = run("demo", "--plan-dates")
    assert "PL-CCHC-2024   09/12/2024 (ngày của kế hoạch gốc)" in historic.output
    assert "MT-CCHC-2015   25/11/2015 (ngày của kế hoạch gốc)" in historic.output
    assert "Lưu ý: phong trào mẫu đã quá hạn" in historic.output  # their own dates are long past
    refused = run("demo", "--as-of", "7/12/2026")
    assert refused.exit_code == 2 and "không phải ngày dạng YYYY-MM-DD" in refused.output
