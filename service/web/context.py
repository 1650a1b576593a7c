"""Per-request resources: one SQLAlchemy session on `g`, the engine, and the signed-in Actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from workflows import Engine

from ..db import WRITE_OPTIONS
from ..domain.actors import Actor
from ..operations.accounts import actor_for_user
from ..operations.audit import REQUEST_ORIGIN
from ..storage import FileStore


def get_session() -> Session:
    """The request's database session (closed at teardown)."""
    if "db_session" not in g:
        # Its transactions read (on SQLite: BEGIN deferred, no write lock) and begin when first used;
        # writes go through transaction(), which ends the current read first.
        g.db_session = current_app.extensions["thidua.session_factory"](bind=current_app.extensions["thidua.read_bind"])
    return g.db_session  # type: ignore[no-any-return]


def close_session(exc: BaseException | None = None) -> None:
    """End the request's reads. On PostgreSQL with COMMIT: they ran READ ONLY, so nothing can be committed,
    and a ROLLBACK would make psycopg drop the connection's prepared statements (the next request on it
    would be parsed and planned anew). On SQLite, where a read transaction could have written, ROLLBACK:
    a change made outside transaction() is never kept."""
    session = g.pop("db_session", None)
    # A writing transaction begun for the route (begin_action) that the route never took up could have
    # written (it is not READ ONLY): it is rolled back, never committed.
    unclaimed_write = g.pop("action_begun", False)
    if session is None:
        return
    try:
        if (exc is None and not unclaimed_write and session.in_transaction()
                and session.get_bind().dialect.name == "postgresql"
                and not (session.new or session.dirty or session.deleted)):  # fmt: skip
            session.commit()
    finally:
        session.close()


def discard_changes() -> None:
    """After an unexpected error: end whatever the request's session had begun, so the error page can read."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def get_engine() -> Engine:
    return current_app.extensions["thidua.engine"]  # type: ignore[no-any-return]


def get_files() -> FileStore:
    return current_app.extensions["thidua.files"]  # type: ignore[no-any-return]


def current_actor() -> Actor:
    """The signed-in user as an Actor (roles re-read each request, so revoked roles take effect at once)."""
    if "actor" not in g:
        g.actor = actor_for_user(get_session(), current_user._get_current_object())
    return g.actor  # type: ignore[no-any-return]


def begin_action() -> Session:
    """Begin the request's writing transaction now, before its first read, for a route whose first step is
    `with transaction()`: that block then continues this transaction instead of committing the reads made
    before it and beginning its own (a BEGIN, a COMMIT and a pool checkout less). The API checks the bearer
    token in it, so the token is read in the same transaction as the action it allows."""
    db = get_session()
    if db.in_transaction():
        db.commit()
    db.connection(execution_options=WRITE_OPTIONS)  # a writing transaction: BEGIN IMMEDIATE on SQLite
    g.action_begun = True
    return db


def end_action_unused() -> None:
    """The transaction begin_action() began will not be taken up (the request is refused, or has to commit
    something of its own first): end it now; nothing it read is lost, and it wrote nothing."""
    if g.pop("action_begun", False):
        get_session().commit()


@contextmanager
def transaction() -> Iterator[Session]:
    """One user action = one transaction; reads the user loader made before are ended first.

    Reads after it (rendering the page) begin deferred again, so on SQLite the write lock is held only
    while the action itself runs, not while the response is built. After begin_action() it continues the
    transaction begun there."""
    db = get_session()
    if g.pop("action_begun", False) and db.in_transaction():
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()
        return
    if db.in_transaction():
        db.commit()
    with db.begin():
        db.connection(execution_options=WRITE_OPTIONS)  # a writing transaction: BEGIN IMMEDIATE on SQLite
        yield db


def navigation() -> dict[str, object]:
    """What the page header offers the signed-in user (computed once, not in templates)."""
    if not current_user.is_authenticated:
        return {"nav": {"auditor": False, "admin": False, "reader": False, "new_dossier": False}}
    actor = current_actor()
    # Only a unit's clerk prepares a dossier (queries.org.clerk_units): nobody else is offered the page.
    # An auditor who is no admin reads the processes and instances (web.processes/instances AUDITOR_READS).
    return {"nav": {"auditor": actor.has_role("auditor") or actor.is_admin, "admin": actor.is_admin,
                    "reader": actor.has_role("auditor") and not actor.is_admin,
                    "new_dossier": actor.has_role("unit_clerk")}}  # fmt: skip


def remember_origin() -> None:
    """Before each request: audit events written during it record its IP address and user agent (the header's
    text, as request.user_agent.string holds it, without building the parsed UserAgent object)."""
    g.origin_token = REQUEST_ORIGIN.set((request.remote_addr, request.headers.get("User-Agent", "")[:500] or None))


def forget_origin(exc: BaseException | None = None) -> None:
    """After each request: the origin is put back, so nothing later in this thread (a test, a job run in
    the same process) records the last request's IP address and user agent as its own."""
    token = g.pop("origin_token", None)
    if token is not None:
        REQUEST_ORIGIN.reset(token)
