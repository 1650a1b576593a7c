"""A council's and a chairman's inbox row has no timer of its own: it shows the campaign's deadline for reaching the
next level (where the dossier still goes up), and says when that deadline has passed. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service.domain.deadlines import VN
from service.models import Campaign, HumanTask, OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.demo import attach_sample_documents
from service.operations.tasks import complete_task, open_task_for
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, app_on_each_database
from tests.web.test_batches import at_ward_chairman, at_ward_council

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _deadlines(app, **levels: str) -> None:
    """The test campaign's deadlines by level, as an import of its file would set them."""
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        campaign = session.scalar(select(Campaign).where(Campaign.code == "TEST-PL-ALL"))
        campaign.deadlines_json = json.dumps(levels)


def _task_of(app, dossier_id: int) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return open_task_for(session, dossier_id).id


def _due_cell(page: str, task_id: int) -> str:
    row = re.search(rf'<tr[^>]*data-task-id="{task_id}".*?</tr>', page, re.S)
    assert row, f"task {task_id} is not in the inbox"
    return re.findall(r"<td>(.*?)</td>", row.group(0), re.S)[-2]  # the "Hạn xử lý" column


def test_chairman_row_shows_the_next_levels_deadline_and_when_it_has_passed(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))  # a district Giấy khen
    auth.login("hn-hd-pl.chairman")
    cell = _due_cell(client.get("/inbox/").get_data(as_text=True), going_up)
    assert "20/12/2024<br><span class=\"muted\">hạn gửi về cấp quận/huyện</span>" in cell and "forward-late" not in cell
    english = _due_cell(client.get("/inbox/?lang=en").get_data(as_text=True), going_up)
    assert "20/12/2024<br><span class=\"muted\">deadline to reach the district level</span>" in english
    client.get("/inbox/?lang=vi")
    listed = client.get("/api/v1/tasks", headers=_bearer(client, "hn-hd-pl.chairman")).get_json()["tasks"]
    assert next(t for t in listed if t["id"] == going_up)["forward_by"] == {
        "level": "district", "deadline": "2024-12-20", "passed": False}
    # The last minute of the 20th in Hà Nội is still in time; from midnight the district refuses the dossier.
    clock.set(datetime(2024, 12, 20, 16, 59, tzinfo=UTC))
    assert "forward-late" not in _due_cell(client.get("/inbox/").get_data(as_text=True), going_up)
    clock.set(datetime(2024, 12, 20, 17, 0, tzinfo=UTC))
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="forward-late">Đã quá hạn<' in _due_cell(page, going_up)
    assert re.search(rf'<tr class="overdue" data-task-id="{going_up}"', page)  # highlighted as an overdue row is
    listed = client.get("/api/v1/tasks", headers=_bearer(client, "hn-hd-pl.chairman")).get_json()["tasks"]
    assert next(t for t in listed if t["id"] == going_up)["forward_by"]["passed"] is True


def test_a_dossier_decided_at_this_level_or_a_level_without_deadline_shows_none(app, client, auth):
    _deadlines(app, ward="2024-12-10")  # no district deadline
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    staying = _task_of(app, at_ward_council(app, "HN-HD-PL-VH", ["Người hai"]))  # a ward Giấy khen
    auth.login("hn-hd-pl.chairman")
    assert "forward-by" not in _due_cell(client.get("/inbox/").get_data(as_text=True), going_up)
    auth.logout()
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    auth.login("hn-hd-pl.council_secretary")
    assert "forward-by" not in _due_cell(client.get("/inbox/").get_data(as_text=True), staying)


def _unit_dossier(app, name: str, award: str, submit: bool = False) -> int:
    """A dossier of the unit HN-HD-PL-TP asking `award` for `name`, a draft or submitted; its open task's id."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, "hn-hd-pl-tp.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id,
                                 title="Đề nghị năm 2024", nominees=[NomineeInput("individual", name, award)])  # fmt: skip
        if submit:
            attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
            complete_task(session, clerk, engine, open_task_for(session, dossier.id).id, "submit")
        return open_task_for(session, dossier.id).id


def test_unit_clerks_draft_shows_the_wards_deadline(app, client, auth):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    draft = _unit_dossier(app, "Người ba", "BK-TINH")
    auth.login("hn-hd-pl-tp.unit_clerk")
    cell = _due_cell(client.get("/inbox/").get_data(as_text=True), draft)
    assert "10/12/2024<br><span class=\"muted\">hạn gửi về cấp phường/xã</span>" in cell


def _bearer(client, username: str) -> dict[str, str]:
    from tests.web.conftest import PASSWORD

    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _waiting_line(page: str) -> str:
    """The summary's "Đang chờ" line (the task page and the dossier page share it), tags removed."""
    line = re.search(r"<p>Đang chờ: (.*?)</p>", page, re.S)
    assert line, "no open task on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line.group(1)))


def test_task_and_dossier_pages_say_the_deadline_a_step_without_timer_works_to(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    dossier_id = at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    auth.login("hn-hd-pl.chairman")
    for path in (f"/inbox/tasks/{_task_of(app, dossier_id)}", f"/dossiers/{dossier_id}"):
        line = _waiting_line(client.get(path).get_data(as_text=True))
        assert "(Gửi về cấp quận/huyện chậm nhất ngày 20/12/2024)" in line and "Đã quá hạn" not in line, path
    clock.set(datetime(2024, 12, 21, 1, 0, tzinfo=UTC))
    for path in (f"/inbox/tasks/{_task_of(app, dossier_id)}", f"/dossiers/{dossier_id}"):
        assert "Đã quá hạn" in _waiting_line(client.get(path).get_data(as_text=True)), path


def test_task_page_of_a_step_with_a_timer_says_its_due_time_only(app, client, auth):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    # A district award waiting for the ward office, whose review has a timer: its due time, not the district's day.
    review_id = _unit_dossier(app, "Người bốn", "GK-HUYEN", submit=True)
    with app.extensions["thidua.session_factory"]() as session:
        review = session.get(HumanTask, review_id)
        assert review.bpmn_id == "ward_office_review" and review.due_at is not None
    auth.login("hn-hd-pl.office_clerk")
    line = _waiting_line(client.get(f"/inbox/tasks/{review_id}").get_data(as_text=True))
    assert re.search(r"\(Hạn xử lý \d\d/\d\d/\d{4} \d\d:\d\d\)", line) and "Gửi về" not in line


def test_batch_page_says_the_next_levels_deadline(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    at_ward_chairman(app, "HN-HD-PL-VH", ["Người hai"])
    auth.login("hn-hd-pl.chairman")
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    line = re.search(r'<p data-testid="batch-deadline">(.*?)</p>', client.get(link).get_data(as_text=True), re.S)
    assert line and "Gửi về cấp quận/huyện chậm nhất ngày 20/12/2024" in line.group(1) and "quá hạn" not in line.group(1)
    clock.set(datetime(2024, 12, 21, 1, 0, tzinfo=UTC))
    line = re.search(r'<p data-testid="batch-deadline">(.*?)</p>', client.get(link).get_data(as_text=True), re.S)
    assert "Đã quá hạn" in line.group(1)


def test_inbox_batch_list_says_the_next_levels_deadline(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])  # a district award: the chairman's batch goes up
    at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])  # a ward award: the council's batch is decided at the ward
    auth.login("hn-hd-pl.chairman")
    batches = re.search(r'data-testid="batches">(.*?)</div>', client.get("/inbox/").get_data(as_text=True), re.S).group(1)
    assert re.findall(r'data-testid="batch-forward-by">([^<]*)<', batches) == ["hạn gửi về cấp quận/huyện 20/12/2024"]
    clock.set(datetime(2024, 12, 21, 1, 0, tzinfo=UTC))
    batches = re.search(r'data-testid="batches">(.*?)</div>', client.get("/inbox/").get_data(as_text=True), re.S).group(1)
    assert "Đã quá hạn" in batches
    auth.logout()
    auth.login("hn-hd-pl.council_secretary")
    batches = re.search(r'data-testid="batches">(.*?)</div>', client.get("/inbox/").get_data(as_text=True), re.S).group(1)
    assert "batch-forward-by" not in batches


def test_api_row_of_a_step_with_a_timer_has_no_forward_by(app, client):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    review_id = _unit_dossier(app, "Người năm", "GK-HUYEN", submit=True)  # at the ward office: its timer's due time
    listed = client.get("/api/v1/tasks", headers=_bearer(client, "hn-hd-pl.office_clerk")).get_json()["tasks"]
    row = next(t for t in listed if t["id"] == review_id)
    assert row["due_at"] is not None and row["forward_by"] is None


def test_overdue_filter_lists_steps_past_their_forward_by_deadline(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    staying = _task_of(app, at_ward_chairman(app, "HN-HD-PL-VH", ["Người hai"], award="GK-XA"))  # granted at the ward
    auth.login("hn-hd-pl.chairman")
    rows = lambda: [int(i) for i in re.findall(r'data-task-id="(\d+)"', client.get("/inbox/?filter=1&overdue=1")  # noqa: E731
                                                .get_data(as_text=True))]  # fmt: skip
    assert going_up not in rows() and staying not in rows()
    clock.set(datetime(2024, 12, 20, 17, 0, tzinfo=UTC))  # the 21st in Hà Nội: the district's day has passed
    assert going_up in rows() and staying not in rows()
    listed = client.get("/api/v1/tasks?overdue=true", headers=_bearer(client, "hn-hd-pl.chairman")).get_json()["tasks"]
    assert going_up in [t["id"] for t in listed]


def test_campaign_dashboard_counts_steps_past_their_forward_by_deadline(app, client, auth, clock):
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    auth.login("hn-hd-pl.chairman")

    def overdue() -> str:
        page = client.get("/campaigns/TEST-PL-ALL/dashboard").get_data(as_text=True)
        return re.search(r"<h2>Việc quá hạn</h2>\s*<ul>(.*?)</ul>", page, re.S).group(1)

    assert "Chủ tịch xem xét, quyết định" not in overdue()
    clock.set(datetime(2024, 12, 21, 1, 0, tzinfo=UTC))
    assert re.search(r"Chủ tịch xem xét, quyết định: <span class=\"badge overdue\">1</span>", overdue())


def _order(page: str, task_ids: list[int]) -> list[int]:
    found = [int(t) for t in re.findall(r'<tr[^>]*data-task-id="(\d+)"', page)]
    return [t for t in found if t in task_ids]


def test_by_due_date_a_step_without_timer_is_due_on_its_forward_by_day(app, client, auth, clock):
    # Older first: a dossier decided at the ward (no deadline to work to), then two going up to the district.
    staying = _task_of(app, at_ward_chairman(app, "HN-HD-PL-VH", ["Người hai"], award="GK-XA"))
    first_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    second_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TC", ["Người ba"]))
    ours = [staying, first_up, second_up]
    auth.login("hn-hd-pl.chairman")
    # Without a district deadline nothing is due: by arrival.
    assert _order(client.get("/inbox/").get_data(as_text=True), ours) == ours
    _deadlines(app, ward="2024-12-10", district="2024-12-20")
    # Now the two going up are due on the 20th: before the one without a deadline, by arrival between them.
    assert _order(client.get("/inbox/").get_data(as_text=True), ours) == [first_up, second_up, staying]
    listed = client.get("/api/v1/tasks", headers=_bearer(client, "hn-hd-pl.chairman")).get_json()["tasks"]
    assert [t["id"] for t in listed if t["id"] in ours] == [first_up, second_up, staying]
    # Sorted by arrival, the deadline plays no part.
    assert _order(client.get("/inbox/?filter=1&sort=arrival").get_data(as_text=True), ours) == ours


def test_a_timer_due_before_the_forward_by_day_comes_first_and_after_it_later(app, client, auth, clock):
    review = _unit_dossier(app, "Người bốn", "GK-HUYEN", submit=True)  # the ward office's review: a timer
    with app.extensions["thidua.session_factory"]() as session:
        due_at = session.get(HumanTask, review).due_at
    going_up = _task_of(app, at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"]))
    # The review is escalated to the chairman once overdue: both rows are then in the chairman's inbox.
    from service.operations.timers import fire_due_timers

    clock.set(due_at + timedelta(minutes=1))
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        fire_due_timers(session, app.extensions["thidua.engine"])
    auth.login("hn-hd-pl.chairman")
    day = (due_at.astimezone(VN).date() + timedelta(days=1)).isoformat()  # the district's day: after the review's due
    _deadlines(app, ward="2024-12-10", district=day)
    assert _order(client.get("/inbox/").get_data(as_text=True), [review, going_up]) == [review, going_up]
    day = (due_at.astimezone(VN).date() - timedelta(days=1)).isoformat()  # before it
    _deadlines(app, ward="2024-12-10", district=day)
    assert _order(client.get("/inbox/").get_data(as_text=True), [review, going_up]) == [going_up, review]
