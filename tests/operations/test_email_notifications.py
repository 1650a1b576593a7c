"""Notifications and their e-mails, through a real local SMTP server (aiosmtpd): a new task in an inbox,
a return for supplement and an escalation each reach the right people, in Vietnamese, UTF-8, with a link."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from service.models import HumanTask, Job, JobStatus, Notification, OrgUnit, RoleAssignment, User
from service.operations import job_kinds  # noqa: F401 - registers send_email
from service.operations.jobs import JobContext, drain
from service.operations.timers import fire_due_timers
from service.queries.notifications import recent_notices
from tests.factories import make_user
from workflows import Engine, FixedClock

from .helpers import act, new_dossier

# The step's name in bpmn/commendation_chain.bpmn: task rows do not store it (migration 0023).
STEP_NAMES = {"ward_office_review": "Thẩm định hồ sơ (Văn phòng UBND phường/xã)"}


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    for port in range(5900, 6000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 5900-5999")


@pytest.fixture
def smtp(monkeypatch):
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("THIDUA_SMTP_PORT", str(port))
    monkeypatch.setenv("THIDUA_SMTP_FROM", "thidua@phulam.gov.vn")
    monkeypatch.setenv("THIDUA_BASE_URL", "https://thidua.example.vn")
    yield sink
    controller.stop()


def test_task_return_and_escalation_mail_the_right_people(factory, smtp):
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), dossier_id)  # submit: a task in the ward office's inbox
    act(factory, Engine(clock), dossier_id, "return", "Thiếu biên bản họp bình xét")
    act(factory, Engine(clock), dossier_id)  # resubmit
    with factory() as session, session.begin():
        fire_due_timers(session, Engine(FixedClock(clock.advance(days=11))))
    assert drain(factory, "test", JobContext()).failed == 0

    with factory() as session:
        notes = session.execute(select(Notification.kind, User.username, User.email, HumanTask)
                                .join(User, User.id == Notification.user_id)
                                .join(HumanTask, HumanTask.id == Notification.task_id)
                                .where(Notification.dossier_id == dossier_id).order_by(Notification.id)).all()  # fmt: skip
        assert session.scalar(select(Job.id).where(Job.status != JobStatus.DONE)) is None
    kinds = [kind for kind, *_ in notes]
    assert "returned" in kinds and "escalation" in kinds and kinds.count("task") >= 2
    returned = [(username, task) for kind, username, _, task in notes if kind == "returned"]
    assert [u for u, _ in returned] == ["hn-hd-pl-tp.unit_clerk"] and returned[0][1].bpmn_id == "unit_prepare"
    escalated = [(username, task) for kind, username, _, task in notes if kind == "escalation"]
    assert escalated and all(u.endswith("." + t.escalate_to_role) for u, t in escalated)
    assert all(kind != "task" or username.endswith("." + task.role) for kind, username, _, task in notes)

    mails = {(rcpt[0], str(message["Subject"])): message for rcpt, message in smtp.messages}
    assert len(smtp.messages) == len(notes)  # one mail per notification
    subject = "[Thi đua] Hồ sơ bị trả lại để bổ sung: Đề nghị khen thưởng năm 2024"
    assert ("hn-hd-pl-tp.unit_clerk@example.vn", subject) in mails, sorted(mails)
    mail = mails[("hn-hd-pl-tp.unit_clerk@example.vn", subject)]
    body = mail.get_body().get_content()
    assert "Đề nghị khen thưởng năm 2024" in body and f"https://thidua.example.vn/inbox/tasks/{returned[0][1].id}" in body
    assert mail["From"] == "thidua@phulam.gov.vn" and mail.get_content_charset() == "utf-8"
    for username, task in escalated:
        assert (f"{username}@example.vn", f"[Thi đua] Việc quá hạn: {STEP_NAMES[task.bpmn_id]}") in mails
    ward_task = next(task for kind, _, _, task in notes if kind == "task" and task.bpmn_id != "unit_prepare")
    assert any(subject == f"[Thi đua] Việc mới: {STEP_NAMES[ward_task.bpmn_id]}" for _, subject in mails)


def test_no_smtp_means_notifications_but_no_mail_jobs(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), dossier_id)  # submitted: the ward office is told (the clerk who lodged it is not)
    with factory() as session:
        assert session.scalar(select(Notification.id).where(Notification.dossier_id == dossier_id)) is not None
        assert session.scalar(select(Job.id).where(Job.kind == "send_email")) is None


def test_a_deactivated_official_is_neither_notified_nor_mailed(factory, monkeypatch):
    monkeypatch.delenv("THIDUA_SMTP_HOST", raising=False)
    with factory() as session, session.begin():
        session.execute(update(User).where(User.username == "hn-hd-pl.office_clerk").values(is_active=False))
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), dossier_id)  # submit: the ward office's task opens
    with factory() as session:
        told = set(session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                   .where(Notification.dossier_id == dossier_id)))  # fmt: skip
    assert "hn-hd-pl.office_clerk" not in told


def test_a_task_handed_to_one_official_tells_them_and_only_them(factory, smtp):
    from service.operations.accounts import actor_for
    from service.operations.assignments import assign_task
    from service.operations.instance_admin import reassign_task

    from .helpers import open_task, owner_username

    with factory() as session, session.begin():
        session.execute(update(User).values(email=User.username + "@example.vn"))
    clock = FixedClock()
    dossier_id = new_dossier(factory, Engine(clock))
    act(factory, Engine(clock), dossier_id)  # submit: the ward office's task opens for the whole group
    task = open_task(factory, dossier_id)
    reviewer = owner_username(factory, task)
    with factory() as session, session.begin():
        before = session.scalar(select(func.max(Notification.id)))
        reassign_task(session, actor_for(session, "admin"), Engine(clock), task.id,
                      session.scalar(select(User.id).where(User.username == reviewer)), "Giao cho người trực")  # fmt: skip
    with factory() as session, session.begin():
        session.get(HumanTask, task.id).claimed_by = None
    with factory() as session, session.begin():
        me = actor_for(session, reviewer)
        assign_task(session, me, Engine(clock), task.id, me.user_id)  # taking it oneself tells nobody
    assert drain(factory, "test", JobContext()).failed == 0
    with factory() as session:
        notes = session.execute(select(Notification.kind, User.username, Notification.task_id, Notification.user_id)
                                .join(User, User.id == Notification.user_id).where(Notification.id > before)).all()  # fmt: skip
        text = recent_notices(session, notes[0].user_id, 1)[0].text
    assert [(kind, username, task_id) for kind, username, task_id, _ in notes] == [("assigned", reviewer, task.id)]
    assert text.startswith("Bạn được giao việc: ") and "Đề nghị khen thưởng năm 2024" in text
    assert [(rcpt, str(message["Subject"])) for rcpt, message in smtp.messages if "giao" in str(message["Subject"])] == [
        ([f"{reviewer}@example.vn"], f"[Thi đua] Bạn được giao việc: {STEP_NAMES[task.bpmn_id]}")]  # fmt: skip


def _notified(factory, dossier_id):
    with factory() as session:
        return sorted(tuple(row) for row in session.execute(
            select(Notification.kind, User.username, HumanTask.bpmn_id).join(User, User.id == Notification.user_id)
            .join(HumanTask, HumanTask.id == Notification.task_id).where(Notification.dossier_id == dossier_id)
        ))  # fmt: skip


def test_without_smtp_the_database_picks_the_same_recipients_as_with_it(factory, monkeypatch):
    """With no e-mail to write, a new task's holders are notified by one INSERT … SELECT; it must reach exactly
    the people the e-mail path reaches: holders valid on the day, active, each once, and none told twice."""
    clock = FixedClock()
    today = clock.now().date()
    with factory() as session, session.begin():
        ward = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL"))
        second = make_user(session, "hn-hd-pl.office_clerk2", "office_clerk", ward, full_name="Trần Thị Bình")
        former = make_user(session, "hn-hd-pl.office_clerk_cu", "office_clerk", ward, full_name="Phạm Văn Cũ")
        session.execute(update(RoleAssignment).where(RoleAssignment.user_id == former.id)
                        .values(valid_to=today - timedelta(days=1)))  # fmt: skip
        # Holding another role at the unit as well must not tell her twice.
        session.add(RoleAssignment(user_id=second.id, role="council_secretary", org_unit_id=ward.id))

    def journey() -> int:
        dossier_id = new_dossier(factory, Engine(clock))
        act(factory, Engine(clock), dossier_id)  # submit: the ward office's task opens
        act(factory, Engine(clock), dossier_id, "return", "Thiếu biên bản họp bình xét")
        act(factory, Engine(clock), dossier_id)  # resubmitted
        return dossier_id

    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")  # mails are only queued here, never sent
    monkeypatch.setenv("THIDUA_SMTP_FROM", "thidua@phulam.gov.vn")
    mailed = _notified(factory, journey())
    monkeypatch.delenv("THIDUA_SMTP_HOST")
    inserted = _notified(factory, journey())
    assert inserted == mailed
    ward_office = [user for kind, user, step in inserted if step == "ward_office_review"]
    assert sorted(ward_office) == ["hn-hd-pl.office_clerk", "hn-hd-pl.office_clerk", "hn-hd-pl.office_clerk2",
                                   "hn-hd-pl.office_clerk2"]  # two arrivals at the ward office, two holders each
    assert ("returned", "hn-hd-pl-tp.unit_clerk", "unit_prepare") in inserted
