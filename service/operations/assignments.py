"""Hand a task to a colleague holding the same role at the same unit; approve several tasks at once; decide a
batch (Xét theo đợt) whole."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine

from ..domain.actors import Actor
from ..domain.nominee_outcomes import CouncilCount, NomineeResult, decide_step
from ..domain.permissions import can_act_on_task, require_can_act_on_task
from ..errors import DomainError, InvalidInput, Listed, Phrase
from ..models import Campaign, Dossier, HumanTask, Nominee, ProcessInstance, User
from ..queries.campaign_config import campaign_config
from ..queries.inbox import bulk_decides
from ..queries.org import role_holders
from ..queries.task_view import completion_notice
from .audit import record_event
from .definitions import instance_definition
from .nominee_decisions import STEP_KINDS, nominee_states
from .notifications import notify_assignment
from .tasks import complete_task, prepare_completion, require_open_task, rows_for_completion


def colleagues(session: Session, task: HumanTask) -> list[User]:
    """Active users holding the task's role at the task's org unit."""
    return role_holders(session, task.role, task.org_unit_id)


def assign_task(session: Session, actor: Actor, engine: Engine, task_id: int, assignee_id: int) -> HumanTask:
    """Claim the task on behalf of a colleague; only someone who may take it can hand it over."""
    task = require_open_task(session, task_id)
    require_can_act_on_task(actor, task)
    assignee = session.get(User, assignee_id)
    if assignee is None or assignee.id not in {u.id for u in colleagues(session, task)}:
        raise InvalidInput("Chỉ giao được cho cán bộ giữ cùng vai trò tại cùng đơn vị.")
    now = engine.clock.now()
    before = task.claimed_by
    task.claimed_by, task.claimed_at = assignee.id, now
    dossier_id = session.scalar(select(ProcessInstance.dossier_id).where(ProcessInstance.id == task.instance_id))
    record_event(
        session, action="task.assign", object_type="human_task", object_id=str(task.id), actor=actor.user_id,
        actor_role=task.role, actor_unit_id=task.org_unit_id, before={"claimed_by": before},
        after={"claimed_by": assignee.id, "assignee": assignee.username}, now=now, dossier_id=dossier_id,
    )  # fmt: skip
    if assignee.id != actor.user_id:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        notify_assignment(session, task, assignee, dossier, now)
    session.flush()
    return task


@dataclass(frozen=True)
class BulkItem:
    task_id: int
    ok: bool
    message: str
    dossier_id: int | None = None
    refusal: DomainError | None = field(default=None, compare=False)  # what said no: a page says it in its language
    # At a council batch with votes: whom the votes decided against the choice made (as CompletionNotice says).
    overruled: tuple[tuple[str, str | None], ...] = ()
    passed_anyway: tuple[str, ...] = ()
    pass_percent: int | None = None


# A task whose step does not offer the bulk decision (the unit's "Lập và nộp hồ sơ": submit or withdraw).
NOT_IN_BULK = "Bước “{step}” không duyệt hàng loạt được; hãy mở từng hồ sơ."


def bulk_complete(
    session: Session, actor: Actor, engine: Engine, task_ids: list[int], decision: str, comment: str | None
) -> list[BulkItem]:
    """Complete each task on its own savepoint: one failure is reported and does not undo the others. A task whose
    step does not offer the decision (the inbox offers no tick there; an old page may send one) is refused in words
    and nothing is written for it."""
    if not task_ids:
        raise InvalidInput("Chưa chọn việc nào.")
    results = []
    for task_id in dict.fromkeys(task_ids):
        try:
            with session.begin_nested():
                rows = rows_for_completion(session, task_id)  # read once: complete_task takes them
                task = rows.task
                if task.state == "ready" and can_act_on_task(actor, task):  # else complete_task says why, as before
                    step = instance_definition(session, rows.instance).steps.get(str(task.bpmn_id))
                    if not bulk_decides(step, decision):
                        raise InvalidInput(NOT_IN_BULK, {"step": step.name if step is not None else task.bpmn_id})
                result = complete_task(session, actor, engine, task_id, decision, comment, rows=rows)
            results.append(BulkItem(task_id, True, "Đã ghi nhận", result.dossier_id))
        except DomainError as exc:
            results.append(BulkItem(task_id, False, exc.message, refusal=exc))
    return results


class BatchRefused(InvalidInput):
    """A batch is recorded whole or not at all (one council meeting, one chairman's sitting): some of its dossiers
    were refused, each with why (`refusals`, by task), and nothing of the batch was kept."""

    def __init__(self, refusals: dict[int, DomainError]) -> None:
        super().__init__("Chưa ghi nhận hồ sơ nào của đợt: {count} hồ sơ chưa ghi nhận được (lý do ở dòng của "
                         "từng hồ sơ). Sửa rồi ghi nhận lại cả đợt.", {"count": len(refusals)})  # fmt: skip
        self.refusals = refusals
        self.status = next(iter(refusals.values())).status  # a conflict (decided meanwhile) is said as one


@dataclass(frozen=True)
class _BatchCompletion:
    """One dossier of a batch as complete_task takes it."""

    task_id: int
    decision: str
    comment: str | None
    nominee_results: dict[int, NomineeResult] | None


@dataclass(frozen=True)
class BatchVotes:
    """The counts a council voted the whole list with ("Áp dụng số phiếu cho tất cả"): each nominee whose own two
    boxes are empty takes them; the boxes filled in are the exceptions."""

    votes_for: int
    votes_against: int | None = None


def batch_votes(votes_for: int | None, votes_against: int | None) -> BatchVotes | None:
    """The batch's counts from its two fields: none, or at least the votes for (against alone weighs nothing)."""
    if votes_for is None and votes_against is None:
        return None
    if votes_for is None:
        raise InvalidInput("Ghi số phiếu đồng ý áp dụng cho tất cả (hoặc để trống cả hai ô).")
    return BatchVotes(votes_for, votes_against)


def _with_votes(task_nominees: dict[int, list[int]], results: dict[int, NomineeResult],
                votes: BatchVotes | None) -> dict[int, NomineeResult]:  # fmt: skip
    """`results` with the batch's counts given to each nominee who has none of its own (left at "Đồng ý" if the
    form sent no choice for them)."""
    if votes is None:
        return results
    out = dict(results)
    for nominee_id in (nid for nominee_ids in task_nominees.values() for nid in nominee_ids):
        own = results.get(nominee_id, NomineeResult(True))
        if own.votes_for is None and own.votes_against is None:
            out[nominee_id] = replace(own, votes_for=votes.votes_for, votes_against=votes.votes_against)
    return out


def _batch_completions(
    task_nominees: dict[int, list[int]], results: dict[int, NomineeResult], council: CouncilCount | None,
    comment: str | None, returns: Mapping[int, str | None] | None = None, votes: BatchVotes | None = None,
) -> list[_BatchCompletion]:  # fmt: skip
    """Each dossier approves the nominees kept, or is rejected (with their reasons) when none is; at a council a
    vote nobody passed rejects it (complete_task). A dossier in `returns` (task id → reason) is returned for
    supplement with its reason, its nominees' fields left aside."""
    results = _with_votes(task_nominees, results, votes)
    out = []
    for task_id, nominee_ids in task_nominees.items():
        if returns and task_id in returns:
            out.append(_BatchCompletion(task_id, "return", returns[task_id], None))
            continue
        mine = {nid: results[nid] for nid in nominee_ids if nid in results}
        everyone_out = nominee_ids and all(nid in mine and not mine[nid].approve for nid in nominee_ids)
        decision = "reject" if everyone_out and council is None else "approve"
        reason = "; ".join(filter(None, (mine[n].reason for n in nominee_ids))) if decision == "reject" else comment
        out.append(_BatchCompletion(task_id, decision, reason or comment, mine or None))
    return out


def prepare_batch(
    session: Session, actor: Actor, engine: Engine, task_nominees: dict[int, list[int]],
    results: dict[int, NomineeResult], council: CouncilCount | None, comment: str | None, confirmed: set[str],
    returns: Mapping[int, str | None] | None = None, votes: BatchVotes | None = None,
) -> None:  # fmt: skip
    """Called with batch_decide's arguments in a reading transaction just before it: on SQLite each dossier's
    engine step is computed now, outside the database's write lock (tasks.prepare_completion; nothing on
    PostgreSQL)."""
    for c in _batch_completions(task_nominees, results, council, comment, returns, votes):
        prepare_completion(session, actor, engine, c.task_id, c.decision, c.comment,
                           nominee_results=c.nominee_results, council=council, confirmed=confirmed)  # fmt: skip


# Where a dossier's nominees are decided one by one, every gap is said at once (not the first one found only).
NOMINEE_GAPS = "{count} chỗ cần sửa: {gaps}"
# A nominee's gaps as decide_step says them (domain.nominee_outcomes), each a part a translator reads on its own.
_GAPS: dict[str, Callable[[Mapping[str, object]], Phrase]] = {
    "Thiếu số phiếu đồng ý cho {full_name}.": lambda v: Phrase("Thiếu số phiếu đồng ý cho {full_name}.", v),
    "Số phiếu của {full_name} không hợp lệ (vượt số thành viên có mặt).":
        lambda v: Phrase("Số phiếu của {full_name} không hợp lệ (vượt số thành viên có mặt).", v),
    "Phải ghi lý do không đề nghị khen thưởng cho {full_name}.":
        lambda v: Phrase("Phải ghi lý do không đề nghị khen thưởng cho {full_name}.", v),
}  # fmt: skip


def _every_gap(session: Session, task_id: int, refused: DomainError, c: _BatchCompletion,
               council: CouncilCount | None) -> DomainError:  # fmt: skip
    """At a council's or chairman's step, the refusal of a dossier's completion names the first nominee with a gap
    (a vote count missing, a refusal without its reason): each nominee is tried on its own with the same rules
    (domain.nominee_outcomes.decide_step) and the refusal names them all. Read only when a dossier was refused."""
    if not isinstance(refused, InvalidInput) or c.decision != "approve":
        return refused
    rows = rows_for_completion(session, task_id)
    kind = STEP_KINDS.get(str(rows.task.role))
    if kind is None:
        return refused
    settings = campaign_config(session, rows.campaign).council
    gaps: dict[str, Phrase] = {}
    for nominee in nominee_states(session, rows.dossier.id):
        given = {nominee.id: c.nominee_results[nominee.id]} if c.nominee_results and nominee.id in c.nominee_results else {}
        try:
            decide_step(kind, str(rows.task.level), "approve", [nominee], given, council, settings, c.comment)
        except InvalidInput as exc:  # a nominee's gap; what concerns the dossier or the meeting is not one
            if exc.template in _GAPS:
                gaps.setdefault(exc.message, _GAPS[exc.template](exc.values))
    if len(gaps) < 2 or refused.message not in gaps:  # one gap (or another refusal): said as complete_task said it
        return refused
    return InvalidInput(NOMINEE_GAPS, {"count": len(gaps), "gaps": Listed(gaps.values(), " ")})


def _lock_batch(session: Session, task_ids: list[int]) -> None:
    """On PostgreSQL, lock the rows the batch's completions write before the first of them: the campaign, then
    the instances, tasks, nominees and dossiers, each in id order. One completion locks its dossier's rows in
    that order and the audit chain head last; a batch in one transaction holds the head from its first dossier
    on, so taking a later dossier's rows only then could wait on a writer that waits on the head (a deadlock).
    Taken first, in the order every writer takes them, nobody waits in a cycle. SQLite has one writer at a time."""
    if session.get_bind().dialect.name == "sqlite":
        return
    instances = select(HumanTask.instance_id).where(HumanTask.id.in_(task_ids))
    dossiers = select(ProcessInstance.dossier_id).where(ProcessInstance.id.in_(instances))
    for table, ids in ((Campaign, select(Dossier.campaign_id).where(Dossier.id.in_(dossiers))),
                       (ProcessInstance, instances), (HumanTask, task_ids), (Nominee, None), (Dossier, dossiers)):
        where = Nominee.dossier_id.in_(dossiers) if ids is None else table.id.in_(ids)
        session.execute(select(table.id).where(where).order_by(table.id).with_for_update())


def batch_decide(
    session: Session, actor: Actor, engine: Engine, task_nominees: dict[int, list[int]],
    results: dict[int, NomineeResult], council: CouncilCount | None, comment: str | None, confirmed: set[str],
    returns: Mapping[int, str | None] | None = None, votes: BatchVotes | None = None,
) -> list[BulkItem]:  # fmt: skip
    """Decide a batch nominee by nominee: each dossier approves the nominees kept, or is rejected when none is; a
    dossier in `returns` (task id → reason) is returned for supplement; `votes`, the council's counts for the whole
    list, stand for each nominee without counts of their own.

    Whole or not at all: every dossier is tried (each in a savepoint, with its own audit events), and if any is
    refused BatchRefused says why for each of them (every gap of a dossier's nominees at once), and the caller's
    transaction, rolled back, keeps none. Each item of the result names the decision recorded.
    """
    if not task_nominees:
        raise InvalidInput("Đợt xét không còn hồ sơ nào.")
    if votes is not None and council is None:
        # The form as a whole: said once, not under every dossier (as decide_step would: VOTES_NEED_COUNT).
        raise InvalidInput("Đã ghi số phiếu áp dụng cho tất cả thì phải ghi cả tổng số thành viên Hội đồng và số "
                           "thành viên có mặt: tỷ lệ phiếu tính trên số có mặt.")
    _lock_batch(session, sorted(task_nominees))
    out, refused = [], {}
    for c in _batch_completions(task_nominees, results, council, comment, returns, votes):
        try:
            with session.begin_nested():
                result = complete_task(session, actor, engine, c.task_id, c.decision, c.comment, council=council,
                                       nominee_results=c.nominee_results, confirmed=confirmed)  # fmt: skip
        except DomainError as exc:
            refused[c.task_id] = _every_gap(session, c.task_id, exc, c, council)
            continue
        # Named as the step's form offers the decision ("Thông qua", "Đạt"…), with whom the votes decided against
        # the choice made, either way (as after one completion: completion_notice).
        chosen = {nominee_id: r.approve for nominee_id, r in (c.nominee_results or {}).items()}
        notice = completion_notice(session, c.task_id, c.decision, result.decision, result.dossier_status, chosen)
        fallback = "Đã ghi nhận" if result.decision == "approve" else "Không đề nghị khen thưởng"
        out.append(BulkItem(c.task_id, True, notice.recorded_label or fallback, result.dossier_id,
                            overruled=notice.overruled, passed_anyway=notice.passed_anyway,
                            pass_percent=notice.pass_percent))  # fmt: skip
    if refused:
        raise BatchRefused(refused)
    return out
