"""A cancelled dossier's page says so, who cancelled it, when and why, in the reader's language; its unit's clerk
finds the notice on the notifications page."""

from __future__ import annotations

from service.operations.accounts import actor_for
from service.operations.dossiers import cancel_dossier
from service.queries.inbox import inbox
from tests.web.conftest import Auth

OFFICE = "hn-hd-pl.office_clerk"
REASON = "Nộp trùng với hồ sơ đã xét."


def test_the_cancelled_dossiers_page_and_the_clerks_notice(app, client, auth: Auth):  # type: ignore[no-untyped-def]
    factory, engine = app.extensions["thidua.session_factory"], app.extensions["thidua.engine"]
    with factory() as session, session.begin():
        dossier_id = inbox(session, actor_for(session, OFFICE))[0].dossier_id  # the demo's dossier at the office
        cancel_dossier(session, actor_for(session, "admin"), engine, dossier_id, REASON)
    auth.login("hn-hd-pl-vh.unit_clerk")
    page = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    notice = page.split('data-testid="cancelled"')[1].split("</p>")[0]
    assert "Quy trình của hồ sơ đã bị hủy" in notice and "Hủy bởi" in notice and REASON in notice
    english = client.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True)
    assert "This dossier&#39;s process was cancelled" in english and "Cancelled by" in english
    notices = client.get("/notifications/?lang=vi").get_data(as_text=True)
    assert "đã bị quản trị viên hủy" in notices and REASON in notices
