"""Fire due timers: find instances by next_timer_at (indexed), advance each, escalate overdue tasks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine

from ..domain.actors import SYSTEM, Actor
from ..models import Dossier, ProcessInstance
from .definitions import instance_definition
from .instances import apply_outcome


@dataclass(frozen=True)
class TimerRun:
    instances: int
    escalations: int


def fire_due_timers(session: Session, engine: Engine, actor: Actor = SYSTEM, limit: int = 500) -> TimerRun:
    """Advance every running instance whose next timer is due by the engine's clock."""
    now = engine.clock.now()
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at <= now)
        .order_by(ProcessInstance.next_timer_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several workers may run this at once: each instance is taken by one of them.
        query = query.with_for_update(skip_locked=True)
    instances = list(session.scalars(query))
    escalations = 0
    for instance in instances:
        dossier = session.get(Dossier, instance.dossier_id)
        assert dossier is not None
        definition = instance_definition(session, instance)
        outcome = engine.fire_due_timers(definition, instance.state_json)
        escalations += sum(1 for e in outcome.events if e.kind == "timer_fired")
        apply_outcome(session, instance, dossier, definition, outcome, actor, now)
    session.flush()
    return TimerRun(instances=len(instances), escalations=escalations)
