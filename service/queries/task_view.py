"""One inbox task as its reader sees it: visibility, the step's decisions, the dossier, eligibility to confirm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import StepInfo

from ..domain.actors import Actor
from ..domain.dossier_status import shown_status
from ..domain.eligibility import ConditionResult
from ..domain.permissions import can_act_on_task
from ..errors import Conflict, DomainError
from ..models import Campaign, Dossier, HumanTask, Nominee, NomineeDecision, OrgUnit, ProcessInstance, User
from ..operations.definitions import instance_definition
from ..operations.tasks import APPRAISERS, rows_for_completion
from .account import users_by_id
from .campaign_config import campaign_config
from .dossier_view import DossierView, ReturnDestination, offered_label, return_destinations
from .eligibility import TravellingNominee, dossier_eligibility
from .step_names import step_name
from .visibility import require_task_visible


@dataclass
class TaskView:
    task: HumanTask
    name: str  # its step's name in the BPMN of the instance's version
    org_unit: OrgUnit
    dossier: Dossier
    campaign: Campaign
    submitting_unit: OrgUnit
    step: StepInfo | None
    can_act: bool
    escalated_to_me: bool
    claimed_by: User | None
    eligibility: list[tuple[TravellingNominee, list[ConditionResult]]] = field(default_factory=list)


def task_view(session: Session, actor: Actor, task_id: int) -> TaskView:
    """Everything a client needs to decide a task: its step's decisions and, at an appraisal, what to confirm."""
    # The task with its instance, dossier and campaign in one query (NotFound if there is no such task), then
    # the same NotFound if the actor may not see it; the task's unit and the submitting unit in one more.
    rows = rows_for_completion(session, task_id)
    task, instance, dossier, campaign = require_task_visible(actor, rows.task), rows.instance, rows.dossier, rows.campaign
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_({task.org_unit_id, dossier.unit_id})))}
    org_unit, unit = units[task.org_unit_id], units[dossier.unit_id]
    ready = task.state == "ready"
    return TaskView(
        task=task, name=step_name(session, instance.version_id, task.bpmn_id), org_unit=org_unit, dossier=dossier,
        campaign=campaign, submitting_unit=unit, step=instance_definition(session, instance).steps.get(task.bpmn_id),
        # As the task page: not while a colleague holds it (only the holder records, releases or hands it on).
        can_act=ready and instance.status == "running" and can_act_on_task(actor, task)
        and task.claimed_by in (None, actor.user_id), escalated_to_me=not can_act_on_task(actor, task),
        claimed_by=users_by_id(session, [task.claimed_by]).get(task.claimed_by or 0),
        eligibility=dossier_eligibility(session, dossier) if ready and task.role in APPRAISERS else [],
    )  # fmt: skip


@dataclass(frozen=True)
class TaskHolder:
    """Who has claimed an open task, and since when: the task page and a refusal name them."""

    user_id: int
    full_name: str
    claimed_at: datetime | None


def task_holder(session: Session, task: HumanTask) -> TaskHolder | None:
    """The official holding a claimed open task (one query); None if nobody holds it or it is closed."""
    if task.claimed_by is None or task.state != "ready":
        return None
    user = session.get(User, task.claimed_by)
    return TaskHolder(task.claimed_by, user.full_name if user else f"#{task.claimed_by}", task.claimed_at)


# The refusals of a task a colleague holds (domain.permissions, operations.tasks.claim_task): they do not say who.
_HELD_ELSEWHERE = frozenset({"Việc này đang do một cán bộ khác nhận xử lý.",
                             "Việc này vừa được người khác nhận hoặc xử lý; hãy tải lại hộp việc."})  # fmt: skip


def naming_the_holder(session: Session, actor: Actor, task_id: int, exc: DomainError) -> DomainError:
    """A refusal because a colleague holds the task, made to say who (read after the refused write was rolled
    back, so only when refused: nothing is read on the way to a completion). Any other refusal as it is."""
    if not isinstance(exc, Conflict) or exc.template not in _HELD_ELSEWHERE:
        return exc
    task = session.get(HumanTask, task_id)
    holder = task_holder(session, task) if task is not None else None
    if holder is None or holder.user_id == actor.user_id:
        return exc
    return Conflict("Việc này đang do {name} nhận xử lý.", {"name": holder.full_name})  # as operations.editing says it


@dataclass(frozen=True)
class ClosedTask:
    """A task no longer open, as its page says so in place of the decision form (after Back, or an old link)."""

    state: str  # "completed" or "cancelled" (closed by a cancel, a timer or a migration: no decision)
    decision: str | None
    decision_label: str | None  # as the step's form offered it
    by: str | None  # who completed it
    at: datetime | None  # when (UTC; shown in Vietnam time)


def closed_task(view: DossierView | None, task: HumanTask, step: StepInfo | None) -> ClosedTask | None:
    """What became of the task, from the dossier view already loaded (its completed tasks come with their
    users): no query. None while the task is open."""
    if task.state == "ready":
        return None
    by = next((user for done, user in (view.done_tasks if view else []) if done.id == task.id), None)
    return ClosedTask(str(task.state), task.decision, offered_label(step, task.decision), by.full_name if by else None,
                      task.completed_at)  # fmt: skip


@dataclass(frozen=True)
class ReturnedHere:
    """Why an open task is back: the step that returned the dossier, by whom, when, and the reason given."""

    step_name: str
    reason: str | None
    by: str | None
    at: datetime | None


def returned_here(view: DossierView | None, task: HumanTask) -> ReturnedHere | None:
    """For an open task the dossier reached by a return (the last decision before it was "return"), what that return
    said: shown at the top of the task, where whoever must act on it looks first (the history holds it too, low on
    the page). Read off the dossier's view: no query."""
    if view is None or task.state != "ready":
        return None
    before = [(done, user) for done, user in view.done_tasks
              if done.completed_at is not None and (task.created_at is None or done.completed_at <= task.created_at)]
    if not before or before[-1][0].decision != "return":
        return None
    done, user = before[-1]
    return ReturnedHere(view.step_names.get(done.bpmn_id, done.bpmn_id), done.comment, user.full_name if user else None,
                        done.completed_at)  # fmt: skip


@dataclass(frozen=True)
class CompletionNotice:
    """What a completion recorded, told back to the official who made it: the recorded decision can differ from
    the chosen one (a council vote by which nobody reaches the required share rejects the dossier)."""

    recorded: str | None  # the decision recorded
    recorded_label: str | None  # as the step's form offered it (None if it offered no such choice)
    chosen: str | None  # the decision chosen, when the step recorded another; else None
    chosen_label: str | None
    why: str | None  # why they differ: "council_vote", or "other"
    pass_percent: int | None  # the campaign's required share of votes, when a council vote decided
    dossier_status: str
    # Nominees the secretary left at "Đồng ý" whom the votes dropped while the dossier went on: (name, reason).
    overruled: tuple[tuple[str, str | None], ...] = ()
    # Nominees the secretary chose "Không đồng ý" for whom the votes passed all the same (the votes decide): names.
    passed_anyway: tuple[str, ...] = ()
    # After a return for supplement: where it sent the dossier (the tasks it opened: step, unit, role).
    returned_to: tuple[ReturnDestination, ...] = ()


def completion_notice(session: Session, task_id: int, chosen: str | None, recorded: str | None,
                      dossier_status: str, chosen_nominees: Mapping[int, bool] | None = None) -> CompletionNotice:  # fmt: skip
    """The notice after completing a task. Its rows are in the session from the completion (no query then),
    and the campaign's council settings are read only when the vote overruled the choice. `chosen_nominees`
    (nominee id → chosen "Đồng ý"; a nominee not in it was left at the form's "Đồng ý") is what a council
    secretary chose nominee by nominee: those the votes dropped anyway are named. After a return for supplement
    (rare: read then only) the notice says where the dossier went: the tasks the return opened."""
    notice = _completion_notice(session, task_id, chosen, recorded, dossier_status, chosen_nominees)
    if recorded != "return":
        return notice
    task = session.get(HumanTask, task_id)
    instance = session.get(ProcessInstance, task.instance_id) if task is not None else None
    if task is None or instance is None:
        return notice
    return replace(notice, returned_to=return_destinations(session, task.id, instance.version_id))


def _completion_notice(session: Session, task_id: int, chosen: str | None, recorded: str | None, dossier_status: str,
                       chosen_nominees: Mapping[int, bool] | None) -> CompletionNotice:  # fmt: skip
    task = session.get(HumanTask, task_id)
    instance = session.get(ProcessInstance, task.instance_id) if task is not None else None
    step = instance_definition(session, instance).steps.get(task.bpmn_id) if task and instance else None
    if task is None or instance is None:
        return CompletionNotice(recorded, offered_label(step, recorded), None, None, None, None, dossier_status)
    if dossier_status in ("granted", "rejected"):  # ended: granted in part if its nominees came out differently
        dossier_status = shown_status(dossier_status, session.scalars(
            select(Nominee.outcome).where(Nominee.dossier_id == instance.dossier_id)))  # fmt: skip
    if task.role == "council_secretary" and recorded == "approve" and (chosen is None or chosen == recorded):
        # The votes decide (README): whom they decided against the secretary's choice, either way. One query.
        voted = session.execute(
            select(NomineeDecision.nominee_id, Nominee.full_name, NomineeDecision.reason, NomineeDecision.result)
            .join(Nominee, NomineeDecision.nominee_id == Nominee.id)
            .where(NomineeDecision.human_task_id == task.id, NomineeDecision.votes_for.is_not(None))
            .order_by(Nominee.id)
        ).all()  # fmt: skip
        picked = chosen_nominees or {}
        dropped = tuple((name, reason) for nominee_id, name, reason, result in voted
                        if result == "reject" and picked.get(nominee_id, True))  # fmt: skip
        passed = tuple(name for nominee_id, name, _, result in voted
                       if result != "reject" and not picked.get(nominee_id, True))  # fmt: skip
        if dropped or passed:
            return CompletionNotice(recorded, offered_label(step, recorded), None, None, "nominee_votes",
                                    _pass_percent(session, instance), dossier_status, dropped,
                                    passed_anyway=passed)  # fmt: skip
    if chosen is None or chosen == recorded:
        return CompletionNotice(recorded, offered_label(step, recorded), None, None, None, None, dossier_status)
    why, share = "other", None
    if task.role == "council_secretary" and recorded == "reject":
        why, share = "council_vote", _pass_percent(session, instance)
    return CompletionNotice(recorded, offered_label(step, recorded), chosen, offered_label(step, chosen), why, share,
                            dossier_status)  # fmt: skip


def _pass_percent(session: Session, instance: ProcessInstance) -> int:
    """The share of the members present a nominee needs, by the campaign of the instance's dossier."""
    dossier = session.get(Dossier, instance.dossier_id)
    campaign = session.get(Campaign, dossier.campaign_id) if dossier is not None else None
    return int(campaign_config(session, campaign).council.get("pass_percent", 50)) if campaign else 50


@dataclass(frozen=True)
class NomineeFormValues:
    """One nominee's row of a decision form as it was sent (raw text, so a refused "abc" shows again)."""

    result: str = "approve"
    votes_for: str = ""
    votes_against: str = ""
    reason: str = ""


@dataclass(frozen=True)
class TaskFormValues:
    """A decision form as the official sent it, shown again when the completion is refused: nothing typed is lost.
    Empty (the defaults) on a fresh page."""

    decision: str | None = None
    comment: str = ""
    confirmed: frozenset[str] = frozenset()
    council_size: str = ""
    present: str = ""
    nominees: dict[int, NomineeFormValues] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, str], confirmed: Iterable[str]) -> TaskFormValues:
        """Read the task page's field names (templates/inbox/task.html): nominee_<id>, votes_for_<id>, …"""
        nominees = {
            int(key[8:]): NomineeFormValues(form[key], form.get(f"votes_for_{key[8:]}", ""),
                                            form.get(f"votes_against_{key[8:]}", ""), form.get(f"reason_{key[8:]}", ""))
            for key in form if key.startswith("nominee_") and key[8:].isdigit()
        }  # fmt: skip
        return cls(form.get("decision") or None, form.get("comment", ""), frozenset(confirmed),
                   form.get("council_size", ""), form.get("present", ""), nominees)  # fmt: skip
