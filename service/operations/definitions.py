"""Validate and deploy BPMN process versions; load a version's Definition (cached per process)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from threading import Lock

from lxml import etree
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from workflows import (
    Definition, DefinitionError, Problem, dump_spec, parse_definition, parse_lane, process_fingerprint,
    restore_definition, state_spec_ref,
)  # fmt: skip

from ..domain.actors import Actor
from ..domain.campaign_config import LEVEL_LABELS
from ..domain.deadlines import local_date
from ..domain.dossier_status import status_for_end_event
from ..domain.roles import ROLE_LABELS
from ..errors import DefinitionRejected, DomainError, InvalidInput, Listed, NotFound, Phrase
from ..models import OrgUnit, ProcessDefinition, ProcessInstance, ProcessVersion
from ..models.task_codes import TASK_DECISION_CODES
from .audit import record_event

# Keyed by the XML's sha256, so several databases in one process (tests, bench) never mix versions.
_CACHE: dict[str, Definition] = {}
_CACHE_LOCK = Lock()


@dataclass(frozen=True)
class DeployResult:
    version: ProcessVersion
    created: bool


def check_definition(xml: bytes, filename: str = "process.bpmn") -> Definition:
    """Parse and lint BPMN, plus the service's own conventions; raise DefinitionRejected listing problems."""
    try:
        definition = parse_definition(xml, filename)
    except DefinitionError as exc:
        raise DefinitionRejected(exc.message, problems=exc.problems, invalid=True) from None
    problems = definition.named(_end_event_problems(definition) + _decision_problems(definition))
    if problems:
        text = "\n".join(f"- {p}" for p in problems)
        raise DefinitionRejected("Quy trình {filename} không hợp lệ:\n{text}",
                                 {"filename": filename, "text": text}, problems=problems, invalid=True)
    return definition


def _end_event_problems(definition: Definition) -> list[Problem]:
    """End events on the main path must say how the dossier ends: end_granted*, end_rejected*, end_withdrawn*."""
    diagram = definition.diagram
    escalation = _reachable_from_timers(definition)
    return [
        Problem(el.id, "sự kiện kết thúc phải có mã bắt đầu bằng end_granted, end_rejected hoặc end_withdrawn", el.line)
        for el in diagram.elements.values()
        if el.tag == "endEvent" and el.id not in escalation and status_for_end_event(el.id) is None
    ]


def _decision_problems(definition: Definition) -> list[Problem]:
    """Every decision a step offers must have a storage code (human_task.decision, models/task_codes.py):
    a process offering another is refused here, not when someone makes that decision."""
    known = ", ".join(TASK_DECISION_CODES)
    problems = []
    for step in definition.steps.values():
        for decision in step.decisions:
            if decision.value not in TASK_DECISION_CODES:
                message = (f"bước '{step.name}' có quyết định '{decision.value}' không thuộc danh mục quyết định "
                           f"của hệ thống ({known}); hãy dùng một trong các quyết định này")  # fmt: skip
                problems.append(Problem(step.bpmn_id, message, definition.diagram.elements[step.bpmn_id].line))
    return problems


def lane_levels(definition: Definition) -> list[tuple[str, str, str]]:
    """(lane id, lane name, level) of each lane of the process that holds a step (a user task): the lanes the
    service gives work in, so the levels a dossier needs a unit at."""
    root = etree.fromstring(definition.bpmn_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    process = next(p for p in root.iter(f"{bpmn}process") if p.get("id") == definition.process_id)
    found = []
    for lane in process.iter(f"{bpmn}lane"):
        refs = {(ref.text or "").strip() for ref in lane.findall(f"{bpmn}flowNodeRef")}
        if refs & set(definition.steps):
            lane_ref = parse_lane(lane.get("name"))  # a step's lane: checked by the lint already
            found.append((lane.get("id") or "", lane_ref.name, lane_ref.level))
    return found


def _level_words(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


def _lane_words(name: str, level: str) -> Phrase:
    """A lane as the admin reads it: its role and level in words, and the name the diagram gives it
    ("Chuyên viên Phòng Nội vụ cấp quận/huyện (noi_vu@district)")."""
    role = name.split("@", 1)[0]
    return Phrase("{role} cấp {level} ({lane})", {"role": ROLE_LABELS.get(role, role), "level": _level_words(level),
                                                  "lane": name})  # fmt: skip


def _require_open_levels(session: Session, definition: Definition, day: date) -> None:
    """Refuse a process giving work at a level with no open unit on `day`. An empty org tree (a new installation,
    `thidua init` before any unit exists) has nothing to check against."""
    open_units = select(OrgUnit.level).where(or_(OrgUnit.valid_from.is_(None), OrgUnit.valid_from <= day),
                                             or_(OrgUnit.valid_to.is_(None), OrgUnit.valid_to > day))  # fmt: skip
    levels = {str(level) for level in session.scalars(open_units.distinct())}
    if not levels:
        return
    missing = [(lane_id, name, level) for lane_id, name, level in lane_levels(definition) if level not in levels]
    if not missing:
        return
    gone = list(dict.fromkeys(level for _, _, level in missing))
    on = f"{day:%d/%m/%Y}"
    problems = definition.named([
        Problem(lane_id, f"làn '{name}' ở cấp {_level_words(level)}: không còn đơn vị cấp này nào đang hoạt động "
                         f"ngày {on}")
        for lane_id, name, level in missing
    ])  # fmt: skip
    raise DefinitionRejected(
        "Không triển khai: ngày {day} không còn đơn vị cấp {level_words} nào đang hoạt động, nhưng quy trình còn giao "
        "việc ở các làn {lanes}; hồ sơ mới sẽ dừng ở đó. Hãy bỏ các làn này (nối luồng sang cấp khác) rồi triển khai "
        "lại.", {"day": on, "level_words": Listed([_level_words(level) for level in gone], ", "),
                 "lanes": Listed([_lane_words(name, level) for _, name, level in missing], ", ")},
        problems=problems, levels=gone,
    )  # fmt: skip


def _reachable_from_timers(definition: Definition) -> set[str]:
    diagram, seen = definition.diagram, set()
    stack = [b for ids in diagram.boundary_of.values() for b in ids]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(n.id for n in diagram.successors(node) if n.tag != "userTask")
    return seen


COMMENT_MAX = 500


def deploy_definition(
    session: Session, actor: Actor, xml: bytes, *, filename: str = "process.bpmn", comment: str | None = None,
    now: datetime | None = None, require_comment: bool = False,
) -> DeployResult:  # fmt: skip
    """Validate and store a new active version. Deploying the active version's process again is a no-op, however
    the file is written (an editor saving an unchanged diagram writes other bytes: workflows.fingerprint).

    A new version is refused, with nothing written, when its steps sit in lanes of a level that has no open unit in
    the org tree on the day (a dossier would stop there: an old version, with the district level, deployed again
    after the district was abolished), and, with `require_comment` (the editor), when it says nothing of what
    changed."""
    comment = " ".join((comment or "").split()) or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise InvalidInput("Ghi chú phiên bản dài quá {limit} ký tự; hãy ghi ngắn gọn điều đã thay đổi.",
                           {"limit": COMMENT_MAX}, field="comment")
    definition = check_definition(xml, filename)
    process = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == definition.process_id))
    now = now or datetime.now(UTC)
    if process is None:
        process = ProcessDefinition(key=definition.process_id, name=definition.name, created_at=now)
        session.add(process)
        session.flush()
    active = active_version(session, definition.process_id, required=False)
    if active is not None and (active.sha256 == definition.sha256 or process_fingerprint(
            version_definition(session, active.id, active.sha256)) == process_fingerprint(definition)):
        return DeployResult(active, created=False)
    _require_open_levels(session, definition, local_date(now))
    if require_comment and comment is None:
        raise InvalidInput("Hãy ghi chú ngắn phiên bản mới thay đổi gì (ví dụ: Bỏ cấp quận/huyện); chưa triển khai.",
                           field="comment")
    latest = session.scalar(
        select(ProcessVersion.version).where(ProcessVersion.definition_id == process.id).order_by(
            ProcessVersion.version.desc()).limit(1)
    )  # fmt: skip
    session.execute(
        update(ProcessVersion).where(ProcessVersion.definition_id == process.id).values(is_active=False)
    )
    version = ProcessVersion(
        definition_id=process.id,
        version=(latest or 0) + 1,
        bpmn_xml=xml.decode("utf-8"),
        sha256=hashlib.sha256(xml).hexdigest(),
        spec_json=dump_spec(definition),
        deployed_by=actor.user_id,
        deployed_at=now,
        comment=comment,
        is_active=True,
    )
    process.name = definition.name
    session.add(version)
    session.flush()
    with _CACHE_LOCK:
        _CACHE[definition.sha256] = definition
    record_event(
        session, action="bpmn.deploy", object_type="process_version", object_id=str(version.id), actor=actor.user_id,
        after={"process": definition.process_id, "version": version.version, "sha256": version.sha256,
               "levels": list(definition.levels)},
        comment=comment, now=now,
    )  # fmt: skip
    return DeployResult(version, created=True)


@dataclass(frozen=True)
class ShippedDeploy:
    """What `thidua init` did with a BPMN file shipped with the product (deploy_shipped)."""

    version: ProcessVersion | None  # the version made, or the stored one the file already is; None when refused
    created: bool
    active: ProcessVersion | None  # the version new dossiers use after it
    refusal: DomainError | None = None  # why a new version was not made (a level it needs has no open unit)


def deploy_shipped(session: Session, actor: Actor, xml: bytes, *, filename: str, comment: str,
                   now: datetime | None = None) -> ShippedDeploy:  # fmt: skip
    """Deploy a shipped BPMN file, unless the installation has had it already: when any stored version of its
    process is this file's process (the same fingerprint), nothing is made, whichever version is active. An admin
    who edited the process (dropped the district level, say) keeps their version across `thidua init`, which every
    upgrade and `make run` runs; only a shipped file the installation has never had becomes a new version, and a
    refused one (a level it needs is abolished here) is reported, not raised, so init still finishes."""
    definition = check_definition(xml, filename)
    process = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == definition.process_id))
    if process is not None:
        fingerprint = process_fingerprint(definition)
        for stored in session.scalars(select(ProcessVersion).where(ProcessVersion.definition_id == process.id)
                                      .order_by(ProcessVersion.version.desc())):  # fmt: skip
            if stored.sha256 == definition.sha256 or process_fingerprint(
                    version_definition(session, stored.id, stored.sha256)) == fingerprint:
                return ShippedDeploy(stored, False, active_version(session, definition.process_id, required=False))
    try:
        with session.begin_nested():
            result = deploy_definition(session, actor, xml, filename=filename, comment=comment, now=now)
    except DomainError as refusal:
        return ShippedDeploy(None, False, active_version(session, definition.process_id, required=False), refusal)
    return ShippedDeploy(result.version, result.created, result.version)


def active_version(session: Session, key: str, required: bool = True) -> ProcessVersion | None:
    """The version new dossiers of process `key` start on."""
    version = session.scalar(
        select(ProcessVersion)
        .join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.key == key, ProcessVersion.is_active.is_(True))
    )
    if version is None and required:
        raise _not_deployed(key)
    return version


def active_definition(session: Session, key: str) -> tuple[int, Definition]:
    """The id and Definition of the version new dossiers of process `key` start on, in one small query: the
    version's BPMN and spec (tens of kilobytes) are read only the first time this process restores it."""
    found = session.execute(_ACTIVE_VERSION_REF, {"key": key}).first()
    if found is None:
        raise _not_deployed(key)
    return found.id, version_definition(session, found.id, found.sha256)


_ACTIVE_VERSION_REF = (
    select(ProcessVersion.id, ProcessVersion.sha256)
    .join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
    .where(ProcessDefinition.key == bindparam("key"), ProcessVersion.is_active.is_(True))
)  # fmt: skip


def _not_deployed(key: str) -> NotFound:
    return NotFound("Chưa triển khai quy trình '{key}'. Hãy chạy 'thidua init' hoặc 'thidua bpmn deploy'.",
                    {"key": key})


def load_definition(session: Session, version_id: int) -> Definition:
    """The Definition of a stored version: restored from its spec once per process, then cached."""
    sha256 = session.scalar(select(ProcessVersion.sha256).where(ProcessVersion.id == version_id))
    if sha256 is None:
        raise NotFound("Không tìm thấy phiên bản quy trình {version_id}.", {"version_id": version_id})
    cached = _CACHE.get(sha256)
    if cached is not None:
        return cached
    xml, spec_json = session.execute(
        select(ProcessVersion.bpmn_xml, ProcessVersion.spec_json).where(ProcessVersion.id == version_id)
    ).one()
    definition = restore_definition(xml, spec_json)
    if definition.sha256 != sha256:
        raise DefinitionRejected("Nội dung phiên bản quy trình {version_id} không khớp mã băm đã lưu.",
                                 {"version_id": version_id})
    with _CACHE_LOCK:
        _CACHE[sha256] = definition
    return definition


def version_definition(session: Session, version_id: int, sha256: str) -> Definition:
    """load_definition for a version whose sha256 the caller has read already: no query when it is cached."""
    cached = _CACHE.get(sha256)
    return cached if cached is not None else load_definition(session, version_id)


def instance_definition(session: Session, instance: ProcessInstance) -> Definition:
    """The Definition an instance runs on. Its state names the definition's sha256, so a cached definition is
    found without a query (content-addressed: restoring checks the same sha256); else by its version row."""
    ref = state_spec_ref(instance.state_json)
    cached = _CACHE.get(ref) if ref else None
    return cached if cached is not None else load_definition(session, instance.version_id)


def clear_definition_cache() -> None:
    """Forget cached definitions (tests use it to simulate a process restart)."""
    with _CACHE_LOCK:
        _CACHE.clear()
