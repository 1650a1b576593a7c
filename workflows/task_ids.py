"""Task ids that compress: one random namespace per instance, then a counter.

SpiffWorkflow gives every task it creates a random UUID (`Task.__init__` calls `uuid4()` from its own
module). A finished approval chain holds about 36 tasks whose ids appear some 144 times in the stored
state, and 36 random UUIDs are about 700 bytes that no compressor can shrink: a third of the stored,
compressed state. While the engine runs an instance, the ids it hands out here share the instance's
namespace (the high 96 bits of the root task's id, itself a version-4 UUID, so every id keeps the
version-4 form) and differ only in a counter in the low 32 bits: still unique within the instance and,
through the random namespace, across instances; but each new id after the first costs a few bytes.

Only the engine's own calls (see `Engine`) allocate this way, for the one workflow they run; any other
code that makes SpiffWorkflow tasks gets the library's random ids as before. States written before this
(all ids random) keep their ids; their new tasks take the root task's namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID, uuid4

import SpiffWorkflow.task as _spiff_task

from .tasks import all_tasks

_COUNTER_BITS = 32
_COUNTER_MASK = (1 << _COUNTER_BITS) - 1
_NAMESPACE_MASK = ((1 << 128) - 1) ^ _COUNTER_MASK


class TaskIdAllocator:
    """Hands out the ids of one instance's new tasks: its namespace plus the next free counter value."""

    def __init__(self, namespace: int, used: Iterable[UUID] = ()) -> None:
        self.namespace = namespace & _NAMESPACE_MASK
        # The ids taken, by their ints: a UUID hashes in Python, an int in C (and UUIDs are equal by int).
        self.used = {u.int for u in used}
        counters = [n & _COUNTER_MASK for n in self.used if n & _NAMESPACE_MASK == self.namespace]
        self.next = (max(counters) + 1) & _COUNTER_MASK if counters else 0

    @classmethod
    def fresh(cls) -> TaskIdAllocator:
        """For a new instance: a random version-4 namespace."""
        return cls(uuid4().int)

    @classmethod
    def for_workflow(cls, workflow: Any) -> TaskIdAllocator:
        """For a restored instance: the namespace of its root task, counting on from its highest id there."""
        return cls(workflow.task_tree.id.int, (task.id for task in all_tasks(workflow)))

    def __call__(self) -> UUID:
        while True:  # a counter that wrapped (a random old root near 2**32) skips the ids already taken
            candidate = self.namespace | self.next
            self.next = (self.next + 1) & _COUNTER_MASK
            if candidate not in self.used:
                self.used.add(candidate)
                return UUID(int=candidate)


_CURRENT: ContextVar[TaskIdAllocator | None] = ContextVar("thidua_task_id_allocator", default=None)


def _task_uuid() -> UUID:
    allocator = _CURRENT.get()
    return allocator() if allocator is not None else uuid4()


@contextmanager
def allocating(allocator: TaskIdAllocator) -> Iterator[TaskIdAllocator]:
    """Within this block, the tasks SpiffWorkflow creates take their ids from `allocator`."""
    token = _CURRENT.set(allocator)
    try:
        yield allocator
    finally:
        _CURRENT.reset(token)


def installed() -> bool:
    """True while SpiffWorkflow's task module takes its ids from here (a library upgrade could undo it:
    the engine tests check this, and ids would only be random again, never wrong)."""
    return getattr(_spiff_task, "uuid4", None) is _task_uuid


# Task.__init__ reads the module-level name `uuid4` on every call; outside `allocating` it stays uuid4().
if getattr(_spiff_task, "uuid4", None) is uuid4:
    _spiff_task.uuid4 = _task_uuid  # type: ignore[attr-defined]
