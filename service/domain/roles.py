"""Roles: what each is called, and at which org levels it has work (where granting it makes sense).

A role is held at an org unit. It has work at a level when a step of a process in use is drawn in its lane at
that level ("chairman@ward": the ward chairman's decision), or when the service itself gives it work there:
the unit's clerk prepares the unit's dossiers and its head signs them; the office clerk (ward), Phòng Nội vụ
(district) and Ban Thi đua – Khen thưởng (province) issue their level's decisions, and the councils sit at
every level above the unit. Administrators and auditors work on the whole system, wherever they are held.
Granting a role where it has no work (a chairman at a khu phố) gives its holder an empty inbox and no rights
that mean anything: the admin is told, and nothing is granted.
"""

from __future__ import annotations

from collections.abc import Iterable

LEVELS = ("unit", "ward", "district", "province")

# The Vietnamese name of each role, as offices say it.
ROLE_LABELS: dict[str, str] = {
    "unit_clerk": "Cán bộ thi đua",
    "unit_head": "Trưởng đơn vị",
    "office_clerk": "Công chức Văn phòng",
    "council_member": "Thành viên HĐTĐKT",
    "council_secretary": "Thư ký HĐTĐKT",
    "chairman": "Chủ tịch UBND",
    "noi_vu": "Chuyên viên Phòng Nội vụ",
    "ban_tdkt": "Chuyên viên Ban Thi đua - Khen thưởng",
    "admin": "Quản trị hệ thống",
    "auditor": "Kiểm toán viên",
}

LEVEL_LABELS: dict[str, str] = {
    "unit": "cơ sở (đơn vị, khu phố, trường…)",
    "ward": "phường/xã",
    "district": "quận/huyện",
    "province": "tỉnh/thành phố",
}

# Roles whose work is the whole system: granted at any unit (usually the root).
SYSTEM_ROLES = frozenset({"admin", "auditor"})

# Where the service gives a role work of its own, besides the steps of the processes in use.
SERVICE_WORK: dict[str, frozenset[str]] = {
    "unit_clerk": frozenset({"unit"}),  # prepares and submits the unit's dossiers
    "unit_head": frozenset({"unit"}),  # signs the unit's tờ trình
    "office_clerk": frozenset({"ward"}),  # issues the ward's decisions, keeps its records
    "noi_vu": frozenset({"district"}),  # the same at the district
    "ban_tdkt": frozenset({"province"}),  # the same at the province
    "council_member": frozenset({"ward", "district", "province"}),  # sits on the level's council
    "council_secretary": frozenset({"ward", "district", "province"}),
    "chairman": frozenset({"ward", "district", "province"}),  # signs the level's decisions
}


def levels_with_work(role: str, lanes: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The levels (in order, unit first) at which `role` has work: the service's own, and the levels of the
    `lanes` ((role, level) pairs of the processes in use) drawn for it. Every level for a system role."""
    if role in SYSTEM_ROLES:
        return LEVELS
    levels = set(SERVICE_WORK.get(role, ())) | {level for lane_role, level in lanes if lane_role == role}
    return tuple(level for level in LEVELS if level in levels)


def grant_refusal(role: str, level: str, unit_name: str, lanes: Iterable[tuple[str, str]]) -> str | None:
    """Why `role` should not be granted at a unit of `level` named `unit_name`, or None when it has work there."""
    levels = levels_with_work(role, lanes)
    if level in levels:
        return None
    label = ROLE_LABELS.get(role, role)
    where = LEVEL_LABELS.get(level, level)
    if not levels:
        return f"Vai trò «{label}» không có việc ở cấp nào trong các quy trình đang dùng; chưa giao."
    listed = ", ".join(LEVEL_LABELS.get(lv, lv) for lv in levels)
    return (f"Vai trò «{label}» không có việc ở cấp {where} ({unit_name}): người giữ sẽ không nhận được việc nào. "
            f"Vai trò này làm việc ở cấp: {listed}. Hãy chọn đơn vị ở một trong các cấp đó; chưa giao.")
