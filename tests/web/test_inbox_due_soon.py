"""The inbox's "due soon" filter (page and API): tasks whose due time is within three days, and steps without a timer
whose deadline for reaching the next level is between today and three days on; with "overdue" too, either kind.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from service.models import HumanTask
from tests.web.conftest import EACH_DATABASE, app_on_each_database
from tests.web.test_batches import at_ward_chairman, at_ward_council
from tests.web.test_inbox_forward_by import _bearer, _deadlines, _task_of, _unit_dossier

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _listed(client, query: str) -> set[int]:
    page = client.get(f"/inbox/?filter=1&{query}").get_data(as_text=True)
    return {int(task_id) for task_id in re.findall(r'<tr[^>]*data-task-id="(\d+)"', page)}


def _api_listed(client, username: str, query: str) -> set[int]:
    response = client.get(f"/api/v1/tasks?{query}", headers=_bearer(client, username))
    assert response.status_code == 200, response.get_json()
    return {task["id"] for task in response.get_json()["tasks"]}


def test_a_chairman_sees_the_dossiers_due_at_the_district_within_three_days(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))  # a district Giấy khen
    auth.login("hn-hd-pl.chairman")
    assert going_up in _listed(client, "")
    clock.set(datetime(2024, 12, 16, 16, 59, tzinfo=UTC))  # the 16th in Hà Nội: four days before
    assert going_up not in _listed(client, "due_soon=1")
    clock.set(datetime(2024, 12, 16, 17, 0, tzinfo=UTC))  # the 17th: three days before
    assert going_up in _listed(client, "due_soon=1")
    assert going_up in _api_listed(client, "hn-hd-pl.chairman", "due_soon=true")
    assert going_up not in _listed(client, "overdue=1")
    clock.set(datetime(2024, 12, 20, 17, 0, tzinfo=UTC))  # the 21st: past, so overdue and no longer "soon"
    assert going_up not in _listed(client, "due_soon=1")
    assert going_up in _listed(client, "overdue=1") and going_up in _listed(client, "overdue=1&due_soon=1")


def test_a_council_dossier_decided_at_the_ward_is_never_due_soon(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    staying = _task_of(app, at_ward_council(app, "HN-HD-PL-VH", ["Người hai"]))  # a ward Giấy khen
    auth.login("hn-hd-pl.council_secretary")
    clock.set(datetime(2024, 12, 18, 1, 0, tzinfo=UTC))
    assert staying in _listed(client, "") and staying not in _listed(client, "due_soon=1")


def test_a_review_with_a_timer_is_due_soon_in_its_last_three_days(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    review = _unit_dossier(app, "Người bốn", "GK-HUYEN", submit=True)
    with app.extensions["thidua.session_factory"]() as session:
        due_at = session.get(HumanTask, review).due_at
    assert due_at is not None
    auth.login("hn-hd-pl.office_clerk")
    clock.set(due_at - timedelta(days=3, minutes=1))
    assert review not in _listed(client, "due_soon=1")
    clock.set(due_at - timedelta(days=3))
    assert review in _listed(client, "due_soon=1")
    assert review in _api_listed(client, "hn-hd-pl.office_clerk", "due_soon=true")
    assert review not in _api_listed(client, "hn-hd-pl.office_clerk", "due_soon=true&overdue=false&campaign=KHAC")
    clock.set(due_at)  # due now: overdue, not "soon"
    assert review not in _listed(client, "due_soon=1") and review in _listed(client, "overdue=1")


def test_the_filter_is_saved_and_said_and_bad_api_values_are_refused(app, client, auth):
    auth.login("hn-hd-pl.chairman")
    page = client.get("/inbox/?filter=1&due_soon=1").get_data(as_text=True)
    assert re.search(r'name="due_soon" value="1" checked', page)
    english = client.get("/inbox/?filter=1&due_soon=1&lang=en").get_data(as_text=True)
    assert "Due soon only (next 3 days)" in english
    client.get("/inbox/?lang=vi")
    from tests.web.conftest import csrf_from

    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    client.post("/inbox/filter", data={"_csrf": token, "due_soon": "1"})
    saved = client.get("/inbox/").get_data(as_text=True)
    assert re.search(r"Đang dùng bộ lọc đã lưu:\s*<strong>Chỉ việc sắp đến hạn \(3 ngày tới\)</strong>", saved)
    response = client.get("/api/v1/tasks?due_soon=yes", headers=_bearer(client, "hn-hd-pl.chairman"))
    assert response.status_code == 400
    assert "Tham số 'due_soon' phải là true hoặc false." in response.get_json()["error"]["message"]
