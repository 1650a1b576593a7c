"""Process definitions and their versions, for the admin's process pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import LEVELS, Definition, change_words, diff_definitions

from ..models import ProcessDefinition, ProcessInstance, ProcessVersion, User
from ..operations.definitions import load_definition, version_definition

# A level's words in a path ("đơn vị → phường/xã → tỉnh/thành phố"): the same words as everywhere a level is named
# (tests/unit/test_level_words.py); the page translates each (i18n).
PATH_WORDS = {"unit": "đơn vị", "ward": "phường/xã", "district": "quận/huyện", "province": "tỉnh/thành phố"}


@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    deployed_by: str | None
    running: int
    path: tuple[str, ...] = ()  # the levels its steps' lanes pass through, from the unit up, in words (PATH_WORDS)


def version_path(definition: Definition) -> tuple[str, ...]:
    """The levels a version's steps sit at, from the unit up, in words: read from its lanes, never fixed text."""
    levels = {step.lane.level for step in definition.steps.values()}
    return tuple(PATH_WORDS.get(level, level) for level in LEVELS if level in levels)


_PATH_SUFFIX = re.compile(r"\s*[:：–—-]\s*[^:：]*→[^:：]*$")


def process_title(name: str) -> str:
    """A process's name without a path written into it ("Xét khen thưởng: đơn vị → phường/xã → huyện → tỉnh" →
    "Xét khen thưởng"): such text goes stale when a level is removed; the pages show each version's own path."""
    return _PATH_SUFFIX.sub("", name).strip() or name


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
        out.append((definition, [VersionRow(v, name, int(running.get(v.id, 0)),
                                            version_path(version_definition(session, v.id, v.sha256)))
                                 for v, name in rows]))  # fmt: skip
    return out


def active_of(session: Session, definition_id: int) -> ProcessVersion | None:
    """The version new dossiers of this process start on."""
    return session.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition_id,
                                                       ProcessVersion.is_active.is_(True)))  # fmt: skip


@dataclass(frozen=True)
class ChangeView:
    """What changed between two versions, each element as a reader knows it (its name, untranslated, or None; and its
    id: the page shows "Tên (id)", the name in the reader's language) and each change in words."""

    added: tuple[tuple[str | None, str], ...]
    removed: tuple[tuple[str | None, str], ...]
    changed: tuple[tuple[tuple[str | None, str], tuple[str, ...]], ...]

    def __bool__(self) -> bool:
        return True  # an empty comparison is still shown (as "—")


def _label(element_id: str, *definitions: Definition) -> tuple[str | None, str]:
    for definition in definitions:
        element = definition.diagram.elements.get(element_id)
        if element is not None and element.name:
            return element.name, element_id
    return None, element_id


def compare_versions(session: Session, old_id: int, new_id: int) -> ChangeView:
    """The comparison page's content: elements added, removed and changed from version `old_id` to `new_id`."""
    old, new = load_definition(session, old_id), load_definition(session, new_id)
    diff = diff_definitions(old, new)
    changed = tuple((_label(e, new, old), change_words(attrs)) for e, attrs in diff.changed.items())
    return ChangeView(tuple(_label(e, new) for e in diff.added), tuple(_label(e, old) for e in diff.removed), changed)


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
