"""Notification rows hold the kind, task and dossier; the sentence is built when shown (migration 0015)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text

from service.db import alembic_config, make_engine, make_session_factory
from service.domain.notices import notice_text
from service.models import Notification
from service.queries.notifications import recent_notices


def _shown(url: str) -> dict[int, str]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        users = set(session.scalars(select(Notification.user_id)))
        shown = {row.id: row.text for user in users for row in recent_notices(session, user, 10_000)}
    engine.dispose()
    return shown


@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def test_migration_0015_writes_the_same_sentences_back_and_drops_them_again(request, url_fixture):
    url = request.getfixturevalue(url_fixture)
    engine = make_engine(url)
    with make_session_factory(engine)() as session, session.begin():
        task = session.scalars(select(Notification)).first()
        for kind in ("returned", "escalation", "assigned"):
            session.add(Notification(user_id=task.user_id, kind=kind, dossier_id=task.dossier_id, task_id=task.task_id,
                                     created_at=task.created_at))  # fmt: skip
    engine.dispose()
    shown = _shown(url)
    assert len(shown) > 5 and {sentence.split(" ")[0] for sentence in shown.values()} == {"Việc", "Hồ", "Quá", "Bạn"}

    command.downgrade(alembic_config(url), "0014")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, text FROM notification")).all()) == shown
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    assert _shown(url) == shown


@pytest.mark.parametrize("kind", ["task", "returned", "escalation", "assigned"])
def test_every_kind_names_the_dossier(kind):
    sentence = notice_text(kind, "Thẩm định hồ sơ", "Đề nghị khen thưởng năm 2024")
    assert "“Đề nghị khen thưởng năm 2024”" in sentence
    assert ("Thẩm định hồ sơ" in sentence) == (kind != "returned")
