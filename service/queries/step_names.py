"""A human task's name: its step's name in the BPMN of its instance's process version (not stored, 0023).

A version never changes, so (version id, bpmn id) fixes the name, and it is read from the version's
Definition, restored once per process and cached by its XML's sha256 (operations.definitions). Names for
any number of tasks cost one query: their versions' process_version rows, by primary key, for the sha256.
The cache is not keyed by version id because an id does not name content: several databases live in one
process (tests, the bench), and SQLite gives a rolled back deployment's id to the next one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HumanTask, ProcessInstance, ProcessVersion
from ..operations.definitions import version_definition

Step = tuple[int, str]  # (process version id, bpmn id)


def step_names(session: Session, steps: Iterable[Step]) -> dict[Step, str]:
    """The name of each (version id, bpmn id) as that version's BPMN gives it; one query for them all.

    A step its version does not have reads as its bpmn id. Only a task cut short before its instance moved
    to a version without that step (instance migration refuses to drop a step done or waiting) is left so.
    """
    wanted = set(steps)
    if not wanted:
        return {}
    versions = {version_id for version_id, _ in wanted}
    found = session.execute(select(ProcessVersion.id, ProcessVersion.sha256).where(ProcessVersion.id.in_(versions)))
    definitions = {version_id: version_definition(session, version_id, sha256) for version_id, sha256 in found}
    names = {}
    for version_id, bpmn_id in wanted:
        definition = definitions.get(version_id)
        step = definition.steps.get(bpmn_id) if definition is not None else None
        names[(version_id, bpmn_id)] = step.name if step is not None else bpmn_id
    return names


def step_name(session: Session, version_id: int, bpmn_id: str) -> str:
    return step_names(session, [(version_id, bpmn_id)])[(version_id, bpmn_id)]


def task_name(session: Session, task: HumanTask) -> str:
    """One task's name, when its instance's version is not at hand (two small queries)."""
    version_id = session.scalar(select(ProcessInstance.version_id).where(ProcessInstance.id == task.instance_id))
    assert version_id is not None
    return step_name(session, version_id, task.bpmn_id)
