"""Process definitions and their versions, for the admin's process pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, ProcessInstance, ProcessVersion, User


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
