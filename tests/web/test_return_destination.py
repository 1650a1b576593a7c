"""A return for supplement above the ward, as the officials walked it: the message after the decision says to whom
the dossier went (the step, unit and role of the task the return opened), in Vietnamese and English; and the
dossier page shows the latest return still unanswered (who, which step, when, why, to which step) to everyone who
may see the dossier, until the step it was returned to is completed again. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import Dossier, HumanTask, OrgUnit, User
from service.operations.accounts import actor_for
from service.operations.demo import username_for
from service.operations.tasks import complete_task
from service.queries.eligibility import unconfirmed_keys
from tests.web.conftest import EACH_DATABASE, Auth, app_on_each_database, csrf_from
from tests.web.test_dossier_page_history import CLERK, advance, lodge

app = pytest.fixture(params=EACH_DATABASE, name="app")(app_on_each_database)

NOI_VU = "hn-hd.noi_vu"
WARD_OFFICE = "hn-hd-pl.office_clerk"
WARD_CHAIRMAN = "hn-hd-pl.chairman"
NOI_VU_STEP = "Thẩm định hồ sơ (Phòng Nội vụ)"
CHAIRMAN_STEP = "Chủ tịch xem xét, quyết định"
COUNCIL_STEP = "Họp Hội đồng TĐKT, biểu quyết"
REASON = "Thiếu biên bản họp Hội đồng TĐKT phường"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _flash(page: str) -> str:
    match = re.search(r'<div class="flash (?:ok|error)">(.*?)</div>', page, re.S)
    assert match, "the page shows no message"
    return _text(re.sub(r'\s*<a [^>]*data-testid="decided-dossier"[^>]*>.*?</a>', "", match.group(1)))


def _return_note(page: str) -> str | None:
    """The text of the dossier page's return note, or None when it shows none."""
    match = re.search(r'<div class="flash error" role="status" data-testid="return-reason">(.*?)\n</div>', page, re.S)
    return _text(match.group(1)) if match else None


def _owner(app: Flask, task_id: int) -> str:
    with app.extensions["thidua.session_factory"]() as session:
        task = session.get(HumanTask, task_id)
        return username_for(session.get(OrgUnit, task.org_unit_id).code, task.role)


def _decide_on_page(client: FlaskClient, auth: Auth, username: str, task_id: int, decision: str, comment: str,
                    lang: str = "vi") -> str:  # fmt: skip
    """Log in as `username` and decide the task on its page; the page the decision leads to (the inbox)."""
    auth.login(username)
    page = client.get(f"/inbox/tasks/{task_id}?lang={lang}").get_data(as_text=True)
    form = {"decision": decision, "comment": comment, "_csrf": csrf_from(page)}
    response = client.post(f"/inbox/tasks/{task_id}/complete", data=form, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _complete(app: Flask, dossier_id: int, step: str, decision: str, comment: str | None = None) -> None:
    """The dossier's open task at `step`, completed by its owner."""
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    task_id = advance(app, dossier_id, until=step)
    with factory() as session, session.begin():
        complete_task(session, actor_for(session, _owner(app, task_id)), engine, task_id, decision, comment,
                      confirmed=unconfirmed_keys(session, session.get(Dossier, dossier_id)))  # fmt: skip


def test_a_district_return_says_to_whom_the_dossier_went(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="district_noi_vu_review")
    assert _owner(app, task_id) == NOI_VU
    page = _decide_on_page(client, auth, NOI_VU, task_id, "return", REASON)
    assert _flash(page) == ("Đã ghi nhận: Trả lại bổ sung. Đã trả hồ sơ về Chủ tịch UBND Phường Phú Lãm "
                            f"(bước “{CHAIRMAN_STEP}”) để bổ sung. Trạng thái hồ sơ: Đang xét duyệt.")  # fmt: skip


def test_a_province_return_says_to_whom_the_dossier_went_in_english(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="province_ban_review")
    page = _decide_on_page(client, auth, _owner(app, task_id), task_id, "return", REASON, lang="en")
    flash = _flash(page)
    assert ("The dossier was returned for supplement to Chairman of the People's Committee, Quận Hà Đông "
            "(step “Chairman reviews and decides”).") in flash  # the shipped step in English
    assert flash.startswith("Recorded: ") and "Dossier status: " in flash


def test_a_return_within_the_ward_and_to_the_unit_say_where_they_went(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="ward_council_vote")
    page = _decide_on_page(client, auth, _owner(app, task_id), task_id, "return", REASON)
    assert ("Đã trả hồ sơ về Công chức Văn phòng Phường Phú Lãm (bước “Thẩm định hồ sơ (Văn phòng UBND "
            "phường/xã)”) để bổ sung.") in _flash(page)  # fmt: skip
    auth.logout()
    task_id = advance(app, dossier_id, until="ward_office_review")
    with app.extensions["thidua.session_factory"]() as session:
        unit = session.scalar(select(OrgUnit.name).join(Dossier, Dossier.unit_id == OrgUnit.id)
                              .where(Dossier.id == dossier_id))  # fmt: skip
    page = _decide_on_page(client, auth, WARD_OFFICE, task_id, "return", "Thiếu trích ngang")
    assert (f"Đã trả hồ sơ về Cán bộ thi đua {unit} (bước “Lập và nộp hồ sơ đề nghị khen thưởng”) "
            "để bổ sung.") in _flash(page)  # fmt: skip
    # The unit's return note, as before, now says where the dossier went too.
    note = _return_note(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True))
    assert note is not None and "Thiếu trích ngang" in note
    assert f"Hồ sơ đã được trả về: Cán bộ thi đua {unit} (bước “Lập và nộp hồ sơ đề nghị khen thưởng”)." in note


def test_an_approval_names_no_destination(app: Flask, client: FlaskClient, auth: Auth):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="district_noi_vu_review")
    page = _decide_on_page(client, auth, NOI_VU, task_id, "approve", "")
    assert "Đã trả hồ sơ về" not in _flash(page)
    assert _return_note(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)) is None


def test_the_dossier_page_shows_a_district_return_to_every_reader_until_the_ward_answers_it(
    app: Flask, client: FlaskClient, auth: Auth
):
    dossier_id = lodge(app, ["Nguyễn Văn Ánh"])
    task_id = advance(app, dossier_id, until="district_noi_vu_review")
    _decide_on_page(client, auth, NOI_VU, task_id, "return", REASON)
    auth.logout()
    with app.extensions["thidua.session_factory"]() as session:
        noi_vu_name = session.scalar(select(User.full_name).join(HumanTask, HumanTask.completed_by == User.id)
                                     .where(HumanTask.id == task_id))  # fmt: skip
    for reader in (WARD_OFFICE, WARD_CHAIRMAN, CLERK, NOI_VU):
        auth.login(reader)
        note = _return_note(client.get(f"/dossiers/{dossier_id}?lang=vi").get_data(as_text=True))
        assert note is not None, reader
        assert note.startswith(f"Lý do trả lại (bước “{NOI_VU_STEP}”, Quận Hà Đông, {noi_vu_name}, ")
        assert f"): {REASON} Hồ sơ đã được trả về: Chủ tịch UBND Phường Phú Lãm (bước “{CHAIRMAN_STEP}”)." in note
        assert re.search(r", \d\d/\d\d/\d{4} \d\d:\d\d\): ", note), note  # when, in Vietnam time
        auth.logout()
    auth.login(WARD_OFFICE)
    english = _return_note(client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True))
    assert english is not None
    assert english.startswith("Reason for return (step “Appraise the dossier (Home Affairs Office)”, Quận Hà Đông, ")
    assert ("The dossier was returned to: Chairman of the People's Committee, Phường Phú Lãm "
            "(step “Chairman reviews and decides”).") in english  # fmt: skip

    # The ward chairman sends it back to the ward council: the latest return unanswered is now the chairman's.
    _complete(app, dossier_id, "ward_chairman_decide", "return", "Hội đồng họp lại")
    note = _return_note(client.get(f"/dossiers/{dossier_id}?lang=vi").get_data(as_text=True))
    assert note is not None and note.startswith(f"Lý do trả lại (bước “{CHAIRMAN_STEP}”, Phường Phú Lãm, ")
    assert "Hội đồng họp lại" in note and REASON not in note
    assert f"Hồ sơ đã được trả về: Thư ký HĐTĐKT Phường Phú Lãm (bước “{COUNCIL_STEP}”)." in note

    # The council passes it and the chairman approves it again: answered, the note is gone (the history keeps it).
    _complete(app, dossier_id, "ward_council_vote", "approve")
    assert _return_note(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)) is None
    _complete(app, dossier_id, "ward_chairman_decide", "approve")
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert _return_note(page) is None and REASON in page
