"""Org unit tree admin over time: create, rename, move, merge, abolish a level; each audited, one transaction.

Names: OrgUnit.name is the current name; every rename closes the old name into org_unit_name with the days it was
valid, so `name_at(unit, day)` gives the name a past dossier, decision or audit event was made under. Units are
never deleted: a merged or abolished unit gets valid_to and keeps its id, so every past row still points at it.

Refusals change nothing: a code not shaped like the tree's codes (`unit_code_problem`), unknown levels, cycles,
effective dates before the unit's valid_from (or before its last rename), merging a unit into itself or into a
closed unit, and merging or abolishing while dossiers are running at the units concerned (the refusal lists them,
so the admin can reassign or finish them first). Levels are named in words (domain.roles.LEVEL_LABELS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import LEVELS

from ..domain.actors import Actor
from ..domain.field_limits import check_length
from ..domain.roles import LEVEL_LABELS
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import Dossier, DossierStatus, HumanTask, HumanTaskState, Level, OrgUnit, OrgUnitName, RoleAssignment
from .audit import record_event
from .users import _release_claims

LEVEL_RANK = {Level.unit: 0, Level.ward: 1, Level.district: 2, Level.province: 3}
OPEN_DOSSIER = (DossierStatus.draft, DossierStatus.in_review, DossierStatus.returned)
# A unit's code reads like the tree's codes ("QN-HL-GD-KP3": province, district, ward, unit): upper-case letters A–Z
# and digits, in parts joined by single hyphens. User names are built from it (`<code lower-cased>.<role>`).
UNIT_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
UNIT_CODE_MAX = 64
DAY = "%d/%m/%Y"  # a date in a refusal, as officials write it (the audit events keep ISO dates)


def unit_code_problem(code: str) -> str | None:
    """Why `code` cannot be an org unit's code, or None when it can; the message suggests the code an admin
    probably meant ("qn hl" → "QN-HL") when there is one."""
    if len(code) > UNIT_CODE_MAX:
        return f"Mã đơn vị dài quá {UNIT_CODE_MAX} ký tự."
    if UNIT_CODE.fullmatch(code):
        return None
    message = (f"Mã đơn vị '{code}' không hợp lệ: mã chỉ gồm chữ in hoa không dấu (A–Z) và chữ số, các phần nối "
               "với nhau bằng một dấu gạch nối, ví dụ 'QN-HL-GD-KP3'.")  # fmt: skip
    meant = "-".join(part for part in re.split(r"[\s_./-]+", code) if part).upper()
    if meant and len(meant) <= UNIT_CODE_MAX and UNIT_CODE.fullmatch(meant):
        message += f" Hãy thử '{meant}'."
    return message


def _level_words(level: str) -> str:
    return LEVEL_LABELS.get(str(level), str(level))


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới quản lý cây đơn vị.")


def _unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị {unit_id}.", {"unit_id": unit_id})
    return unit


def _level(level: str) -> str:
    if level not in {lv.value for lv in Level}:
        listed = ", ".join(f"{_level_words(lv.value)} ({lv.value})" for lv in Level)
        raise InvalidInput("Cấp '{level}' không có (các cấp: {listed}).", {"level": level, "listed": listed})
    return level


def _open_at(unit: OrgUnit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to)


def _check_date(unit: OrgUnit, day: date, what: str) -> None:
    if unit.valid_from is not None and day < unit.valid_from:
        raise InvalidInput("Ngày hiệu lực {day} trước ngày đơn vị '{name}' được lập ({valid_from}): không thể {what}.",
                           {"day": day.strftime(DAY), "name": unit.name, "valid_from": unit.valid_from.strftime(DAY), "what": what})  # fmt: skip
    if unit.valid_to is not None:
        raise Conflict("Đơn vị '{name}' đã ngừng từ {valid_to}: không thể {what}.",
                       {"name": unit.name, "valid_to": unit.valid_to.strftime(DAY), "what": what})


def former_names(session: Session, unit_id: int) -> list[OrgUnitName]:
    return list(session.scalars(select(OrgUnitName).where(OrgUnitName.org_unit_id == unit_id)
                                .order_by(OrgUnitName.valid_to)))  # fmt: skip


def _subtree_ids(session: Session, unit_id: int) -> set[int]:
    seen, frontier = {unit_id}, [unit_id]
    while frontier:
        children = list(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))))
        frontier = [c for c in children if c not in seen]
        seen.update(frontier)
    return seen


def _check_parent(session: Session, unit_level: str, parent: OrgUnit, day: date) -> None:
    if LEVEL_RANK[Level(parent.level)] <= LEVEL_RANK[Level(unit_level)]:
        raise InvalidInput("Đơn vị cấp {level_words} phải nằm dưới một đơn vị cấp cao hơn; '{name}' là cấp {level_words2}.",
                           {"level_words": _level_words(unit_level), "name": parent.name, "level_words2": _level_words(parent.level)})  # fmt: skip
    if not _open_at(parent, day):
        raise Conflict("Đơn vị cha '{name}' không còn hiệu lực ngày {day}.",
                       {"name": parent.name, "day": day.strftime(DAY)})


def create_unit(session: Session, actor: Actor, now: datetime, *, code: str, name: str, level: str,
                parent_id: int | None, valid_from: date, kind: str | None = None) -> OrgUnit:  # fmt: skip
    _require_admin(actor)
    code, name = code.strip(), name.strip()
    _level(level)
    if not code or not name:
        raise InvalidInput("Cần mã và tên đơn vị.")
    check_length("org_unit.name", name)
    problem = unit_code_problem(code)
    if problem is not None:
        raise InvalidInput(problem)
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict("Mã đơn vị '{code}' đã có.", {"code": code})
    if parent_id is not None:
        _check_parent(session, level, _unit(session, parent_id), valid_from)
    unit = OrgUnit(code=code, name=name, level=level, kind=kind, parent_id=parent_id, valid_from=valid_from,
                   created_at=now)  # fmt: skip
    session.add(unit)
    session.flush()
    record_event(session, action="org.create", object_type="org_unit", object_id=str(unit.id), actor=actor.user_id,
                 after={"code": code, "name": name, "level": level, "parent_id": parent_id,
                        "valid_from": valid_from.isoformat()}, now=now)  # fmt: skip
    return unit


def rename_unit(session: Session, actor: Actor, now: datetime, unit_id: int, *, new_name: str, effective: date) -> OrgUnit:
    """From `effective` on the unit is called `new_name`; the old name stays valid for the days before."""
    _require_admin(actor)
    unit = _unit(session, unit_id)
    new_name = new_name.strip()
    if not new_name:
        raise InvalidInput("Cần tên mới.")
    check_length("org_unit.name", new_name)
    if new_name == unit.name:
        raise InvalidInput("Tên mới trùng tên hiện tại.")
    _check_date(unit, effective, "đổi tên")
    history = former_names(session, unit_id)
    since = history[-1].valid_to if history else unit.valid_from
    if since is not None and effective <= since:
        raise InvalidInput("Ngày hiệu lực phải sau {since} (lần đổi tên hoặc ngày lập trước đó).",
                           {"since": since.strftime(DAY)})
    old = unit.name
    session.add(OrgUnitName(org_unit_id=unit.id, name=old, valid_from=since, valid_to=effective, created_at=now))
    unit.name = new_name
    session.flush()
    record_event(session, action="org.rename", object_type="org_unit", object_id=str(unit.id), actor=actor.user_id,
                 before={"name": old}, after={"name": new_name, "effective": effective.isoformat()}, now=now)  # fmt: skip
    return unit


def move_unit(session: Session, actor: Actor, now: datetime, unit_id: int, *, new_parent_id: int, effective: date) -> OrgUnit:
    _require_admin(actor)
    unit, parent = _unit(session, unit_id), _unit(session, new_parent_id)
    _check_date(unit, effective, "chuyển đơn vị")
    if new_parent_id in _subtree_ids(session, unit_id):
        raise InvalidInput("Không thể chuyển '{name}' vào dưới chính nó hoặc đơn vị con của nó (tạo vòng).",
                           {"name": unit.name})
    _check_parent(session, unit.level, parent, effective)
    before = unit.parent_id
    unit.parent_id = new_parent_id
    session.flush()
    record_event(session, action="org.move", object_type="org_unit", object_id=str(unit.id), actor=actor.user_id,
                 before={"parent_id": before},
                 after={"parent_id": new_parent_id, "effective": effective.isoformat()}, now=now)  # fmt: skip
    return unit


@dataclass
class Impact:
    """What an operation would touch: shown as a preview before the admin applies it."""

    units: list[OrgUnit] = field(default_factory=list)
    children: list[OrgUnit] = field(default_factory=list)
    assignments: list[RoleAssignment] = field(default_factory=list)
    running_dossiers: list[int] = field(default_factory=list)
    # abolish: running dossiers from under the units whose process version has steps at the level (not blocking)
    routed_dossiers: list[int] = field(default_factory=list)
    # abolish: units where tasks were completed after the effective date, with the day of the last one
    late_activity: list[tuple[OrgUnit, date]] = field(default_factory=list)
    # abolish: the process versions new dossiers start on that still give work at the level ("commendation_chain v2")
    active_versions: list[str] = field(default_factory=list)


@dataclass
class MergePlan:
    """A merge the admin asked to preview: A into B from a day, and what it touches."""

    source: OrgUnit
    target: OrgUnit
    effective: date
    impact: Impact


def _running_dossiers(session: Session, unit_ids: list[int]) -> list[int]:
    """Dossiers lodged by these units and still open, or with a ready task at one of them."""
    if not unit_ids:
        return []
    lodged = set(session.scalars(select(Dossier.id).where(Dossier.unit_id.in_(unit_ids),
                                                          Dossier.status.in_(OPEN_DOSSIER))))  # fmt: skip
    from ..models import ProcessInstance

    waiting = set(session.scalars(
        select(ProcessInstance.dossier_id).join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(HumanTask.org_unit_id.in_(unit_ids), HumanTask.state == HumanTaskState.ready)
    ))  # fmt: skip
    return sorted(d for d in lodged | waiting if d is not None)


def _impact(session: Session, units: list[OrgUnit]) -> Impact:
    ids = [u.id for u in units]
    if not ids:
        return Impact()
    children = list(session.scalars(select(OrgUnit).where(OrgUnit.parent_id.in_(ids), OrgUnit.valid_to.is_(None))
                                    .order_by(OrgUnit.id)))  # fmt: skip
    assignments = list(session.scalars(select(RoleAssignment).where(RoleAssignment.org_unit_id.in_(ids))
                                       .order_by(RoleAssignment.id)))  # fmt: skip
    return Impact(units, [c for c in children if c.id not in ids], assignments, _running_dossiers(session, ids))


def _refuse_running(impact: Impact, what: str) -> None:
    if impact.running_dossiers:
        listed = ", ".join(f"#{d}" for d in impact.running_dossiers)
        raise Conflict("Không thể {what}: còn hồ sơ đang xử lý tại đơn vị liên quan ({listed}). Hãy hoàn tất hoặc chuyển các hồ sơ này trước.",
                       {"what": what, "listed": listed}, dossiers=impact.running_dossiers)  # fmt: skip


def _end_assignments(session: Session, actor: Actor, now: datetime, assignments: list[RoleAssignment],
                     effective: date, reason: str) -> list[dict[str, object]]:  # fmt: skip
    ended = []
    for assignment in assignments:
        released = _release_claims(session, assignment.user_id, assignment.role, assignment.org_unit_id)
        ended.append({"user_id": assignment.user_id, "role": assignment.role, "unit_id": assignment.org_unit_id,
                      "released_tasks": released})  # fmt: skip
        session.delete(assignment)
    session.flush()
    for row in ended:
        record_event(session, action="role.end", object_type="user", object_id=str(row["user_id"]), actor=actor.user_id,
                     before=row, after={"effective": effective.isoformat(), "reason": reason}, now=now)  # fmt: skip
    return ended


def merge_preview(session: Session, source_id: int) -> Impact:
    return _impact(session, [_unit(session, source_id)])


def _target(session: Session, target_id: int) -> OrgUnit:
    target = session.get(OrgUnit, target_id) if target_id else None
    if target is None:
        raise InvalidInput("Hãy chọn đơn vị nhận.")
    return target


def _check_merge(session: Session, source: OrgUnit, target: OrgUnit, effective: date) -> None:
    if source.id == target.id:
        raise InvalidInput("Không thể sáp nhập một đơn vị vào chính nó.")
    _check_date(source, effective, "sáp nhập")
    if not _open_at(target, effective):
        raise Conflict("Đơn vị nhận '{name}' không còn hiệu lực ngày {effective}.",
                       {"name": target.name, "effective": effective.strftime(DAY)})
    if target.id in _subtree_ids(session, source.id):
        raise InvalidInput("Không thể sáp nhập một đơn vị vào đơn vị con của nó.")
    if source.level != target.level:
        raise InvalidInput("Chỉ sáp nhập các đơn vị cùng cấp ('{name}' là cấp {level_words}, '{name2}' là cấp {level_words2}).",
                           {"name": source.name, "level_words": _level_words(source.level), "name2": target.name, "level_words2": _level_words(target.level)})  # fmt: skip


def _check_merge_scope(source: OrgUnit, target: OrgUnit) -> None:
    """Where a unit may merge: into a unit of the same level (checked before) under the same parent, or under a
    sibling of its parent, i.e. a parent with the same grandparent: two wards of neighbouring districts of one
    province, two khu phố of neighbouring wards of one district (or of one province, once its districts are gone).
    Top-level units (provinces) merge into one another. Anything further away (a Hà Nội bộ phận into a Bến Tre ấp)
    is no merger that a reform makes but a mistake in the list: refused, naming both parents. Moving a unit is a
    separate, explicit action for the rare case where that is really meant."""
    mine, theirs = source.parent, target.parent
    if mine is None and theirs is None:
        return
    if mine is not None and theirs is not None and (
            mine.id == theirs.id or (mine.parent_id is not None and mine.parent_id == theirs.parent_id)):
        return
    nobody = "không có đơn vị cấp trên"
    raise InvalidInput("Không thể sáp nhập '{name}' (thuộc {parent}) vào '{name2}' (thuộc {parent2}): đơn vị "
                       "nhận phải cùng cấp và thuộc cùng đơn vị cấp trên, hoặc thuộc một đơn vị ngang cấp với đơn vị "
                       "cấp trên đó trong cùng một đơn vị cấp trên nữa (ví dụ hai phường của hai huyện trong cùng "
                       "một tỉnh). Nếu thật sự cần, hãy chuyển đơn vị sang đơn vị cha mới trước.",
                       {"name": source.name, "parent": mine.name if mine else nobody, "name2": target.name,
                        "parent2": theirs.name if theirs else nobody})  # fmt: skip


def merge_targets(session: Session, source: OrgUnit) -> list[OrgUnit]:
    """The open units `source` may merge into (same level, near enough in the tree), by code: the merge form's list."""
    found = []
    for target in session.scalars(select(OrgUnit).where(OrgUnit.level == source.level, OrgUnit.valid_to.is_(None),
                                                        OrgUnit.id != source.id).order_by(OrgUnit.code)):  # fmt: skip
        try:
            _check_merge_scope(source, target)
        except InvalidInput:
            continue
        found.append(target)
    return found


def merge_plan(session: Session, source_id: int, *, target_id: int, effective: date) -> MergePlan:
    """The preview of merging A into B from `effective`: refused as the merge itself would be, except for running
    dossiers, which the preview lists (the merge then refuses)."""
    source, target = _unit(session, source_id), _target(session, target_id)
    _check_merge(session, source, target, effective)
    _check_merge_scope(source, target)
    return MergePlan(source, target, effective, merge_preview(session, source_id))


def merge_units(session: Session, actor: Actor, now: datetime, source_id: int, *, target_id: int, effective: date,
                move_roles: bool) -> OrgUnit:  # fmt: skip
    """Merge A (source) into B (target) as of `effective`: A closes, its children move under B, its role
    assignments move to B (move_roles) or end. Refused while dossiers are running at A, and into a unit of another
    level or too far away in the tree (`_check_merge_scope`)."""
    _require_admin(actor)
    source, target = _unit(session, source_id), _target(session, target_id)
    _check_merge(session, source, target, effective)
    impact = merge_preview(session, source_id)
    _refuse_running(impact, f"sáp nhập '{source.name}'")
    _check_merge_scope(source, target)
    for child in impact.children:
        child.parent_id = target.id
    moved, to_end = [], []
    for assignment in impact.assignments:
        duplicate = session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == assignment.user_id, RoleAssignment.role == assignment.role,
            RoleAssignment.org_unit_id == target.id))  # fmt: skip
        if move_roles and duplicate is None:
            assignment.org_unit_id = target.id
            moved.append({"user_id": assignment.user_id, "role": assignment.role})
        else:
            to_end.append(assignment)
    ended = _end_assignments(session, actor, now, to_end, effective, f"sáp nhập vào {target.name} ({target.code})")
    source.valid_to = effective
    session.flush()
    record_event(session, action="org.merge", object_type="org_unit", object_id=str(source.id), actor=actor.user_id,
                 before={"name": source.name, "valid_to": None},
                 after={"into": target.id, "into_name": target.name, "effective": effective.isoformat(),
                        "children_moved": [c.id for c in impact.children], "roles_moved": moved,
                        "roles_ended": len(ended)}, now=now)  # fmt: skip
    return target


def abolish_preview(session: Session, level: str, effective: date) -> Impact:
    """What abolishing `level` from `effective` touches. Besides the dossiers that block it (lodged by or waiting
    at those units), the running dossiers lodged under them whose process version has steps at that level
    (`routed_dossiers`: e.g. one past the district, waiting at the province: a return to the district would find no
    district any more), and the units with tasks completed on or after the effective date (`late_activity`)."""
    _level(level)
    units = [u for u in session.scalars(select(OrgUnit).where(OrgUnit.level == level).order_by(OrgUnit.id))
             if _open_at(u, effective) or (u.valid_to is None and u.valid_from is not None and u.valid_from > effective)]
    impact = _impact(session, units)
    ids = [u.id for u in units]
    blocked = set(impact.running_dossiers)
    impact.routed_dossiers = [d for d in _dossiers_with_steps_at(session, level, _subtrees(session, ids))
                              if d not in blocked]  # fmt: skip
    impact.late_activity = _activity_since(session, units, effective)
    impact.active_versions = _active_versions_with_steps_at(session, level)
    return impact


def _active_versions_with_steps_at(session: Session, level: str) -> list[str]:
    """The versions new dossiers start on whose lanes give work at `level`: after the abolition a dossier asking an
    award from that level up would stop there (the award is refused when the dossier is made), until a version
    without the level is deployed."""
    from ..models import ProcessDefinition, ProcessVersion
    from .definitions import version_definition

    rows = session.execute(
        select(ProcessDefinition.key, ProcessVersion.version, ProcessVersion.id, ProcessVersion.sha256)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .where(ProcessVersion.is_active.is_(True)).order_by(ProcessDefinition.key)
    ).all()  # fmt: skip
    return [f"{key} v{number}" for key, number, version_id, sha256 in rows
            if level in version_definition(session, version_id, sha256).levels]  # fmt: skip


def _subtrees(session: Session, unit_ids: list[int]) -> set[int]:
    """The units and everything under them, one query per tree level."""
    seen, frontier = set(unit_ids), list(unit_ids)
    while frontier:
        children = list(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))))
        frontier = [c for c in children if c not in seen]
        seen.update(frontier)
    return seen


def _dossiers_with_steps_at(session: Session, level: str, unit_ids: set[int]) -> list[int]:
    """Running instances of dossiers lodged by `unit_ids` whose process version draws steps in lanes at `level`
    and that travel that far (their target level at or above it), whether they have passed that level or not: a
    return can send them back. A dossier asking only for a ward's award never meets the district."""
    from ..models import ProcessInstance, ProcessVersion
    from .definitions import version_definition

    if not unit_ids:
        return []
    rows = session.execute(
        select(ProcessInstance.dossier_id, ProcessVersion.id, ProcessVersion.sha256, Dossier.target_level)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .join(Dossier, Dossier.id == ProcessInstance.dossier_id)
        .where(ProcessInstance.status == "running", Dossier.unit_id.in_(unit_ids))
    ).all()  # fmt: skip
    levels: dict[int, set[str]] = {}
    found = []
    for dossier_id, version_id, sha256, target in rows:
        if target is None or LEVELS.index(str(target)) < LEVELS.index(level):
            continue
        if version_id not in levels:
            steps = version_definition(session, version_id, sha256).steps.values()
            levels[version_id] = {str(step.lane.level) for step in steps}
        if level in levels[version_id]:
            found.append(dossier_id)
    return sorted(found)


def _activity_since(session: Session, units: list[OrgUnit], effective: date) -> list[tuple[OrgUnit, date]]:
    """The units where a task was completed after `effective` (Vietnam's calendar), with the last such day:
    abolishing them from an earlier day would date work done there after they ceased to exist (work done on the
    day itself, before the abolition is applied, is the usual case)."""
    from sqlalchemy import func

    from ..domain.deadlines import local_date

    by_id = {u.id: u for u in units}
    if not by_id:
        return []
    last = session.execute(select(HumanTask.org_unit_id, func.max(HumanTask.completed_at))
                           .where(HumanTask.org_unit_id.in_(list(by_id)), HumanTask.completed_at.is_not(None))
                           .group_by(HumanTask.org_unit_id)).all()  # fmt: skip
    late = [(by_id[unit_id], local_date(moment)) for unit_id, moment in last if moment is not None]
    return sorted([(u, day) for u, day in late if day > effective], key=lambda pair: pair[0].code)


def abolish_level(session: Session, actor: Actor, now: datetime, level: str, *, effective: date) -> Impact:
    """Abolish every open unit of `level` as of `effective`: each closes, its children move to its parent, role
    assignments at it end. Refused while dossiers are running at those units (listed), and for the top level.

    Running dossiers lodged under those units whose process version has steps at the level but that are not at
    those units now (`Impact.routed_dossiers`: past the level, waiting above) do not block: a reform has its legal
    date and such a dossier can take months; it still moves on and is decided above. The preview lists them and
    warns that a return to the abolished level will be refused (no unit of that level is left to receive it); the
    audit event names them. Likewise work recorded at the units after the effective date is warned of, not refused
    (the admin may be recording a reform after the fact)."""
    _require_admin(actor)
    _level(level)
    if LEVEL_RANK[Level(level)] == max(LEVEL_RANK.values()):
        raise InvalidInput("Không thể bãi bỏ cấp cao nhất ({level_words}).", {"level_words": _level_words(level)})
    impact = abolish_preview(session, level, effective)
    if not impact.units:
        raise InvalidInput("Không có đơn vị cấp {level_words} còn hiệu lực ngày {effective}.",
                           {"level_words": _level_words(level), "effective": effective.strftime(DAY)})
    for unit in impact.units:
        if unit.valid_from is not None and effective < unit.valid_from:
            raise InvalidInput("Ngày hiệu lực {effective} trước ngày lập '{name}' ({valid_from}).",
                               {"effective": effective.strftime(DAY), "name": unit.name, "valid_from": unit.valid_from.strftime(DAY)})  # fmt: skip
    _refuse_running(impact, f"bãi bỏ cấp {_level_words(level)}")
    parents = {u.id: u.parent_id for u in impact.units}
    for child in impact.children:
        child.parent_id = parents[child.parent_id]  # type: ignore[index]
    ended = _end_assignments(session, actor, now, impact.assignments, effective, f"bãi bỏ cấp {_level_words(level)}")
    for unit in impact.units:
        unit.valid_to = effective
    session.flush()
    record_event(session, action="org.abolish_level", object_type="org_level", object_id=level, actor=actor.user_id,
                 after={"effective": effective.isoformat(), "units": [u.id for u in impact.units],
                        "children_moved": {c.id: c.parent_id for c in impact.children},
                        "roles_ended": len(ended), "routed_dossiers": impact.routed_dossiers}, now=now)  # fmt: skip
    return impact
