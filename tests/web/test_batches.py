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
    report = dict(re.findall(r'data-task-result="\d+">Hồ sơ số (\d+) — [^<]*?: ([^<]*)</li>', result))
    assert report == {str(first): "Đồng ý", str(second): "Không khen thưởng"}  # each named with its decision
    with factory() as session:
        assert open_task_for(session, first).bpmn_id == "district_noi_vu_review"
        assert open_task_for(session, second) is None
        outcome = {n.full_name: n.outcome for n in session.scalars(select(Nominee).where(Nominee.id.in_(ids.values())))}
        assert outcome == {"Người một": None, "Người hai": "rejected", "Người ba": "rejected"}


def at_ward_council(app, unit_code: str, names: list[str]) -> int:
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        clerk = actor_for(session, f"{unit_code.lower()}.unit_clerk")
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        dossier = create_dossier(session, clerk, engine, campaign_code="TEST-PL-ALL", unit_id=unit.id, title=unit.name,
                                 nominees=[NomineeInput("individual", n, "GK-XA") for n in names])  # fmt: skip
        attach_sample_documents(session, clerk, FileStore(FILES), engine.clock.now(), dossier.id)
        dossier_id = dossier.id
    for username, decision in ((f"{unit_code.lower()}.unit_clerk", "submit"), ("hn-hd-pl.office_clerk", "approve")):
        with factory() as session, session.begin():
            complete_task(session, actor_for(session, username), engine, open_task_for(session, dossier_id).id, decision,
                          confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip
    return dossier_id


def _batch_form(client, auth: Auth) -> tuple[str, dict[str, object]]:
    auth.login("hn-hd-pl.council_secretary")
    inbox = client.get("/inbox/").get_data(as_text=True)
    link = re.search(r'href="(/inbox/batch\?[^"]+)"', inbox).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    form: dict[str, object] = {"_csrf": csrf_from(page), "task_id": re.findall(r'name="task_id" value="(\d+)"', page)}
    for hidden in ("campaign_id", "step", "unit_id", "source_id"):
        form[hidden] = re.search(rf'name="{hidden}" value="([^"]*)"', page).group(1)
    return page, form


def test_a_council_batch_with_one_refused_dossier_records_none_and_keeps_what_was_typed(app, client, auth: Auth):
    good = at_ward_council(app, "HN-HD-PL-TP", ["Người một"])
    bad = at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        ids = {n.full_name: n.id for n in session.scalars(select(Nominee).where(Nominee.dossier_id.in_([good, bad])))}
        bad_task = open_task_for(session, bad).id
    one, two = ids["Người một"], ids["Người hai"]
    _, form = _batch_form(client, auth)
    form |= {"council_size": "9", "present": "7", f"nominee_{one}": "approve", f"nominee_{two}": "approve",
             f"votes_for_{one}": "6", f"votes_against_{one}": "1",
             f"votes_for_{two}": "6", f"votes_against_{two}": "5", f"reason_{two}": "ghi chú", "comment": "Họp ngày 5"}  # fmt: skip
    response = client.post("/inbox/batch", data=form)
    shown = response.get_data(as_text=True)
    assert response.status_code == 400  # one meeting is recorded whole: the good dossier waits with the refused one
    refused = dict(re.findall(r'data-refusal="(\d+)">.*?</strong> ([^<]*)</td>', shown))
    assert refused == {str(bad_task): "Số phiếu của Người hai không hợp lệ (vượt số thành viên có mặt)."}
    assert "Người một" in shown.split('data-testid="batch-form"')[1]  # nothing decided: still in the batch
    assert f'name="votes_for_{two}" value="6"' in shown and f'name="votes_against_{two}" value="5"' in shown
    assert f'name="reason_{two}" value="ghi chú"' in shown and 'name="present" value="7"' in shown
    assert 'name="comment" value="Họp ngày 5"' in shown
    with factory() as session:
        assert open_task_for(session, good).bpmn_id == "ward_council_vote"
        assert open_task_for(session, bad).bpmn_id == "ward_council_vote"


def test_a_batch_refused_as_a_whole_comes_back_with_everything_typed(app, client, auth: Auth):
    first = at_ward_council(app, "HN-HD-PL-TP", ["Người một"])
    at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])
    factory = app.extensions["thidua.session_factory"]
    with factory() as session:
        one = session.scalar(select(Nominee.id).where(Nominee.dossier_id == first))
    _, form = _batch_form(client, auth)
    form |= {"council_size": "9", "present": "", f"nominee_{one}": "approve", f"votes_for_{one}": "6",
             f"votes_against_{one}": "1"}
    response = client.post("/inbox/batch", data=form)
    shown = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'data-testid="batch-error">([^<]*)</div>', shown).group(1)
    assert error == "Ghi cả tổng số thành viên Hội đồng và số thành viên có mặt (hoặc để trống cả hai)."
    assert 'name="council_size" value="9"' in shown and f'name="votes_for_{one}" value="6"' in shown
    with factory() as session:
        assert open_task_for(session, first).bpmn_id == "ward_council_vote"


def test_bulk_approval_with_nothing_ticked_says_so_on_the_inbox(app, client, auth: Auth):
    auth.login("hn-hd-pl.office_clerk")
    response = client.post("/inbox/bulk", data={"_csrf": auth.token(), "comment": "x"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox/")
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Chưa chọn việc nào." in page and 'class="flash error"' in page


def test_find_batch_reads_only_its_own_tasks(app):
    """An official with several batches (here a chairman who is also the council's secretary) opens one: the other
    batches' tasks are not read (a province's official may have thousands of open tasks in other batches)."""
    from sqlalchemy import event

    from service.models import HumanTask, RoleAssignment, User
    from service.queries.batches import find_batch

    at_chairman = at_ward_chairman(app, "HN-HD-PL-TP", ["Người một"])
    at_council = at_ward_council(app, "HN-HD-PL-VH", ["Người hai"])
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():
        chairman = session.scalar(select(User).where(User.username == "hn-hd-pl.chairman"))
        ward_id = open_task_for(session, at_chairman).org_unit_id
        session.add(RoleAssignment(user_id=chairman.id, role="council_secretary", org_unit_id=ward_id))
    with factory() as session:
        chairman_task, council_task = (open_task_for(session, d) for d in (at_chairman, at_council))
        campaign_id = session.scalar(select(Dossier.campaign_id).where(Dossier.id == at_chairman))
        for step, wanted, other in (("ward_chairman_decide", chairman_task.id, council_task.id),
                                    ("ward_council_vote", council_task.id, chairman_task.id)):  # fmt: skip
            session.expunge_all()
            loaded: list[int] = []
            record = lambda task, _context: loaded.append(task.id)  # noqa: E731 - every HumanTask row made an object
            event.listen(HumanTask, "load", record)
            try:
                found = find_batch(session, actor_for(session, "hn-hd-pl.chairman"), campaign_id, step, ward_id, None)
            finally:
                event.remove(HumanTask, "load", record)
            assert [item.task.id for item in found.items] == [wanted]
            assert wanted in loaded and other not in loaded, (step, loaded)
