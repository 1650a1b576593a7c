"""`thidua bench --province`: a province's year in one run.

It generates an org tree (1 province, 10 districts, 100 wards, 2,000 units at the default scale) with
one official per role, runs dossiers through the full chain (unit → ward → district → province, ten
steps each) through the service layer, one transaction per completion as a request would, then grows
the task table and the audit trail to a million rows each and times the inbox and the auditor's page.
Alongside it measures the raw SpiffWorkflow cost on the same BPMN, the database growth per completed
chain and the process memory. The report (JSON, rewritten after every phase and every 1,000 dossiers,
so a cut-short run still has its numbers) and a chart (SVG) go to one directory.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.orm import Session

from workflows import Engine, FixedClock

from .bench_report import write_svg
from .benchmark import CHAIN, run_raw
from .db import READ_OPTIONS, make_engine, make_session_factory, upgrade_schema
from .domain.actors import Actor
from .domain.campaign_file import parse_campaign
from .models import (AuditChainHead, AuditEvent, Dossier, HumanTask, Nominee, OrgUnit, ProcessInstance, RoleAssignment,
                     User)
from .operations.accounts import actor_for, hash_password
from .operations.audit import REQUEST_ORIGIN, event_hash, verify_chain
from .operations.campaigns import import_campaign
from .operations.definitions import deploy_definition
from .operations.demo import AWARD_FORMS, attach_sample_documents, ensure_award_forms, store_sample_documents
from .operations.dossiers import NomineeInput, create_dossier
from .operations.tasks import complete_task, open_task_step, prepare_completion
from .queries.audit import AuditFilter, audit_page
from .queries.batches import batch_summaries
from .queries.inbox import InboxFilter, inbox, inbox_facets
from .startup_objects import startup_objects_frozen
from .storage import FileStore

ROOT = "BP"  # the generated province; its codes never clash with demo data
ROLES = {
    "province": ("ban_tdkt", "council_secretary", "chairman"),
    "district": ("noi_vu", "council_secretary", "chairman"),
    "ward": ("office_clerk", "council_secretary", "chairman"),
    "unit": ("unit_clerk",),
}
# What Debian's Chromium sends from an office's network: the origin the dossiers' calls carry.
WEB_ORIGIN = ("10.20.30.40", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Safari/537.36")
TARGETS = {"ratio_project_to_raw": 2.0, "inbox_p95_ms": 50.0, "audit_page_p95_ms": 50.0,
           "full_run_minutes_20000": 10.0, "db_kib_per_chain": 8.0}  # fmt: skip


@dataclass(frozen=True)
class Scale:
    districts: int
    wards_per_district: int
    units_per_ward: int
    dossiers: int
    task_rows: int
    audit_events: int
    queries: int = 200


SCALES = {
    "tiny": Scale(districts=2, wards_per_district=2, units_per_ward=5, dossiers=20, task_rows=5_000,
                  audit_events=5_000, queries=40),
    "province": Scale(districts=10, wards_per_district=10, units_per_ward=20, dossiers=20_000,
                      task_rows=1_000_000, audit_events=1_000_000),
}  # fmt: skip

Progress = Callable[[str, int, int], None]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def percentiles(seconds: list[float]) -> dict[str, float]:
    return {"count": len(seconds), "p50_ms": round(statistics.median(seconds) * 1000, 3) if seconds else 0.0,
            "p95_ms": round(_pct(seconds, 0.95) * 1000, 3), "p99_ms": round(_pct(seconds, 0.99) * 1000, 3)}  # fmt: skip


def rss_mib() -> float:
    """The resident set size now (not the peak), from /proc where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def database_bytes(session: Session) -> int:
    """Bytes the database holds: pg_database_size, or SQLite's used pages after a WAL checkpoint."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    raw = bind.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        free = cursor.execute("PRAGMA freelist_count").fetchone()[0]
        size = cursor.execute("PRAGMA page_size").fetchone()[0]
        cursor.close()
    finally:
        raw.close()
    return int((pages - free) * size)


class Report:
    """The JSON report, rewritten whole after every step so that a run cut short still leaves numbers."""

    def __init__(self, directory: Path, header: dict[str, Any]) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.data: dict[str, Any] = {**header, "phases": {}, "finished": False}

    def phase(self, name: str, values: dict[str, Any]) -> None:
        self.data["phases"][name] = values
        self.save()

    def save(self) -> None:
        path = self.directory / "report.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        write_svg(self.data, self.directory / "report.svg")


def generate_org(session: Session, scale: Scale, password: str) -> dict[str, Any]:
    """The province tree with one official per role per unit; bulk inserts, one transaction."""
    now = datetime.now(UTC)
    password_hash = hash_password(password)
    units: list[dict[str, Any]] = []

    def add(code: str, name: str, level: str, parent: int | None) -> int:
        result = session.execute(insert(OrgUnit).returning(OrgUnit.id), [{
            "code": code, "name": name, "level": level, "parent_id": parent, "staff_count": 20, "created_at": now}])
        unit_id = int(result.scalar_one())
        units.append({"id": unit_id, "code": code, "level": level})
        return unit_id

    province = add(ROOT, "Tỉnh Đo Hiệu Năng", "province", None)
    for d in range(1, scale.districts + 1):
        district = add(f"{ROOT}-H{d:02d}", f"Huyện Đo Hiệu Năng {d}", "district", province)
        for w in range(1, scale.wards_per_district + 1):
            ward = add(f"{ROOT}-H{d:02d}-X{w:02d}", f"Xã {w} huyện {d}", "ward", district)
            for u in range(1, scale.units_per_ward + 1):
                add(f"{ROOT}-H{d:02d}-X{w:02d}-D{u:02d}", f"Đơn vị {u} xã {w} huyện {d}", "unit", ward)
    people = [{"username": f"{unit['code'].lower()}.{role}", "full_name": f"{role} {unit['code']}",
               "password_hash": password_hash, "is_active": True, "created_at": now}
              for unit in units for role in ROLES[unit["level"]]]  # fmt: skip
    session.execute(insert(User), people)
    ids = dict(session.execute(select(User.username, User.id).where(User.username.like(f"{ROOT.lower()}%"))).all())
    session.execute(insert(RoleAssignment), [
        {"user_id": ids[f"{unit['code'].lower()}.{role}"], "role": role, "org_unit_id": unit["id"]}
        for unit in units for role in ROLES[unit["level"]]])  # fmt: skip
    by_level: dict[str, int] = {}
    for unit in units:
        by_level[unit["level"]] = by_level.get(unit["level"], 0) + 1
    return {"units": by_level, "users": len(people), "leaf_units": [u["id"] for u in units if u["level"] == "unit"],
            "unit_codes": {u["id"]: u["code"] for u in units}}  # fmt: skip


def run_province(
    scale: Scale, database_url: str, report_dir: Path, progress: Progress | None = None,
    uploads: Path | None = None, command: str = "", processes: int = 1,
) -> dict[str, Any]:  # fmt: skip
    """Every phase in order; returns the report's data (also on disk in report_dir)."""
    upgrade_schema(database_url)
    db = make_engine(database_url)
    factory = make_session_factory(db)
    clock = FixedClock(datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    system = Actor(None, "thidua bench")
    report = Report(report_dir, {
        "command": command, "scale": asdict(scale), "targets": TARGETS, "processes": processes,
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": _cpus(), "started_at": datetime.now(UTC).isoformat(timespec="seconds")}})  # fmt: skip

    # 1. the org tree, the chain and a campaign whose Bằng khen the province chairman grants
    t0 = time.perf_counter()
    with factory() as session, session.begin():
        if session.scalar(select(OrgUnit.id).where(OrgUnit.code == ROOT)) is not None:
            raise ValueError(f"CSDL đã có cây đơn vị '{ROOT}' của một lần đo trước; dùng một CSDL trống.")
        deploy_definition(session, system, CHAIN.read_bytes(), filename=CHAIN.name)
        org = generate_org(session, scale, "bench")
        ensure_award_forms(session)
        import_campaign(session, system, parse_campaign({
            "code": "BP-2026", "title": "Phong trào thi đua đo hiệu năng cấp tỉnh", "year": 2026,
            "issuing_unit": ROOT,
            "award_forms": [{"code": "BK-TINH", "name": AWARD_FORMS[2][1], "granting_level": "province"}]}), clock.now())  # fmt: skip
    report.phase("org", {"seconds": round(time.perf_counter() - t0, 2), "units": org["units"], "users": org["users"]})

    # 2. the dossiers through the full chain, each call carrying a browser's origin as a web request does
    # (service/web/context.py): every audit event of a request keeps its IP address and user agent, so the
    # storage per chain counts them too.
    report.phase("dossiers", _run_dossiers(factory, database_url, clock.now(), uploads or report_dir / "uploads",
                                           scale, org, report, progress, processes))  # fmt: skip

    # 3. the raw engine on the same BPMN, measured in the same run
    raw = run_raw(min(200, max(20, scale.dossiers // 100)))
    mean = report.data["phases"]["dossiers"]["completion_mean_ms"]
    report.phase("raw_spiffworkflow", {**raw, "ratio_project_to_raw": round(mean / raw["raw_completion_mean_ms"], 2)})

    # 4. the inbox with the task table grown to scale.task_rows
    report.phase("inbox", _inbox_phase(factory, scale, org, progress))

    # 5. the auditor's page with the trail grown to scale.audit_events
    report.phase("audit", _audit_phase(factory, scale, progress))

    with factory() as session:
        report.data["audit_chain_ok"] = verify_chain(session).ok
    report.data["finished"] = True
    report.data["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report.save()
    db.dispose()
    return report.data


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


def _run_dossiers(factory, database_url: str, clock_start: datetime, uploads: Path, scale: Scale, org: dict[str, Any],
                  report: Report, progress: Progress | None, processes: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # fmt: skip
    """The dossiers through the chain, by `processes` processes side by side (each its own share), as the
    officials of a province work at once; the windows' figures are over all of them."""
    with factory() as session:
        size_before = database_bytes(session)
    per: list[float] = []
    windows: list[dict[str, Any]] = []
    window_start, window_completions = time.perf_counter(), 0
    started = time.perf_counter()
    finished = 0
    rss_of: dict[int, float] = {}

    def one_finished(worker: int, timings: list[float], rss: float) -> None:
        nonlocal finished, window_start, window_completions
        per.extend(timings)
        window_completions += len(timings)
        rss_of[worker] = rss
        finished += 1
        if progress:
            progress("hồ sơ", finished, scale.dossiers)
        if finished % 1000 == 0 or finished == scale.dossiers:
            elapsed = time.perf_counter() - window_start
            with factory() as session:
                size = database_bytes(session)
            windows.append({"dossiers": finished, "completions_per_s": round(window_completions / elapsed, 1),
                            "p50_ms": round(statistics.median(per[-window_completions:]) * 1000, 3),
                            "p95_ms": round(_pct(per[-window_completions:], 0.95) * 1000, 3),
                            # the largest process (each holds its own engine and connections)
                            "rss_mib": max(rss_of.values()),
                            "db_kib_per_chain": round((size - size_before) / 1024 / finished, 2),
                            "elapsed_s": round(time.perf_counter() - started, 1)})  # fmt: skip
            window_start, window_completions = time.perf_counter(), 0
            report.phase("dossiers", _dossier_summary(per, windows, finished, started, scale, processes, partial=True))

    work = {"database_url": database_url, "clock_start": clock_start, "uploads": str(uploads),
            "leaf_units": org["leaf_units"], "unit_codes": org["unit_codes"], "dossiers": scale.dossiers,
            "processes": processes}  # fmt: skip
    if processes == 1:
        with startup_objects_frozen():  # as a web worker does once its app is built
            drive_dossiers(work, 0, lambda timings, rss: one_finished(0, timings, rss))
    else:
        _in_processes(work, one_finished)
    with factory() as session:
        completed = session.scalar(select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "completed"))
    summary = _dossier_summary(per, windows, finished, started, scale, processes, partial=False)
    summary["instances_completed"] = int(completed or 0)
    return summary


def _in_processes(work: dict[str, Any], one_finished: Callable[[int, list[float], float], None]) -> None:
    """Run drive_dossiers in work["processes"] fresh processes; hand every finished dossier to `one_finished`."""
    import multiprocessing
    import queue as queues

    context = multiprocessing.get_context("spawn")  # nothing of this process (pools, connections) is inherited
    results = context.Queue()
    workers = [context.Process(target=_process_main, args=(work, number, results), daemon=True)
               for number in range(work["processes"])]  # fmt: skip
    for worker in workers:
        worker.start()
    running = len(workers)
    try:
        while running:
            try:
                message = results.get(timeout=5)
            except queues.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"một tiến trình đo đã dừng với mã {dead[0].exitcode}") from None
                continue
            kind, number, payload = message
            if kind == "dossier":
                one_finished(number, *payload)
            elif kind == "done":
                running -= 1
            else:
                raise RuntimeError(f"tiến trình đo {number} gặp lỗi:\n{payload}")
    finally:
        for worker in workers:
            if worker.is_alive() and running:
                worker.terminate()
            worker.join(timeout=30)


def _process_main(work: dict[str, Any], number: int, results: Any) -> None:
    import traceback

    try:
        with startup_objects_frozen():  # as a web worker does once its app is built
            drive_dossiers(work, number, lambda timings, rss: results.put(("dossier", number, (timings, rss))))
    except BaseException:  # noqa: BLE001 - reported to the parent, which stops the run
        results.put(("error", number, traceback.format_exc()))
        return
    results.put(("done", number, None))


def drive_dossiers(work: dict[str, Any], worker: int, finished: Callable[[list[float], float], None]) -> None:
    """Worker `worker` of work["processes"]: create its share of the dossiers (every processes-th) and take each
    through the chain, one transaction per call as the web app makes them; `finished` gets each dossier's
    completion times (seconds, the writing transaction's) and the process's memory.

    Each completion is what a request does: a reading transaction finds the task (the official opens it)
    and, on SQLite with more than one process, computes its engine step ahead (prepare_completion); the
    writing transaction completes it."""
    database_url = work["database_url"]
    db = make_engine(database_url)
    factory = make_session_factory(db)
    reading = make_session_factory(db.execution_options(**READ_OPTIONS))
    engine = Engine(FixedClock(work["clock_start"]))
    store = FileStore(Path(work["uploads"]))
    leaf_units: list[int] = work["leaf_units"]
    codes: dict[int, str] = work["unit_codes"]
    # Computing a step ahead keeps the write lock free for the other processes; with none, it is only the
    # reads done twice.
    ahead = db.dialect.name == "sqlite" and work["processes"] > 1
    actors: dict[str, Actor] = {}
    origin = REQUEST_ORIGIN.set(WEB_ORIGIN)

    def actor(session: Session, unit_code: str, role: str) -> Actor:
        key = f"{unit_code.lower()}.{role}"
        if key not in actors:
            actors[key] = actor_for(session, key)
        return actors[key]

    try:
        for number in range(worker, work["dossiers"], work["processes"]):
            unit_id = leaf_units[number % len(leaf_units)]
            # The clerk's files are written before the transaction that attaches them, as web uploads are.
            files = store_sample_documents(store, f"BP {number + 1}")
            with factory() as session, session.begin():
                clerk = actor(session, codes[unit_id], "unit_clerk")
                dossier = create_dossier(
                    session, clerk, engine, campaign_code="BP-2026", unit_id=unit_id,
                    title=f"Hồ sơ đề nghị Bằng khen số {number + 1}",
                    nominees=[NomineeInput("individual", f"Nguyễn Văn Thử {number + 1}", "BK-TINH", "Công chức")],
                )  # fmt: skip
                dossier_id = dossier.id
                attach_sample_documents(session, clerk, store, engine.clock.now(), dossier_id, files)
            timings: list[float] = []
            while True:
                # Ended by COMMIT, as the web app ends its reads: a ROLLBACK makes psycopg drop the connection's
                # prepared statements, and every completion after it would be planned anew on PostgreSQL.
                with reading() as session, session.begin():
                    task = open_task_step(session, dossier_id)
                    if task is None:
                        break
                    who = actor(session, codes[task.org_unit_id], task.role)
                    task_id, decision = task.id, "submit" if task.bpmn_id == "unit_prepare" else "approve"
                    if ahead:
                        prepare_completion(session, who, engine, task_id, decision)
                t0 = time.perf_counter()
                with factory() as session, session.begin():
                    complete_task(session, who, engine, task_id, decision)
                timings.append(time.perf_counter() - t0)
            finished(timings, rss_mib())
    finally:
        REQUEST_ORIGIN.reset(origin)
        db.dispose()


def _dossier_summary(per: list[float], windows: list[dict[str, Any]], finished: int, started: float, scale: Scale,
                     processes: int, partial: bool) -> dict[str, Any]:  # fmt: skip
    wall = time.perf_counter() - started
    rss = [w["rss_mib"] for w in windows]
    return {
        "dossiers": finished, "planned": scale.dossiers, "processes": processes, "partial": partial,
        "task_completions": len(per),
        "wall_s": round(wall, 1), "wall_min": round(wall / 60, 2),
        "completions_per_s": round(len(per) / wall, 1) if wall else 0.0,
        "completion_mean_ms": round(statistics.fmean(per) * 1000, 3) if per else 0.0,
        **{f"completion_{k}": v for k, v in percentiles(per).items() if k != "count"},
        "db_kib_per_chain": windows[-1]["db_kib_per_chain"] if windows else None,
        "rss_mib_first": rss[0] if rss else None, "rss_mib_last": rss[-1] if rss else None,
        "windows": windows,
    }  # fmt: skip


def _analyse(factory, table: str) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL, gather the planner's statistics of a table the benchmark has just filled, as autovacuum
    does within a minute of a bulk load (and as a DBA does after one). Without them the planner costs a
    million-row table by its empty-table guesses: at a million task rows a province's inbox took 70 ms instead
    of 2. Autovacuum cannot be counted on to have run: the benchmark queries right after filling, and some
    servers run with it off (this project's CI machines do). SQLite has no such statistics by default and
    plans these queries from its indexes alone, so it is left as it is."""
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"ANALYZE {table}"))
            session.commit()


def _inbox_phase(factory, scale: Scale, org: dict[str, Any], progress: Progress | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Grow the task table with closed tasks (and a few open ones) spread over every unit, then time inboxes."""
    rng = random.Random(11)
    with factory() as session:
        existing = session.scalar(select(func.count()).select_from(HumanTask)) or 0
        instances = list(session.scalars(select(ProcessInstance.id)))
        units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.like(f"{ROOT}%")))}
    by_level: dict[str, list[int]] = {}
    for unit in units.values():
        by_level.setdefault(str(unit.level), []).append(unit.id)
    steps = [("unit_prepare", "unit", "unit_clerk"), ("ward_office_review", "ward", "office_clerk"),
             ("district_noi_vu_review", "district", "noi_vu"), ("province_ban_review", "province", "ban_tdkt"),
             ("ward_chairman_decide", "ward", "chairman")]  # fmt: skip
    to_add = max(0, scale.task_rows - existing)
    t0 = time.perf_counter()
    base = datetime(2025, 1, 1, tzinfo=UTC)
    # About one task in a hundred still waits, each in a running process of its own dossier (the chain's dossiers have
    # all ended by now, and an inbox lists only running processes' tasks), after one closed step of that process; the
    # rest are closed tasks spread over the chain's processes (their history).
    waiting = _running_instances(factory, rng, to_add // 100, by_level["unit"], base) if to_add >= 100 else []
    done = 0
    while done < to_add:
        batch = []
        for _ in range(min(10_000, to_add - done)):
            bpmn_id, level, role = steps[rng.randrange(len(steps))]
            open_ = bool(waiting) and len(batch) % 2 == 1 and rng.random() < 0.02
            created = base + timedelta(minutes=rng.randrange(600_000))
            if open_:
                instance_id = waiting.pop()
                batch[-1].update(instance_id=instance_id, created_at=created - timedelta(days=1),
                                 completed_at=created)  # the step before, closed as this one opened
            else:
                instance_id = instances[rng.randrange(len(instances))]
            guid = str(uuid.UUID(int=rng.getrandbits(128)))  # the engine's form, the only one task_guid takes
            batch.append({"instance_id": instance_id, "task_guid": guid,
                          "bpmn_id": bpmn_id, "role": role, "level": level,
                          "org_unit_id": rng.choice(by_level[level]), "state": "ready" if open_ else "completed",
                          "due_at": created + timedelta(days=10) if open_ else None, "created_at": created,
                          "completed_at": None if open_ else created + timedelta(days=2)})  # fmt: skip
        with factory() as session, session.begin():
            session.execute(insert(HumanTask), batch)
        done += len(batch)
        if progress:
            progress("việc", done, to_add)
    fill_s = time.perf_counter() - t0
    for table in ("human_task", "process_instance", "dossier", "nominee"):  # the waiting tasks' rows are new too
        _analyse(factory, table)
    with factory() as session:
        rows = session.scalar(select(func.count()).select_from(HumanTask)) or 0
        sample_units = [units[rng.choice(by_level[level])] for level in ("unit", "ward", "ward", "district", "province")
                        for _ in range(max(1, scale.queries // 5))]  # fmt: skip
        inbox_times, page_times, by_unit_times, listed = [], [], [], []
        for unit in sample_units:
            who = actor_for(session, f"{unit.code.lower()}.{ROLES[str(unit.level)][0]}")
            t1 = time.perf_counter()
            listed.append(len(inbox(session, who)))
            t2 = time.perf_counter()
            facets = inbox_facets(session, who)  # the inbox page also counts every open task and offers the filter's
            batch_summaries(session, who)  # choices, and lists the batches
            t3 = time.perf_counter()
            # The list sorted by submitting unit (the facets rank the units): the database orders the whole inbox.
            inbox(session, who, filters=InboxFilter(sort="unit"), facets=facets)
            t4 = time.perf_counter()
            inbox_times.append(t2 - t1)
            page_times.append(t3 - t1)
            by_unit_times.append(t4 - t3)
    open_rows = session_count(factory, HumanTask.state == "ready")
    return {"task_rows": int(rows), "open_rows": open_rows, "fill_s": round(fill_s, 1),
            # How many rows the timed inboxes listed: the measurement is of lists that hold something.
            "rows_listed": {"total": sum(listed), "max": max(listed, default=0),
                            "empty_inboxes": sum(1 for n in listed if n == 0)},
            "inbox": percentiles(inbox_times),
            "inbox_page": percentiles(page_times), "inbox_by_unit": percentiles(by_unit_times)}  # fmt: skip


def session_count(factory, condition: Any) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(HumanTask).where(condition)) or 0)


def _running_instances(factory, rng: random.Random, count: int, units: list[int], base: datetime) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` dossiers in review, each with a running process (a copy of a chain dossier's and of its process's rows,
    with one nominee asking a province award), for the waiting tasks; their process ids."""
    with factory() as session:
        dossier = session.scalar(select(Dossier).order_by(Dossier.id).limit(1))
        instance = session.scalar(select(ProcessInstance).order_by(ProcessInstance.id).limit(1))
        nominee = session.scalar(select(Nominee).order_by(Nominee.id).limit(1))
        assert dossier is not None and instance is not None and nominee is not None
        copy = {name: {c.key: getattr(row, c.key) for c in inspect(type(row)).column_attrs if c.key != "id"}
                for name, row in (("dossier", dossier), ("instance", instance), ("nominee", nominee))}
    ids: list[int] = []
    for start in range(0, count, 2_000):
        number = min(2_000, count - start)
        with factory() as session, session.begin():
            made = session.scalars(insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True), [
                {**copy["dossier"], "unit_id": rng.choice(units), "title": f"Hồ sơ đang xét {start + n + 1}",
                 "status": "in_review", "created_at": base, "updated_at": base} for n in range(number)]).all()
            session.execute(insert(Nominee), [{**copy["nominee"], "dossier_id": d, "outcome": None,
                                               "outcome_level": None, "full_name": f"Người đang xét {d}"}
                                              for d in made])  # fmt: skip
            ids += session.scalars(insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True), [
                {**copy["instance"], "dossier_id": d, "status": "running", "end_event": None, "next_timer_at": None,
                 "lock_version": 1} for d in made]).all()  # fmt: skip
    rng.shuffle(ids)
    return ids


def _audit_phase(factory, scale: Scale, progress: Progress | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Continue the hash chain up to scale.audit_events events, then time the auditor's page and its filters."""
    rng = random.Random(13)
    actions = ["task.complete", "task.claim", "document.upload", "dossier.submit", "auth.login", "dossier.status"]
    with factory() as session:
        existing = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        dossiers = session.scalar(select(func.max(ProcessInstance.dossier_id))) or 1
        # Each event is done by an official in one of their roles, as the real ones are: the auditor's
        # actor and unit filters then meet the spread of a province (2,333 officials over 2,111 units).
        holders = session.execute(
            select(User.id, User.username, RoleAssignment.role, RoleAssignment.org_unit_id)
            .join(RoleAssignment, RoleAssignment.user_id == User.id).order_by(RoleAssignment.id)
        ).all()  # fmt: skip
    to_add = max(0, scale.audit_events - existing)
    t0 = time.perf_counter()
    base = datetime(2026, 3, 2, tzinfo=UTC)
    done = 0
    while done < to_add:
        with factory() as session, session.begin():
            head = session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
            assert head is not None
            prev = head.last_hash
            batch = []
            for number in range(done, min(to_add, done + 10_000)):
                who = rng.choice(holders)
                event = AuditEvent(occurred_at=base + timedelta(seconds=number * 30), actor_id=who.id,
                                   actor_role=who.role, actor_unit_id=who.org_unit_id,
                                   action=actions[number % len(actions)], object_type="dossier",
                                   object_id=str(rng.randint(1, dossiers)), dossier_id=rng.randint(1, dossiers))  # fmt: skip
                event.hash = event_hash(event, prev)
                prev = event.hash
                batch.append({c: getattr(event, c) for c in ("occurred_at", "actor_id", "actor_role", "actor_unit_id",
                                                             "action", "object_type", "object_id", "hash",
                                                             "dossier_id")})  # fmt: skip
            last_id = session.execute(insert(AuditEvent).returning(AuditEvent.id), batch).scalars().all()[-1]
            head.last_event_id, head.last_hash = last_id, prev
            done += len(batch)
        if progress:
            progress("nhật ký", done, to_add)
    fill_s = time.perf_counter() - t0
    _analyse(factory, "audit_event")
    kinds: dict[str, list[float]] = {"all": [], "dossier": [], "action": [], "day": [], "month": [], "actor": [],
                                     "unit": []}  # fmt: skip
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        last_day = (base + timedelta(seconds=to_add * 30)).date()
        days = max(1, (last_day - base.date()).days)
        for number in range(scale.queries):
            kind = list(kinds)[number % len(kinds)]
            start = base.date() + timedelta(days=rng.randrange(days))
            filters = {"all": AuditFilter(), "dossier": AuditFilter(dossier_id=rng.randint(1, dossiers)),
                       "action": AuditFilter(action="task.claim"), "day": AuditFilter(date_from=start, date_to=start),
                       "month": AuditFilter(date_from=start, date_to=start + timedelta(days=30)),
                       "actor": AuditFilter(actor=rng.choice(holders).username),
                       "unit": AuditFilter(unit_id=rng.choice(holders).org_unit_id)}[kind]  # fmt: skip
            t1 = time.perf_counter()
            page = audit_page(session, filters)
            if page and number % 2:
                audit_page(session, filters, before_id=page[-1].event.id)  # the next page, by keyset
            kinds[kind].append(time.perf_counter() - t1)
    everything = [t for values in kinds.values() for t in values]
    return {"audit_events": int(total), "fill_s": round(fill_s, 1), "audit_page": percentiles(everything),
            "by_filter": {k: percentiles(v) for k, v in kinds.items() if v}}  # fmt: skip


def terminal_progress(stream: Any = sys.stderr) -> Progress:
    """A one-line progress bar per phase on stderr."""
    last: dict[str, float] = {}

    def show(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last.get(label, 0.0) < 0.5:
            return
        last[label] = now
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r{label:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show
