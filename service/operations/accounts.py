"""Users and their credentials: password hashing and the Actor value built from role assignments."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..errors import NotFound
from ..models import RoleAssignment, User

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
