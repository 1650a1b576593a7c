"""Batches: a ward chairman decides the campaign's dossiers nominee by nominee on one screen."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.models import Dossier, Nominee, OrgUnit
from service.operations.accounts import actor_for
from service.operations.demo import attach_sample_documents
from service.operations.dossiers import NomineeInput, create_dossier
from service.operations.tasks import complete_task, open_task_for
from service.queries.eligibility import unconfirmed_keys
from service.storage import FileStore
from tests.conftest import FILES
from tests.web.conftest import Auth, csrf_from


def at_ward_chairman(app, unit_code: str, names: list[str], award: str = "GK-HUYEN") -> int:
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=unit.name,
                                 nominees=[NomineeInput("individual", n, award) for n in names])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in ((f"{unit_code.lower()}.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve"),
                               ("hn-hd-pl.council_secretary", "approve")):  # fmt: skip
        with factory() as session, session.begin():
            task = open_task_for(session, dossier_id)
            complete_task(session, actor_for(session, username), engine, task.id, decision,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))
    return dossier_id


def test_ward_chairman_decides_a_batch_nominee_by_nominee_and_the_district_sees_one_item(app, client, auth: Auth):
    first = at_ward_chairman(app, "HN-HD-PL-TP", ["Người một", "Người hai"])
    second = at_ward_chairman(app, "HN-HD-PL-VH", ["Người ba"])
    auth.login("hn-hd-pl.chairman")
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    assert "Người một" in page and "Người ba" in page
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id.in_([first, second])))}
    tasks = re.findall(r'name="task_id" value="(\d+)"', page)
    form = {"_csrf": csrf_from(page), "task_id": tasks, "comment": "Đồng ý trình quận",
            f"nominee_{ids['Người hai']}": "reject", f"reason_{ids['Người hai']}": "Chưa tiêu biểu",
            f"nominee_{ids['Người ba']}": "reject", f"reason_{ids['Người ba']}": "Thiếu minh chứng"}  # fmt: skip
    for hidden in ("campaign_id", "step", "unit_id", "source_id"):
        form[hidden] = re.search(rf'name="{hidden}" value="([^"]*)"', page).group(1)
    result = client.post("/inbox/batch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Đã ghi nhận" in result and "Không đề nghị khen thưởng" in result
    with factory() as session:
        assert open_task_for(session, first).bpmn_id == "district_noi_vu_review"
        assert open_task_for(session, second) is None
        outcome = {n.full_name: n.outcome for n in session.scalars(select(Nominee).where(Nominee.id.in_(ids.values())))}
        assert outcome == {"Người một": None, "Người hai": "rejected", "Người ba": "rejected"}
