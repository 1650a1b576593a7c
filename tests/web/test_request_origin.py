"""A request's origin (address, browser) goes on the events it writes, and on nothing after it."""

from __future__ import annotations

from sqlalchemy import select

from service.models import AuditEvent
from service.operations.audit import REQUEST_ORIGIN, record_event
from tests.web.conftest import Auth

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/156.0 thử nghiệm"


def test_the_origin_of_a_request_is_forgotten_when_it_ends(app, client, auth: Auth):
    client.environ_base.update({"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": "10.9.8.7"})
    auth.login("auditor")
    assert REQUEST_ORIGIN.get() == (None, None)
    factory = app.extensions["thidua.session_factory"]
    with factory() as session, session.begin():  # written after the request, as a job in the same thread would be
        later = record_event(session, action="auth.logout", object_type="user", object_id="1")
    with factory() as session:
        login = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")
                                .order_by(AuditEvent.id.desc())).first()  # fmt: skip
        assert (login.ip, login.user_agent) == ("10.9.8.7", BROWSER)
        after = session.get(AuditEvent, later.id)
        assert (after.ip, after.user_agent) == (None, None)
