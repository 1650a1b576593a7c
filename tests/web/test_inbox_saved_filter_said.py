"""A saved filter is applied on every visit to the inbox: the page says so ("Đang dùng bộ lọc đã lưu: …") and offers
"Bỏ lọc", which forgets it. The batches at the top ("Xét theo đợt") count every open task whatever the filter, and
say so when a filter narrows the list; their sizes read plural-correct in English ("1 dossier, 2 nominees"). On SQLite
and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from service.models import User, UserPreference
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from, submit_dossiers
from tests.web.test_batches import at_ward_council

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _row_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="[^"]*" data-task-id="(\d+)"', page)]


def _said(page: str) -> str | None:
    found = re.search(r'data-testid="saved-filter"[^>]*>(.*?)</form>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else None


def _saved_filters(app, username: str) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return session.scalar(select(func.count()).select_from(UserPreference).where(
            UserPreference.user_id == user_id, UserPreference.key == "inbox.filter"))  # fmt: skip


def test_the_saved_filter_is_said_and_bo_loc_forgets_it(app, client, auth: Auth):
    mine = submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    assert _said(page) is None  # nothing saved: nothing to say
    everything = _row_ids(page)
    unit_id = re.search(r'<option value="(\d+)" >Bộ phận Tài chính - Kế toán</option>', page).group(1)
    client.post("/inbox/filter", data={"_csrf": csrf_from(page), "unit_id": unit_id, "sort": "arrival"})
    page = client.get("/inbox/").get_data(as_text=True)
    assert sorted(_row_ids(page)) == sorted(mine)
    assert _said(page) == ("Đang dùng bộ lọc đã lưu: Đơn vị nộp Bộ phận Tài chính - Kế toán; "
                           "Sắp xếp theo ngày đến (cũ nhất trước) . Bỏ lọc")  # fmt: skip
    # A filter chosen on the page is the one in use: nothing saved is said.
    assert _said(client.get(f"/inbox/?filter=1&unit_id={unit_id}").get_data(as_text=True)) is None
    assert _saved_filters(app, "hn-hd-pl.office_clerk") == 1
    form = re.search(r'<form method="post" action="(/inbox/filter)"[^>]*data-testid="saved-filter"(.*?)</form>',
                     page, re.S)  # fmt: skip
    cleared = client.post(form.group(1), data=dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                                              form.group(2))))  # fmt: skip
    assert cleared.status_code == 302 and cleared.headers["Location"].endswith("/inbox/")
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Đã bỏ bộ lọc đã lưu." in page and _said(page) is None
    assert _row_ids(page) == everything
    assert _saved_filters(app, "hn-hd-pl.office_clerk") == 0  # forgotten, not saved empty


def test_the_saved_filter_reads_in_english(app, client, auth: Auth):
    submit_dossiers(app, 1)
    auth.login("hn-hd-pl.office_clerk")
    token = auth.token()
    client.post("/inbox/filter", data={"_csrf": token, "overdue": "1", "step": "ward_office_review"})
    said = _said(client.get("/inbox/?lang=en").get_data(as_text=True))
    assert said is not None and said.startswith("Using your saved filter: Step “") and "Overdue only" in said
    assert said.endswith("Clear filter")


def test_the_batches_say_they_count_every_open_task_when_a_filter_narrows(app, client, auth: Auth):
    at_ward_council(app, "HN-HD-PL-TP", ["Người một", "Người hai"])
    at_ward_council(app, "HN-HD-PL-VH", ["Người ba"])
    auth.login("hn-hd-pl.council_secretary")
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="batches"' in page and 'data-testid="batches-unfiltered"' not in page
    narrowed = client.get("/inbox/?filter=1&overdue=1").get_data(as_text=True)
    assert not _row_ids(narrowed)  # nothing overdue
    batches = re.search(r'data-testid="batches">(.*?)</div>', narrowed, re.S).group(1)
    assert "Các đợt tính mọi việc đang mở của bạn, không theo bộ lọc." in batches
    assert "2 hồ sơ, 3 người được đề nghị" in " ".join(batches.split())  # the same batch, the same counts


def test_batch_sizes_are_plural_correct_in_english(app, client, auth: Auth):
    at_ward_council(app, "HN-HD-PL-TP", ["Người một", "Người hai"])
    auth.login("hn-hd-pl.council_secretary")
    batches = re.search(r'data-testid="batches">(.*?)</div>', client.get("/inbox/?lang=en").get_data(as_text=True),
                        re.S).group(1)  # fmt: skip
    assert "1 dossier, 2 nominees" in " ".join(batches.split())
    at_ward_council(app, "HN-HD-PL-VH", ["Người ba"])
    batches = re.search(r'data-testid="batches">(.*?)</div>', client.get("/inbox/?lang=en").get_data(as_text=True),
                        re.S).group(1)  # fmt: skip
    assert "2 dossiers, 3 nominees" in " ".join(batches.split())
