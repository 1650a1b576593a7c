"""Claim, release and complete inbox tasks: permission and rules first, then the engine, then the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, inspect, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from workflows import Definition, Engine, EngineError, InvalidDecision, TaskNotReady

from .. import direct_sql
from ..domain.actors import Actor
from ..domain.awards import level_rank
from ..domain.campaign_config import CampaignConfig
from ..domain.nominee_outcomes import CouncilCount, NomineeResult
from ..domain.deadlines import local_date
from ..domain.dossier_status import FIRST_STEP, require_reason
from ..domain.permissions import require_can_act_on_task
from ..errors import Conflict, DomainError, InvalidInput, Listed, NotFound, Phrase, QuotaExceeded
from ..models import Campaign, Dossier, HumanTask, OrgUnit, ProcessInstance
from ..models.task_codes import TASK_DECISION_CODES
from ..queries.campaign_config import campaign_config
from ..queries.checklist import dossier_checklist
from ..queries.eligibility import dossier_eligibility
from ..queries.quota_usage import binding_point, quota_checks, rules_binding_at
from .nominee_decisions import plan_step, record_step, step_for_audit
from .audit import Rider, RiderRefused, record_event, send_with_next_append
from .definitions import instance_definition
from .dossiers import require_reachable_awards
from .instances import apply_outcome
from .rows import compare_and_set, loaded_row, note_written


@dataclass(frozen=True)
class CompletionResult:
    task_id: int
    dossier_id: int
    decision: str | None
    next_steps: tuple[str, ...]
    dossier_status: str


def require_open_task(session: Session, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("Không tìm thấy việc cần xử lý.")
    _require_open(task, session.get(ProcessInstance, task.instance_id))
    return task


def _require_open(task: HumanTask, instance: ProcessInstance | None) -> None:
    if task.state != "ready":
        raise Conflict("Việc này đã được xử lý hoặc không còn hiệu lực.")
    # An admin may suspend an instance (operations/instance_admin.py): nobody claims, releases or completes its tasks.
    if instance is not None and instance.status == "suspended":
        raise Conflict("Quy trình của hồ sơ này đang tạm dừng; chưa thể nhận, trả lại hay xử lý việc.")


# Everything a completion reads about its task, in one round trip.
_OTHER_TASK = aliased(HumanTask)
# The dossier's unit and its first three ancestors (unit, ward, district, province in the usual tree): the
# owners of the lanes the next task may open in (apply_outcome walks the rest of a deeper path itself).
_PATH = [aliased(OrgUnit) for _ in range(4)]
# The four rows' columns, by attribute name, in the order selected; the objects are made from them (rows.loaded_row).
_ENTITIES = (HumanTask, ProcessInstance, Dossier, Campaign)
_ENTITY_KEYS = tuple(tuple(prop.key for prop in inspect(cls).column_attrs) for cls in _ENTITIES)
_COMPLETION_ROWS = (
    select(*(getattr(cls, key) for cls, keys in zip(_ENTITIES, _ENTITY_KEYS, strict=True) for key in keys),
           # Whether the instance has another open task (parallel steps): only then must a completion read
           # which open rows the engine has dropped (apply_outcome). Through the partial index of open tasks.
           exists().where(_OTHER_TASK.instance_id == HumanTask.instance_id, _OTHER_TASK.state == "ready",
                          _OTHER_TASK.id != HumanTask.id),
           *[column for unit in _PATH for column in (unit.id, unit.level)])  # fmt: skip
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
    .join(Campaign, Campaign.id == Dossier.campaign_id)
    .outerjoin(_PATH[0], _PATH[0].id == Dossier.unit_id)
    .outerjoin(_PATH[1], _PATH[1].id == _PATH[0].parent_id)
    .outerjoin(_PATH[2], _PATH[2].id == _PATH[1].parent_id)
    .outerjoin(_PATH[3], _PATH[3].id == _PATH[2].parent_id)
    .where(HumanTask.id == bindparam("task_id"))
)


@dataclass(frozen=True)
class CompletionRows:
    """A task with its instance, dossier and campaign, as one completion reads them."""

    task: HumanTask
    instance: ProcessInstance
    dossier: Dossier
    campaign: Campaign
    others_open: bool = True  # another task of the instance is open (True when unknown)
    unit_path: tuple[tuple[int, str], ...] = ()  # (id, level) from the dossier's unit up, as far as read


def rows_for_completion(session: Session, task_id: int) -> CompletionRows:
    """Read a task and what its completion needs in one query (NotFound if there is no such task).

    A caller that must check visibility first (the API answers 404 before anything else) reads
    these, checks, and hands them to complete_task: the rows are read once."""
    # Its columns read on the driver (direct_sql) and made into the session's objects as the ORM's loading makes
    # them (rows.loaded_row): about half the CPU of an ORM query of the four entities.
    row = direct_sql.execute(session, _COMPLETION_ROWS, {"task_id": task_id}).first()
    if row is None:
        raise NotFound("Không tìm thấy việc cần xử lý.")
    objects, at = [], 0
    for cls, keys in zip(_ENTITIES, _ENTITY_KEYS, strict=True):
        objects.append(loaded_row(session, cls, dict(zip(keys, row[at:at + len(keys)], strict=True))))
        at += len(keys)
    others_open, rest = row[at], row[at + 1:]
    path = tuple((unit_id, str(level)) for unit_id, level in zip(rest[0::2], rest[1::2], strict=True) if unit_id is not None)
    return CompletionRows(*objects, others_open=bool(others_open), unit_path=path)


def _dossier_id(session: Session, task: HumanTask) -> int | None:
    return session.scalar(select(ProcessInstance.dossier_id).where(ProcessInstance.id == task.instance_id))


def claim_task(session: Session, actor: Actor, engine: Engine, task_id: int) -> HumanTask:
    """Take a task so colleagues with the same role see it is being handled."""
    task = require_open_task(session, task_id)
    require_can_act_on_task(actor, task)
    if task.claimed_by == actor.user_id:
        return task
    now = engine.clock.now()
    # Compare and set: of colleagues claiming at once, the first UPDATE wins. On PostgreSQL the others wait
    # for its row lock, then find the row claimed and change nothing (on SQLite writers are serialised).
    taken = session.execute(
        update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.state == "ready", HumanTask.claimed_by.is_(None))
        .values(claimed_by=actor.user_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if taken != 1:
        raise Conflict("Việc này vừa được người khác nhận hoặc xử lý; hãy tải lại hộp việc.")
    set_committed_value(task, "claimed_by", actor.user_id)
    set_committed_value(task, "claimed_at", now)
    record_event(
        session, action="task.claim", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
        actor_role=task.role, actor_unit_id=task.org_unit_id, after={"claimed_by": actor.user_id},
        dossier_id=_dossier_id(session, task), now=now,
    )  # fmt: skip
    session.flush()
    return task


def unclaim_task(session: Session, actor: Actor, engine: Engine, task_id: int) -> HumanTask:
    """Give a claimed task back to everyone holding its role."""
    task = require_open_task(session, task_id)
    require_can_act_on_task(actor, task)
    if task.claimed_by is None:
        return task
    now = engine.clock.now()
    before = task.claimed_by
    task.claimed_by, task.claimed_at = None, None
    record_event(
        session, action="task.unclaim", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
        actor_role=task.role, actor_unit_id=task.org_unit_id, before={"claimed_by": before},
        dossier_id=_dossier_id(session, task), now=now,
    )  # fmt: skip
    session.flush()
    return task


@dataclass
class _CompletionPlan:
    """What complete_task decided before the engine runs: the engine's inputs and what the writes need."""

    rows: CompletionRows
    decision: str | None
    reason: str | None
    data: dict[str, Any] | None
    now: datetime
    config: CampaignConfig
    audit: list[dict[str, Any]]
    step_outcome: Any
    definition: Definition


def complete_task(
    session: Session, actor: Actor, engine: Engine, task_id: int, decision: str | None, comment: str | None = None,
    data: dict[str, str | int | bool | None] | None = None, nominee_results: dict[int, NomineeResult] | None = None,
    council: CouncilCount | None = None, confirmed: set[str] | None = None, rows: CompletionRows | None = None,
) -> CompletionResult:
    """Complete a task with a decision the BPMN offers there; return and reject need a reason.

    `data` is set by the service (never straight from a form): values the gateways read, such as target_level.
    At council and chairman steps `nominee_results` (and the council's `council` count) decide nominee by
    nominee; without them an approval approves every nominee still travelling. At an appraisal step
    an approval needs every eligibility condition to pass, or (where no record says) to be in
    `confirmed` as "<nominee id>:<condition code>". `rows` are the task's rows if the caller has read them
    (rows_for_completion) in this transaction.
    """
    plan = _plan_completion(session, actor, engine, task_id, decision, comment, data, nominee_results, council,
                            confirmed, rows, lock=True)  # fmt: skip
    rows, decision, reason, data, now = plan.rows, plan.decision, plan.reason, plan.data, plan.now
    task, instance, dossier = rows.task, rows.instance, rows.dossier
    audit, step_outcome, definition = plan.audit, plan.step_outcome, plan.definition
    try:
        outcome = engine.complete(definition, instance.state_json, task.task_guid, decision, data)
    except InvalidDecision as exc:
        raise InvalidInput(exc.message) from None
    except TaskNotReady as exc:
        raise Conflict(exc.message) from None
    except EngineError as exc:
        raise Conflict("Quy trình gặp lỗi, chưa ghi nhận quyết định: {message}", {"message": exc.message}) from None
    if decision is not None and decision not in TASK_DECISION_CODES:
        # The engine checks a decision only at a step that offers some (and deploying checks those have codes).
        raise InvalidInput("Quyết định '{decision}' không hợp lệ ở bước này.", {"decision": decision})
    # A dossier that moves up to a level must arrive there by that level's deadline. The engine
    # tells where it goes; nothing has been stored yet, so refusing here changes nothing.
    arriving = {t.level for t in outcome.ready_tasks if level_rank(t.level) > level_rank(str(task.level))}
    if arriving:
        for level in sorted(arriving, key=level_rank):
            plan.config.check_arrival(level, now)
    # From here rows are written: the instance at the lock_version read above, then the task by compare-and-set,
    # then the audit events (apply_outcome says why in that order). If someone else advanced this dossier
    # meanwhile, the transaction fails and nothing of ours is kept.

    def write_decision() -> None:
        # Compare and set: of two officials completing the same task at once, the first UPDATE wins.
        completed = {"state": "completed", "completed_by": actor.user_id, "completed_at": now, "decision": decision,
                     "comment": reason}  # fmt: skip
        # On PostgreSQL in the statement that appends the audit events, which locks the chain head only after
        # this UPDATE has changed the row, and appends nothing otherwise: a round trip less. On SQLite sent now.
        # Either way a task no longer ready raises RiderRefused (a Conflict below).
        statement, params = compare_and_set(session, task, completed, expect={"state": "ready"})
        send_with_next_append(session, Rider(statement, params, required=True,
                                             done=lambda: note_written(session, task, completed)))  # fmt: skip
        if step_outcome is not None:
            record_step(session, actor, task, step_outcome, council, now)

    try:
        audit.append(dict(
            action="task.complete", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
            actor_role=task.role, actor_unit_id=task.org_unit_id, dossier_id=dossier.id,
            # The dossier is the event's dossier_id column, which the hash covers: not repeated in the JSON
            # (events before migration 0026 have it in both).
            after={"step": task.bpmn_id, "decision": decision,
                   **({} if step_outcome is None else step_for_audit(step_outcome, council))},
            comment=reason, now=now,
        ))  # fmt: skip
        if task.bpmn_id == FIRST_STEP and decision == "submit":
            audit.append(dict(
                action="dossier.submit", object_type="dossier", object_id=str(dossier.id),
                actor=actor.user_id, actor_role=task.role, actor_unit_id=task.org_unit_id,
                after={"target_level": dossier.target_level}, now=now,
            ))  # fmt: skip
        apply_outcome(session, instance, dossier, definition, outcome, actor, now, completed_guid=task.task_guid,
                      audit=audit, before_audit=write_decision, others_open=rows.others_open, unit_path=rows.unit_path,
                      dossier_values=None if step_outcome is None else {"target_level": step_outcome.target_level})  # fmt: skip
        session.flush()
    except StaleDataError:
        raise Conflict("Hồ sơ vừa được người khác xử lý; quyết định của bạn chưa được ghi. Hãy tải lại.") from None
    except RiderRefused:  # the task's compare-and-set found it no longer ready
        raise Conflict(_TASK_TAKEN) from None
    return CompletionResult(
        task_id=task.id, dossier_id=dossier.id, decision=decision,
        next_steps=tuple(t.bpmn_id for t in outcome.ready_tasks), dossier_status=dossier.status,
    )  # fmt: skip


def prepare_completion(
    session: Session, actor: Actor, engine: Engine, task_id: int, decision: str | None, comment: str | None = None,
    data: dict[str, str | int | bool | None] | None = None, nominee_results: dict[int, NomineeResult] | None = None,
    council: CouncilCount | None = None, confirmed: set[str] | None = None, rows: CompletionRows | None = None,
) -> bool:
    """Run a completion's engine step ahead, in a reading transaction, for complete_task to pick up.

    On SQLite every writing transaction holds the database's single write lock from its BEGIN, and the
    engine step (restore the instance, run it, serialize it) is the largest part of a completion: computed
    in the transaction that writes, it keeps every other writer of the database waiting. Called with the
    same arguments as complete_task just before it, this reads and checks what complete_task will and has
    the engine compute the step now (Engine.prepare_complete); complete_task, in its writing transaction,
    reads and checks everything again and gets the outcome back without the engine running, if nothing the
    step depends on changed meanwhile (else it computes the step as usual). Nothing is written and nothing
    refused here: a check that fails now is left for complete_task to report. Returns whether a step was
    prepared. On PostgreSQL it does nothing: writers lock rows there, not the database, and computing the step
    twice over (here, and again if something changed) would only cost time."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    loaded_before = set(session.identity_map.keys())
    try:
        plan = _plan_completion(session, actor, engine, task_id, decision, comment, data, nominee_results, council,
                                confirmed, rows, lock=False)  # fmt: skip
        instance, task = plan.rows.instance, plan.rows.task
        return engine.prepare_complete(plan.definition, instance.state_json, task.task_guid, plan.decision, plan.data)
    except DomainError:
        return False
    finally:
        # The rows read here leave the session: a request goes on in the same session (its sessions keep
        # objects across transactions), and complete_task's reads must load them afresh in the writing
        # transaction, not find these in the session as they were in this snapshot.
        for key in set(session.identity_map.keys()) - loaded_before:
            found = session.identity_map.get(key)
            if found is not None:
                session.expunge(found)


def _plan_completion(
    session: Session, actor: Actor, engine: Engine, task_id: int, decision: str | None, comment: str | None,
    data: dict[str, Any] | None, nominee_results: dict[int, NomineeResult] | None, council: CouncilCount | None,
    confirmed: set[str] | None, rows: CompletionRows | None, lock: bool,
) -> _CompletionPlan:
    """complete_task's checks and decisions up to the engine step; `lock` takes the campaign's row lock where
    a quota binds (complete_task; prepare_completion only reads)."""
    rows = rows if rows is not None and rows.task.id == task_id else rows_for_completion(session, task_id)
    _require_open(rows.task, rows.instance)
    task, instance, dossier, campaign = rows.task, rows.instance, rows.dossier, rows.campaign
    require_can_act_on_task(actor, task)
    reason = require_reason(decision, comment)
    if instance.status != "running":
        raise Conflict("Quy trình của hồ sơ này không còn chạy.")
    definition = instance_definition(session, instance)
    step = definition.steps.get(str(task.bpmn_id))
    if decision is None and step is not None and step.decisions:
        # A form sent without a decision (a script, an old browser: the page's `required` stops the others):
        # said plainly, not as the engine's refusal of the decision 'None'.
        raise InvalidInput("Hãy chọn quyết định.")
    now = engine.clock.now()
    config = campaign_config(session, campaign)  # read once: eligibility, council, quotas and deadlines use it
    if task.bpmn_id == FIRST_STEP and decision == "submit":
        missing = dossier_checklist(session, dossier)
        if missing:
            listed = Listed(str(m) for m in missing)
            raise InvalidInput("Hồ sơ còn thiếu: {listed}.", {"listed": listed}, missing=list(listed))
        # A level abolished (or a version without it) since the dossier was drafted: its awards are refused.
        require_reachable_awards(session, dossier, local_date(now), config, definition.levels)
        # Nominees may have changed since the start: the gateways route on the current target level.
        data = {"target_level": dossier.target_level, **(data or {})}
    audit: list[dict[str, Any]] = []  # appended after the rows are written (apply_outcome says why)
    if task.role in APPRAISERS and decision == "approve":
        audit += _require_eligible(session, actor, dossier, confirmed or set(), now, config)
    step_outcome, staying = plan_step(session, task, dossier, decision, reason, nominee_results, council, config.council)
    if step_outcome is not None:
        # The grant gateway routes on where the nominees still travelling are granted.
        data = {**(data or {}), "target_level": step_outcome.target_level}
        if step_outcome.decision != decision:  # a council vote nobody passed rejects the dossier at this level
            decision = step_outcome.decision
            reason = reason or "Không có ai đạt tỷ lệ phiếu của Hội đồng."
    point = binding_point(task, decision)
    if point is not None and rules_binding_at(config, point):
        # Two chairmen deciding at once must not both squeeze under a cap: the campaign row is the lock.
        # (A campaign without a rule binding here has no cap to squeeze under: no lock, no count.)
        if lock:
            session.scalar(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
        broken = [c for c in quota_checks(session, task, dossier, decision, staying, config) if not c.ok]
        if broken:
            raise QuotaExceeded("Vượt chỉ tiêu khen thưởng: {broken}.",
                                {"broken": Listed((c.message for c in broken), " | ")},
                                rules=[c.code for c in broken])  # fmt: skip
    return _CompletionPlan(rows=rows, decision=decision, reason=reason, data=data, now=now, config=config,
                           audit=audit, step_outcome=step_outcome, definition=definition)  # fmt: skip


APPRAISERS = ("office_clerk", "noi_vu", "ban_tdkt")
_TASK_TAKEN = "Việc này vừa được người khác xử lý; quyết định của bạn chưa được ghi. Hãy tải lại."


def _require_eligible(session: Session, actor: Actor, dossier: Dossier, confirmed: set[str], now: datetime,
                      config: CampaignConfig) -> list[dict[str, Any]]:  # fmt: skip
    """Failing conditions block an approval; conditions no record can decide must be confirmed by the reviewer.

    Returns the audit event of the reviewer's confirmations (to append with the completion's), if any."""
    problems, ticks = [], []
    for nominee, results in dossier_eligibility(session, dossier, config):
        for result in results:
            key = f"{nominee.id}:{result.code}"
            if result.status == "fail":
                problems.append(Phrase("{name} không đạt “{condition}” ({detail})",
                                       {"name": nominee.full_name, "condition": result.description, "detail": result.detail}))
            elif result.status == "unknown" and key not in confirmed:
                problems.append(Phrase("chưa xác nhận “{condition}” cho {name}",
                                       {"condition": result.description, "name": nominee.full_name}))
            elif result.status == "unknown":
                ticks.append({"nominee_id": nominee.id, "condition": result.code})
    if problems:
        raise InvalidInput("Chưa đủ điều kiện: {problems}.", {"problems": Listed(problems)}, problems=problems)
    if not ticks:
        return []
    return [dict(action="eligibility.confirm", object_type="dossier", object_id=str(dossier.id),
                 actor=actor.user_id, after={"confirmed": ticks}, now=now)]  # fmt: skip


_OPEN_TASK_STEP = (
    select(HumanTask.id, HumanTask.bpmn_id, HumanTask.role, HumanTask.level, HumanTask.org_unit_id)
    .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
    .where(ProcessInstance.dossier_id == bindparam("dossier_id"), HumanTask.state == "ready")
    .order_by(HumanTask.id)
    .limit(1)
)


def open_task_step(session: Session, dossier_id: int) -> Any:
    """The open task of a dossier as (id, bpmn_id, role, level, org_unit_id), or None: what a driver of the chain
    (the benchmarks) needs to find who acts next, read with one prepared statement (direct_sql) and no ORM object."""
    return direct_sql.execute(session, _OPEN_TASK_STEP, {"dossier_id": dossier_id}).first()


def open_task_for(session: Session, dossier_id: int, bpmn_id: str | None = None) -> HumanTask | None:
    """The open task of a dossier (optionally at one step); used by the CLI, demo and bench."""
    query = (
        select(HumanTask)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .where(ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready")
        .order_by(HumanTask.id)
    )
    if bpmn_id:
        query = query.where(HumanTask.bpmn_id == bpmn_id)
    return session.scalars(query).first()
