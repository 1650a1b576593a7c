"""Login throttling counted from the audit trail, so that it holds across every server process and host.

Every failed login, through the sign-in page or the API's token endpoint, is already an `auth.login_failed`
audit event naming the user name tried and carrying the request's address (its request origin). Counting
those events over a sliding window makes the limits hold for all the processes and hosts that share the
database; the in-memory counter this replaces counted per process, and the API's token endpoint was not
throttled at all. A successful login of that user ends the user name's count; an address's count runs for
the whole window whatever names it tries. Refused attempts are audited as `auth.login_throttled` and do
not count as failures, so waiting out the window is enough.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, RequestOrigin, User

MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW = timedelta(minutes=5)


def login_name(username: str) -> str:
    """The user name a login attempt is for, as authenticate() looks it up and the audit event records it."""
    return username.replace("\x00", "").strip()[:64]


def _user_events(action: str, object_id: str, since: datetime):  # type: ignore[no-untyped-def]
    # Said as ix_audit_event_object's WHERE says it (dossier_id IS NULL), so the planners use that index.
    return (AuditEvent.object_type == "user", AuditEvent.object_id == object_id, AuditEvent.dossier_id.is_(None),
            AuditEvent.action == action, AuditEvent.occurred_at >= since)  # fmt: skip


def login_blocked(session: Session, username: str, ip: str | None, now: datetime) -> bool:
    """Whether a login attempt for `username` from `ip` must wait: MAX_FAILURES_PER_USER failures for that
    user name since its last successful login within WINDOW, or MAX_FAILURES_PER_ADDRESS from that address."""
    since, name = now - WINDOW, login_name(username)
    user_id = session.scalar(select(User.id).where(User.username == name))
    failures = select(func.count()).select_from(AuditEvent).where(*_user_events("auth.login_failed", name, since))
    if user_id is not None:
        success = select(func.max(AuditEvent.id)).where(*_user_events("auth.login", str(user_id), since))
        last_success = session.scalar(success)
        if last_success is not None:
            failures = failures.where(AuditEvent.id > last_success)
    if (session.scalar(failures) or 0) >= MAX_FAILURES_PER_USER:
        return True
    if ip is None:
        return False
    by_address = (select(func.count()).select_from(AuditEvent)
                  .join(RequestOrigin, RequestOrigin.id == AuditEvent.origin_id)
                  .where(RequestOrigin.ip == ip, AuditEvent.action == "auth.login_failed", AuditEvent.occurred_at >= since))  # fmt: skip
    return (session.scalar(by_address) or 0) >= MAX_FAILURES_PER_ADDRESS
