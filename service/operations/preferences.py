"""Saved per-user preferences (e.g. the inbox filter), stored as JSON."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
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
