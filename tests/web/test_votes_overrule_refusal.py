"""A council secretary who chose "Không đồng ý" for a nominee but entered votes that pass: the votes decide (README),
the nominee goes on, and the completion message says so by name (in Vietnamese and English), as it already did the
other way round; a batch's result too. On SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import select

from service.models import Nominee, NomineeDecision
from service.operations.tasks import open_task_for
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from tests.web.test_batches import at_ward_council

SECRETARY = "hn-hd-pl.council_secretary"
PASSED = "vẫn được thông qua dù bạn chọn “Không đồng ý”"

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)


def _nominees(app: Flask, dossier_ids: list[int]) -> dict[str, int]:
    with app.extensions["thidua.session_factory"]() as session:
        return {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id.in_(dossier_ids)))}


def _flash(page: str) -> tuple[str, str]:
    kind, text = re.search(r'<div class="flash (ok|error)"[^>]*>(.*?)</div>', page, re.S).groups()
    return kind, " ".join(html.unescape(text).split())


def _results(app: Flask, names: dict[str, int]) -> dict[str, str]:
    with app.extensions["thidua.session_factory"]() as session:
        rows = session.scalars(select(NomineeDecision).where(NomineeDecision.nominee_id.in_(names.values())))
        by_id = {r.nominee_id: r.result for r in rows}
    return {name: by_id[nid] for name, nid in names.items()}


def _complete(app: Flask, client, auth: Auth, lang: str = "") -> tuple[dict[str, int], str]:
    dossier_id = at_ward_council(app, "HN-HD-PL-TP", ["Người được phiếu", "Người đồng ý"])
    with app.extensions["thidua.session_factory"]() as session:
        task_id = open_task_for(session, dossier_id).id
    ids = _nominees(app, [dossier_id])
    against, agreed = ids["Người được phiếu"], ids["Người đồng ý"]
    auth.login(SECRETARY)
    page = client.get(f"/inbox/tasks/{task_id}{lang}").get_data(as_text=True)
    response = client.post(f"/inbox/tasks/{task_id}/complete", data={
        "_csrf": csrf_from(page), "decision": "approve", "council_size": "9", "present": "7",
        f"nominee_{against}": "reject", f"reason_{against}": "Chưa tiêu biểu",
        f"votes_for_{against}": "6", f"votes_against_{against}": "1",
        f"nominee_{agreed}": "approve", f"votes_for_{agreed}": "5", f"votes_against_{agreed}": "2"},
        follow_redirects=True)  # fmt: skip
    assert response.status_code == 200
    return ids, response.get_data(as_text=True)


def test_votes_that_pass_a_nominee_chosen_not_agreed_are_said_by_name(app, client, auth: Auth):
    ids, page = _complete(app, client, auth)
    assert _results(app, ids) == {"Người được phiếu": "approve", "Người đồng ý": "approve"}  # the votes decide
    kind, said = _flash(page)
    assert kind == "error"  # worth a second look, as when the votes drop a nominee
    assert ("Theo số phiếu (đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu: 50% số thành viên có mặt), Người được phiếu "
            f"{PASSED}.") in said  # fmt: skip
    assert "Người đồng ý" not in said  # chosen "Đồng ý" and passed: nothing to say


def test_the_same_in_english(app, client, auth: Auth):
    _, page = _complete(app, client, auth, "?lang=en")
    _, said = _flash(page)
    assert ("By the vote count (the share of votes the council requires: 50% of the members present), Người được "
            "phiếu passed although you chose “Reject”.") in said  # fmt: skip


def test_a_council_batch_says_it_too(app, client, auth: Auth):
    one = at_ward_council(app, "HN-HD-PL-TP", ["Người một"])
    two = at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])
    ids = _nominees(app, [one, two])
    auth.login(SECRETARY)
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    form: dict[str, object] = {"_csrf": csrf_from(page), "task_id": re.findall(r'name="task_id" value="(\d+)"', page)}
    for hidden in ("campaign_id", "step", "unit_id", "source_id"):
        form[hidden] = re.search(rf'name="{hidden}" value="([^"]*)"', page).group(1)
    a, b = ids["Người một"], ids["Người hai"]
    form |= {"council_size": "9", "present": "7", f"nominee_{a}": "reject", f"reason_{a}": "Chưa tiêu biểu",
             f"votes_for_{a}": "6", f"votes_against_{a}": "1",
             f"nominee_{b}": "approve", f"votes_for_{b}": "6", f"votes_against_{b}": "1"}  # fmt: skip
    shown = client.post("/inbox/batch", data=form, follow_redirects=True).get_data(as_text=True)
    found = re.findall(r'data-task-result="\d+">([^<]*)</li>', shown)
    report = {" ".join(html.unescape(text).split()) for text in found}
    assert any(f"Người một {PASSED}" in line for line in report), report
    assert not any("Người hai" in line for line in report)
    assert _results(app, ids) == {"Người một": "approve", "Người hai": "approve"}
