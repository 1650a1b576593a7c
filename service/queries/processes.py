"""Process definitions and their versions, for the admin's process pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, ProcessInstance, ProcessVersion, User
from ..operations.definitions import version_definition


@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    deployed_by: str | None
    running: int


def process_versions(session: Session) -> list[tuple[ProcessDefinition, list[VersionRow]]]:
    running = dict(session.execute(
        select(ProcessInstance.version_id, func.count()).where(ProcessInstance.status == "running")
        .group_by(ProcessInstance.version_id)
    ).all())  # fmt: skip
    out = []
    for definition in session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)):
        rows = session.execute(
            select(ProcessVersion, User.full_name).outerjoin(User, ProcessVersion.deployed_by == User.id)
            .where(ProcessVersion.definition_id == definition.id).order_by(ProcessVersion.version.desc())
        ).all()  # fmt: skip
        out.append((definition, [VersionRow(v, name, int(running.get(v.id, 0))) for v, name in rows]))
    return out


def lanes_in_use(session: Session) -> frozenset[tuple[str, str]]:
    """The (role, level) lanes of the processes in use: every active version's, and every version's that still has
    running instances: their steps' lanes and the lanes their timers escalate to."""
    versions = session.execute(
        select(ProcessVersion.id, ProcessVersion.sha256).where(
            ProcessVersion.is_active.is_(True)
            | ProcessVersion.id.in_(select(ProcessInstance.version_id).where(ProcessInstance.status == "running"))
        )
    ).all()  # fmt: skip
    lanes: set[tuple[str, str]] = set()
    for version_id, sha256 in versions:
        for step in version_definition(session, version_id, sha256).steps.values():
            lanes.add((step.lane.role, step.lane.level))
            lanes.update((t.escalate_to.role, t.escalate_to.level) for t in step.timers if t.escalate_to is not None)
    return frozenset(lanes)
