"""Notices speak the reader's language: the same outcome sentence in English for a reader who chose English, and
e-mails in the language the recipient last chose in the web UI (stored with the account), Vietnamese otherwise."""

from __future__ import annotations

from sqlalchemy import select, update

from service.domain.nominee_outcomes import NomineeResult
from service.domain.notices_en import translator
from service.models import User
from service.operations.jobs import JobContext, drain
from service.operations.notifications import outcome_texts
from service.operations.preferences import save_locale, stored_locale
from service.queries.notifications import recent_notices
from workflows import Engine, FixedClock

from .helpers import act, open_task
from .test_email_notifications import smtp  # noqa: F401 - the local SMTP sink fixture
from .test_nominee_outcomes import decide, mixed
from .test_outcome_notifications import CLERK

OFFICE = "hn-hd-pl.office_clerk"


def _grant_in_part(factory, engine) -> int:
    dossier_id, ids = mixed(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)  # the council passes everyone
    decide(factory, engine, dossier_id, "approve", results={
        ids["Bộ phận Tư pháp - Hộ tịch"]: NomineeResult(False, "Đã khen năm trước"),
        ids["Trần Thị Huyện"]: NomineeResult(False, "Chưa đủ thời gian công tác")})  # fmt: skip
    assert open_task(factory, dossier_id) is None
    return dossier_id


def test_the_outcome_and_task_notices_read_in_english(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = _grant_in_part(factory, Engine(FixedClock()))
    with factory() as session:
        clerk = session.scalar(select(User.id).where(User.username == CLERK))
        office = session.scalar(select(User.id).where(User.username == OFFICE))
        tr = translator("en")
        english = [n.text for n in outcome_texts(session, recent_notices(session, clerk, 100, tr), tr)
                   if n.dossier_id == dossier_id and n.task_id is None]  # fmt: skip
        tasks = [n.text for n in recent_notices(session, office, 100, tr) if n.dossier_id == dossier_id]
    assert english == [
        "Dossier “Đề nghị khen thưởng” was granted in part. Granted: Giấy khen của Chủ tịch UBND phường Phú Lãm "
        "(Nguyễn Văn Xã). Not granted: Bộ phận Tư pháp - Hộ tịch (ward/commune level: Đã khen năm trước); "
        "Trần Thị Huyện (ward/commune level: Chưa đủ thời gian công tác)."]  # fmt: skip
    assert tasks and all(t.startswith("New task: ") and "— dossier “Đề nghị khen thưởng”." in t for t in tasks)


def test_mail_goes_in_the_recipients_stored_language(factory, smtp):  # noqa: F811
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
        clerk = session.scalar(select(User.id).where(User.username == CLERK))
        save_locale(session, clerk, "en")
    with factory() as session:
        assert stored_locale(session, clerk) == "en"
    _grant_in_part(factory, Engine(FixedClock()))
    assert drain(factory, "test", JobContext()).failed == 0
    mails = {(rcpt[0], str(message["Subject"])): message for rcpt, message in smtp.messages}
    key = (f"{CLERK}@example.vn", "[Thi đua] Dossier granted in part: Đề nghị khen thưởng")
    assert key in mails, sorted(mails)
    body = mails[key].get_body().get_content()
    assert body.startswith("Dear ") and "Not granted: Bộ phận Tư pháp - Hộ tịch (ward/commune level: " in body
    assert "See the dossier at: " in body
    # Whoever chose nothing reads Vietnamese: the ward office's new-task mails of the same dossier.
    office = [s for r, s in mails if r == f"{OFFICE}@example.vn"]
    assert office and all(s.startswith("[Thi đua] Việc mới: ") for s in office)
