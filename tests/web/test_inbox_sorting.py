"""The inbox's rows can be ordered by due date (the default), by submitting unit, by campaign or by arrival (oldest
first), and the order is kept with the saved filter. Unit names sort as an official reads them, whatever the
database's collation: "Khu phố 2" before "Khu phố 10", "Ấp 9" among the A's (not after Z), in the unit filter's
choices, the rows sorted by unit and the campaign dashboard. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from service.models import HumanTask, OrgUnit
from service.domain.text import natural_key
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from, submit_dossiers

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

NAMES = {"HN-HD-PL-TC": "Khu phố 10", "HN-HD-PL-VH": "Khu phố 2", "HN-HD-PL-TP": "Ấp 9"}


def _rename_units(app) -> dict[str, int]:
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        for code, name in NAMES.items():
            session.execute(update(OrgUnit).where(OrgUnit.code == code).values(name=name))
        return {name: session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) for code, name in NAMES.items()}


def _row_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="[^"]*" data-task-id="(\d+)"', page)]


def _unit_choices(page: str) -> list[str]:
    options = re.search(r'<select name="unit_id">(.*?)</select>', page, re.S).group(1)
    return [name for name in re.findall(r"<option value=\"\d+\" (?:selected)?>([^<]+)</option>", options)]


def test_the_natural_key_orders_numbers_by_value_and_letters_by_their_base():
    names = ["Khu phố 10", "khu phố 2", "Đội 3", "Ấp 9", "Ấp 10", "Khu phố 1", "Dân cư", "Zeta"]
    assert sorted(names, key=natural_key) == ["Ấp 9", "Ấp 10", "Dân cư", "Đội 3", "Khu phố 1", "khu phố 2",
                                              "Khu phố 10", "Zeta"]  # fmt: skip


def _three_units(app) -> dict[str, int]:
    """One dossier of each renamed unit at the ward office, the last due first; their task ids by unit name."""
    ids = {}
    clock = app.extensions["thidua.engine"].clock
    for code in ("HN-HD-PL-TC", "HN-HD-PL-VH", "HN-HD-PL-TP"):
        ids[NAMES[code]] = submit_dossiers(app, 1, code)[0]
        clock.advance(hours=1)
    _rename_units(app)
    return ids


def test_unit_choices_and_rows_sorted_by_unit_read_numbers_by_value(app, client, auth: Auth):
    tasks = _three_units(app)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    choices = [name for name in _unit_choices(page) if name in NAMES.values()]
    assert choices == ["Ấp 9", "Khu phố 2", "Khu phố 10"]
    by_unit = client.get("/inbox/?filter=1&sort=unit").get_data(as_text=True)
    assert 'value="unit" selected' in by_unit
    order = [task for task in _row_ids(by_unit) if task in tasks.values()]
    assert order == [tasks["Ấp 9"], tasks["Khu phố 2"], tasks["Khu phố 10"]]


def test_rows_by_due_date_by_arrival_and_by_campaign(app, client, auth: Auth):
    tasks = _three_units(app)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # the first to arrive is due last
        first = session.get(HumanTask, tasks["Khu phố 10"])
        first.due_at = first.due_at + timedelta(days=30)
    auth.login("hn-hd-pl.office_clerk")
    mine = list(tasks.values())
    by_due = [t for t in _row_ids(client.get("/inbox/").get_data(as_text=True)) if t in mine]
    assert by_due == [tasks["Khu phố 2"], tasks["Ấp 9"], tasks["Khu phố 10"]]
    by_arrival = [t for t in _row_ids(client.get("/inbox/?filter=1&sort=arrival").get_data(as_text=True)) if t in mine]
    assert by_arrival == [tasks["Khu phố 10"], tasks["Khu phố 2"], tasks["Ấp 9"]]
    # The demo's dossiers of PL-CCHC-2024 come before this test's TEST-PL-ALL ones, each campaign's by due date.
    page = client.get("/inbox/?filter=1&sort=campaign").get_data(as_text=True)
    campaigns = re.findall(r"<td>((?:PL-CCHC-2024|TEST-PL-ALL))</td>", page)
    assert campaigns == sorted(campaigns) and len(set(campaigns)) == 2
    assert [t for t in _row_ids(page) if t in mine] == by_due
    # An unknown order is the default one.
    assert _row_ids(client.get("/inbox/?filter=1&sort=nonsense").get_data(as_text=True)) == \
        _row_ids(client.get("/inbox/?filter=1").get_data(as_text=True))


def test_the_order_is_kept_with_the_saved_filter(app, client, auth: Auth):
    tasks = _three_units(app)
    auth.login("hn-hd-pl.office_clerk")
    token = csrf_from(client.get("/inbox/").get_data(as_text=True))
    assert client.post("/inbox/filter", data={"_csrf": token, "sort": "unit"}).status_code == 302
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'value="unit" selected' in page
    listed = [t for t in _row_ids(page) if t in tasks.values()]
    assert listed == [tasks["Ấp 9"], tasks["Khu phố 2"], tasks["Khu phố 10"]]


def test_the_dashboard_lists_units_with_numbers_by_value(app, client, auth: Auth):
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # the demo's PL-CCHC-2024 dossiers come from these two units
        session.execute(update(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP").values(name="Khu phố 10"))
        session.execute(update(OrgUnit).where(OrgUnit.code == "HN-HD-PL-VH").values(name="Khu phố 2"))
    auth.login("hn-hd-pl.chairman")
    page = client.get("/campaigns/PL-CCHC-2024/dashboard").get_data(as_text=True)
    table = re.search(r'data-testid="units">(.*?)</table>', page, re.S).group(1)
    listed = [name for name in re.findall(r"<tr><td>([^<]+)</td>", table) if name.startswith("Khu phố")]
    assert listed == ["Khu phố 2", "Khu phố 10"]


def test_a_full_page_sorted_otherwise_holds_the_first_rows_of_the_whole_inbox_in_that_order(app, client, auth: Auth,
                                                                                          monkeypatch):  # fmt: skip
    from service.web import inbox as inbox_pages

    tasks = _three_units(app)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # "Ấp 9" (first by unit name, last to arrive) is due last of all
        last = session.get(HumanTask, tasks["Ấp 9"])
        last.due_at = last.due_at + timedelta(days=365)
    auth.login("hn-hd-pl.office_clerk")
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 1)
    # Sorted by unit, the one row shown is the first unit's, not the soonest due one's re-sorted.
    page = client.get("/inbox/?filter=1&sort=unit").get_data(as_text=True)
    assert _row_ids(page) == [tasks["Ấp 9"]]
    assert "những việc đầu tiên theo thứ tự đã chọn" in page
    # By arrival, the oldest of the whole inbox (the demo's dossiers arrived before this test's).
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 500)
    everything = _row_ids(client.get("/inbox/?filter=1&sort=arrival").get_data(as_text=True))
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 2)
    assert _row_ids(client.get("/inbox/?filter=1&sort=arrival").get_data(as_text=True)) == everything[:2]
    # By campaign, the first campaign's rows (the demo's PL-CCHC-2024) come before TEST-PL-ALL's, however late due.
    with factory() as session, session.begin():
        for task in session.scalars(select(HumanTask).where(HumanTask.state == "ready", HumanTask.id.notin_(tasks.values()),
                                                            HumanTask.due_at.is_not(None))):  # fmt: skip
            task.due_at = task.due_at + timedelta(days=800)
    monkeypatch.setattr(inbox_pages, "PAGE_SIZE", 1)
    page = client.get("/inbox/?filter=1&sort=campaign").get_data(as_text=True)
    assert re.findall(r"<td>((?:PL-CCHC-2024|TEST-PL-ALL))</td>", page) == ["PL-CCHC-2024"]
    # The default order says which rows it shows as before.
    assert "những việc đến hạn sớm nhất" in client.get("/inbox/?filter=1").get_data(as_text=True)
