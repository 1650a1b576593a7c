"""Returned dossiers in a batch: one the chairman returned to the council ("Trả lại Hội đồng") is marked on its
row with who, when and why, and is not ticked until the official ticks it; at an appraisal step one dossier of the
batch can go back for supplement ("Trả lại bổ sung", with its reason), recorded with the rest of the batch, whole
or not at all. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from service.models import Dossier, HumanTask, OrgUnit, User
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.demo import attach_sample_documents
from service.operations.tasks import complete_task, open_task_for
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database
from tests.web.test_batch_whole import _batch_link, _completions, _form, _task_of, at_council
from tests.web.test_batches import at_ward_chairman

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

SECRETARY, CHAIRMAN, OFFICE = "hn-hd-pl.council_secretary", "hn-hd-pl.chairman", "hn-hd-pl.office_clerk"
WHY = "Biên bản họp thiếu chữ ký thư ký; họp lại."


def _full_name(app, username: str) -> str:
    with app.extensions["thidua.session_factory"]() as session:
        return session.scalar(select(User.full_name).where(User.username == username))


def test_a_dossier_the_chairman_returned_is_marked_and_not_ticked_in_the_councils_batch(app, client, auth: Auth):
    returned = at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"], award="GK-XA")
    fresh = at_council(app, "HN-HD-PL-VH", "Đề nghị khen tổ văn hóa", ["Người hai"])
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, CHAIRMAN), engine, open_task_for(session, returned).id, "return", WHY)
    returned_task, step = _task_of(app, returned)
    fresh_task = _task_of(app, fresh)[0]
    assert step == "ward_council_vote"
    auth.login(SECRETARY)
    page = html.unescape(client.get(_batch_link(client)).get_data(as_text=True))
    # Marked on its row: returned, from which step, by whom, and why.
    mark = re.search(rf'data-returned="{returned_task}">(.*?)</div>', page, re.S)
    assert mark is not None and "Bị trả lại" in mark.group(1)
    assert WHY in mark.group(1) and _full_name(app, CHAIRMAN) in mark.group(1)
    assert "từ bước “Chủ tịch xem xét, quyết định”" in mark.group(1)
    assert f'data-returned="{fresh_task}"' not in page  # the other dossier is not marked
    # Not ticked: the official ticks it on purpose, having read why; the other is ticked as before.
    assert re.search(rf'name="task_id" value="{returned_task}" aria-label', page)
    assert re.search(rf'name="task_id" value="{fresh_task}" checked', page)
    # The form as the page offers it records the other dossier only: the returned one waits.
    form = _form(page)  # reads every box, ticked or not: a browser sends the ticked one only
    form["task_id"] = re.findall(r'name="task_id" value="(\d+)" checked', page)
    assert client.post("/inbox/batch", data=form).status_code == 302
    assert _task_of(app, returned) == (returned_task, "ward_council_vote")
    assert _task_of(app, fresh)[1] == "ward_chairman_decide"


def _at_office(app, unit_code: str, title: str) -> int:
    """A dossier of `unit_code` submitted to the ward office (Công chức Văn phòng - Thống kê)."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=title,
                                 nominees=[NomineeInput("individual", f"Người của {title}", "GK-XA")])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    with factory() as session, session.begin():
        complete_task(session, clerk, engine, open_task_for(session, dossier_id).id, "submit")
    return dossier_id


def _office_form(client) -> tuple[str, dict[str, object]]:
    page = html.unescape(client.get(_batch_link(client)).get_data(as_text=True))
    form = _form(page)
    form["confirm"] = re.findall(r'name="confirm" value="([^"]+)"', page)  # what no record decides: checked
    return page, form


def test_the_office_returns_one_dossier_for_supplement_with_the_rest_of_its_batch(app, client, auth: Auth):
    back = _at_office(app, "HN-HD-PL-TP", "Hồ sơ thiếu minh chứng")
    on = _at_office(app, "HN-HD-PL-VH", "Hồ sơ đầy đủ")
    back_task, on_task = _task_of(app, back)[0], _task_of(app, on)[0]
    auth.login(OFFICE)
    page, form = _office_form(client)
    # Each dossier offers the step's own return ("Trả lại bổ sung" in the BPMN) with a box for its reason.
    for task in (back_task, on_task):
        cell = re.search(rf'data-batch-return="{task}">(.*?)</div>', page, re.S).group(1)
        assert f'name="decision_{task}"' in cell and "Trả lại bổ sung" in cell and f'name="return_reason_{task}"' in cell
    before = _completions(app)
    # Returned without a reason: refused under its row, nothing of the batch recorded.
    response = client.post("/inbox/batch", data=form | {f"decision_{back_task}": "return"})
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and _completions(app) == before
    assert set(re.findall(r'data-refusal="(\d+)"', shown)) == {str(back_task)}
    assert re.search(rf'name="decision_{back_task}"[^>]*><option value="approve">[^<]*</option><option value="return" selected>',
                     shown)  # the choice is kept as sent
    assert _task_of(app, back) == (back_task, "ward_office_review") and _task_of(app, on) == (on_task, "ward_office_review")
    # With its reason: the batch is recorded whole, the one returned to its unit with the reason, the other on.
    form |= {f"decision_{back_task}": "return", f"return_reason_{back_task}": "Bổ sung bản sao quyết định công nhận."}
    response = client.post("/inbox/batch", data=form)
    assert response.status_code == 302
    report = dict(re.findall(r'data-task-result="(\d+)">[^<]*?: ([^<]*)</li>',
                             html.unescape(client.get("/inbox/").get_data(as_text=True))))
    assert report == {str(back_task): "Trả lại bổ sung", str(on_task): "Đạt"}
    assert _task_of(app, back)[1] == "unit_prepare" and _task_of(app, on)[1] == "ward_council_vote"
    with app.extensions["thidua.session_factory"]() as session:
        done = session.get(HumanTask, back_task)
        assert (done.decision, done.comment) == ("return", "Bổ sung bản sao quyết định công nhận.")
        assert session.get(Dossier, back).status == "returned"
    assert _completions(app) == before + 2


def test_a_council_batch_offers_no_dossier_return(app, client, auth: Auth):
    at_council(app, "HN-HD-PL-TP", "Đề nghị khen tổ dân phố 1", ["Người một"])
    auth.login(SECRETARY)
    page = client.get(_batch_link(client)).get_data(as_text=True)
    assert "data-batch-return=" not in page and "return_reason_" not in page
