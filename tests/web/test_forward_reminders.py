"""A few days before a forward-by deadline (the day a dossier must reach the next level up) the officials holding a
step without a timer of its own are reminded, in the app and by e-mail, once per task and deadline; the worker and
`thidua timers remind` send them. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from service.domain.deadlines import local_date
from service.models import AuditEvent, HumanTask, Job, Notification, ProcessInstance, TaskReminder, User
from service.operations.accounts import actor_for
from service.operations.instance_admin import suspend_instance
from service.operations.reminders import send_forward_reminders
from service.operations.tasks import claim_task, complete_task
from tests.web.conftest import EACH_DATABASE, app_on_each_database
from tests.web.test_batches import at_ward_chairman, at_ward_council
from tests.web.test_inbox_forward_by import _deadlines, _task_of, _unit_dossier

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

# 08:00 in Hà Nội on the 17th: the district's deadline of the 20th is three days away.
THREE_DAYS_BEFORE = datetime(2024, 12, 17, 1, 0, tzinfo=UTC)


def _remind(app, when: datetime, days: int = 3):
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        return send_forward_reminders(session, when, days)


def _notices(app, kind: str = "forward_reminder") -> list[tuple[int, int]]:
    """(user id, task id) of every notification of the kind, in order."""
    with app.extensions["thidua.session_factory"]() as session:
        return [tuple(row) for row in session.execute(
            select(Notification.user_id, Notification.task_id).where(Notification.kind == kind)
            .order_by(Notification.id))]  # fmt: skip


def _holder_ids(app, username_prefix: str) -> list[int]:
    with app.extensions["thidua.session_factory"]() as session:
        return list(session.scalars(select(User.id).where(User.username.like(f"{username_prefix}%"))
                                    .order_by(User.id)))  # fmt: skip


def _reminders(app) -> list[tuple[int, str, str, int]]:
    with app.extensions["thidua.session_factory"]() as session:
        return [(r.task_id, r.deadline.isoformat(), r.level, r.notified)
                for r in session.scalars(select(TaskReminder).order_by(TaskReminder.task_id, TaskReminder.deadline))]


def test_the_chairman_is_reminded_once_in_the_days_before_the_district_deadline(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))  # a district Giấy khen
    staying = _task_of(app, at_ward_council(app, "HN-HD-PL-VH", ["Người hai"]))  # a ward Giấy khen: decided here
    chairmen = _holder_ids(app, "hn-hd-pl.chairman")
    assert chairmen
    # Four days before: not yet. The last minute of the 16th in Hà Nội is still four days before.
    assert _remind(app, datetime(2024, 12, 16, 16, 59, tzinfo=UTC)).tasks == 0
    run = _remind(app, datetime(2024, 12, 16, 17, 0, tzinfo=UTC))
    assert (run.tasks, run.notices) == (1, len(chairmen))
    assert _notices(app) == [(user, going_up) for user in chairmen]
    assert _reminders(app) == [(going_up, "2024-12-20", "district", len(chairmen))]
    assert staying not in {task for _, task in _notices(app)}
    with app.extensions["thidua.session_factory"]() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.remind")).all()
        assert (event.object_type, event.object_id, event.actor_id) == ("human_task", str(going_up), None)
        assert json.loads(event.after_json) == {"level": "district", "deadline": "2024-12-20", "notified": chairmen}
        assert event.dossier_id == session.get(ProcessInstance, session.get(HumanTask, going_up).instance_id).dossier_id
    # Later passes, the deadline day itself included, send nothing again.
    assert _remind(app, THREE_DAYS_BEFORE).tasks == 0
    assert _remind(app, datetime(2024, 12, 20, 16, 0, tzinfo=UTC)).tasks == 0
    # The campaign moves the day: a reminder of the new one.
    _deadlines(app, ward="2024-12-10", district="2024-12-19")
    assert _remind(app, THREE_DAYS_BEFORE).tasks == 1
    assert [r[:2] for r in _reminders(app)] == [(going_up, "2024-12-19"), (going_up, "2024-12-20")]
    assert len(_notices(app)) == 2 * len(chairmen)


def test_no_reminder_once_the_deadline_has_passed_nor_with_days_zero(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    assert _remind(app, THREE_DAYS_BEFORE, days=0).tasks == 0
    assert _remind(app, datetime(2024, 12, 20, 17, 0, tzinfo=UTC)).tasks == 0  # the 21st in Hà Nội: too late
    assert _notices(app) == [] and _reminders(app) == []


def test_a_claimed_task_reminds_its_claimer_only(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    task_id = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        chairman = actor_for(session, "hn-hd-pl.chairman")
        claim_task(session, chairman, engine, task_id)
    assert _remind(app, THREE_DAYS_BEFORE).notices == 1
    assert _notices(app) == [(chairman.user_id, task_id)]


def test_steps_with_a_timer_and_suspended_processes_are_not_reminded(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    # A district award at the ward office's review, which has a timer of its own (its due time is what it works to).
    review = _unit_dossier(app, "Người bốn", "GK-HUYEN", submit=True)
    suspended = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        instance_id = session.get(HumanTask, suspended).instance_id
        suspend_instance(session, actor_for(session, "admin"), engine, instance_id, "Đang xác minh")
    assert _remind(app, THREE_DAYS_BEFORE).tasks == 0
    _remind(app, datetime(2024, 12, 7, 1, 0, tzinfo=UTC))  # the ward's day (10th) is near too (a seeded draft's)
    assert {review, suspended} & {task for task, *_ in _reminders(app)} == set()


def test_a_unit_clerks_draft_is_reminded_of_the_wards_deadline(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    draft = _unit_dossier(app, "Người ba", "BK-TINH")
    _remind(app, datetime(2024, 12, 8, 1, 0, tzinfo=UTC))
    clerks = _holder_ids(app, "hn-hd-pl-tp.unit_clerk")
    assert [r for r in _reminders(app) if r[0] == draft] == [(draft, "2024-12-10", "ward", len(clerks))]
    assert sorted(user for user, task in _notices(app) if task == draft) == clerks


def test_the_notifications_page_names_the_level_and_day_and_marks_it_handled_once_done(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    task_id = _task_of(app, dossier_id)
    _remind(app, THREE_DAYS_BEFORE)
    auth.login("hn-hd-pl.chairman")
    page = client.get("/notifications/").get_data(as_text=True)
    assert re.search(r"Hồ sơ “[^”]+” cần gửi về cấp quận/huyện chậm nhất ngày 20/12/2024; việc của bạn: ", page)
    english = client.get("/notifications/?lang=en").get_data(as_text=True)
    assert re.search(r"Dossier “[^”]+” must reach the district level by 20/12/2024; your task: ", english)
    client.get("/notifications/?lang=vi")
    assert client.get("/notifications/?show=unread").get_data(as_text=True).count("cần gửi về cấp quận/huyện") == 1
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    clock.set(THREE_DAYS_BEFORE)
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, "hn-hd-pl.chairman"), engine, task_id, "approve")
    # The task is done: the reminder no longer counts as unread, whoever decided it.
    assert "cần gửi về cấp quận/huyện" not in client.get("/notifications/?show=unread").get_data(as_text=True)


def test_reminder_emails_name_the_day_in_each_officials_language(app, monkeypatch):
    monkeypatch.setenv("THIDUA_SMTP_HOST", "127.0.0.1")  # the e-mails are only queued here, never sent
    monkeypatch.setenv("THIDUA_BASE_URL", "https://thidua.example.vn")
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    task_id = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        for number, user in enumerate(session.scalars(select(User).where(User.username.like("hn-hd-pl.chairman%")))):
            user.email = f"chu-tich-{number}@phulam.gov.vn"
    run = _remind(app, THREE_DAYS_BEFORE)
    with app.extensions["thidua.session_factory"]() as session:
        mails = [json.loads(job.payload_json) for job in session.scalars(
            select(Job).where(Job.kind == "send_email").order_by(Job.id))
            if "20/12/2024" in json.loads(job.payload_json)["subject"]]  # fmt: skip
    assert len(mails) == run.notices > 0
    for mail in mails:
        assert mail["subject"].startswith("[Thi đua] Hạn gửi về cấp quận/huyện ngày 20/12/2024: ")
        assert "chậm nhất ngày 20/12/2024" in mail["body"]
        assert f"https://thidua.example.vn/inbox/tasks/{task_id}" in mail["body"]


def test_the_cli_command_and_the_worker_remind_on_todays_date(app, tmp_path, monkeypatch):
    """`thidua timers remind` and one round of `thidua worker` use the real clock: deadlines are set near today."""
    from service.cli import main
    from service.config import Config
    from service.worker import run_worker

    first = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    second = _task_of(app, at_ward_chairman(app, "HN-HD-PL-VH", ["Người hai"]))
    today = local_date(datetime.now(UTC))
    _deadlines(app, district=(today + timedelta(days=2)).isoformat())
    url = app.extensions["thidua.db_engine"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("THIDUA_REMINDER_DAYS", "1")  # two days away: not yet with one day, yes with --days 2
    result = CliRunner().invoke(main, ["timers", "remind"])
    assert result.exit_code == 0 and result.output.startswith("0 việc được nhắc"), result.output
    result = CliRunner().invoke(main, ["timers", "remind", "--days", "2"])
    assert result.exit_code == 0 and result.output.startswith("2 việc được nhắc hạn gửi lên cấp trên"), result.output
    assert {task for task, *_ in _reminders(app)} == {first, second}
    # The worker, with its setting of 3 days: the new deadline (three days away) is reminded, once.
    monkeypatch.setenv("THIDUA_REMINDER_DAYS", "3")
    _deadlines(app, district=(today + timedelta(days=3)).isoformat())
    lines: list[str] = []
    run_worker(Config.from_env(), once=True, log=lines.append)
    assert any(line.startswith("2 việc được nhắc hạn gửi lên cấp trên") for line in lines), lines
    run_worker(Config.from_env(), once=True, log=lines.append)
    assert sum("được nhắc" in line for line in lines) == 1
    assert len(_reminders(app)) == 4


@pytest.mark.postgres
@pytest.mark.parametrize("app", ["postgres"], indirect=True)  # the race is PostgreSQL's: SQLite serialises writers
def test_two_workers_at_once_remind_each_task_once(app):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    tasks = [_task_of(app, at_ward_chairman(app, code, ["Người một"]))
             for code in ("HN-HD-PL-TP", "HN-HD-PL-VH", "HN-HD-PL-TC")]  # fmt: skip
    barrier, runs, errors = threading.Barrier(2), [], []

    def work() -> None:
        barrier.wait()
        try:
            runs.append(_remind(app, THREE_DAYS_BEFORE).tasks)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sum(runs) == len(tasks)
    assert sorted(task for task, *_ in _reminders(app)) == sorted(tasks)
    with app.extensions["thidua.session_factory"]() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "task.remind")) == len(tasks)  # fmt: skip
    assert len(_notices(app)) == len(tasks) * len(_holder_ids(app, "hn-hd-pl.chairman"))


def test_the_audit_trail_shows_the_reminder_in_words(app, client, auth):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    task_id = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    _remind(app, THREE_DAYS_BEFORE)
    auth.login("auditor")
    page = client.get("/audit/?action=task.remind").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Nhắc hạn gửi hồ sơ lên cấp trên(?:(?!</tr>).)*</tr>", page, re.S)
    assert row, "no reminder in the trail"
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert "Hạn gửi về : 2024-12-20" in words and "Cấp : quận/huyện" in words and "Người được nhắc :" in words
    english = client.get("/audit/?action=task.remind&lang=en").get_data(as_text=True)
    assert "Remind of the deadline to forward the dossier" in english and "Officials reminded" in english
    assert str(task_id) in row.group(0)
