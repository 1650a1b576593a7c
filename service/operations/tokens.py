"""Bearer tokens for the JSON API: issued on a password check, stored only as their sha256, expiring after 12 h."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from .. import direct_sql
from ..domain.actors import Actor
from ..models import ApiToken, RoleAssignment, User
from .accounts import authenticate
from .audit import record_event
from .login_throttle import login_name

TOKEN_LIFETIME = timedelta(hours=12)
# last_used_at is kept to the minute: writing it on every API call would make each read a write transaction.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_CHARS = 200


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; only its hash is kept
    expires_at: datetime


@dataclass(frozen=True)
class TokenCheck:
    actor: Actor | None  # the token's user with the roles they hold now
    problem: str | None = None  # unknown | expired | inactive | password_change (an admin reset the password)
    token_id: int | None = None
    stale_last_used: bool = False  # last_used_at is older than LAST_USED_RESOLUTION: record_token_use updates it


def hash_token(token: str) -> str:
    """The sha256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, now: datetime) -> IssuedToken:
    """A new random token for the user, valid for TOKEN_LIFETIME; the user's expired tokens are dropped."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=expires))
    session.flush()
    return IssuedToken(token, expires)


def login_for_token(
    session: Session, username: str, password: str, now: datetime, *, ip: str | None = None,
    user_agent: str | None = None,
) -> IssuedToken | None:  # fmt: skip
    """Check the password and issue a token; audit auth.login or auth.login_failed. None means wrong credentials."""
    user = authenticate(session, username, password)
    record_event(
        session, action="auth.login" if user else "auth.login_failed", object_type="user",
        object_id=str(user.id) if user else login_name(username), actor=user.id if user else None,
        after={"channel": "api"}, ip=ip, user_agent=user_agent, now=now,
    )  # fmt: skip
    return issue_token(session, user, now) if user is not None else None


# Every API request runs this: built once; the token, its user and the user's roles in one round trip.
_TOKEN_USER_ROLES = (
    select(ApiToken.id, ApiToken.expires_at, ApiToken.last_used_at, User.id.label("user_id"), User.username,
           User.is_active, User.must_change_password, RoleAssignment.role, RoleAssignment.org_unit_id)
    .outerjoin(User, User.id == ApiToken.user_id)
    .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)  # fmt: skip


def check_token(session: Session, token: str, now: datetime) -> TokenCheck:
    """The active user a valid, unexpired token belongs to, as an Actor (roles read now), or why not.

    Reads only: when the token's last use is more than a minute old, `stale_last_used` says
    record_token_use should be called."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return TokenCheck(None, "unknown")
    # A Core statement on the session's connection, run on the driver's cursor (service/direct_sql.py): the same
    # transaction as session.execute, without the ORM's or SQLAlchemy's per-statement work, on every API call.
    rows = direct_sql.execute_on(session.connection(), _TOKEN_USER_ROLES, {"token_hash": hash_token(token)}).all()
    if not rows:
        return TokenCheck(None, "unknown")
    row = rows[0]
    if row.expires_at <= now:
        return TokenCheck(None, "expired")
    if row.user_id is None or not row.is_active:
        return TokenCheck(None, "inactive")
    if row.must_change_password:  # read with the token: no statement of its own on every API call
        return TokenCheck(None, "password_change")
    roles = frozenset((r.role, r.org_unit_id) for r in rows if r.role is not None)
    stale = row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
    return TokenCheck(Actor(user_id=row.user_id, username=row.username, roles=roles), token_id=row.id,
                      stale_last_used=stale)  # fmt: skip


def record_token_use(session: Session, check: TokenCheck, now: datetime) -> None:
    """Store when a checked token was used (to the minute)."""
    if check.token_id is not None and check.stale_last_used:
        session.execute(update(ApiToken).where(ApiToken.id == check.token_id).values(last_used_at=now))
