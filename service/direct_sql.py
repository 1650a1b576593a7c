"""Hot Core statements sent straight to the driver, in the session's transaction.

Every statement SQLAlchemy executes pays for its general machinery: the statement's cache key looked up in
the compiled cache, an execution context, the parameters processed through it, a result object with its
metadata. For the few statements a task completion sends every time (the instance's UPDATE, the next task's
INSERT, the audit append, the token check) that machinery costs more than the driver does. Measured on a
slow hour of this machine kind, CPU per execution, session.execute against this module: an UPDATE by key
71 against 21 µs on SQLite (sqlite3 alone: 3), 169 against 118 µs on PostgreSQL; a SELECT of a task row
(19 columns) 112 against 52 µs and 230 against 162 µs. Here such a statement is compiled once per dialect,
and then each execution only applies the compiled statement's own bind and result processors (the same
functions SQLAlchemy would call) and runs the SQL text on a cursor of the session's connection
(tests/operations/test_direct_sql.py). What stays the same:

- the transaction: the session's connection (begun as SQLAlchemy begins it, with its events);
- the SQL text and parameters the database receives, byte for byte, and the values read back;
- the session's pending changes are flushed first, as session.execute does;
- `before_cursor_execute` / `after_cursor_execute` listeners still see each statement (tests count them;
  `context` is None);
- a driver error arrives as SQLAlchemy's exception (IntegrityError, OperationalError …), and a lost
  connection is invalidated, as SQLAlchemy does.

Only statements whose parameters are all plain named values can go this way: a statement needing
SQLAlchemy at execution (an expanding IN list, Python-side defaults to compute, literal rendering) is
refused when first compiled (ValueError), so it is found by the first test that runs it.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect: its SQL text and what to do with parameters and rows."""

    sql: str
    names: tuple[str, ...] | None  # parameter order for a positional paramstyle (SQLite's ?), else None
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters to convert, with their converters
    defaults: Mapping[str, Any]  # parameters with a value in the statement (bindparam(value=…))
    required: frozenset[str]  # parameters the caller must give
    row_type: Any  # a namedtuple of the result's column keys, or None for a statement returning no rows
    results: tuple[Callable[[Any], Any] | None, ...] | None  # per column, the converter of the value read (None: none has one)


class DirectResult:
    """The rows a statement returned (converted, as namedtuples) and how many rows it changed."""

    __slots__ = ("rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows, self.rowcount = rows, rowcount

    def all(self) -> list[Any]:
        return self.rows

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


_PLANS: weakref.WeakKeyDictionary[ClauseElement, dict[str, _Plan]] = weakref.WeakKeyDictionary()


def execute(session: Session, statement: ClauseElement, params: Mapping[str, Any] | None = None) -> DirectResult:
    """Run `statement` (built once and reused: its compiled form is kept with it) with `params` in the
    session's transaction, straight on the driver's cursor. See the module's docstring."""
    if session.autoflush:
        session.flush()  # as session.execute does (nothing to do, and cheap, when nothing is pending)
    connection = session.connection()
    return execute_on(connection, statement, params)


def execute_on(connection: Connection, statement: ClauseElement, params: Mapping[str, Any] | None = None) -> DirectResult:
    """As execute, on a SQLAlchemy connection (in its transaction) rather than a session's."""
    dialect = connection.dialect
    plan = _plan(statement, dialect)
    values = {**plan.defaults, **(params or {})}
    if not plan.required <= values.keys():
        missing = sorted(plan.required - values.keys())
        problem = sa_exc.InvalidRequestError(f"A value is required for bind parameter {missing[0]!r}")
        raise sa_exc.DBAPIError.instance(plan.sql, params, problem, dialect.loaded_dbapi.Error, dialect=dialect)
    try:
        for name, convert in plan.binds:
            values[name] = convert(values[name])
    except Exception as err:  # a type refusing a value: SQLAlchemy's StatementError, as session.execute raises
        raise sa_exc.DBAPIError.instance(plan.sql, params, err, dialect.loaded_dbapi.Error, dialect=dialect) from err
    parameters: Any = values if plan.names is None else tuple(values[name] for name in plan.names)
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()
    try:
        connection.dispatch.before_cursor_execute(connection, cursor, plan.sql, parameters, None, False)
        try:
            cursor.execute(plan.sql, parameters)
            raw = cursor.fetchall() if plan.row_type is not None else ()
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as err:
            lost = dialect.is_disconnect(err, dbapi_connection, cursor)
            if lost:
                connection.invalidate(err)
            raise sa_exc.DBAPIError.instance(plan.sql, parameters, err, dialect.loaded_dbapi.Error,
                                             dialect=dialect, connection_invalidated=lost) from err  # fmt: skip
        connection.dispatch.after_cursor_execute(connection, cursor, plan.sql, parameters, None, False)
    finally:
        cursor.close()
    if plan.row_type is None:
        return DirectResult([], rowcount)
    make, results = plan.row_type._make, plan.results
    if results is not None:
        rows = [make([value if convert is None else convert(value) for value, convert in zip(row, results, strict=True)])
                for row in raw]  # fmt: skip
    else:
        rows = [make(row) for row in raw]
    return DirectResult(rows, rowcount)


def _plan(statement: ClauseElement, dialect: Dialect) -> _Plan:
    by_dialect = _PLANS.get(statement)
    if by_dialect is None:
        by_dialect = _PLANS[statement] = {}
    key = f"{dialect.name}+{dialect.driver}"
    plan = by_dialect.get(key)
    if plan is None:
        plan = by_dialect[key] = _compile(statement, dialect)
    return plan


def _compile(statement: ClauseElement, dialect: Dialect) -> _Plan:
    compiled: Any = statement.compile(dialect=dialect)
    needs_sqlalchemy = [
        name for name, flag in (
            ("Python-side defaults", compiled.insert_prefetch or compiled.update_prefetch),
            ("an expanding or literal parameter", compiled.literal_execute_params or compiled.post_compile_params),
            ("parameters of an executemany", getattr(compiled, "for_executemany", False)),
        ) if flag
    ]  # fmt: skip
    if needs_sqlalchemy:
        raise ValueError(f"direct_sql cannot run this statement (it needs {', '.join(needs_sqlalchemy)}): {compiled.string[:200]}")
    # The converters SQLAlchemy itself applies to these parameters and columns (a TypeDecorator's, a type's
    # for this driver), taken once from the compiled statement.
    processors = compiled._bind_processors  # noqa: SLF001 - the compiled statement's own table of converters
    binds = tuple(processors.items())  # by parameter name: once each, however often the SQL uses it
    defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
    names = tuple(compiled.positiontup) if compiled.positional else None
    required = frozenset(compiled.binds) - defaults.keys()
    columns: Sequence[Any] = compiled._result_columns  # noqa: SLF001 - (key, name, objects, type) per column
    if not columns:
        return _Plan(compiled.string, names, binds, defaults, required, None, None)
    keys = [column[0] for column in columns]
    row_type = namedtuple("Row", keys, rename=True)  # type: ignore[misc]  # noqa: PYI024
    results = tuple(column[3].dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    return _Plan(compiled.string, names, binds, defaults, required, row_type, results if any(results) else None)
