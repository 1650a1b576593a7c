"""The process diagram's lanes in words: each lane name ("chairman@province") as role and level in the page's locale."""

from __future__ import annotations

from ..domain.roles import LEVELS, ROLE_LABELS
from .i18n import current_locale, level_label, translate

# A lane's head is drawn in a 30 px strip along its 130 px height: room for two lines of bpmn-js's 12 px labels.
# The roles are named as the users page names them (domain/roles.py), except where a title with its level would
# take more than two lines: there the lane names the office, as officials shorten it ("Ban TĐKT cấp tỉnh/thành phố").
LANE_ROLES_VI = {**ROLE_LABELS, "ban_tdkt": "Ban TĐKT"}
LANE_ROLES_EN = {
    "unit_clerk": "Commendation officer", "unit_head": "Head of unit", "office_clerk": "Office clerk",
    "council_member": "Council member", "council_secretary": "Council secretary",
    "chairman": "Chairman", "noi_vu": "Home Affairs Office",
    "ban_tdkt": "Commendation Board", "admin": "System administrator", "auditor": "Auditor",
}  # fmt: skip


def lane_labels() -> dict[str, str]:
    """Every lane name a process may draw (role@level, workflows.lanes) → its words: "Chủ tịch UBND cấp tỉnh/thành phố".

    The page gives these to diagram.js, which shows them in place of the codes; the BPMN stays as deployed."""
    roles = LANE_ROLES_EN if current_locale() == "en" else LANE_ROLES_VI
    return {f"{role}@{level}": translate("{role} {level}").format(role=label, level=level_label(level))
            for role, label in roles.items() for level in LEVELS}  # fmt: skip
