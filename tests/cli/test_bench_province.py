"""`thidua bench --province --scale tiny`: the whole province run, small, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from service.bench_province import WEB_ORIGIN
from service.db import make_engine, make_session_factory
from service.models import AuditEvent, Campaign, Dossier, HumanTask, OrgUnit, ProcessInstance, RequestOrigin, UserAgent

THIDUA = Path(sys.executable).with_name("thidua")
SVG = "{http://www.w3.org/2000/svg}"

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_tiny_province_run_reports_every_phase_and_draws_the_chart(request, backend, tmp_path):
    url = request.getfixturevalue(f"{backend}_url")
    report_dir = tmp_path / "report"
    done = subprocess.run([str(THIDUA), "bench", "--province", "--scale", "tiny", "--database-url", url,
                           "--report", str(report_dir), "--progress"], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "20/20" in done.stderr  # the progress bar reached the end
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["finished"] is True and report["audit_chain_ok"] is True
    assert report["database"] == backend.replace("postgres", "postgresql")
    phases = report["phases"]
    assert phases["org"]["units"] == {"province": 1, "district": 2, "ward": 4, "unit": 20}
    dossiers = phases["dossiers"]
    assert dossiers["dossiers"] == 20 and dossiers["partial"] is False
    assert dossiers["task_completions"] == 200  # ten steps each, unit → province
    assert dossiers["instances_completed"] == 20
    assert 0 < dossiers["completion_p50_ms"] <= dossiers["completion_p95_ms"] <= dossiers["completion_p99_ms"]
    assert dossiers["db_kib_per_chain"] > 0 and dossiers["rss_mib_last"] > 0
    assert [w["dossiers"] for w in dossiers["windows"]] == [20]
    assert phases["raw_spiffworkflow"]["ratio_project_to_raw"] > 0
    assert phases["inbox"]["task_rows"] == 5000 and phases["inbox"]["inbox"]["count"] == 40
    assert phases["inbox"]["inbox_by_unit"]["count"] == 40  # the list sorted by submitting unit, timed too
    # The waiting tasks are in running processes: the timed inboxes list rows, not only empty lists.
    listed = phases["inbox"]["rows_listed"]
    assert phases["inbox"]["open_rows"] > 0 and listed["total"] > 0 and listed["empty_inboxes"] < 40
    assert phases["audit"]["audit_events"] == 5000
    assert set(phases["audit"]["by_filter"]) == {"all", "dossier", "action", "day", "month", "actor", "unit"}
    engine = make_engine(url)
    with make_session_factory(engine)() as session:  # the report says what the database holds
        assert session.scalar(select(func.count()).select_from(HumanTask)) == 5000
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 5000
        # the dossiers' calls came "from a browser": their events keep its address, as a web request's do
        origins = session.execute(
            select(RequestOrigin.ip, UserAgent.text, func.count()).join(AuditEvent.origin).join(RequestOrigin.agent)
            .where(AuditEvent.action == "dossier.create").group_by(RequestOrigin.ip, UserAgent.text)
        ).all()  # fmt: skip
        assert [tuple(row) for row in origins] == [(*WEB_ORIGIN, 20)]
        assert session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.code.like("BP%"))) == 27
        assert session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.status == "completed")) >= 20  # fmt: skip
        if backend == "postgres":  # the filled tables were analysed before being timed (autovacuum may be off)
            analysed = dict(session.execute(text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE relname IN ('human_task', 'audit_event')")).all())  # fmt: skip
            assert analysed == {"human_task": True, "audit_event": True}
    engine.dispose()
    svg = ET.parse(report_dir / "report.svg").getroot()
    series = {line.get("data-series") for line in svg.iter(f"{SVG}polyline")}
    assert series == {"completions_per_s", "rss_mib"}
    bars = {(bar.get("data-group"), bar.get("data-key")) for bar in svg.iter(f"{SVG}rect") if bar.get("data-group")}
    assert {group for group, _ in bars} == {"duyệt 1 việc", "hộp việc", "trang hộp việc", "theo đơn vị",
                                             "trang nhật ký"}
    assert {key for _, key in bars} == {"p50_ms", "p95_ms", "p99_ms"}
    assert any(line.get("class") == "target" for line in svg.iter(f"{SVG}line"))


def test_a_second_run_on_the_same_database_is_refused_clearly(sqlite_url, tmp_path):
    args = [str(THIDUA), "bench", "--province", "--scale", "tiny", "--province-dossiers", "1", "--task-rows", "0",
            "--province-audit-events", "0", "--database-url", sqlite_url, "--report", str(tmp_path / "r")]  # fmt: skip
    assert subprocess.run(args, capture_output=True, text=True, timeout=300).returncode == 0
    again = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0
    assert "CSDL đã có cây đơn vị 'BP'" in again.stderr


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_processes_share_the_dossiers_and_every_chain_ends_once(request, backend, tmp_path):
    url = request.getfixturevalue(f"{backend}_url")
    done = subprocess.run([str(THIDUA), "bench", "--province", "--scale", "tiny", "--processes", "2", "--task-rows", "0",
                           "--province-audit-events", "0", "--database-url", url, "--report", str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    dossiers = report["phases"]["dossiers"]
    assert report["processes"] == dossiers["processes"] == 2 and report["audit_chain_ok"] is True
    assert dossiers["dossiers"] == 20 and dossiers["task_completions"] == 200 and dossiers["instances_completed"] == 20
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        per_instance = session.execute(
            select(HumanTask.instance_id, func.count()).join(ProcessInstance).join(Dossier).join(Campaign)
            .where(Campaign.code == "BP-2026", HumanTask.state == "completed").group_by(HumanTask.instance_id)
        ).all()  # fmt: skip
        assert sorted(count for _, count in per_instance) == [10] * 20  # each chain's ten steps, none twice
    engine.dispose()
