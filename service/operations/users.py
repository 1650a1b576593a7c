"""User and role administration: create, grant and revoke roles at units, deactivate (claims are released), reset a
forgotten password."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.deadlines import local_date
from ..domain.field_limits import check_length
from ..domain.passwords import check_new_password
from ..domain.roles import ROLE_LABELS, grant_refusal
from ..domain.text import clean_text
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import HumanTask, OrgUnit, Role, RoleAssignment, User
from ..queries.processes import lanes_in_use
from .accounts import hash_password, revoke_api_tokens
from .audit import record_event

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới quản lý người dùng và vai trò.")


def create_user(session: Session, actor: Actor, now: datetime, *, username: str, full_name: str, password: str) -> User:
    _require_admin(actor)
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput("Tên đăng nhập 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.")
    full_name = clean_text(full_name)
    if not full_name:
        raise InvalidInput("Cần họ và tên.")
    check_length("user.full_name", full_name)
    check_new_password(username, password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("Tên đăng nhập '{username}' đã có.", {"username": username})
    user = User(username=username, full_name=full_name, password_hash=hash_password(password), is_active=True,
                created_at=now)  # fmt: skip
    session.add(user)
    session.flush()
    record_event(session, action="user.create", object_type="user", object_id=str(user.id), actor=actor.user_id,
                 after={"username": username, "full_name": user.full_name}, now=now)  # fmt: skip
    return user


def grant_role(session: Session, actor: Actor, now: datetime, *, user_id: int, role: str, unit_id: int) -> RoleAssignment:
    """Give a user a role at a unit; refused at a unit closed as of today (merged away, its level abolished) and
    where the role has no work at the unit's level (domain.roles)."""
    _require_admin(actor)
    if role not in {r.value for r in Role}:
        raise InvalidInput("Vai trò '{role}' không có.", {"role": role})
    user, unit = session.get(User, user_id), session.get(OrgUnit, unit_id)
    if user is None or unit is None:
        raise NotFound("Không tìm thấy người dùng hoặc đơn vị.")
    today = local_date(now)
    if unit.valid_to is not None and unit.valid_to <= today:
        raise InvalidInput("{name} ({code}) đã ngừng hoạt động từ ngày {valid_to:%d/%m/%Y} (sáp nhập hoặc bãi bỏ cấp); "
                           "không giao vai trò tại đơn vị đã ngừng. Hãy chọn đơn vị đang hoạt động thay cho nó.",
                           {"name": unit.name, "code": unit.code, "valid_to": unit.valid_to})  # fmt: skip
    refusal = grant_refusal(role, unit.level, unit.name, lanes_in_use(session))
    if refusal is not None:
        raise InvalidInput(refusal)
    found = session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == user_id, RoleAssignment.role == role,
                                                        RoleAssignment.org_unit_id == unit_id))  # fmt: skip
    if found is not None:
        raise Conflict("{username} đã giữ vai trò «{role}» tại {name}; không giao lại.",
                       {"username": user.username, "role": ROLE_LABELS.get(role, role), "name": unit.name})
    assignment = RoleAssignment(user_id=user_id, role=role, org_unit_id=unit_id)
    session.add(assignment)
    session.flush()
    record_event(session, action="role.grant", object_type="user", object_id=str(user_id), actor=actor.user_id,
                 actor_unit_id=unit_id, after={"role": role, "unit": unit.code}, now=now)  # fmt: skip
    return assignment


def revoke_role(session: Session, actor: Actor, now: datetime, assignment_id: int) -> None:
    _require_admin(actor)
    assignment = session.get(RoleAssignment, assignment_id)
    if assignment is None:
        raise NotFound("Không tìm thấy vai trò.")
    before = {"role": assignment.role, "unit_id": assignment.org_unit_id}
    released = _release_claims(session, assignment.user_id, assignment.role, assignment.org_unit_id)
    session.delete(assignment)
    session.flush()
    record_event(session, action="role.revoke", object_type="user", object_id=str(assignment.user_id), actor=actor.user_id,
                 before=before, after={"released_tasks": released}, now=now)  # fmt: skip


def set_active(session: Session, actor: Actor, now: datetime, user_id: int, active: bool) -> User:
    """Deactivating a user signs them out for good and gives their claimed tasks back to their colleagues."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    if user.id == actor.user_id and not active:
        raise InvalidInput("Không thể tự khóa tài khoản của mình.")
    user.is_active = active
    released = _release_claims(session, user.id) if not active else []
    record_event(session, action="user.activate" if active else "user.deactivate", object_type="user",
                 object_id=str(user.id), actor=actor.user_id, after={"released_tasks": released}, now=now)  # fmt: skip
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, now: datetime, user_id: int, *, password: str,
                   repeated: str) -> User:  # fmt: skip
    """An admin sets a temporary password (typed twice; the rules of domain.passwords) for a user who forgot theirs:
    the user must choose a new one at their next sign-in (must_change_password), their other sessions and API tokens
    end, and `user.password_reset` is audited by the admin on the user, without any password or hash. A locked
    account stays locked (unlocking is set_active's). An admin changes their own password on the password page."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    if user.id == actor.user_id:
        raise InvalidInput("Không đặt lại mật khẩu của chính mình ở đây; hãy dùng trang «Đổi mật khẩu».")
    return _reset(session, user, password, repeated, now, actor.user_id, {})


def reset_password_at_console(session: Session, now: datetime, username: str, *, password: str,
                              repeated: str) -> User:  # fmt: skip
    """`thidua reset-password USERNAME`: the same reset from the server's console, for whoever runs the service
    (an only admin who forgot their own password has no other way back). Audited with no actor, channel "cli"."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound("Không có tài khoản “{username}”.", {"username": username})
    return _reset(session, user, password, repeated, now, None, {"channel": "cli"})


def _reset(session: Session, user: User, password: str, repeated: str, now: datetime, actor_id: int | None,
           extra: dict[str, str]) -> User:  # fmt: skip
    check_new_password(user.username, password, repeated)
    user.password_hash, user.must_change_password = hash_password(password), True
    revoked = revoke_api_tokens(session, user.id)
    session.flush()
    record_event(session, action="user.password_reset", object_type="user", object_id=str(user.id), actor=actor_id,
                 after={"username": user.username, "must_change_password": True, "api_tokens_revoked": revoked,
                        **extra}, now=now)  # fmt: skip
    return user


def _release_claims(session: Session, user_id: int, role: str | None = None, unit_id: int | None = None) -> list[int]:
    query = select(HumanTask).where(HumanTask.claimed_by == user_id, HumanTask.state == "ready")
    if role is not None:
        query = query.where(HumanTask.role == role, HumanTask.org_unit_id == unit_id)
    released = []
    for task in session.scalars(query):
        task.claimed_by, task.claimed_at = None, None
        released.append(task.id)
    return released


def open_units(session: Session, day: date) -> list[OrgUnit]:
    """The units where a role can be granted on `day`: not closed by then (a unit closing later is still open)."""
    units = session.scalars(select(OrgUnit).order_by(OrgUnit.code))
    return [u for u in units if u.valid_to is None or u.valid_to > day]


def _folded(text: str) -> str:
    """Lower case without diacritics ("Hương" → "huong", "Đức" → "duc"): what a search box matches on."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_users(session: Session, text: str = "") -> list[User]:
    """Users in username order; with `text`, those whose username or full name contains it (case and diacritics
    ignored, so "huong" finds "Nguyễn Thị Hương"). Every word typed must match."""
    users = list(session.scalars(select(User).order_by(User.username)))
    words = _folded(text).split()
    if not words:
        return users
    return [u for u in users if all(w in f"{_folded(u.username)} {_folded(u.full_name or '')}" for w in words)]
