"""Login throttling counts the audit trail's failed logins, so every process sharing the database sees them
(rules on SQLite and PostgreSQL; the sign-in page and the API are in tests/web/test_security.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.operations.audit import record_event
from service.operations.login_throttle import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USER,
    WINDOW,
    login_blocked,
    login_name,
)
from tests.factories import make_org_tree, make_user

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
HOME, ELSEWHERE = "10.1.1.1", "10.2.2.2"


def _attempt(session, name: str, ok_user_id: int | None = None, ip: str = HOME, at: datetime = NOW) -> None:
    """What the login routes record for one attempt."""
    record_event(session, action="auth.login" if ok_user_id else "auth.login_failed", object_type="user",
                 object_id=str(ok_user_id) if ok_user_id else login_name(name), actor=ok_user_id, ip=ip,
                 user_agent="Trình duyệt", now=at)  # fmt: skip


def test_a_user_name_waits_after_its_failures_in_the_window_and_a_success_ends_the_count(any_db_session):
    session = any_db_session
    user = make_user(session, "hn.chu_tich", "chairman", make_org_tree(session).province)
    for minute in range(MAX_FAILURES_PER_USER - 1):
        _attempt(session, "hn.chu_tich", at=NOW + timedelta(minutes=minute / 2))
    assert not login_blocked(session, "hn.chu_tich", HOME, NOW + timedelta(minutes=3))
    _attempt(session, "hn.chu_tich", at=NOW + timedelta(minutes=3))
    assert login_blocked(session, "hn.chu_tich", ELSEWHERE, NOW + timedelta(minutes=3))  # from any address
    assert login_blocked(session, " hn.chu_tich\x00 ", None, NOW + timedelta(minutes=3))  # the name authenticate sees
    assert not login_blocked(session, "hn.pho_chu_tich", HOME, NOW + timedelta(minutes=3))  # other names go on
    # The window slides: once the oldest failure is older than WINDOW, four are left.
    assert not login_blocked(session, "hn.chu_tich", HOME, NOW + WINDOW + timedelta(seconds=1))
    # A success ends the count: four more failures after it do not block.
    _attempt(session, "hn.chu_tich", ok_user_id=user.id, at=NOW + timedelta(minutes=4))
    for second in range(MAX_FAILURES_PER_USER - 1):
        _attempt(session, "hn.chu_tich", at=NOW + timedelta(minutes=4, seconds=second + 1))
    assert not login_blocked(session, "hn.chu_tich", HOME, NOW + timedelta(minutes=4, seconds=30))


def test_an_address_waits_after_its_failures_whatever_names_it_tries(any_db_session):
    session = any_db_session
    for number in range(MAX_FAILURES_PER_ADDRESS):
        _attempt(session, f"khach{number}", at=NOW + timedelta(seconds=number))
    at = NOW + timedelta(minutes=1)
    assert login_blocked(session, "khach-moi", HOME, at)
    assert not login_blocked(session, "khach-moi", ELSEWHERE, at)
    assert not login_blocked(session, "khach-moi", None, at)  # no address (a CLI): only the name counts
    assert not login_blocked(session, "khach-moi", HOME, NOW + WINDOW + timedelta(minutes=1))
