"""A council batch at volume: the counts the council voted the whole list with are typed once ("Áp dụng số phiếu cho
tất cả") and stand for each nominee whose own boxes are empty; a refusal names every gap of every dossier at once,
and the top of the page names the dossiers refused, linked to their rows. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.models import Nominee, NomineeDecision
from service.operations.tasks import open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_batch_whole import _batch_link, _completions, _form, _nominee_ids, _task_of, at_council

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

SECRETARY = "hn-hd-pl.council_secretary"


def _page(client, auth: Auth) -> tuple[str, dict[str, object]]:
    """The batch page and its form as a browser sends it untouched: every nominee left at "Đồng ý"."""
    auth.login(SECRETARY)
    page = client.get(_batch_link(client)).get_data(as_text=True)
    return page, _form(page) | {f"nominee_{n}": "approve" for n in re.findall(r'name="nominee_(\d+)"', page)}


def _votes(app, nominee_ids: list[int]) -> dict[int, tuple[str, int | None, int | None, int | None]]:
    with app.extensions["thidua.session_factory"]() as session:
        return {d.nominee_id: (d.result, d.votes_for, d.votes_against, d.members_present)
                for d in session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id.in_(nominee_ids)))}


def test_the_votes_for_all_stand_for_every_nominee_without_counts_of_their_own(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một", "Người hai"])
    second = at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người ba"])
    ids = _nominee_ids(app, [first, second])
    page, form = _page(client, auth)
    # The control is at the top, before the table, as a plain pair of fields the server reads.
    top = page.split('data-testid="batch-table"')[0]
    assert 'name="votes_for_all"' in top and 'name="votes_against_all"' in top
    assert "Áp dụng số phiếu cho tất cả" in html.unescape(top)
    # Every box of every nominee left empty but one nominee's, voted otherwise (the exception).
    form |= {"council_size": "9", "present": "7", "votes_for_all": "6", "votes_against_all": "1",
             f"votes_for_{ids['Người hai']}": "2", f"votes_against_{ids['Người hai']}": "5"}  # fmt: skip
    response = client.post("/inbox/batch", data=form)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    assert _votes(app, list(ids.values())) == {
        ids["Người một"]: ("approve", 6, 1, 7), ids["Người ba"]: ("approve", 6, 1, 7),
        ids["Người hai"]: ("reject", 2, 5, 7),  # its own counts: short of the share, refused by the vote
    }  # fmt: skip
    assert _task_of(app, first)[1] == _task_of(app, second)[1] == "ward_chairman_decide"


def test_votes_for_all_without_the_meetings_count_are_refused_once_for_the_whole_form(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một"])
    at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người hai"])
    before = _completions(app)
    _, form = _page(client, auth)
    response = client.post("/inbox/batch", data=form | {"votes_for_all": "6"})
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert re.search(r'data-testid="batch-error">([^<]*)</div>', shown).group(1) == (
        "Đã ghi số phiếu áp dụng cho tất cả thì phải ghi cả tổng số thành viên Hội đồng và số thành viên có mặt: tỷ lệ "
        "phiếu tính trên số có mặt.")  # fmt: skip
    assert "data-refusal=" not in shown and 'name="votes_for_all" value="6"' in shown  # said once; kept as typed
    # Against alone weighs nothing: said so, not ignored.
    response = client.post("/inbox/batch", data=form | {"council_size": "9", "present": "7", "votes_against_all": "1"})
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Ghi số phiếu đồng ý áp dụng cho tất cả (hoặc để trống cả hai ô)." in shown
    assert _completions(app) == before and _task_of(app, first)[1] == "ward_council_vote"


def test_a_refusal_names_every_gap_of_every_dossier_and_the_top_links_the_dossiers_refused(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Hoàng Minh Yến", "Trần Văn An"])
    second = at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Lê Thị Bình", "Phạm Văn Cường"])
    third = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 2", ["Người đủ phiếu"])
    ids = _nominee_ids(app, [first, second, third])
    tasks = {d: _task_of(app, d)[0] for d in (first, second, third)}
    before = _completions(app)
    _, form = _page(client, auth)
    # The meeting's count is given, and votes only for the third dossier and one nominee of the second.
    form |= {"council_size": "9", "present": "7", f"votes_for_{ids['Người đủ phiếu']}": "7",
             f"votes_for_{ids['Lê Thị Bình']}": "6"}  # fmt: skip
    response = client.post("/inbox/batch", data=form)
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and _completions(app) == before
    refusals = dict(re.findall(r'data-refusal="(\d+)">.*?</strong> ([^<]*)</td>', shown))
    assert refusals == {
        str(tasks[first]): "2 chỗ cần sửa: Thiếu số phiếu đồng ý cho Hoàng Minh Yến. "
                           "Thiếu số phiếu đồng ý cho Trần Văn An.",
        str(tasks[second]): "Thiếu số phiếu đồng ý cho Phạm Văn Cường.",  # one gap: said as before
    }  # fmt: skip
    # The top names the dossiers refused by number and title, each linked to its rows.
    error = re.search(r'data-testid="batch-error">(.*?)</div>', shown, re.S).group(1)
    assert "Chưa ghi nhận hồ sơ nào của đợt: 2 hồ sơ" in error
    links = re.findall(r'<a href="#dossier-(\d+)" data-refused-link="\d+">([^<]*)</a>', error)
    assert links == [(str(first), f"Hồ sơ số {first} — Đề nghị khen tổ dân phố 1"),
                     (str(second), f"Hồ sơ số {second} — Đề nghị khen tổ văn hóa")]  # fmt: skip
    for dossier in (first, second, third):
        assert len(re.findall(rf'<tr [^>]*id="dossier-{dossier}"', shown)) == 1  # each link's target: its first row
    # In English too, each gap in English.
    response = client.post("/inbox/batch?lang=en", data=form)
    english = html.unescape(response.get_data(as_text=True))
    refusals = dict(re.findall(r'data-refusal="(\d+)">.*?</strong> ([^<]*)</td>', english))
    assert refusals[str(tasks[first])] == ("2 things to correct: The votes in favour of Hoàng Minh Yến are missing. "
                                           "The votes in favour of Trần Văn An are missing.")  # fmt: skip
    with app.extensions["thidua.session_factory"]() as session:
        assert all(open_task_for(session, d).id == tasks[d] for d in tasks)
        assert session.scalar(select(Nominee.outcome).where(Nominee.id == ids["Người đủ phiếu"])) is None
