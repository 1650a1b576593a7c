"""An admin's cancellation of a dossier's process tells the submitting unit's clerks, with the reason typed, in the
app and by e-mail in each clerk's language; the dossier page says who cancelled it, when and why. SQLite and
PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from service.domain.notices_en import translator
from service.models import Dossier, Job, Notification, User
from service.operations.accounts import actor_for
from service.operations.dossiers import cancel_dossier
from service.operations.preferences import save_locale
from service.queries.dossier_view import dossier_view
from service.queries.notifications import recent_notices
from workflows import Engine, FixedClock

from .helpers import act, new_dossier

CLERK = "hn-hd-pl-tp.unit_clerk"
TITLE = "Đề nghị khen thưởng năm 2024"
REASON = "Hồ sơ nộp trùng với hồ sơ số 1."


def _cancel_at_the_ward(factory, engine: Engine) -> int:
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submitted: at the ward office
    with factory() as session, session.begin():
        cancel_dossier(session, actor_for(session, "admin"), engine, dossier_id, REASON)
    return dossier_id


def _notices(factory, username: str, locale: str | None = None):
    with factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return recent_notices(session, user_id, 100, translator(locale))


def test_the_units_clerks_are_told_of_a_cancellation_with_its_reason(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    engine = Engine(FixedClock())
    dossier_id = _cancel_at_the_ward(factory, engine)
    with factory() as session:
        told = set(session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                   .where(Notification.dossier_id == dossier_id,
                                          Notification.kind == "cancelled")))  # fmt: skip
    assert told == {CLERK}  # the unit's clerk; not the admin who did it
    (note,) = [n for n in _notices(factory, CLERK) if n.kind == "cancelled" and n.dossier_id == dossier_id]
    assert note.text == (f"Quy trình của hồ sơ “{TITLE}” đã bị quản trị viên hủy; hồ sơ không được xét tiếp. "
                         "Lý do: Hồ sơ nộp trùng với hồ sơ số 1.")  # fmt: skip
    (english,) = [n for n in _notices(factory, CLERK, "en") if n.kind == "cancelled" and n.dossier_id == dossier_id]
    assert english.text.startswith(f"The process of dossier “{TITLE}” was cancelled by an administrator")
    assert english.text.endswith("Reason: Hồ sơ nộp trùng với hồ sơ số 1.") and not english.done

    with factory() as session:
        view = dossier_view(session, engine, dossier_id)
        assert session.get(Dossier, dossier_id).status == "cancelled"
    assert view.cancellation is not None and view.cancellation["comment"] == REASON
    assert view.cancellation["actor"]  # the admin's name


def test_a_cancellation_is_mailed_in_the_clerks_language(factory, monkeypatch):
    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("THIDUA_BASE_URL", "https://thidua.example.vn")
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
        save_locale(session, session.scalar(select(User.id).where(User.username == CLERK)), "en")
    with factory() as session:
        last_job = session.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
    dossier_id = _cancel_at_the_ward(factory, Engine(FixedClock()))
    with factory() as session:
        mails = [json.loads(p) for p in session.scalars(
            select(Job.payload_json).where(Job.id > last_job, Job.kind == "send_email"))]  # fmt: skip
    (mail,) = [m for m in mails if m["to"] == f"{CLERK}@example.vn" and "cancelled" in m["subject"]]
    assert mail["subject"] == f"[Thi đua] Dossier cancelled: {TITLE}"
    assert "Reason: Hồ sơ nộp trùng với hồ sơ số 1." in mail["body"]
    assert f"https://thidua.example.vn/dossiers/{dossier_id}" in mail["body"]
