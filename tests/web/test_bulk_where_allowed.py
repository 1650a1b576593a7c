"""Bulk approval ("Đồng ý các việc đã chọn") only where the step offers it: the unit clerk's "Lập và nộp hồ sơ" tasks
(submit, withdraw) get no tick and no bulk button; an old page that still sends one is refused in plain words
naming the dossier, and nothing is written for it. On SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from service.models import AuditEvent, HumanTask, OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, submit_dossiers

CLERK = "hn-hd-pl-tc.unit_clerk"
STEP = "Lập và nộp hồ sơ đề nghị khen thưởng"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _drafts(app: Flask, count: int) -> list[int]:
    """Dossiers the unit clerk has drafted: their "Lập và nộp hồ sơ" tasks."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    out = []
    for number in range(count):
        with factory() as session, session.begin():
            unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TC"))
            dossier = create_dossier(session, actor_for(session, CLERK), engine, campaign_code="TEST-PL-ALL",
                                     unit_id=unit.id, title=f"Bản nháp {number + 1}",
                                     nominees=[NomineeInput("individual", f"Người {number + 1}", "GK-XA")])  # fmt: skip
            out.append(open_task_for(session, dossier.id).id)
    return out


def _row(page: str, task_id: int) -> str:
    return re.search(rf'data-task-id="{task_id}">(.*?)</tr>', page, re.S).group(1)


def test_the_unit_clerk_gets_no_tick_and_no_bulk_button_on_preparation_tasks(app, client, auth: Auth):
    drafts = _drafts(app, 2)
    auth.login(CLERK)
    page = client.get("/inbox/").get_data(as_text=True)
    for task_id in drafts:
        assert STEP in _row(page, task_id) and 'name="task_id"' not in _row(page, task_id)
    assert 'name="task_id"' not in page and "Đồng ý các việc đã chọn" not in page and "data-select-all" not in page


def test_the_office_still_gets_ticks_and_the_bulk_button(app, client, auth: Auth):
    ids = submit_dossiers(app, 2)
    auth.login("hn-hd-pl.office_clerk")
    page = client.get("/inbox/").get_data(as_text=True)
    assert all('name="task_id"' in _row(page, task_id) for task_id in ids)
    assert "Đồng ý các việc đã chọn" in page and "data-select-all" in page


def test_an_old_page_sending_a_preparation_task_is_refused_in_words_and_nothing_is_written(app, client, auth: Auth):
    drafts = _drafts(app, 2)
    auth.login(CLERK)
    token = auth.token()
    page = client.post("/inbox/bulk", data={"task_id": [str(t) for t in drafts], "_csrf": token},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    results = dict(re.findall(r'data-task-result="(\d+)">([^<]*)</li>', page))
    for number, task_id in enumerate(drafts, 1):
        said = results[str(task_id)]
        assert said.startswith(f"Bản nháp {number} — ")  # the dossier, by its title and unit
        assert said.endswith(f": Bước “{STEP}” không duyệt hàng loạt được; hãy mở từng hồ sơ.")
        assert "approve" not in said and "submit" not in said  # no internal codes
    with app.extensions["thidua.session_factory"]() as session:
        assert [session.get(HumanTask, t).state for t in drafts] == ["ready", "ready"]
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task.complete", AuditEvent.object_id.in_([str(t) for t in drafts]))) == 0  # fmt: skip
    client.get("/inbox/?lang=en")
    page = client.post("/inbox/bulk", data={"task_id": [str(drafts[0])], "_csrf": token},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    said = dict(re.findall(r'data-task-result="(\d+)">([^<]*)</li>', page))[str(drafts[0])]
    assert said.endswith("cannot be approved in bulk; open each dossier.")
