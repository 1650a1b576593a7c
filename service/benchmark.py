"""`thidua bench`: dossiers through the full province chain via the service layer vs. raw SpiffWorkflow."""

from __future__ import annotations

import resource
from datetime import UTC, date, datetime, timedelta
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine, FixedClock

from .db import make_engine, make_session_factory, upgrade_schema
from .domain.actors import Actor
from .models import OrgUnit
from .domain.campaign_file import parse_campaign
from .operations.accounts import actor_for
from .operations.campaigns import import_campaign
from .operations.definitions import deploy_definition
from .operations.demo import attach_sample_documents, load_demo, username_for
from .operations.dossiers import NomineeInput, create_dossier
from .operations.tasks import complete_task, open_task_step
from .storage import FileStore

CHAIN = Path(__file__).resolve().parent.parent / "bpmn" / "commendation_chain.bpmn"
# A campaign of phường Phú Lãm whose Bằng khen is granted by the province: every dossier goes all the way.
BENCH_CAMPAIGN: dict[str, Any] = {
    "code": "BENCH-2024", "title": "Phong trào đo hiệu năng", "year": 2024, "issuing_unit": "HN-HD-PL",
    "award_forms": [{"code": "BK-TINH", "name": "Bằng khen của Chủ tịch UBND thành phố Hà Nội",
                     "granting_level": "province"}],
}  # fmt: skip


@dataclass
class Timings:
    per_completion: list[float]
    wall: float

    def summary(self, prefix: str) -> dict[str, float]:
        ordered = sorted(self.per_completion)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0
        return {
            f"{prefix}task_completions_per_s": round(len(ordered) / self.wall, 1) if self.wall else 0.0,
            f"{prefix}completion_p50_ms": round(statistics.median(ordered) * 1000, 3) if ordered else 0.0,
            f"{prefix}completion_p95_ms": round(p95 * 1000, 3),
            f"{prefix}completion_mean_ms": round(statistics.fmean(ordered) * 1000, 3) if ordered else 0.0,
        }


def run_service(database_url: str, dossiers: int, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Create `dossiers` dossiers asking for a province Bằng khen and approve each through every step."""
    upgrade_schema(database_url)
    factory = make_session_factory(make_engine(database_url))
    clock = FixedClock()
    engine = Engine(clock)
    store = FileStore(Path(tempfile.mkdtemp(prefix="thidua-bench-files-")))
    with factory() as session, session.begin():
        deploy_definition(session, Actor(None, "bench"), CHAIN.read_bytes(), filename=CHAIN.name)
        load_demo(session, "bench", store)
        import_campaign(session, Actor(None, "bench"), parse_campaign(BENCH_CAMPAIGN), clock.now())
    with factory() as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        assert unit is not None
        unit_id = unit.id
        actors = _chain_actors(session)
    per: list[float] = []
    started = time.perf_counter()
    for number in range(dossiers):
        with factory() as session, session.begin():
            dossier = create_dossier(
                session, actors["unit_clerk"], engine, campaign_code=BENCH_CAMPAIGN["code"], unit_id=unit_id,
                title=f"Hồ sơ đo hiệu năng số {number + 1}",
                nominees=[NomineeInput("individual", f"Cán bộ số {number + 1}", "BK-TINH", "Công chức")],
            )  # fmt: skip
            dossier_id = dossier.id
            attach_sample_documents(session, actors["unit_clerk"], store, clock.now(), dossier_id)
        while True:
            # Ended by COMMIT, as the web app ends its reads: a ROLLBACK makes psycopg drop the connection's
            # prepared statements, and every completion after it would be planned anew on PostgreSQL.
            with factory() as session, session.begin():
                task = open_task_step(session, dossier_id)
                if task is None:
                    break
                key, task_id = f"{task.role}@{task.level}", task.id
            decision = "submit" if key == "unit_clerk@unit" else "approve"
            t0 = time.perf_counter()
            with factory() as session, session.begin():
                complete_task(session, actors[key] if key in actors else actors[task.role], engine, task_id, decision)
            per.append(time.perf_counter() - t0)
        if progress:
            progress(number + 1)
    wall = time.perf_counter() - started
    result = {"dossiers": dossiers, "dossiers_per_s": round(dossiers / wall, 2), "task_completions": len(per)}
    result.update(Timings(per, sum(per)).summary(""))
    result["wall_s"] = round(wall, 3)
    return result


def _chain_actors(session: Session) -> dict[str, Actor]:
    codes = {"unit": "HN-HD-PL-TP", "ward": "HN-HD-PL", "district": "HN-HD", "province": "HN"}
    roles = {"unit": ["unit_clerk"], "ward": ["office_clerk", "council_secretary", "chairman"],
             "district": ["noi_vu", "council_secretary", "chairman"],
             "province": ["ban_tdkt", "council_secretary", "chairman"]}  # fmt: skip
    actors = {f"{r}@{lvl}": actor_for(session, username_for(codes[lvl], r)) for lvl, rs in roles.items() for r in rs}
    actors["unit_clerk"] = actors["unit_clerk@unit"]
    return actors


def run_raw(dossiers: int) -> dict[str, Any]:
    """The same BPMN on plain SpiffWorkflow 3.2.0 defaults: restore + complete + serialize per human task."""
    from SpiffWorkflow import TaskState
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    parser = BpmnParser()
    parser.add_bpmn_file(str(CHAIN))
    spec = parser.get_spec("commendation_chain")
    serializer = BpmnWorkflowSerializer()
    per: list[float] = []
    for _ in range(dossiers):
        workflow = BpmnWorkflow(spec)
        workflow.task_tree.data.update(target_level="province", dossier_id=1)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        while True:
            t0 = time.perf_counter()
            workflow = serializer.deserialize_json(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            bpmn_id = task.task_spec.bpmn_id
            task.data[f"{bpmn_id}_decision"] = "submit" if bpmn_id == "unit_prepare" else "approve"
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            per.append(time.perf_counter() - t0)
    return Timings(per, sum(per)).summary("raw_")


def run_benchmark(dossiers: int, database_url: str | None = None, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run both sides in one process and report one JSON-able dict."""
    with tempfile.TemporaryDirectory(prefix="thidua-bench-") as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        service = run_service(url, dossiers, progress)
    raw = run_raw(dossiers)
    ratio = service["completion_mean_ms"] / raw["raw_completion_mean_ms"] if raw["raw_completion_mean_ms"] else None
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **service,
        **raw,
        "ratio_project_to_raw": round(ratio, 2) if ratio else None,
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "database": "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite",
    }


def run_audit_benchmark(events: int, database_url: str | None = None, queries: int = 200) -> dict[str, Any]:
    """Fill the audit trail with `events` hash-chained events, then time the auditor's page queries (keyset pages)."""
    import random

    from sqlalchemy import insert

    from .models import AuditChainHead, AuditEvent
    from .operations.audit import event_hash
    from .queries.audit import AuditFilter, audit_page

    with tempfile.TemporaryDirectory(prefix="thidua-audit-bench-") as tmp:
        url = database_url or f"sqlite:///{tmp}/audit.sqlite3"
        upgrade_schema(url)
        factory = make_session_factory(make_engine(url))
        rng = random.Random(7)
        started = time.perf_counter()
        actions = ["task.complete", "task.claim", "document.upload", "dossier.submit", "auth.login"]
        with factory() as session, session.begin():
            head = session.get(AuditChainHead, 1)
            prev = head.last_hash if head else "0" * 64
            batch: list[dict[str, Any]] = []
            base = datetime(2024, 1, 1, tzinfo=UTC)
            for number in range(events):
                event = AuditEvent(occurred_at=base + timedelta(seconds=number * 30), actor_id=None,
                                   action=actions[number % len(actions)], object_type="dossier",
                                   object_id=str(rng.randint(1, 20000)), after_json=None, comment=None,
                                   dossier_id=rng.randint(1, 20000))  # fmt: skip
                event.hash = event_hash(event, prev)
                prev = event.hash
                batch.append({c: getattr(event, c) for c in ("occurred_at", "actor_id", "action", "object_type",
                                                             "object_id", "hash", "dossier_id")})  # fmt: skip
                if len(batch) == 10_000:
                    session.execute(insert(AuditEvent), batch)
                    batch = []
            if batch:
                session.execute(insert(AuditEvent), batch)
            if head is not None:
                head.last_hash = prev
        filled = time.perf_counter() - started
        timings = []
        with factory() as session:
            for number in range(queries):
                kind = number % 5
                month = rng.randint(1, 11)
                filters = (AuditFilter() if kind == 0 else AuditFilter(dossier_id=rng.randint(1, 20000)) if kind == 1
                           else AuditFilter(action="task.claim") if kind == 2
                           else AuditFilter(date_from=date(2024, month, 1)) if kind == 3
                           else AuditFilter(date_from=date(2024, month, 1), date_to=date(2024, month + 1, 1)))  # fmt: skip
                t0 = time.perf_counter()
                page = audit_page(session, filters)
                if page and number % 2:
                    audit_page(session, filters, before_id=page[-1].event.id)  # the next page, by keyset
                timings.append(time.perf_counter() - t0)
    ordered = sorted(timings)
    return {"audit_events": events, "fill_s": round(filled, 1), "audit_page_p50_ms": round(statistics.median(ordered) * 1000, 2),
            "audit_page_p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2), "queries": queries}  # fmt: skip
