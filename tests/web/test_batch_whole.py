"""The batch page ("Xét theo đợt") records a batch whole or not at all, keeps a batch reachable while any of its
tasks is open, names each row's dossier, gives its header and rows the same columns, and says per dossier which
decision was recorded. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent, Dossier, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

SECRETARY = "hn-hd-pl.council_secretary"
NO_REASON = "Phải ghi rõ lý do khi không đồng ý."


def at_council(app, unit_code: str, title: str, names: list[str]) -> int:
    """A dossier of `unit_code` titled `title`, submitted and passed by the ward office: at the ward council."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=title,
                                 nominees=[NomineeInput("individual", n, "GK-XA") for n in names])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in ((f"{unit_code.lower()}.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve")):
        with factory() as session, session.begin():
            task_id = open_task_for(session, dossier_id).id
            complete_task(session, actor_for(session, username), engine, task_id, decision,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    return dossier_id


def _batch_link(client, campaign: str = "TEST-PL-ALL") -> str:
    inbox = client.get("/inbox/").get_data(as_text=True)
    return re.search(rf'href="(/inbox/batch\?[^"]+)">[^<]*{campaign}', inbox).group(1).replace("&amp;", "&")


def _form(page: str) -> dict[str, object]:
    form: dict[str, object] = {"_csrf": csrf_from(page), "task_id": re.findall(r'name="task_id" value="(\d+)"', page)}
    for hidden in ("campaign_id", "step", "unit_id", "source_id"):
        form[hidden] = re.search(rf'name="{hidden}" value="([^"]*)"', page).group(1)
    return form


def _nominee_ids(app, dossier_ids: list[int]) -> dict[str, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id.in_(dossier_ids)))}


def _task_of(app, dossier_id: int) -> tuple[int, str]:
    with app.extensions["thidua.session_factory"]() as session:
        task = open_task_for(session, dossier_id)
        return task.id, task.bpmn_id


def _completions(app) -> int:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task.complete"))


def test_one_refused_dossier_records_nothing_and_the_page_keeps_everything_typed_with_the_refusal_by_its_row(
        app, client, auth: Auth):  # fmt: skip
    good = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một"])
    bad = at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người hai"])
    ids = _nominee_ids(app, [good, bad])
    one, two = ids["Người một"], ids["Người hai"]
    good_task, bad_task = _task_of(app, good)[0], _task_of(app, bad)[0]
    before = _completions(app)
    auth.login(SECRETARY)
    page = client.get(_batch_link(client)).get_data(as_text=True)
    # (No common comment: it would stand as the reason of a dossier whose nominees are all refused.)
    form = _form(page) | {f"nominee_{one}": "approve", f"reason_{one}": "Tiêu biểu", f"nominee_{two}": "reject"}
    response = client.post("/inbox/batch", data=form)
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    # Nothing of the batch was recorded: both dossiers still wait at the council, no completion was audited.
    assert _task_of(app, good) == (good_task, "ward_council_vote")
    assert _task_of(app, bad) == (bad_task, "ward_council_vote")
    assert _completions(app) == before
    # The whole batch said so at the top, the refusal under the refused dossier's rows, none under the other's.
    error = re.search(r'data-testid="batch-error">(.*?)</div>', shown, re.S).group(1)
    assert "Chưa ghi nhận hồ sơ nào của đợt: 1 hồ sơ" in error
    refusals = dict(re.findall(r'data-refusal="(\d+)">.*?</strong> ([^<]*)</td>', shown))
    assert refusals == {str(bad_task): NO_REASON}
    rows = re.findall(r'<tr [^>]*data-(nominee|refusal)="(\d+)"', shown)
    assert rows.index(("refusal", str(bad_task))) == rows.index(("nominee", str(two))) + 1  # right under its row
    # Everything typed is there again, and both dossiers are still in the form.
    assert all(f'name="task_id" value="{task}" checked' in shown for task in (good_task, bad_task))
    assert re.search(rf'name="nominee_{two}"[^>]*>.*?<option value="reject" selected>', shown)
    assert f'name="reason_{one}" value="Tiêu biểu"' in shown and f'name="reason_{two}" value=""' in shown

    # With the reason given, the whole batch is recorded, each dossier named by its number with its decision.
    form[f"reason_{two}"] = "Chưa đủ thành tích"
    response = client.post("/inbox/batch", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox/")
    inbox = html.unescape(client.get("/inbox/").get_data(as_text=True))
    report = dict(re.findall(r'data-task-result="\d+">([^<]*?): ([^<]*)</li>', inbox))
    assert report == {f"Hồ sơ số {good} — Đề nghị khen tổ dân phố 1 — {_unit(app, good)}": "Thông qua",
                      f"Hồ sơ số {bad} — Đề nghị khen tổ văn hóa — {_unit(app, bad)}": "Không thông qua"}
    assert _task_of(app, good)[1] == "ward_chairman_decide"
    with app.extensions["thidua.session_factory"]() as session:
        assert open_task_for(session, bad) is None
    assert _completions(app) == before + 2  # each dossier's own audit events


def _unit(app, dossier_id: int) -> str:
    with app.extensions["thidua.session_factory"]() as session:
        return session.get(OrgUnit, session.get(Dossier, dossier_id).unit_id).name


def test_the_batch_results_read_in_english(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một"])
    auth.login(SECRETARY)
    page = client.get(_batch_link(client)).get_data(as_text=True)
    assert client.post("/inbox/batch", data=_form(page)).status_code == 302
    inbox = html.unescape(client.get("/inbox/?lang=en").get_data(as_text=True))
    report = dict(re.findall(r'data-task-result="\d+">([^<]*?): ([^<]*)</li>', inbox))
    assert report == {f"Dossier no. {first} — Đề nghị khen tổ dân phố 1 — {_unit(app, first)}": "Passed"}


def test_a_batch_stays_reachable_and_offered_while_any_of_its_tasks_is_open(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một"])
    second = at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người hai"])
    auth.login(SECRETARY)
    link = _batch_link(client)
    # A colleague's decision on its task page leaves one dossier in the batch: still a batch, listed and shown.
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, SECRETARY), engine, open_task_for(session, first).id, "approve")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert html.unescape(_batch_link(client)) == link
    assert re.search(r'data-testid="batches".*?1 hồ sơ, 1 người được đề nghị', inbox, re.S)
    page = client.get(link)
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert f'href="/dossiers/{second}"' in shown and f'href="/dossiers/{first}"' not in shown
    # Decided too: nothing is left, the page says so and leads back to the inbox; the inbox lists no batch.
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, SECRETARY), engine, open_task_for(session, second).id, "approve")
    gone = client.get(link)
    assert gone.status_code == 404
    text = gone.get_data(as_text=True)
    assert "Không tìm thấy đợt xét (các hồ sơ có thể đã được xử lý)." in html.unescape(text)
    assert re.search(r'<a href="/"[^>]*>Hộp việc</a>', text) and client.get("/").headers["Location"].endswith("/inbox/")
    assert 'data-testid="batches"' not in client.get("/inbox/").get_data(as_text=True)


def test_each_row_names_its_dossier_by_number_and_title_linked_to_it(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Khen tổ dân phố — đợt 1", ["Người một"])
    second = at_council(app, "HN-HD-PL-TP", "Khen tổ dân phố — đợt 2", ["Người hai"])  # the same unit
    auth.login(SECRETARY)
    shown = html.unescape(client.get(_batch_link(client)).get_data(as_text=True))
    links = dict(re.findall(r'<a href="/dossiers/(\d+)" data-testid="batch-dossier">([^<]*)</a>', shown))
    assert links == {str(first): f"Hồ sơ số {first} — Khen tổ dân phố — đợt 1",
                     str(second): f"Hồ sơ số {second} — Khen tổ dân phố — đợt 2"}
    boxes = re.findall(r'name="task_id" value="\d+" checked aria-label="([^"]*)"', shown)
    assert sorted(boxes) == sorted(f"Chọn: Hồ sơ số {d} — Khen tổ dân phố — đợt {n} — {_unit(app, first)} — "
                                   f"Họp Hội đồng TĐKT, biểu quyết" for d, n in ((first, 1), (second, 2)))  # fmt: skip


class _Grid(HTMLParser):
    """The page's (the batch's) table: its column count per row (header first), rowspans carried down, colspans
    counted."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.rows, self.carried = False, [], []  # carried: rows still covered by a rowspan, per cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.inside = True
        elif self.inside and tag == "tr":
            self.carried = [n - 1 for n in self.carried if n > 1]
            self.rows.append(len(self.carried))
            self._new: list[int] = []
        elif self.inside and tag in ("td", "th"):
            self.rows[-1] += int(values.get("colspan") or 1)
            if int(values.get("rowspan") or 1) > 1:
                self._new.append(int(values["rowspan"]))

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == "tr":
            self.carried += self._new
        elif tag == "table":
            self.inside = False


def _columns(page: str) -> list[int]:
    grid = _Grid()
    grid.feed(page)
    return grid.rows


def test_the_header_and_every_row_have_the_same_columns_at_an_appraisal_step(app, client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")  # the demo's dossier at the ward office: a condition no record decides
    shown = client.get(_batch_link(client, "PL-CCHC-2024")).get_data(as_text=True)
    assert "Đã kiểm tra, đạt" in shown and 'name="confirm"' in shown
    columns = _columns(shown)
    assert len(columns) > 3 and set(columns) == {columns[0]}, columns


def test_the_header_and_every_row_have_the_same_columns_at_a_council_step_with_refusals(app, client, auth: Auth):
    first = at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một", "Người ba"])
    at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người hai"])
    one = _nominee_ids(app, [first])["Người một"]
    auth.login(SECRETARY)
    page = client.get(_batch_link(client)).get_data(as_text=True)
    response = client.post("/inbox/batch", data=_form(page) | {f"nominee_{one}": "reject"})
    shown = response.get_data(as_text=True)
    assert response.status_code == 400 and "data-refusal=" in shown
    columns = _columns(shown)
    assert columns[0] == 8 and set(columns) == {8}, columns
