"""On the notifications page, consecutive notices of one kind and step that arrived in the same minute (one timer
run's escalations, say) are shown as one line naming how many and which step, the notices folded under it; nothing
stored changes. A notice whose task was handled, of whichever kind, reads "đã xử lý" and offers no "Mở việc".
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from service.models import HumanTask, Notification, User
from service.queries.notifications import TASK_KINDS
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, submit_dossiers

CHAIRMAN = "hn-hd.chairman"
STEP = "Thẩm định hồ sơ (Văn phòng UBND phường/xã)"  # the ward office's step the submitted dossiers wait at
OVERDUE = 26

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _item(html: str, notification_id: int) -> str:
    match = re.search(rf'<li class="([^"]*)" data-id="{notification_id}">(.*?)</li>', html, re.S)
    assert match, f"notification {notification_id} is not listed"
    return f'class="{match.group(1)}" ' + match.group(2)


def _groups(html: str) -> list[tuple[int, str, list[int]]]:
    """Each group's count, heading and its notices' ids, in the page's order."""
    found = re.findall(r'<li class="group[^"]*" data-testid="notice-group" data-count="(\d+)">\s*<details>\s*'
                       r'<summary>.*?<span data-testid="group-heading">(.*?)</span>.*?</summary>(.*?)</details>',
                       html, re.S)  # fmt: skip
    return [(int(count), heading, [int(i) for i in re.findall(r'data-id="(\d+)"', body)])
            for count, heading, body in found]  # fmt: skip


def _summary(html: str) -> str:
    start = html.index('data-testid="notice-group"')
    return html[start:html.index("</summary>", start)]


def _notify(app, username: str, rows: list[tuple[str, int, datetime]]) -> list[int]:
    """Notices (kind, task, time) for the user, in this order; their ids."""
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        user_id = session.scalar(select(User.id).where(User.username == username))
        tasks = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.id.in_({r[1] for r in rows})))}
        dossiers = {t: session.scalar(select(Notification.dossier_id).where(Notification.task_id == t).limit(1))
                    for t in tasks}  # fmt: skip
        ids = []
        for kind, task_id, at in rows:
            ids.append(session.execute(insert(Notification).values(
                user_id=user_id, kind=kind, task_id=task_id, dossier_id=dossiers[task_id], created_at=at,
            ).returning(Notification.id)).scalar_one())  # fmt: skip
        return ids


def test_same_minute_escalations_of_one_step_are_one_line(app, client, auth: Auth):
    tasks = submit_dossiers(app, OVERDUE)
    minute = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
    # One timer run: 26 escalations within a minute (seconds apart); then one a minute later; a new task of the same
    # step in the same minute between two others (it breaks the run), and the same at another minute.
    run = _notify(app, CHAIRMAN, [("escalation", t, minute + timedelta(seconds=2 * n)) for n, t in enumerate(tasks)])
    later = _notify(app, CHAIRMAN, [("escalation", tasks[0], minute + timedelta(minutes=1))])
    mixed = _notify(app, CHAIRMAN, [("escalation", tasks[1], minute + timedelta(minutes=2)),
                                    ("task", tasks[2], minute + timedelta(minutes=2)),
                                    ("escalation", tasks[3], minute + timedelta(minutes=2, seconds=30))])  # fmt: skip
    with app.extensions["thidua.session_factory"]() as session:
        stored = session.scalars(select(Notification.id).where(Notification.id.in_(run + later + mixed))).all()
    assert len(stored) == OVERDUE + 4  # stored one per notice, as ever

    auth.login(CHAIRMAN)
    page = client.get("/notifications/").get_data(as_text=True)
    groups = _groups(page)
    assert groups == [(OVERDUE, f"{OVERDUE} hồ sơ quá hạn: {STEP}", sorted(run, reverse=True))]
    # Every notice is still there, inside its group, with its own sentence and buttons.
    for notice_id in run:
        assert "Quá hạn: " + STEP in _item(page, notice_id) and "Mở việc" in _item(page, notice_id)
    summary = _summary(page)
    assert f"({OVERDUE} chưa đọc)" in summary and "<details>" in page
    for notice_id in later + mixed:  # each alone: another minute, or a run broken by another kind
        assert _item(page, notice_id)
    assert page.count('data-testid="notice-group"') == 1
    badge = int(re.search(r'id="unread-count">(\d+)<', page).group(1))
    # Once some of those tasks are handled, the line says how many; the header's count drops by as many.
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        for task_id in tasks[-5:]:  # none of the notices outside the group names them
            session.get(HumanTask, task_id).state = "completed"
    page = client.get("/notifications/").get_data(as_text=True)
    summary = _summary(page)
    assert f"({OVERDUE - 5} chưa đọc)" in summary and "5 đã xử lý" in summary
    assert int(re.search(r'id="unread-count">(\d+)<', page).group(1)) == badge - 5
    english = client.get("/notifications/?lang=en").get_data(as_text=True)
    assert f"{OVERDUE} dossiers overdue: " in english and "5 handled" in english


def test_a_page_of_groups_reads_each_notice_once(app, client, auth: Auth):
    """Groups of other kinds (new tasks, returns, assignments), one per minute; none across a page's end twice."""
    tasks = submit_dossiers(app, 3)
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    rows = [(kind, task_id, start + timedelta(minutes=m))
            for m, kind in enumerate(("task", "task_returned", "returned", "assigned")) for task_id in tasks]
    ids = _notify(app, CHAIRMAN, rows)
    auth.login(CHAIRMAN)
    page = client.get("/notifications/").get_data(as_text=True)
    headings = [heading for _, heading, _ in _groups(page)]
    assert headings == [f"3 việc được giao cho bạn: {STEP}", f"3 hồ sơ của đơn vị bị trả lại để bổ sung: {STEP}",
                        f"3 hồ sơ bị trả lại để bổ sung; việc của bạn: {STEP}", f"3 việc mới: {STEP}"]  # fmt: skip
    assert sorted(i for _, _, group in _groups(page) for i in group) == sorted(ids)


def test_a_handled_tasks_notice_offers_no_open_button_whatever_its_kind(app, client, auth: Auth):
    handled, still_open = submit_dossiers(app, 2)
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        session.get(HumanTask, handled).state = "completed"
    start = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    # A minute apart, each alone.
    done = _notify(app, CHAIRMAN, [(kind, handled, start + timedelta(minutes=2 * n))
                                   for n, kind in enumerate(TASK_KINDS)])  # fmt: skip
    todo = _notify(app, CHAIRMAN, [(kind, still_open, start + timedelta(minutes=2 * n + 1))
                                   for n, kind in enumerate(TASK_KINDS)])  # fmt: skip
    auth.login(CHAIRMAN)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "notice-group" not in page
    for notice_id in done:
        item = _item(page, notice_id)
        assert 'class="read done"' in item and "đã xử lý" in item
        assert "Mở việc" not in item and "Đánh dấu đã đọc" not in item and "<form" not in item
    for notice_id in todo:
        item = _item(page, notice_id)
        assert 'class="unread"' in item and "đã xử lý" not in item and "Mở việc" in item and "Đánh dấu đã đọc" in item


def test_a_groups_line_names_the_units_whose_dossiers_it_folds(app, client, auth: Auth):
    """The ward office gets a minute's new tasks from several units: the line names each unit once (the newest
    notice's first), in Vietnamese and in English alike (unit names are data)."""
    units = ["HN-HD-PL-TC", "HN-HD-PL-TP", "HN-HD-PL-VH"]
    tasks = [*submit_dossiers(app, 2, units[0]), *submit_dossiers(app, 1, units[1]), *submit_dossiers(app, 1, units[2])]
    minute = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
    ids = _notify(app, "hn-hd-pl.office_clerk", [("task", t, minute + timedelta(seconds=n)) for n, t in enumerate(tasks)])
    with app.extensions["thidua.session_factory"]() as session:
        from service.models import OrgUnit

        names = {code: session.scalar(select(OrgUnit.name).where(OrgUnit.code == code)) for code in units}
    auth.login("hn-hd-pl.office_clerk")
    for lang in ("vi", "en"):
        page = client.get(f"/notifications/?lang={lang}").get_data(as_text=True)
        (group,) = [g for g in _groups(page) if set(g[2]) == set(ids)]
        summary = page[page.index('data-count="4"'):]
        summary = summary[:summary.index("</summary>")]
        said = re.search(r'data-testid="group-units">— (.*?)</span>', summary, re.S).group(1).strip()
        assert said == ", ".join([names[units[2]], names[units[1]], names[units[0]]]), lang
    client.get("/notifications/?lang=vi")


def test_a_group_at_the_end_of_a_page_is_not_split_across_two(app, client, auth: Auth, monkeypatch):
    from service.web import notifications as notification_pages

    monkeypatch.setattr(notification_pages, "PAGE", 12)
    tasks = submit_dossiers(app, 10)
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    # Oldest first: 6 notices a minute apart, a timer run of 10 escalations in one minute, 8 more a minute apart.
    older = _notify(app, CHAIRMAN, [("task", tasks[n], start + timedelta(minutes=n)) for n in range(6)])
    run = _notify(app, CHAIRMAN, [("escalation", t, start + timedelta(minutes=10, seconds=n)) for n, t in enumerate(tasks)])
    newer = _notify(app, CHAIRMAN, [("task", tasks[n], start + timedelta(minutes=20 + n)) for n in range(8)])
    auth.login(CHAIRMAN)
    first = client.get("/notifications/").get_data(as_text=True)
    # 12 a page: the 8 newer and 4 of the run; the page goes on to the run's end instead of splitting it.
    listed = [int(i) for i in re.findall(r'data-id="(\d+)"', first)]
    assert listed[:8] == sorted(newer, reverse=True) and sorted(listed[8:18]) == sorted(run)
    assert [g[0] for g in _groups(first)] == [len(run)]
    older_page = re.search(r'href="(/notifications/\?[^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(older_page).get_data(as_text=True)
    rest = [int(i) for i in re.findall(r'data-id="(\d+)"', second)]
    assert not set(rest) & set(listed) and rest[:6] == sorted(older, reverse=True)  # then the demo's own, if any
    assert _groups(second) == []
