"""The audit page shows what an event changed in the reader's words."""

from __future__ import annotations

from service.operations.audit import record_event
from tests.web.conftest import Auth


def test_the_audit_page_shows_a_status_change_in_the_readers_words(app, client, auth: Auth):  # type: ignore[no-untyped-def]
    with app.extensions["thidua.session_factory"]() as session, session.begin():
        event = record_event(session, action="dossier.status", object_type="dossier", object_id="2", dossier_id=2,
                             before={"status": "in_review"}, after={"status": "granted"})  # fmt: skip
        event_id = event.id
    auth.login("auditor")
    row = client.get("/audit/?dossier_id=2&lang=vi").get_data(as_text=True).split(f'data-event-id="{event_id}"')[1]
    row = row.split("</tr>")[0]
    assert 'data-changed="status"' in row and "Trạng thái</b>: Đang xét duyệt → Được khen thưởng" in row
    english = client.get("/audit/?dossier_id=2&lang=en").get_data(as_text=True).split(f'data-event-id="{event_id}"')[1]
    assert "Status</b>: In review → Granted" in english.split("</tr>")[0]
