"""Saved per-user preferences (e.g. the inbox filter, the language chosen in the web UI), stored as JSON."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import UserPreference


def load_preference(session: Session, user_id: int | None, key: str) -> dict[str, Any]:
    if user_id is None:
        return {}
    row = session.scalar(select(UserPreference).where(UserPreference.user_id == user_id, UserPreference.key == key))
    return dict(json.loads(row.value_json)) if row is not None else {}


def save_preference(session: Session, user_id: int | None, key: str, value: dict[str, Any]) -> None:
    if user_id is None:
        return
    row = session.scalar(select(UserPreference).where(UserPreference.user_id == user_id, UserPreference.key == key))
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(UserPreference(user_id=user_id, key=key, value_json=text))
    else:
        row.value_json = text
    session.flush()


def forget_preference(session: Session, user_id: int | None, key: str) -> None:
    """Remove a saved preference (the inbox's "Bỏ lọc"): as if it had never been saved."""
    if user_id is not None:
        session.execute(delete(UserPreference).where(UserPreference.user_id == user_id, UserPreference.key == key))


# The language a user last chose in the web UI ({"locale": "en"}): their e-mails are written in it.
LOCALE_KEY = "locale"


def stored_locale(session: Session, user_id: int | None) -> str | None:
    return load_preference(session, user_id, LOCALE_KEY).get("locale")


def save_locale(session: Session, user_id: int | None, locale: str) -> None:
    """Remember the user's language (once per change: the caller checks it changed)."""
    if load_preference(session, user_id, LOCALE_KEY).get("locale") != locale:
        save_preference(session, user_id, LOCALE_KEY, {"locale": locale})
