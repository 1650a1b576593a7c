"""Users and their credentials: password hashing, a user's own password change, and the Actor value built from
role assignments."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.passwords import CURRENT_FIELD, check_new_password
from ..errors import InvalidInput, NotFound
from ..models import ApiToken, RoleAssignment, User
from .audit import record_event
from .login_throttle import login_name

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _HASHER.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_ROLES = select(RoleAssignment.role, RoleAssignment.org_unit_id).where(RoleAssignment.user_id == bindparam("user_id"))


def actor_for_user(session: Session, user: User) -> Actor:
    """The Actor of a user: their role assignments as (role, org unit id) pairs."""
    roles = session.execute(_ROLES, {"user_id": user.id}).all()
    return Actor(user_id=user.id, username=user.username, roles=frozenset((r, u) for r, u in roles))


def actor_for(session: Session, username: str) -> Actor:
    """The Actor of a user found by username."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("Không có người dùng '{username}'.", {"username": username})
    return actor_for_user(session, user)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (the caller says only 'wrong username or password')."""
    user = session.scalar(select(User).where(User.username == username.replace("\x00", "").strip()))
    if user is None or not user.is_active:
        _HASHER.hash(password)  # spend the same time as a real check, so timing does not reveal users
        return None
    return user if check_password(user.password_hash, password) else None


def session_marker(password_hash: str, secret: str | bytes) -> str:
    """What a signed-in browser session keeps of its user's password: a keyed digest of the stored hash (never the
    hash). The user loader compares it with the stored hash's on each request, so a new password (the user's own
    change, an admin's reset) ends every other session of that user at its next request, as Django does."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, b"thidua-session:" + password_hash.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def revoke_api_tokens(session: Session, user_id: int) -> int:
    """Delete every API token of the user (a new password ends the API's sessions too); how many there were."""
    return session.execute(delete(ApiToken).where(ApiToken.user_id == user_id)).rowcount or 0


def change_own_password(session: Session, user_id: int, now: datetime, *, current: str, new: str,
                        repeated: str) -> User:  # fmt: skip
    """The signed-in user's own change: the current password checked as sign-in checks it, then the rules of
    domain.passwords; the new hash stored, a forced change (after an admin's reset) cleared, the user's API tokens
    revoked, and `user.password_change` audited without any password or hash. A refusal changes nothing; a wrong
    current password is refused with field CURRENT_FIELD, and the caller records it as a failed sign-in
    (record_failed_password_check) in a transaction of its own, so it counts toward the sign-in throttle."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("Không tìm thấy người dùng.")
    if not check_password(user.password_hash, current):
        raise InvalidInput("Mật khẩu hiện tại không đúng.", field=CURRENT_FIELD)
    check_new_password(user.username, new, repeated, current)
    forced = user.must_change_password
    user.password_hash, user.must_change_password = hash_password(new), False
    revoked = revoke_api_tokens(session, user.id)
    session.flush()
    record_event(session, action="user.password_change", object_type="user", object_id=str(user.id), actor=user.id,
                 after={"username": user.username, "after_reset": forced, "api_tokens_revoked": revoked},
                 now=now)  # fmt: skip
    return user


def record_failed_password_check(session: Session, user_id: int, username: str, now: datetime) -> None:
    """A wrong current password on the password page: an `auth.login_failed` event for the user name (channel
    password_change), which login_throttle counts with the sign-in page's and the API's failures."""
    record_event(session, action="auth.login_failed", object_type="user", object_id=login_name(username),
                 actor=user_id, after={"channel": "password_change"}, now=now)  # fmt: skip
