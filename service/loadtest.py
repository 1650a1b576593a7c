"""`thidua loadtest`: many officials clearing their inboxes at once, over real HTTP on loopback.

The run is bounded: it prepares a fixed amount of work (a generated ward tree, each unit with dossiers
ready to submit), starts the real server (`thidua serve`, or gunicorn with --workers), lets every
official poll their inbox, claim and decide until all the work is done or the time limit passes, stops
the server and checks the database afterwards (every completed task has exactly one audit event, the
hash chain verifies, every dossier reached the end). It reports p50/p95/p99 latency per request kind
and the error count; any error or unfinished work makes the run fail.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import Engine

from .db import make_engine, make_session_factory, upgrade_schema
from .domain.actors import Actor
from .domain.campaign_file import parse_campaign
from .models import AuditEvent, Dossier, HumanTask, OrgUnit, ProcessInstance, RoleAssignment, User
from .operations.accounts import actor_for, hash_password
from .operations.audit import verify_chain
from .operations.campaigns import import_campaign
from .operations.definitions import deploy_definition
from .operations.demo import AWARD_FORMS, attach_sample_documents, ensure_award_forms
from .operations.dossiers import NomineeInput, create_dossier
from .operations.tasks import complete_task, open_task_for
from .storage import FileStore

CHAIN = Path(__file__).resolve().parent.parent / "bpmn" / "commendation_chain.bpmn"
PASSWORD = "tai-thu-nghiem"
WARD_ROLES = ("office_clerk", "council_secretary", "chairman")
IDLE_POLL_MIN, IDLE_POLL_MAX = 0.2, 2.0  # seconds between two looks at an empty inbox
LOGINS_AT_ONCE = 4
REUSE_IDLE_CONNECTION_S = 1.0
ROOT = "LT"  # the generated tree lives under its own province so it never mixes with demo data


@dataclass(frozen=True)
class LoadPlan:
    """Who takes part and how much work is waiting: dossiers × steps = completions expected."""

    usernames: list[str]
    dossiers: int
    steps_per_dossier: int

    @property
    def completions(self) -> int:
        return self.dossiers * self.steps_per_dossier


def plan_shape(users: int) -> tuple[int, int]:
    """Wards and units per ward so that wards × (3 ward officials + units) is `users` (or just above)."""
    if users < 4:
        raise ValueError("cần ít nhất 4 người dùng (3 cán bộ phường và 1 đơn vị)")
    units_per_ward = 2
    wards = max(1, round(users / (len(WARD_ROLES) + units_per_ward)))
    units_per_ward = max(1, round(users / wards) - len(WARD_ROLES))
    return wards, units_per_ward


def prepare(
    database_url: str, uploads: Path, users: int, dossiers_per_unit: int, shape: tuple[int, int] | None = None,
    submit: bool = False,
) -> LoadPlan:  # fmt: skip
    """Schema, the chain, a generated province → district → wards → units tree with one official per
    role, a campaign whose Giấy khen the ward chairman grants, and dossiers waiting to be submitted."""
    upgrade_schema(database_url)
    db = make_engine(database_url)
    factory = make_session_factory(db)
    engine = Engine()
    store = FileStore(uploads)
    wards, units_per_ward = shape or plan_shape(users)
    year = datetime.now(UTC).year
    system = Actor(None, "thidua loadtest")
    with factory() as session, session.begin():
        if session.scalar(select(OrgUnit.id).where(OrgUnit.code == ROOT)) is not None:
            raise ValueError(f"CSDL đã có cây đơn vị '{ROOT}' của một lần chạy trước; dùng một CSDL trống.")
        deploy_definition(session, system, CHAIN.read_bytes(), filename=CHAIN.name)
        usernames, unit_ids = _org_tree(session, wards, units_per_ward)
        ensure_award_forms(session)
        campaign = {"code": f"LT-{year}", "title": "Phong trào thử tải", "year": year, "issuing_unit": f"{ROOT}-Q",
                    "award_forms": [{"code": "GK-XA", "name": AWARD_FORMS[0][1], "granting_level": "ward"}]}  # fmt: skip
        import_campaign(session, system, parse_campaign(campaign), engine.clock.now())
    for code, unit_id in unit_ids.items():
        with factory() as session, session.begin():
            clerk = actor_for(session, f"{code.lower()}.unit_clerk")
            for number in range(dossiers_per_unit):
                dossier = create_dossier(
                    session, clerk, engine, campaign_code=f"LT-{year}", unit_id=unit_id,
                    title=f"Hồ sơ thử tải {code} số {number + 1}",
                    nominees=[NomineeInput("individual", f"Người được đề nghị {code}-{number + 1}", "GK-XA", "Công chức")],
                )  # fmt: skip
                attach_sample_documents(session, clerk, store, engine.clock.now(), dossier.id)
                if submit:  # straight to the ward office's inbox
                    task = open_task_for(session, dossier.id)
                    assert task is not None
                    complete_task(session, clerk, engine, task.id, "submit")
    db.dispose()
    # unit prepares → ward office reviews → ward council votes → ward chairman decides
    return LoadPlan(usernames, len(unit_ids) * dossiers_per_unit, 4)


def _org_tree(session: Session, wards: int, units_per_ward: int) -> tuple[list[str], dict[str, int]]:
    password_hash = hash_password(PASSWORD)
    now = datetime.now(UTC)
    usernames: list[str] = []
    unit_ids: dict[str, int] = {}

    def unit(code: str, name: str, level: str, parent: OrgUnit | None, roles: tuple[str, ...]) -> OrgUnit:
        node = OrgUnit(code=code, name=name, level=level, parent_id=parent.id if parent else None,
                       staff_count=10, created_at=now)  # fmt: skip
        session.add(node)
        session.flush()
        for role in roles:
            user = User(username=f"{code.lower()}.{role}", full_name=f"{role} {name}", password_hash=password_hash,
                        is_active=True, created_at=now)  # fmt: skip
            session.add(user)
            session.flush()
            session.add(RoleAssignment(user_id=user.id, role=role, org_unit_id=node.id))
            usernames.append(user.username)
        return node

    province = unit(ROOT, "Tỉnh Thử Tải", "province", None, ())
    district = unit(f"{ROOT}-Q", "Quận Thử Tải", "district", province, ())
    for w in range(1, wards + 1):
        ward = unit(f"{ROOT}-Q-P{w:02d}", f"Phường Thử Tải {w}", "ward", district, WARD_ROLES)
        for u in range(1, units_per_ward + 1):
            node = unit(f"{ward.code}-D{u:02d}", f"Tổ dân phố {u} phường {w}", "unit", ward, ("unit_clerk",))
            unit_ids[node.code] = node.id
    return usernames, unit_ids


# ---------------------------------------------------------------------------------------------- the load


@dataclass
class Tally:
    """Latencies per request kind and every error, shared by the virtual officials."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    completed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            out[kind] = {"count": len(ordered), "p50_ms": _ms(statistics.median(ordered)),
                         "p95_ms": _ms(_pct(ordered, 0.95)), "p99_ms": _ms(_pct(ordered, 0.99)),
                         "max_ms": _ms(ordered[-1])}  # fmt: skip
        return out


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class Official:
    """One simulated official on one keep-alive connection: log in, then poll, claim and decide."""

    def __init__(self, port: int, username: str, tally: Tally) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.username = username
        self.tally = tally
        self.token = ""
        self.last_used = 0.0

    def call(self, kind: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        if started - self.last_used > REUSE_IDLE_CONNECTION_S:
            # gunicorn closes a keep-alive connection idle for 2 s; sending on it as it closes gets a reset.
            # A browser opens a new connection after such a pause, and so do we.
            self.conn.close()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.tally.record(kind, time.perf_counter() - started, f"{self.username} {path}: {exc!r}")
            return 0, None
        elapsed = time.perf_counter() - started
        self.last_used = time.perf_counter()
        ok = 200 <= response.status < 300
        self.tally.record(kind, elapsed, None if ok else f"{self.username} {path}: HTTP {response.status} {payload[:200]!r}")
        return response.status, json.loads(payload) if payload else None

    def run(self, remaining: threading.Event, deadline: float, logins: threading.Semaphore) -> None:
        # Officials arrive over the morning, not in the same second: a few log in at a time (Argon2id is
        # deliberately costly, so a hundred at once would measure the hash, not the inbox).
        with logins:
            status, body = self.call("login", "POST", "/api/v1/auth/token",
                                     {"username": self.username, "password": PASSWORD})  # fmt: skip
        if status != 201:
            self.conn.close()
            return
        self.token = body["token"]
        idle = IDLE_POLL_MIN
        while not remaining.is_set() and time.monotonic() < deadline:
            status, body = self.call("inbox", "GET", "/api/v1/tasks")
            tasks = body.get("tasks", []) if status == 200 and body else []
            if not tasks:
                # nothing to do: look again a little later each time, as a person refreshing the page would
                remaining.wait(idle)
                idle = min(idle * 1.5, IDLE_POLL_MAX)
                continue
            idle = IDLE_POLL_MIN
            for task in tasks:
                if remaining.is_set() or time.monotonic() >= deadline:
                    break
                status, _ = self.call("claim", "POST", f"/api/v1/tasks/{task['id']}/claim")
                if status != 200:
                    continue
                decision = "submit" if task["step"] == "unit_prepare" else "approve"
                status, _ = self.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete",
                                      {"decision": decision, "comment": "thử tải"})  # fmt: skip
                if status == 200:
                    with self.tally.lock:
                        self.tally.completed += 1
        self.conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    thidua = Path(sys.executable).with_name("thidua")
    command = [str(thidua), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # fmt: skip
    for _ in range(300):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return process
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            conn.close()
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("máy chủ không khởi động được")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (gunicorn and its workers), SIGKILL if it lingers."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def check_database(database_url: str, plan: LoadPlan) -> dict[str, Any]:
    """After the run: what the database says, independent of what the clients believed."""
    db = make_engine(database_url)
    with make_session_factory(db)() as session:
        dossier_codes = select(Dossier.id).join(OrgUnit, Dossier.unit_id == OrgUnit.id).where(OrgUnit.code.like(f"{ROOT}-%"))
        finished = session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.dossier_id.in_(dossier_codes), ProcessInstance.status == "completed"))  # fmt: skip
        completed_tasks = set(session.scalars(select(HumanTask.id).where(HumanTask.state == "completed")))
        events = session.execute(select(AuditEvent.object_id, func.count()).where(AuditEvent.action == "task.complete")
                                 .group_by(AuditEvent.object_id)).all()  # fmt: skip
        chain = verify_chain(session)
    db.dispose()
    return {
        "dossiers_finished": int(finished or 0),
        "task_events_match": {int(obj) for obj, _ in events} == completed_tasks and all(n == 1 for _, n in events),
        "audit_chain_ok": chain.ok,
    }


def run_load(
    users: int = 100, dossiers_per_unit: int = 2, duration: float = 120.0, workers: int = 0,
    database_url: str | None = None, log: Any = None,
) -> dict[str, Any]:  # fmt: skip
    """Prepare, serve, load, stop, check; the JSON-able report. `ok` is false on any error or unfinished work.

    Uploads (and the SQLite file when no URL is given) live in a temporary directory removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="thidua-load-") as tmp:
        return _run_load(Path(tmp), users, dossiers_per_unit, duration, workers, database_url, log)


def _run_load(
    workdir: Path, users: int, dossiers_per_unit: int, duration: float, workers: int, database_url: str | None,
    log: Any,
) -> dict[str, Any]:  # fmt: skip
    url = database_url or f"sqlite:///{workdir / 'load.db'}"
    uploads = workdir / "uploads"
    started = time.perf_counter()
    plan = prepare(url, uploads, users, dossiers_per_unit)
    prepare_s = time.perf_counter() - started
    if log:
        log(f"{len(plan.usernames)} cán bộ, {plan.dossiers} hồ sơ, {plan.completions} lượt duyệt cần làm")
    env = {**os.environ, "DATABASE_URL": url, "THIDUA_UPLOAD_DIR": str(uploads), "THIDUA_INSTANCE_DIR": str(workdir),
           "THIDUA_SECRET_KEY": "loadtest"}  # fmt: skip
    port = free_port()
    server = start_server(env, port, workers)
    tally = Tally()
    done = threading.Event()
    try:
        deadline = time.monotonic() + duration
        officials = [Official(port, name, tally) for name in plan.usernames]
        logins = threading.Semaphore(LOGINS_AT_ONCE)
        threads = [threading.Thread(target=o.run, args=(done, deadline, logins), daemon=True) for o in officials]
        load_started = time.perf_counter()
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            with tally.lock:
                if tally.completed >= plan.completions:
                    break
            time.sleep(0.05)
        done.set()
        for thread in threads:
            thread.join(timeout=70)
        load_s = time.perf_counter() - load_started
    finally:
        stop_server(server)
    checked = check_database(url, plan)
    requests = sum(len(v) for v in tally.latencies.values())
    report: dict[str, Any] = {
        "users": len(plan.usernames), "dossiers": plan.dossiers, "completions_expected": plan.completions,
        "completions": tally.completed, "requests": requests, "errors": len(tally.errors),
        "first_errors": tally.errors[:10], "prepare_s": round(prepare_s, 2), "load_s": round(load_s, 2),
        "requests_per_s": round(requests / load_s, 1) if load_s else 0.0,
        "completions_per_s": round(tally.completed / load_s, 1) if load_s else 0.0,
        "latency": tally.summary(), "workers": workers,
        "database": "postgresql" if url.startswith("postgresql") else "sqlite", **checked,
    }  # fmt: skip
    report["ok"] = (report["errors"] == 0 and tally.completed == plan.completions
                    and checked["dossiers_finished"] == plan.dossiers and checked["task_events_match"]
                    and checked["audit_chain_ok"])  # fmt: skip
    return report
