"""The lane naming convention: a lane is named "role@level", e.g. "office_clerk@ward"."""

from __future__ import annotations

from dataclasses import dataclass

# Roles that may own a user task, and the org levels a lane can point at. The service maps a
# level to the ancestor of the dossier's submitting unit at that level.
TASK_ROLES = frozenset(
    {
        "unit_clerk",
        "unit_head",
        "office_clerk",
        "council_member",
        "council_secretary",
        "chairman",
        "noi_vu",
        "ban_tdkt",
    }
)
LEVELS = ("unit", "ward", "district", "province")


@dataclass(frozen=True)
class LaneRef:
    """A parsed lane name."""

    role: str
    level: str

    @property
    def name(self) -> str:
        return f"{self.role}@{self.level}"


def parse_lane(name: str | None) -> LaneRef:
    """Parse "role@level"; raise ValueError with a Vietnamese message when it is not valid."""
    if not name:
        raise ValueError("bước này không nằm trong làn (lane) nào; mỗi bước phải thuộc một làn vai_trò@cấp")
    role, sep, level = name.strip().partition("@")
    if not sep:
        raise ValueError(f"tên làn '{name}' phải có dạng vai_trò@cấp, ví dụ office_clerk@ward")
    if role not in TASK_ROLES:
        known = ", ".join(sorted(TASK_ROLES))
        raise ValueError(f"làn '{name}': vai trò '{role}' không được biết (hợp lệ: {known})")
    if level not in LEVELS:
        raise ValueError(f"làn '{name}': cấp '{level}' không được biết (hợp lệ: {', '.join(LEVELS)})")
    return LaneRef(role, level)
