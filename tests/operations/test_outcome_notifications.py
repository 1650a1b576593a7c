"""The unit is told how its dossier ended: refused by the ward office, by a council's vote, by a chairman, or
granted (in full or in part), in the app and by e-mail; and nobody is told of a task their own action opened.

Real operations on the seeded databases (SQLite, then PostgreSQL); the notices as the notifications page shows
them (recent_notices, then outcome_texts); e-mails through a real local SMTP server (test_email_notifications).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_session_factory
from service.domain.nominee_outcomes import CouncilCount, NomineeResult
from service.models import Job, Notification, OrgUnit, User
from service.operations import job_kinds  # noqa: F401 - registers send_email
from service.operations.accounts import actor_for
from service.operations.jobs import JobContext, drain
from service.operations.notifications import outcome_texts
from service.operations.tasks import complete_task
from service.queries.notifications import recent_notices
from tests.factories import make_user
from workflows import Engine, FixedClock

from .helpers import act, new_dossier, open_task
from .test_email_notifications import smtp  # noqa: F401 - the local SMTP sink fixture
from .test_nominee_outcomes import decide, mixed

CLERK = "hn-hd-pl-tp.unit_clerk"
TITLE = "Đề nghị khen thưởng năm 2024"  # helpers.new_dossier's
OUTCOME_KINDS = ("granted", "not_granted")


def shown(factory, username: str, dossier_id: int) -> list[str]:
    """The user's notices about this dossier's outcome, as the notifications page words them."""
    with factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        notes = outcome_texts(session, recent_notices(session, user_id, 100))
    return [n.text for n in notes if n.dossier_id == dossier_id and n.kind in OUTCOME_KINDS]


def outcome_rows(factory, dossier_id: int) -> list[tuple[str, str, int | None]]:
    with factory() as session:
        return [tuple(r) for r in session.execute(
            select(User.username, Notification.kind, Notification.task_id).join(User, User.id == Notification.user_id)
            .where(Notification.dossier_id == dossier_id, Notification.kind.in_(OUTCOME_KINDS)).order_by(Notification.id)
        )]  # fmt: skip


@pytest.fixture
def engine() -> Engine:
    return Engine(FixedClock())


def test_the_ward_offices_refusal_tells_the_units_clerk_why(factory, engine, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)  # submitted
    assert outcome_rows(factory, dossier_id) == []  # an ordinary step ends nothing and tells the unit nothing
    act(factory, engine, dossier_id, "reject", "Thành tích chưa có minh chứng.")  # the office's "Không đạt"
    assert outcome_rows(factory, dossier_id) == [(CLERK, "not_granted", None)]
    assert shown(factory, CLERK, dossier_id) == [
        f"Hồ sơ “{TITLE}” không được khen thưởng ở cấp phường/xã: Thành tích chưa có minh chứng."]


def test_a_council_vote_nobody_passes_tells_the_unit_the_votes(factory, engine, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id, ids = mixed(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)  # the office approves: the ward council votes
    votes = {nid: NomineeResult(True, votes_for=1, votes_against=4) for nid in ids.values()}
    decide(factory, engine, dossier_id, "approve", results=votes, council=CouncilCount(5, 5))
    [text] = shown(factory, "hn-hd-pl-tp.unit_clerk", dossier_id)
    assert text == "Hồ sơ “Đề nghị khen thưởng” không được khen thưởng ở cấp phường/xã: Không đạt tỷ lệ phiếu (1/5)."


def test_a_district_chairmans_refusal_after_a_ward_grant_names_both(factory, engine, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id, _ = mixed(factory, engine)
    for _ in range(4):
        act(factory, engine, dossier_id)  # submit, office, council, ward chairman: the ward's Giấy khen granted
    assert shown(factory, CLERK, dossier_id) == []  # the process goes on: nothing told yet
    for _ in range(2):
        act(factory, engine, dossier_id)  # the district's Phòng Nội vụ and council
    assert open_task(factory, dossier_id).bpmn_id == "district_chairman_decide"
    act(factory, engine, dossier_id, "reject", "Chưa đủ tiêu chuẩn khen cấp quận")  # "Không khen thưởng"
    assert shown(factory, CLERK, dossier_id) == [
        "Hồ sơ “Đề nghị khen thưởng” được khen thưởng một phần. "
        "Được khen thưởng: Giấy khen của Chủ tịch UBND phường Phú Lãm (Nguyễn Văn Xã). "
        "Không được khen thưởng: Bộ phận Tư pháp - Hộ tịch (cấp quận/huyện: Chưa đủ tiêu chuẩn khen cấp quận); "
        "Trần Thị Huyện (cấp quận/huyện: Chưa đủ tiêu chuẩn khen cấp quận)."]


def test_the_province_grant_tells_the_unit_its_award(factory, engine, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = new_dossier(factory, engine)  # one nominee, for the province's Bằng khen
    steps = 0
    while open_task(factory, dossier_id):
        assert outcome_rows(factory, dossier_id) == []
        act(factory, engine, dossier_id)
        steps += 1
    assert steps == 10  # unit, and office (or Nội vụ, or Ban), council and chairman at each of three levels
    assert outcome_rows(factory, dossier_id) == [(CLERK, "granted", None)]
    assert shown(factory, CLERK, dossier_id) == [
        f"Hồ sơ “{TITLE}” đã được khen thưởng: Bằng khen của Chủ tịch UBND thành phố Hà Nội (Nguyễn Văn Ánh)."]


def test_the_clerk_who_lodges_a_dossier_is_not_told_of_its_first_task_but_a_colleague_is(factory, engine, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    with factory() as session, session.begin():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        make_user(session, "hn-hd-pl-tp.clerk-2", "unit_clerk", unit)
    dossier_id = new_dossier(factory, engine)
    with factory() as session:
        told = session.execute(select(User.username, Notification.kind).join(User, User.id == Notification.user_id)
                               .where(Notification.dossier_id == dossier_id)).all()  # fmt: skip
    assert sorted(tuple(t) for t in told) == [("hn-hd-pl-tp.clerk-2", "task")]


def test_the_outcome_is_mailed_to_the_clerks_with_the_dossiers_link(factory, engine, smtp):  # noqa: F811
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
    dossier_id = new_dossier(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id, "reject", "Thành tích chưa có minh chứng")
    assert drain(factory, "test", JobContext()).failed == 0
    assert outcome_rows(factory, dossier_id) == [(CLERK, "not_granted", None)]
    mails = {(rcpt[0], str(message["Subject"])): message for rcpt, message in smtp.messages}
    key = (f"{CLERK}@example.vn", f"[Thi đua] Hồ sơ không được khen thưởng: {TITLE}")
    assert key in mails, sorted(mails)
    body = mails[key].get_body().get_content()
    assert f"Hồ sơ “{TITLE}” không được khen thưởng ở cấp phường/xã: Thành tích chưa có minh chứng." in body
    assert f"https://thidua.example.vn/dossiers/{dossier_id}" in body
    # Told to the unit's clerk only (not the office clerk who refused it); the clerk who lodged the dossier was
    # not told of the task the lodging opened for them.
    assert [r for r, s in mails if "không được khen thưởng" in s] == [f"{CLERK}@example.vn"]
    assert not any(s.startswith("[Thi đua] Việc mới") for r, s in mails if r == f"{CLERK}@example.vn")


def test_a_granted_dossier_mails_the_award(factory, engine, smtp):  # noqa: F811
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
    dossier_id, ids = mixed(factory, engine)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)
    act(factory, engine, dossier_id)  # the council passes everyone
    # The ward chairman grants the ward's Giấy khen and turns the other two down: the process ends at the ward.
    decide(factory, engine, dossier_id, "approve", results={
        ids["Bộ phận Tư pháp - Hộ tịch"]: NomineeResult(False, "Đã khen năm trước"),
        ids["Trần Thị Huyện"]: NomineeResult(False, "Chưa đủ thời gian công tác")})  # fmt: skip
    assert open_task(factory, dossier_id) is None
    assert drain(factory, "test", JobContext()).failed == 0
    mails = {(rcpt[0], str(message["Subject"])): message for rcpt, message in smtp.messages}
    key = (f"{CLERK}@example.vn", "[Thi đua] Hồ sơ được khen thưởng một phần: Đề nghị khen thưởng")
    assert key in mails, sorted(mails)
    body = mails[key].get_body().get_content()
    assert ("Được khen thưởng: Giấy khen của Chủ tịch UBND phường Phú Lãm (Nguyễn Văn Xã). Không được khen thưởng: "
            "Bộ phận Tư pháp - Hộ tịch (cấp phường/xã: Đã khen năm trước); Trần Thị Huyện (cấp phường/xã: Chưa đủ "
            "thời gian công tác).") in body  # fmt: skip
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "send_email")) == len(smtp.messages)


@pytest.fixture
def pg_factory(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    db = make_engine(postgres_url)
    yield make_session_factory(db)
    db.dispose()


def test_on_postgresql_the_outcome_notice_rides_with_the_audit_append(pg_factory, engine, monkeypatch):
    """The completion that ends the process sends what an ordinary one sends: its notice is in the append."""
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    dossier_id = new_dossier(pg_factory, engine)
    act(pg_factory, engine, dossier_id)
    task = open_task(pg_factory, dossier_id)
    sent: list[str] = []
    event.listen(pg_factory.kw["bind"], "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_rest: sent.append(" ".join(statement.split())))  # fmt: skip
    with pg_factory() as session, session.begin():
        actor = actor_for(session, "hn-hd-pl.office_clerk")
        start = len(sent)
        complete_task(session, actor, engine, task.id, "reject", "Thành tích chưa có minh chứng")
        completion = sent[start:]
    assert [statement.split()[0] for statement in completion] == [
        "SELECT",  # the task with its instance, dossier, campaign and lane owners
        "SELECT",  # the nominees still travelling (a refusal rejects each of them)
        "UPDATE",  # the instance, ended
        "UPDATE",  # the nominees' outcomes
        "INSERT",  # their decisions
        "WITH",  # the dossier, the unit's notice, the task's compare-and-set, the audit events and the chain head
    ], completion
    assert "INSERT INTO notification" in completion[-1]
    assert outcome_rows(pg_factory, dossier_id) == [(CLERK, "not_granted", None)]
