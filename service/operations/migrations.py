"""Move running instances from one deployed version of a process to another; a dry run says who can and why not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import Engine, check_migration

from ..domain.actors import Actor
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Dossier, ProcessInstance, ProcessVersion
from .audit import record_event
from .definitions import load_definition
from .instances import apply_outcome


@dataclass(frozen=True)
class MigrationLine:
    dossier_id: int
    instance_id: int
    can_migrate: bool
    reasons: tuple[str, ...]
    moved: bool = False


def migrate_instances(session: Session, actor: Actor | None, engine: Engine, from_version: int, to_version: int,
                      dry_run: bool = True) -> list[MigrationLine]:  # fmt: skip
    """Check (and unless dry_run, move) every running instance of `from_version`; each move is audited."""
    if actor is not None and actor.user_id is not None and not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới chuyển phiên bản quy trình.")
    source_row, target_row = session.get(ProcessVersion, from_version), session.get(ProcessVersion, to_version)
    if source_row is None or target_row is None:
        raise NotFound("Không tìm thấy phiên bản quy trình.")
    if source_row.definition_id != target_row.definition_id or from_version == to_version:
        raise InvalidInput("Chỉ chuyển giữa hai phiên bản khác nhau của cùng một quy trình.")
    source, target = load_definition(session, from_version), load_definition(session, to_version)
    lines = []
    now = engine.clock.now()
    instances = session.scalars(select(ProcessInstance).where(ProcessInstance.version_id == from_version,
                                                              ProcessInstance.status == "running")
                                .order_by(ProcessInstance.id)).all()  # fmt: skip
    for instance in instances:
        check = check_migration(source, target, instance.state_json)
        moved = False
        if check.can_migrate and not dry_run:
            outcome = engine.migrate(source, target, instance.state_json)
            dossier = session.get(Dossier, instance.dossier_id)
            assert dossier is not None
            instance.version_id = to_version
            record_event(session, action="instance.migrate", object_type="process_instance", object_id=str(instance.id),
                         actor=actor.user_id if actor else None, before={"version": source_row.version},
                         after={"version": target_row.version, "dossier_id": dossier.id}, now=now)  # fmt: skip
            apply_outcome(session, instance, dossier, target, outcome, actor or Actor(None, "migration"), now)
            moved = True
        lines.append(MigrationLine(instance.dossier_id, instance.id, check.can_migrate, check.reasons, moved))
    session.flush()
    return lines
