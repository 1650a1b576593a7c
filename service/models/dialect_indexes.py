"""Indexes that read a column's rows newest first, built to suit each database.

The audit page asks for `column = ? ORDER BY id DESC LIMIT n` (and the next page
for `id < ?`). PostgreSQL needs the index (column, id) to give those rows in order. SQLite does not: every
entry of an index on a rowid table already ends with the row's rowid, which `id INTEGER PRIMARY KEY` is, so
(column) alone gives the rows in id order and serves the cursor too ("SEARCH … USING INDEX ix (column=? AND
rowid<?)"), while (column, id) stores each id twice: about 4 bytes more per entry once there are a few
hundred thousand rows, which over an audit trail's five such indexes was about 0.35 KiB per dossier chain
(migration 0029).

So each such index is two Index objects with their own names, one built only on PostgreSQL and one only on
SQLite (`ddl_if`). Alembic's comparison of a database with the models does not know `ddl_if`:
`indexes_built_on(dialect)` is the `include_object` hook that leaves out the other database's index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Index

BUILT_ON = "built_on"  # the Index.info key naming the one database that builds the index


def newest_first(column: str, *, postgresql_name: str, sqlite_name: str) -> tuple[Index, Index]:
    """(column, id) on PostgreSQL, (column) on SQLite: both read `column = ?` newest first off the index."""
    return (
        Index(postgresql_name, column, "id", info={BUILT_ON: "postgresql"}).ddl_if(dialect="postgresql"),
        Index(sqlite_name, column, info={BUILT_ON: "sqlite"}).ddl_if(dialect="sqlite"),
    )


def built_on(index: Any, dialect_name: str) -> bool:
    """Whether a database of this kind builds the index (every index not made by `newest_first` is built on all)."""
    return index.info.get(BUILT_ON, dialect_name) == dialect_name


def indexes_built_on(dialect_name: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's include_object hook for a database of this kind: the model's indexes it does not build are
    neither expected in it nor proposed for it."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return type_ != "index" or reflected or built_on(obj, dialect_name)

    return include
