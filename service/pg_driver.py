"""psycopg, as this service drives it: two costs of the driver that SQLAlchemy's use of it pays for nothing.

1. `cursor.description`. psycopg builds a fresh list of Column objects (name decoded, type looked up, for
   every column) each time a result's description is read. SQLAlchemy reads it after every statement that
   returns rows, but for a statement compiled once (every statement here: the result's columns are cached
   with the compiled form) it only checks that it is not None. The cursor made here answers with a
   description that builds its Columns on first use: the same sequence, built only if somebody looks at it.
   For the 19 columns of a task row that is about a fifth of what one SELECT costs in this process.

2. The SQL text's conversion. psycopg turns `%(name)s` placeholders into `$1 …` once per distinct text and
   keeps the result, but only for texts up to 4,096 characters and 50 parameters. The statement that
   appends a completion's audit events (with the writes riding along, operations/audit.py) is longer: it was
   parsed again on every completion. `keep_long_statements_converted` raises both limits; the texts are the
   few statements this service builds once each, so the cache (psycopg's own, 128 entries) stays small.

Both reach into psycopg beyond its documented interface (the Column's constructor, a module constant):
tests/operations/test_pg_driver.py checks that they still do what is said here, so an upgrade of psycopg
that changes them fails a test instead of quietly costing time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import pq

LONG_STATEMENT_CHARS = 16384  # the audit append with several events and riders stays well under this
LONG_STATEMENT_PARAMS = 200

_RETURNS_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class _ResultView:
    """What psycopg's Column reads from a cursor, held for one result (the cursor may have moved on)."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, pgresult: Any, encoding: str, adapters: Any) -> None:
        self.pgresult, self._encoding, self.adapters = pgresult, encoding, adapters


class LazyDescription(Sequence[psycopg.Column]):
    """A result's description whose Columns are built the first time one is asked for."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self._cursor, self._result = cursor, result
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            view = _ResultView(self._result, self._cursor._encoding, self._cursor.adapters)  # noqa: SLF001
            self._columns = [psycopg.Column(view, i) for i in range(self._result.nfields)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return int(self._result.nfields)

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor):  # type: ignore[type-arg]
    """psycopg's client cursor, whose `description` is a LazyDescription (None where psycopg says None)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        # As psycopg decides: columns if the result has fields, or says it returned rows (`SELECT ;`).
        if result is not None and (result.nfields or result.status in _RETURNS_ROWS):
            return LazyDescription(self, result)
        return None


def keep_long_statements_converted() -> bool:
    """Let psycopg keep its conversion of statements up to LONG_STATEMENT_CHARS characters and
    LONG_STATEMENT_PARAMS parameters (its defaults: 4,096 and 50). False if this psycopg has no such limits."""
    from psycopg import _queries  # noqa: PLC0415 - psycopg's own module, named here only

    if not hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH") or not hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS"):
        return False
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, LONG_STATEMENT_CHARS)
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, LONG_STATEMENT_PARAMS)
    return True


def tune_connection(dbapi_connection: Any) -> None:
    """Make a new psycopg connection's cursors LazyDescriptionCursors (a `connect` event of the engine)."""
    if isinstance(dbapi_connection, psycopg.Connection) and dbapi_connection.cursor_factory is psycopg.Cursor:
        dbapi_connection.cursor_factory = LazyDescriptionCursor
