"""Migration 0015's downgrade writes a sentence back into every notice, the kinds added after it too: a notice of
how a dossier ended (`granted`, `not_granted`, no task) says so, not "Việc mới:  — hồ sơ …" with no task's
name; the upgrade back to head leaves every row as it was. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from service.db import alembic_config, make_engine, make_session_factory
from service.models import Dossier, Notification
from tests.operations.helpers import query_rows

SEEDED = ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
COLUMNS = "id, user_id, kind, dossier_id, task_id, created_at, read_at"


def _rows(url: str) -> list[dict[str, Any]]:
    return query_rows(url, f"SELECT {COLUMNS} FROM notification ORDER BY id")


@pytest.mark.parametrize("url_fixture", SEEDED)
def test_downgrade_through_0015_tells_how_the_dossier_ended_and_the_upgrade_restores_the_rows(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        seeded = session.scalars(select(Notification).order_by(Notification.id)).first()
        assert seeded is not None
        title = session.scalar(select(Dossier.title).where(Dossier.id == seeded.dossier_id))
        outcome = {}
        for kind in ("granted", "not_granted"):
            note = Notification(user_id=seeded.user_id, kind=kind, dossier_id=seeded.dossier_id, task_id=None,
                                created_at=seeded.created_at)  # fmt: skip
            session.add(note)
            session.flush()
            outcome[note.id] = kind
    engine.dispose()
    before = _rows(url)

    command.downgrade(alembic_config(url), "0014")
    engine = make_engine(url)
    with engine.connect() as conn:
        texts = dict(conn.execute(text("SELECT id, text FROM notification")).all())
    engine.dispose()
    assert {texts[i] for i, kind in outcome.items() if kind == "granted"} == {f"Hồ sơ “{title}” đã được khen thưởng."}
    assert {texts[i] for i, kind in outcome.items() if kind == "not_granted"} == {
        f"Hồ sơ “{title}” không được khen thưởng."}  # fmt: skip
    assert all(sentence and "Việc mới:  —" not in sentence for sentence in texts.values())

    command.upgrade(alembic_config(url), "head")
    assert _rows(url) == before
