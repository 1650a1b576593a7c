"""Edit a dossier while the unit holds it (draft or returned): title, nominees; and submit or withdraw it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from workflows import Engine

from .. import direct_sql
from ..domain.actors import Actor
from ..domain.awards import target_level
from ..domain.deadlines import local_date
from ..domain.dossier_status import FIRST_STEP
from ..domain.permissions import can_act_on_task
from ..domain.summaries import check_summary
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import AwardForm, Campaign, Document, Dossier, HumanTask, Nominee, ProcessInstance, User
from ..queries.campaign_config import campaign_config
from .audit import record_event
from .definitions import load_definition
from .dossiers import dossier_process_levels
from .tasks import CompletionResult, complete_task


# Built once: every upload and every edit asks it (the unit holds a dossier while its first step is open).
_OPEN_UNIT_TASK_ID = (
    select(HumanTask.id).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
    .where(ProcessInstance.dossier_id == bindparam("dossier_id"), HumanTask.state == "ready",
           HumanTask.bpmn_id == FIRST_STEP)
)  # fmt: skip


def _open_unit_task_id(session: Session, dossier_id: int) -> int | None:
    """The id of the dossier's open preparation task, if the unit holds the dossier now."""
    return direct_sql.execute(session, _OPEN_UNIT_TASK_ID, {"dossier_id": dossier_id}).scalar()  # type: ignore[no-any-return]


def require_editable(session: Session, actor: Actor, dossier_id: int) -> Dossier:
    """The dossier, if the actor is its unit's clerk and the unit holds it now (draft or returned)."""
    return _editable(session, actor, dossier_id)[0]


def _editable(session: Session, actor: Actor, dossier_id: int) -> tuple[Dossier, int]:
    """require_editable's dossier, with the id of its open preparation task (what submitting completes)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    if not actor.holds("unit_clerk", dossier.unit_id):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị nộp mới sửa được hồ sơ này.")
    task_id = _open_unit_task_id(session, dossier_id)
    if task_id is None:
        raise Conflict("Hồ sơ đã nộp và đang được xét; chỉ sửa được khi hồ sơ được trả lại đơn vị.")
    return dossier, task_id


def add_nominee(
    session: Session, actor: Actor, now: datetime, *, dossier_id: int, kind: str, full_name: str,
    award_form_code: str, position: str | None = None, summary: str | None = None,
) -> Nominee:  # fmt: skip
    """Add a collective or individual to a dossier the unit holds."""
    from .dossiers import check_nominee_lengths, nfc

    dossier = require_editable(session, actor, dossier_id)
    form = session.scalar(select(AwardForm).where(AwardForm.code == award_form_code))
    if form is None:
        raise InvalidInput("Hình thức khen thưởng '{award_form_code}' không có.", {"award_form_code": award_form_code})
    if kind not in ("individual", "collective"):
        raise InvalidInput("Loại đối tượng phải là cá nhân hoặc tập thể.")
    if not nfc(full_name):
        raise InvalidInput("Thiếu tên tập thể/cá nhân.")
    check_nominee_lengths(full_name, position)
    # As when the dossier was created: a form the campaign offers, for a subject type it is given to.
    campaign = session.get(Campaign, dossier.campaign_id)
    assert campaign is not None
    line = 1 + (session.scalar(select(func.count()).select_from(Nominee).where(Nominee.dossier_id == dossier.id)) or 0)
    config = campaign_config(session, campaign)
    config.check_nominee(line, kind, award_form_code)
    # As when the dossier was created: the form's granting level must be on the dossier's path (its process version).
    from .dossiers import require_reachable

    require_reachable(session, config, dossier.unit_id, dossier_process_levels(session, dossier.id), local_date(now),
                      [(nfc(full_name) or "", form)])
    nominee = Nominee(dossier_id=dossier.id, kind=kind, full_name=nfc(full_name), position=nfc(position),
                      award_form_id=form.id, summary=check_summary(summary))  # fmt: skip
    session.add(nominee)
    session.flush()
    _refresh_target(session, dossier, now)
    record_event(session, action="dossier.edit", object_type="dossier", object_id=str(dossier.id),
                 actor=actor.user_id, actor_role="unit_clerk", actor_unit_id=dossier.unit_id,
                 after={"nominee_added": nominee.id, "full_name": nominee.full_name, "award": form.code},
                 now=now)  # fmt: skip
    return nominee


def update_nominee_summary(session: Session, actor: Actor, now: datetime, nominee_id: int, summary: str) -> Nominee:
    nominee = session.get(Nominee, nominee_id)
    if nominee is None:
        raise NotFound("Không tìm thấy người được đề nghị.")
    require_editable(session, actor, nominee.dossier_id)
    before, nominee.summary = nominee.summary, check_summary(summary)
    record_event(session, action="dossier.edit", object_type="dossier", object_id=str(nominee.dossier_id),
                 actor=actor.user_id, before={"summary": before}, after={"nominee": nominee.id, "summary": nominee.summary},
                 now=now)  # fmt: skip
    return nominee


def remove_nominee(session: Session, actor: Actor, now: datetime, nominee_id: int) -> None:
    nominee = session.get(Nominee, nominee_id)
    if nominee is None:
        raise NotFound("Không tìm thấy người được đề nghị.")
    dossier = require_editable(session, actor, nominee.dossier_id)
    remaining = session.scalars(select(Nominee.id).where(Nominee.dossier_id == dossier.id)).all()
    if len(remaining) <= 1:
        raise InvalidInput("Hồ sơ phải còn ít nhất một người được đề nghị.")
    # The nominee's files stay on record (not current, no longer linked); the audit event keeps who they were.
    for doc in session.scalars(select(Document).where(Document.nominee_id == nominee.id)):
        doc.is_current, doc.nominee_id = False, None
    name = nominee.full_name
    session.flush()
    session.delete(nominee)
    record_event(session, action="dossier.edit", object_type="dossier", object_id=str(dossier.id),
                 actor=actor.user_id, after={"nominee_removed": nominee_id, "full_name": name}, now=now)  # fmt: skip
    session.flush()
    _refresh_target(session, dossier, now)


def _refresh_target(session: Session, dossier: Dossier, now: datetime) -> None:
    levels = session.scalars(
        select(AwardForm.granting_level).join(Nominee, Nominee.award_form_id == AwardForm.id)
        .where(Nominee.dossier_id == dossier.id)
    ).all()  # fmt: skip
    dossier.target_level = target_level(str(level) for level in levels)
    dossier.updated_at = now


def submit_dossier(session: Session, actor: Actor, engine: Engine, dossier_id: int) -> CompletionResult:
    """Submit (or resubmit after a return); complete_task refuses it while documents are missing or late, and
    this while a nominee asks for an award whose granting level the dossier can no longer reach."""
    _, task_id = _editable(session, actor, dossier_id)
    return complete_task(session, actor, engine, task_id, "submit")


WITHDRAW = "withdraw"


def can_withdraw(session: Session, actor: Actor, dossier_id: int) -> bool:
    """Whether the dossier page offers the withdrawal: as the task page offers it, where the unit's preparation
    step is open, the actor may act on it (a colleague has not claimed it: the page says who holds it), its process
    is running and its BPMN has a "withdraw" decision there."""
    row = session.execute(
        select(HumanTask, ProcessInstance.status, ProcessInstance.version_id)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .where(ProcessInstance.dossier_id == dossier_id, HumanTask.state == "ready", HumanTask.bpmn_id == FIRST_STEP)
    ).first()  # fmt: skip
    if row is None:
        return False
    task, status, version_id = row
    if status != "running" or not can_act_on_task(actor, task) or _claimed_by_another(actor, task):
        return False
    step = load_definition(session, version_id).steps.get(task.bpmn_id)
    return step is not None and any(d.value == WITHDRAW for d in step.decisions)


def withdraw_dossier(session: Session, actor: Actor, engine: Engine, dossier_id: int,
                     reason: str | None) -> CompletionResult:  # fmt: skip
    """Withdraw a dossier the unit holds: its preparation task completed with the "withdraw" decision, with the
    same checks, refusals and audit events as on the task page (complete_task).

    Raises NotFound (no such dossier), Conflict (no longer at the unit), and whatever complete_task raises."""
    if session.get(Dossier, dossier_id) is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    task_id = _open_unit_task_id(session, dossier_id)
    if task_id is None:
        raise Conflict("Hồ sơ không còn ở đơn vị (đã nộp và đang được xét, hoặc đã kết thúc); không rút được nữa.")
    task = session.get(HumanTask, task_id)
    assert task is not None
    if can_act_on_task(actor, task) and _claimed_by_another(actor, task):
        # complete_task would refuse it too, without naming who (its path reads no user): the clerk is told who.
        holder = session.get(User, task.claimed_by)
        raise Conflict("Việc này đang do {name} nhận xử lý.", {"name": holder.full_name if holder else "?"})
    return complete_task(session, actor, engine, task_id, WITHDRAW, reason)


def _claimed_by_another(actor: Actor, task: HumanTask) -> bool:
    return task.claimed_by is not None and task.claimed_by != actor.user_id
