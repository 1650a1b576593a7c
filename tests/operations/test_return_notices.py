"""A return for supplement above the ward is announced as a return to the officials whose task it opens: the notice
(and e-mail, in the recipient's language) names the step that returned the dossier, its level and the reason typed.
The unit's clerks keep their own "returned" notice when a dossier comes back to the unit."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from service.domain.notices_en import translator
from service.domain.notices_en import STEP_NAMES_EN
from service.models import Job, Notification, User
from service.operations.notifications import unread_count
from service.operations.preferences import save_locale
from service.queries.notifications import recent_notices
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task

NOI_VU_STEP = "Thẩm định hồ sơ (Phòng Nội vụ)"
BAN_STEP = "Thẩm định hồ sơ (Ban Thi đua – Khen thưởng tỉnh)"
TITLE = "Đề nghị khen thưởng năm 2024"


def _user_id(factory, username: str) -> int:
    with factory() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _notices(factory, username: str, locale: str | None = None):
    with factory() as session:
        return recent_notices(session, _user_id(factory, username), 100, translator(locale))


def _to_district(factory, engine: Engine) -> int:
    """A dossier asking for the province's Bằng khen, forwarded by the ward: at the district's Phòng Nội vụ."""
    dossier_id = new_dossier(factory, engine)
    for _ in range(4):  # submit; ward office, council and chairman approve (the chairman forwards)
        act(factory, engine, dossier_id)
    assert open_task(factory, dossier_id).bpmn_id == "district_noi_vu_review"
    return dossier_id


def test_a_district_return_tells_the_ward_chairman_why_and_the_notice_is_done_once_handled(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    engine = Engine(FixedClock())
    dossier_id = _to_district(factory, engine)
    act(factory, engine, dossier_id, "return", "Thiếu báo cáo thành tích có xác nhận.")
    task = open_task(factory, dossier_id)
    assert task.bpmn_id == "ward_chairman_decide"

    with factory() as session:
        kinds = dict(session.execute(select(User.username, Notification.kind)
                                     .join(User, User.id == Notification.user_id)
                                     .where(Notification.task_id == task.id)).all())  # fmt: skip
    assert kinds == {"hn-hd-pl.chairman": "task_returned"}
    (note,) = [n for n in _notices(factory, "hn-hd-pl.chairman") if n.task_id == task.id]
    assert note.text == (f"Hồ sơ “{TITLE}” bị trả lại để bổ sung ở bước “{NOI_VU_STEP}” (cấp quận/huyện); "
                         "việc của bạn: Chủ tịch xem xét, quyết định. "
                         "Lý do: Thiếu báo cáo thành tích có xác nhận.")  # fmt: skip
    assert not note.done
    (english,) = [n for n in _notices(factory, "hn-hd-pl.chairman", "en") if n.task_id == task.id]
    # In English the shipped chain's steps are named in English (domain/notices_en.STEP_NAMES_EN).
    assert english.text == ("Dossier “" + TITLE + "” was returned for supplement at the step “Appraise the dossier "
                            "(Home Affairs Office)” (district level); your task: Chairman reviews and decides. "
                            "Reason: Thiếu báo cáo thành tích có xác nhận.")  # fmt: skip
    # The forward that opened the district's task earlier is a plain new task for Phòng Nội vụ.
    assert any(n.kind == "task" and n.text.startswith("Việc mới: ") for n in _notices(factory, "hn-hd.noi_vu"))
    with factory() as session:
        before = unread_count(session, _user_id(factory, "hn-hd-pl.chairman"))
    assert before >= 1

    act(factory, engine, dossier_id)  # the ward chairman forwards it again: the notice is handled
    (note,) = [n for n in _notices(factory, "hn-hd-pl.chairman") if n.task_id == task.id]
    assert note.done and note.read_at is None
    with factory() as session:
        assert unread_count(session, _user_id(factory, "hn-hd-pl.chairman")) == before - 1


def test_the_ward_office_return_keeps_the_clerks_returned_notice_now_with_its_reason(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    engine = Engine(FixedClock())
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "return", "Thiếu biên bản họp bình xét")
    task = open_task(factory, dossier_id)
    (note,) = [n for n in _notices(factory, "hn-hd-pl-tp.unit_clerk") if n.task_id == task.id]
    assert note.kind == "returned" and not note.done
    assert note.text == (f"Hồ sơ “{TITLE}” bị trả lại để bổ sung ở bước “Thẩm định hồ sơ (Văn phòng UBND phường/xã)” "
                         "(cấp phường/xã). Lý do: Thiếu biên bản họp bình xét.")  # fmt: skip
    with factory() as session:
        assert session.scalar(select(Notification.kind).where(Notification.task_id == task.id,
                                                              Notification.kind != "returned")) is None  # fmt: skip


def test_a_province_return_is_mailed_as_a_return_in_each_recipients_language(factory, monkeypatch):
    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("THIDUA_BASE_URL", "https://thidua.example.vn")
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
        save_locale(session, session.scalar(select(User.id).where(User.username == "hn-hd.chairman")), "en")
    engine = Engine(FixedClock())
    dossier_id = _to_district(factory, engine)
    for _ in range(3):  # Phòng Nội vụ, the district council and chairman: on to the province
        act(factory, engine, dossier_id)
    assert open_task(factory, dossier_id).bpmn_id == "province_ban_review"
    with factory() as session:
        last_job = session.scalar(select(Job.id).order_by(Job.id.desc()).limit(1))
    act(factory, engine, dossier_id, "return", "Đề nghị bổ sung xác nhận của cơ quan thuế.")
    task = open_task(factory, dossier_id)
    assert task.bpmn_id == "district_chairman_decide"

    with factory() as session:
        mails = [json.loads(p) for p in session.scalars(
            select(Job.payload_json).where(Job.id > last_job, Job.kind == "send_email"))]  # fmt: skip
        kinds = set(session.scalars(select(Notification.kind).where(Notification.task_id == task.id)))
    assert kinds == {"task_returned"}
    (mail,) = [m for m in mails if m["to"] == "hn-hd.chairman@example.vn"]
    assert mail["subject"] == f"[Thi đua] Dossier returned for supplement: Chairman reviews and decides — {TITLE}"
    assert (f"Dossier “{TITLE}” was returned for supplement at the step “{STEP_NAMES_EN[BAN_STEP]}” (province/city "
            "level); your task: Chairman reviews and decides. Reason: Đề nghị bổ sung xác nhận của cơ quan thuế.") in mail["body"]
    assert f"https://thidua.example.vn/inbox/tasks/{task.id}" in mail["body"] and mail["body"].startswith("Dear ")
    # In the app the same notice reads in the reader's language.
    (note,) = [n for n in _notices(factory, "hn-hd.chairman") if n.task_id == task.id]
    assert f"ở bước “{BAN_STEP}” (cấp tỉnh/thành phố)" in note.text
    assert note.text.endswith("Lý do: Đề nghị bổ sung xác nhận của cơ quan thuế.")
