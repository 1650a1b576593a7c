"""The notifications page at volume: a page at a time, newest first, keyset by id, with a message and an older page
when there are more; all or the unread ones only (those the header's badge counts); mark all read marks the user's
own notices only, not audited (as marking one read is not); the page's statements do not grow with its notices.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from service.models import AuditEvent, HumanTask, Notification, User
from service.operations.notifications import unread_count
from service.web.notifications import PAGE
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, submit_dossiers

OFFICE = "hn-hd-pl.office_clerk"
OTHER = "hn-hd.chairman"
EXTRA = PAGE + 30  # more than a page: the list must not stop at the first PAGE

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="[^"]*" data-id="(\d+)">', html)]


def _badge(html: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def _user(app, username: str) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return int(session.scalar(select(User.id).where(User.username == username)))


def _give(app, username: str, count: int, kinds: tuple[str, ...] = ("task",), task_ids: list[int] | None = None,
          read_every: int = 0) -> None:  # fmt: skip
    """`count` notices for the user, a minute apart (none grouped), of these kinds and tasks in turn; with
    `read_every`, every such one already read."""
    factory = app.extensions["thidua.session_factory"]
    user_id = _user(app, username)
    with factory() as session, session.begin():
        if task_ids is None:
            seeded = session.scalars(select(Notification).where(Notification.task_id.is_not(None))
                                     .order_by(Notification.id)).first()  # fmt: skip
            task_ids = [seeded.task_id]
        tasks = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)))}
        dossiers = {t.id: session.scalar(select(Notification.dossier_id).where(Notification.task_id == t.id).limit(1))
                    for t in tasks.values()}  # fmt: skip
        start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        rows = []
        for n in range(count):
            kind, task_id = kinds[n % len(kinds)], task_ids[n % len(task_ids)]
            outcome = kind in ("granted", "not_granted")
            rows.append({"user_id": user_id, "kind": kind, "dossier_id": dossiers[task_id],
                         "task_id": None if outcome else task_id, "created_at": start + timedelta(minutes=n),
                         "read_at": start if read_every and n % read_every == 0 else None})  # fmt: skip
        session.execute(insert(Notification), rows)


def _own_ids(app, username: str, unread_only: bool = False) -> list[int]:
    with app.extensions["thidua.session_factory"]() as session:
        query = select(Notification.id).where(Notification.user_id == _user(app, username))
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return list(session.scalars(query.order_by(Notification.id.desc())))


def test_the_list_pages_newest_first_with_an_older_page(app, client, auth: Auth):
    _give(app, OFFICE, EXTRA)
    everything = _own_ids(app, OFFICE)
    assert len(everything) > PAGE
    auth.login(OFFICE)
    first = client.get("/notifications/").get_data(as_text=True)
    assert _ids(first) == everything[:PAGE]
    assert 'data-testid="more-notices"' in first and "Còn thông báo cũ hơn những thông báo trên." in first
    link = re.search(r'<a href="([^"]+)" data-testid="older-page">Cũ hơn', first)
    assert link and link.group(1) == f"/notifications/?before={everything[PAGE - 1]}"
    second = client.get(link.group(1)).get_data(as_text=True)
    # The rest, in order, none twice; the last page has neither message nor link, and a way back to the newest.
    assert _ids(second) == everything[PAGE:2 * PAGE]
    assert len(everything) <= 2 * PAGE and 'data-testid="older-page"' not in second
    assert 'data-testid="more-notices"' not in second and 'data-testid="newest-page"' in second
    # The header's badge still counts all the unread ones, whichever page is shown.
    with app.extensions["thidua.session_factory"]() as session:
        counted = unread_count(session, _user(app, OFFICE))
    assert counted > PAGE and _badge(first) == _badge(second) == counted
    # Past the oldest: said so. A cursor that is no id starts at the newest page.
    past = client.get(f"/notifications/?before={everything[-1]}").get_data(as_text=True)
    assert _ids(past) == [] and "Không còn thông báo cũ hơn." in past
    assert _ids(client.get("/notifications/?before=" + "9" * 30).get_data(as_text=True)) == everything[:PAGE]
    assert _ids(client.get("/notifications/?before=abc").get_data(as_text=True)) == everything[:PAGE]
    english = client.get("/notifications/?lang=en").get_data(as_text=True)
    assert "There are notifications older than these." in english and ">Older →<" in english


def test_a_page_of_exactly_page_notices_has_no_older_link(app, client, auth: Auth):
    owned = len(_own_ids(app, OFFICE))
    _give(app, OFFICE, PAGE - owned)
    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    assert len(_ids(page)) == PAGE and 'data-testid="older-page"' not in page and "more-notices" not in page


def test_the_unread_filter_lists_what_the_badge_counts(app, client, auth: Auth):
    _give(app, OFFICE, 2 * PAGE, read_every=3)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # one of the unread notices' task is handled: it is not listed
        user_id = _user(app, OFFICE)
        handled = session.scalar(select(Notification).where(Notification.user_id == user_id,
                                                            Notification.read_at.is_(None),
                                                            Notification.task_id.is_not(None))
                                 .order_by(Notification.id))  # fmt: skip
        other_task = session.scalar(select(HumanTask).where(HumanTask.id != handled.task_id, HumanTask.state == "ready")
                                    .order_by(HumanTask.id))  # fmt: skip
        other_task.state = "cancelled"
        session.execute(insert(Notification), [{"user_id": user_id, "kind": "task", "task_id": other_task.id,
                                                "dossier_id": handled.dossier_id, "created_at": handled.created_at}])
    unread = _own_ids(app, OFFICE, unread_only=True)
    with factory() as session:
        done = set(session.scalars(select(Notification.id).join(HumanTask, HumanTask.id == Notification.task_id)
                                   .where(Notification.user_id == user_id, HumanTask.state != "ready")))  # fmt: skip
        counted = unread_count(session, user_id)
    wanted = [i for i in unread if i not in done]
    assert done and len(wanted) == counted > PAGE
    auth.login(OFFICE)
    first = client.get("/notifications/?show=unread").get_data(as_text=True)
    assert _ids(first) == wanted[:PAGE] and _badge(first) == counted
    assert '<strong>Chưa đọc</strong>' in first and 'href="/notifications/">Tất cả</a>' in first
    link = re.search(r'<a href="([^"]+)" data-testid="older-page">', first).group(1)
    assert link == f"/notifications/?before={wanted[PAGE - 1]}&amp;show=unread"
    second = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert _ids(second) == wanted[PAGE:] and 'data-testid="older-page"' not in second
    everything = client.get("/notifications/").get_data(as_text=True)
    assert _ids(everything) == _own_ids(app, OFFICE)[:PAGE] and '<strong>Tất cả</strong>' in everything
    # Marking one read from the filtered list comes back to it.
    token = auth.token("/notifications/")
    back = client.post(f"/notifications/{wanted[0]}/read", data={"_csrf": token, "show": "unread"})
    assert back.headers["Location"].endswith("/notifications/?show=unread")
    assert wanted[0] not in _ids(client.get("/notifications/?show=unread").get_data(as_text=True))
    # Nothing unread: said so.
    client.post("/notifications/read-all", data={"_csrf": token})
    assert "Không có thông báo chưa đọc." in client.get("/notifications/?show=unread").get_data(as_text=True)


def test_mark_all_read_marks_the_users_own_notices_only_and_is_not_audited(app, client, auth: Auth):
    _give(app, OFFICE, EXTRA)
    _give(app, OTHER, 5)
    others_unread = _own_ids(app, OTHER, unread_only=True)
    assert len(others_unread) >= 5 and len(_own_ids(app, OFFICE, unread_only=True)) > PAGE
    factory = app.extensions["thidua.session_factory"]
    auth.login(OFFICE)
    page = client.get("/notifications/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/notifications/read-all">(.*?)</form>', page, re.S)
    assert form and 'name="_csrf"' in form.group(1) and "Đánh dấu tất cả đã đọc" in form.group(1)
    assert client.post("/notifications/read-all", data={}).status_code in (400, 403)  # no CSRF token: refused
    assert len(_own_ids(app, OFFICE, unread_only=True)) > PAGE
    with factory() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post("/notifications/read-all", data={"_csrf": auth.token("/notifications/")})
    assert response.status_code == 302
    # Every unread notice of the user's, the ones past the first page too; nobody else's.
    assert _own_ids(app, OFFICE, unread_only=True) == []
    assert _own_ids(app, OTHER, unread_only=True) == others_unread
    page = client.get("/notifications/").get_data(as_text=True)
    assert _badge(page) == 0 and 'action="/notifications/read-all"' not in page
    with factory() as session:  # personal view state, as one notice's mark: no audit event
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_pages_statements_do_not_grow_with_its_notices(app, client, auth: Auth):
    """A page of 8 notices and one of a full page (on more dossiers, of every kind) cost the same statements."""
    tasks = submit_dossiers(app, 6)
    kinds = ("task", "escalation", "assigned", "task_returned", "returned", "granted", "not_granted")
    engine = app.extensions["thidua.db_engine"]
    auth.login(OFFICE)
    client.get("/notifications/")  # the process's definition read and cached once

    def count(url: str) -> tuple[int, str]:
        statements: list[str] = []

        def record(_conn, _cursor, sql, *_args):  # type: ignore[no-untyped-def]
            statements.append(sql)

        event.listen(engine, "before_cursor_execute", record)
        try:
            html = client.get(url).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements), html

    _give(app, OFFICE, 8, kinds, tasks[:2])
    few, html = count("/notifications/")
    assert len(_ids(html)) < 30
    _give(app, OFFICE, EXTRA, kinds, tasks)
    many, html = count("/notifications/")
    assert len(_ids(html)) == PAGE and 'data-testid="older-page"' in html
    assert many == few
    older, html = count(re.search(r'<a href="([^"]+)" data-testid="older-page">', html).group(1))
    assert older == few and _ids(html)
    unread, html = count("/notifications/?show=unread")
    assert unread == few and len(_ids(html)) == PAGE
