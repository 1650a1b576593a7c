"""Audit pages with a date window: exactly the window's events, newest id first, pages without gaps or repeats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from service.models import AuditEvent
from service.operations.audit import record_event, verify_chain
from service.queries.audit import VN, AuditFilter, audit_page


def test_a_date_window_pages_through_exactly_its_events(factory) -> None:
    base = datetime(2024, 3, 1, 12, tzinfo=UTC)
    with factory() as session, session.begin():
        for number in range(130):
            # Out of id order on purpose: occurred_at is the caller's clock, not the chain's order.
            when = base + timedelta(hours=6 * number + (5 if number % 7 == 0 else 0))
            record_event(session, action="dossier.edit", object_type="dossier", object_id=str(number), now=when)
    window = AuditFilter(date_from=date(2024, 3, 5), date_to=date(2024, 3, 20), action="dossier.edit")
    start = datetime(2024, 3, 5, tzinfo=VN)
    end = datetime(2024, 3, 21, tzinfo=VN)
    with factory() as session:
        expected = [e.id for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.edit")
                                                  .order_by(AuditEvent.id.desc()))
                    if start <= e.occurred_at < end]  # fmt: skip
        for only_dates in (window, AuditFilter(date_from=window.date_from, date_to=window.date_to)):
            seen: list[int] = []
            before = None
            while True:
                page = audit_page(session, only_dates, before_id=before, size=17)
                if not page:
                    break
                seen.extend(row.event.id for row in page)
                before = page[-1].event.id
            if only_dates.action:
                assert seen == expected and 40 < len(expected) < 130
            else:  # other events of the seeded data may fall in the window; ours all appear, in order
                assert [i for i in seen if i in set(expected)] == expected and seen == sorted(seen, reverse=True)
        assert verify_chain(session).ok
