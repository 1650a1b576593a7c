"""At volume an official must tell, row by row, which dossiers the step above sent back (and why), and what each
asks for: a returned row is marked "Bị trả lại" with the step that returned it and its reason (short on the row,
whole in the tooltip), and every row counts its nominees and names the award forms asked ("3 người · BK tỉnh/thành
phố, GK quận/huyện"). Both are read in the rows' own query: the inbox page makes as many statements for four rows as
for one. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, select

from service.models import Dossier, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

LONG_REASON = ("Biên bản họp bình xét thiếu chữ ký của thư ký; đề nghị Văn phòng kiểm tra lại số phiếu và trích ngang "
               "của từng người trước khi trình Hội đồng lần nữa.")  # fmt: skip


def _dossier(app, unit_code: str, awards: list[str], steps: list[tuple[str, str, str | None]]) -> int:
    """A dossier of `unit_code` asking `awards` (one nominee each), taken through `steps` (user, decision, comment)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=unit.name,
                                 nominees=[NomineeInput("individual", f"Người {i + 1}", award)
                                           for i, award in enumerate(awards)])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision, comment in [(f"{unit_code.lower()}.unit_clerk", "submit", None), *steps]:
        with factory() as session, session.begin():
            task_id = open_task_for(session, dossier_id).id
            complete_task(session, actor_for(session, username), engine, task_id, decision, comment,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    return dossier_id


def _returned_by_the_council(app, unit_code: str, awards: list[str], reason: str = LONG_REASON) -> int:
    return _dossier(app, unit_code, awards, [("hn-hd-pl.office_clerk", "approve", None),
                                              ("hn-hd-pl.council_secretary", "return", reason)])  # fmt: skip


def _row(page: str, dossier_id: int) -> str:
    rows = re.findall(r'<tr class="[^"]*" data-task-id="\d+">.*?</tr>', page, re.S)
    found = [row for row in rows if f'href="/dossiers/{dossier_id}"' in row]
    assert len(found) == 1, f"dossier {dossier_id} is not listed once"
    return found[0]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_a_dossier_the_council_sent_back_is_marked_with_the_step_and_its_reason(app, client, auth: Auth):
    returned = _returned_by_the_council(app, "HN-HD-PL-TP", ["GK-HUYEN", "BK-TINH", "GK-HUYEN", "GK-XA"])
    plain = _dossier(app, "HN-HD-PL-VH", ["GK-XA"], [])
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    row = _row(page, returned)
    assert 'class=" returned"' in row or 'returned"' in row.split(">")[0]
    badge = re.search(r'<span class="badge returned" data-testid="returned" title="([^"]*)">([^<]*)</span>', row)
    assert badge and badge.group(2) == "Bị trả lại"
    assert html.unescape(badge.group(1)) == LONG_REASON  # the whole reason in the tooltip
    why = _text(re.search(r'data-testid="returned-why">(.*?)</span>', row, re.S).group(1))
    assert why.startswith("từ bước “Họp Hội đồng TĐKT, biểu quyết”: Biên bản họp bình xét thiếu chữ ký")
    assert why.endswith("…") and len(why.split(": ", 1)[1]) == 80  # short on the row
    # What it asks: its four nominees and each award form once, the highest level first.
    asking = _text(re.search(r'data-testid="nominees-asking">(.*?)</span>', row, re.S).group(1))
    assert asking == "4 người · BK tỉnh/thành phố, GK quận/huyện, GK phường/xã"
    assert 'title="Bằng khen của Chủ tịch UBND thành phố Hà Nội"' in row  # the award's own name on hover
    other = _row(page, plain)
    assert 'data-testid="returned"' not in other and "returned" not in other.split(">")[0]
    assert _text(re.search(r'data-testid="nominees-asking">(.*?)</span>', other, re.S).group(1)) == \
        "1 người · GK phường/xã"


def test_a_short_reason_is_shown_whole_and_an_approval_marks_nothing(app, client, auth: Auth):
    returned = _returned_by_the_council(app, "HN-HD-PL-TP", ["GK-XA"], reason="Thiếu biên bản")
    auth.login("hn-hd-pl.office_clerk")
    row = _row(client.get("/inbox/").get_data(as_text=True), returned)
    assert _text(re.search(r'data-testid="returned-why">(.*?)</span>', row, re.S).group(1)) == \
        "từ bước “Họp Hội đồng TĐKT, biểu quyết”: Thiếu biên bản"
    # Approved again, it reaches the council as any dossier does: not marked there.
    auth.logout()
    approved = _dossier(app, "HN-HD-PL-VH", ["GK-XA"], [("hn-hd-pl.office_clerk", "approve", None)])
    auth.login("hn-hd-pl.council_secretary")
    assert 'data-testid="returned"' not in _row(client.get("/inbox/").get_data(as_text=True), approved)


def test_the_unit_clerk_sees_the_return_for_supplement_on_their_row(app, client, auth: Auth):
    returned = _dossier(app, "HN-HD-PL-TP", ["GK-XA"], [("hn-hd-pl.office_clerk", "return", "Bổ sung trích ngang")])
    auth.login("hn-hd-pl-tp.unit_clerk")
    row = _row(client.get("/inbox/").get_data(as_text=True), returned)
    assert _text(re.search(r'data-testid="returned-why">(.*?)</span>', row, re.S).group(1)) == \
        "từ bước “Thẩm định hồ sơ (Văn phòng UBND phường/xã)”: Bổ sung trích ngang"


def test_rows_in_english_count_their_nominees_plural_correct(app, client, auth: Auth):
    _returned_by_the_council(app, "HN-HD-PL-TP", ["BK-TINH"])
    _dossier(app, "HN-HD-PL-VH", ["GK-XA", "GK-XA"], [])
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/?lang=en").get_data(as_text=True)
    asking = [_text(a) for a in re.findall(r'data-testid="nominees-asking">(.*?)</span>', page, re.S)]
    assert "1 nominee · Merit province/city" in asking and "2 nominees · Commendation ward/commune" in asking
    assert "Returned" in _text(re.search(r'data-testid="returned"[^>]*>(.*?)</span>', page, re.S).group(1))


def _statements(app, client, path: str) -> int:
    engine = app.extensions["thidua.db_engine"]
    said: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        said.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(said)


def test_the_marks_and_counts_cost_no_statement_per_row(app, client, auth: Auth):
    _returned_by_the_council(app, "HN-HD-PL-TP", ["GK-XA", "GK-HUYEN"])
    auth.login("hn-hd-pl.office_clerk")
    client.get("/inbox/")  # definitions cached, session settled
    one = _statements(app, client, "/inbox/")
    page = client.get("/inbox/").get_data(as_text=True)
    rows_before = len(re.findall(r"data-task-id=", page))
    for unit in ("HN-HD-PL-VH", "HN-HD-PL-TC"):
        _returned_by_the_council(app, unit, ["GK-XA", "BK-TINH", "GK-XA"])
    _dossier(app, "HN-HD-PL-TP", ["GK-XA"], [])
    page = client.get("/inbox/").get_data(as_text=True)
    assert len(re.findall(r"data-task-id=", page)) == rows_before + 3
    assert len(re.findall(r'data-testid="returned"', page)) == 3
    assert _statements(app, client, "/inbox/") == one
