"""SQLite plans the inbox from the official's task ids, not from every running process: it has no statistics (the
product runs no ANALYZE), and a status index chosen to lead the join cost seconds with ten thousand running processes
(`thidua bench --province`, whose waiting tasks are in running processes since 2026-12-08)."""

from __future__ import annotations

from sqlalchemy import event

from service.operations.accounts import actor_for
from service.queries.inbox import inbox, inbox_facets
from tests.web.conftest import submit_dossiers


def _plans(app, run) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement `run` sends that reads the inbox's open tasks."""
    engine, found = app.extensions["thidua.db_engine"], []

    def grab(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "process_instance.status" in statement and "human_task.id IN" in statement:
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with app.extensions["thidua.session_factory"]() as session:
            run(session)
            raw = session.connection().connection.dbapi_connection
            return ["\n".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
                    for statement, parameters in found]  # fmt: skip
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def test_the_inbox_and_its_facets_start_from_the_officials_tasks(app):
    submit_dossiers(app, 3)
    plans = _plans(app, lambda session: (inbox(session, actor_for(session, "hn-hd-pl.office_clerk")),
                                         inbox_facets(session, actor_for(session, "hn-hd-pl.office_clerk"))))
    assert plans, "no inbox statement was read"
    for plan in plans:
        assert "ix_process_instance_status" not in plan, plan
        assert "SEARCH process_instance USING INTEGER PRIMARY KEY" in plan, plan
