"""Who may act on what: a task belongs to the holders of its role at its org unit."""

from __future__ import annotations

from typing import Protocol

from ..errors import Conflict, Forbidden
from .actors import Actor


class TaskLike(Protocol):
    role: str
    org_unit_id: int
    claimed_by: int | None


def can_act_on_task(actor: Actor, task: TaskLike) -> bool:
    """True when the actor holds the task's role at the task's org unit."""
    return actor.holds(task.role, task.org_unit_id)


def require_can_act_on_task(actor: Actor, task: TaskLike) -> None:
    """Raise Forbidden unless the actor may take this task; Conflict if a colleague has claimed it."""
    if not can_act_on_task(actor, task):
        raise Forbidden("Bạn không có quyền xử lý việc này (không giữ vai trò của bước tại đơn vị này).")
    if task.claimed_by is not None and task.claimed_by != actor.user_id:
        raise Conflict("Việc này đang do một cán bộ khác nhận xử lý.")


def can_review_audit(actor: Actor) -> bool:
    """Auditors and admins read the audit trail, export it and ask for its verification; nobody else."""
    return actor.is_admin or actor.has_role("auditor")


def require_can_review_audit(actor: Actor) -> None:
    if not can_review_audit(actor):
        raise Forbidden("Chỉ kiểm toán viên và quản trị viên được xem nhật ký.")


def can_view_dossier(actor: Actor, unit_path: list[int]) -> bool:
    """Anyone holding a role at the submitting unit or above it may read the dossier; admins and auditors too."""
    if actor.is_admin or actor.has_role("auditor"):
        return True
    path = set(unit_path)
    return any(unit in path for _, unit in actor.roles)


# Who writes a level's official documents of a campaign: its chairman, its office, Nội vụ or Ban TĐKT (the roles
# that issue its decisions: operations.decisions.ISSUERS).
CAMPAIGN_ISSUERS = frozenset({"chairman", "office_clerk", "noi_vu", "ban_tdkt"})
# Who keeps the records (index results, ratings, past awards): operations.records.EDITORS, admins aside.
RECORD_KEEPERS = frozenset({"office_clerk", "noi_vu", "ban_tdkt"})


def can_write_campaign_report(actor: Actor, issuer_path: list[int]) -> bool:
    """The báo cáo tổng kết and the thông báo of a campaign are its issuing level's: admins, and the chairman, office,
    Nội vụ or Ban TĐKT of the issuing unit or of a level above it (`issuer_path`: the issuing unit and its parents).
    Not a unit's clerk who reads the campaign, an auditor, nor another ward's officials."""
    if actor.is_admin:
        return True
    path = set(issuer_path)
    return any(role in CAMPAIGN_ISSUERS and unit in path for role, unit in actor.roles)


def require_can_write_campaign_report(actor: Actor, issuer_path: list[int]) -> None:
    if not can_write_campaign_report(actor, issuer_path):
        raise Forbidden("Chỉ lãnh đạo hoặc bộ phận thi đua của cấp ban hành phong trào mới lập báo cáo và thông báo "
                        "của phong trào.")  # fmt: skip


def can_keep_records_of(actor: Actor, unit_path: list[int]) -> bool:
    """Records of a unit (`unit_path`: it and its parents) are entered by admins and by the office, Nội vụ or Ban TĐKT
    of that unit or of a level above it: not by those of another ward, district or province."""
    if actor.is_admin:
        return True
    path = set(unit_path)
    return any(role in RECORD_KEEPERS and unit in path for role, unit in actor.roles)


def require_can_keep_records_of(actor: Actor, unit_path: list[int], unit_code: str) -> None:
    if not can_keep_records_of(actor, unit_path):
        raise Forbidden("Bạn không được nhập hồ sơ theo dõi của đơn vị {code}: đơn vị không thuộc phạm vi của bạn.",
                        {"code": unit_code})  # fmt: skip
