"""Bearer tokens for the JSON API: issued on a password check, stored only as their sha256, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ApiToken, User

TOKEN_LIFETIME = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, now: datetime) -> tuple[str, datetime]:
    """A new random token for the user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=expires))
    session.flush()
    return token, expires


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active user a valid, unexpired token belongs to (None otherwise); marks the token used."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    row.last_used_at = now
    return user
