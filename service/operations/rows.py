"""Write hot rows with one Core statement each, keeping the session's identity map in agreement.

A task completion changes a handful of rows. Through the ORM each change costs a unit-of-work
flush (about ten times the statement itself on SQLite). These helpers send the INSERT or UPDATE
straight away with a statement built once per table and column set (run on the driver's cursor by
service/direct_sql.py), then record the new values in the session as committed: objects already
loaded show them, and no later flush sends them again.
Optimistic locking keeps working: a row with a version column is updated only at the version the
session read, and a mismatch raises StaleDataError exactly as a flush would.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, Table, bindparam, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.sql.dml import Insert, Update

from .. import direct_sql

T = TypeVar("T")


def update_row(session: Session, obj: Any, values: dict[str, Any], expect: dict[str, Any] | None = None) -> bool:
    """UPDATE one persistent row's columns (by attribute name) now; False if `expect` did not hold.

    `expect` makes it a compare-and-set: the row changes only where those attributes still have
    those values in the database (of colleagues acting at once, the first wins). Pending changes of
    the object are flushed first, so nothing is written out of order.
    """
    state, keys, params, written = _update_of(session, obj, values)
    expect_keys = tuple(sorted(expect or {}))
    params.update({f"e_{k}": (expect or {})[k] for k in expect_keys})
    if direct_sql.execute(session, _update_statement(state.mapper, keys, expect_keys), params).rowcount != 1:
        if state.mapper.version_id_col is not None and not expect_keys:
            raise StaleDataError(f"{state.mapper.class_.__name__} {state.identity[0]} changed since it was read")
        return False
    note_written(session, obj, written)
    return True


def _update_of(session: Session, obj: Any, values: dict[str, Any]) -> tuple[Any, tuple[str, ...], dict[str, Any],
                                                                           dict[str, Any]]:  # fmt: skip
    """What an UPDATE of a persistent object's row sends (pending changes of the object flushed first): its state,
    the columns' keys, the parameters (the version's old and new value for a row with a version column) and the
    values the row holds once it is written (the new version included)."""
    state = inspect(obj)
    if not state.persistent or state.modified:
        session.flush()
    mapper = state.mapper
    keys = tuple(sorted(values))
    params = {f"v_{k}": values[k] for k in keys}
    params["pk"] = state.identity[0]
    version = mapper.version_id_col
    if version is None:
        return state, keys, params, values
    version_key = mapper.get_property_by_column(version).key
    current = getattr(obj, version_key)
    params["version_old"], params["version_new"] = current, current + 1
    return state, keys, params, {**values, version_key: current + 1}


def compare_and_set(session: Session, obj: Any, values: dict[str, Any], expect: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The UPDATE … RETURNING and parameters of update_row(obj, values, expect) for a row without a version
    column, not sent: for a statement to carry (audit.Rider). It returns the row's id if it changed the row;
    then note_written(session, obj, values). Pending changes of the object are flushed first, as update_row does."""
    state = inspect(obj)
    if not state.persistent or state.modified:
        session.flush()
    mapper = state.mapper
    assert mapper.version_id_col is None, "rows with a version column go through update_row"
    keys, expect_keys = tuple(sorted(values)), tuple(sorted(expect))
    params = {f"v_{k}": values[k] for k in keys}
    params.update({f"e_{k}": expect[k] for k in expect_keys})
    params["pk"] = state.identity[0]
    return _update_returning_statement(mapper, keys, expect_keys), params


def note_written(session: Session, obj: Any, values: dict[str, Any]) -> None:
    """Record in the session that a persistent object's row now holds `values` (by attribute name), written
    by a statement of this transaction: the object shows them, no flush sends them again, and they are
    expired if the transaction (or savepoint) rolls back."""
    for key, value in values.items():
        set_committed_value(obj, key, value)
    _changed_in_transaction(session, inspect(obj), new=False)


def loaded_row(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """The session's object for a row of `cls` this transaction has just read (`values`: every column, by
    attribute name), as the ORM's loading would give it: the object the session already holds for that
    primary key (its expired attributes filled from the row, any others kept as they are), or else a new
    persistent object holding the row's values, with nothing to flush. For a row read by a Core statement
    (direct_sql) where an ORM query would cost twice as much."""
    mapper, held = _held(session, cls, values)
    if held is not None:
        for key in inspect(held).expired_attributes & values.keys():
            set_committed_value(held, key, values[key])
        return held  # type: ignore[no-any-return]
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # as if just loaded: the values are its committed state
    session.add(obj)
    return obj  # type: ignore[no-any-return]


def _held(session: Session, cls: type[Any], values: dict[str, Any]) -> tuple[Mapper[Any], Any]:
    """The class's mapper, and the object the session holds for the row whose values these are (or None)."""
    mapper = inspect(cls)
    pk = values[mapper.get_property_by_column(mapper.primary_key[0]).key]
    return mapper, session.identity_map.get(mapper.identity_key_from_primary_key([pk]))


def current_row(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """As loaded_row, for a row this transaction has just read and locked: an object the session already holds
    takes every value of the row, not only its expired ones (as the ORM's populate_existing loads). Sessions keep
    their objects across transactions, so a value held from an earlier one may be stale by now; the object must
    have no changes of its own waiting to be flushed (direct_sql.execute flushes them before reading)."""
    _, held = _held(session, cls, values)
    if held is None:
        return loaded_row(session, cls, values)
    assert not inspect(held).modified, "current_row: the held object has changes not yet flushed"
    for key, value in values.items():
        set_committed_value(held, key, value)
    return held  # type: ignore[no-any-return]


def insert_row(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """INSERT one row now and return it as a persistent object of the session (no flush, no reload).

    Every column must be given, except those with a constant default and nullable ones (None):
    the object then carries all its values and never reloads them.
    """
    return insert_object(session, cls(**values))


def insert_object(session: Session, obj: T) -> T:
    """INSERT a new (transient) object's row now and make it a persistent object of the session."""
    mapper = inspect(type(obj))
    full, missing = _full_values(mapper, obj)
    keys = tuple(sorted(full))
    pk = direct_sql.execute(session, _insert_returning_statement(mapper, keys, False), {f"v_{k}": full[k] for k in keys}).scalar()
    _made_persistent(session, mapper, obj, pk, {key: full[key] for key in missing})
    return obj


def update_then_insert(session: Session, obj: Any, values: dict[str, Any], new: T) -> T:
    """update_row(obj, values), then insert_object(new), in one statement (PostgreSQL: the UPDATE in a data-modifying
    CTE, the INSERT selecting from it): a round trip less, the rows locked in the same order. The INSERT happens
    only if the UPDATE changed the row; if it did not (another writer moved a row with a version column on, or
    the row is gone), nothing is written and StaleDataError is raised, as update_row raises it."""
    state, keys, params, written = _update_of(session, obj, values)
    new_mapper = inspect(type(new))
    full, missing = _full_values(new_mapper, new)
    new_keys = tuple(sorted(full))
    params.update({f"n_{k}": full[k] for k in new_keys})
    statement = _update_then_insert_statement(state.mapper, keys, new_mapper, new_keys)
    pk = direct_sql.execute(session, statement, params).scalar()
    if pk is None:
        raise StaleDataError(f"{state.mapper.class_.__name__} {state.identity[0]} changed since it was read")
    note_written(session, obj, written)
    _made_persistent(session, new_mapper, new, pk, {key: full[key] for key in missing})
    return new


def insert_objects(session: Session, objs: list[T]) -> list[T]:
    """INSERT new (transient) objects of one class now, in one statement, and make them persistent objects.

    The rows take their ids in the order given (the audit chain relies on it: its events are read back by
    id). On PostgreSQL the statement says so (rows numbered in a VALUES list, inserted ORDER BY that number);
    SQLite inserts the rows of one multi-row VALUES in order, each taking the next rowid, and no other
    writer can come between (SQLite has one writer at a time, and it is this transaction).
    """
    if len(objs) <= 1:
        return [insert_object(session, obj) for obj in objs]
    mapper = inspect(type(objs[0]))
    if any(inspect(type(obj)) is not mapper for obj in objs):
        raise ValueError("insert_objects needs objects of one class")
    values = [_full_values(mapper, obj) for obj in objs]
    keys = tuple(sorted(values[0][0]))
    if any(tuple(sorted(full)) != keys for full, _ in values):
        raise ValueError("insert_objects needs the same columns given in every object")
    ordered = session.get_bind().dialect.name == "postgresql"
    statement = _insert_returning_statement(mapper, keys, ordered)
    result = session.execute(statement, [{f"v_{k}": full[k] for k in keys} for full, _ in values])
    ids = [row[0] for row in result.all()]
    if len(ids) != len(objs):
        raise RuntimeError(f"insert_objects: {len(objs)} rows sent, {len(ids)} ids returned")
    for obj, pk, (full, missing) in zip(objs, ids if ordered else sorted(ids), values, strict=True):
        _made_persistent(session, mapper, obj, pk, {key: full[key] for key in missing})
    return objs


def new_row_values(obj: Any, omit: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column value (by attribute name) a new object's row will hold, as insert_object would send them;
    the object is given the defaults it lacks. For a statement of one's own that inserts it (then
    note_inserted). Attributes in `omit` are left out (the statement computes them)."""
    full, missing = _full_values(inspect(type(obj)), obj, omit)
    for key in missing:
        setattr(obj, key, full[key])
    return full


def note_inserted(session: Session, obj: Any, pk: Any) -> None:
    """Make a new object whose row a statement of this transaction has inserted with primary key `pk` a
    persistent object of the session, as insert_object does (its values are taken as the row's)."""
    _made_persistent(session, inspect(type(obj)), obj, pk, {})


def _full_values(mapper: Mapper[Any], obj: Any, omit: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    """Every column value of a new object's row (by attribute name), and which of them the object was not given."""
    given = obj.__dict__
    full: dict[str, Any] = {}
    missing = []
    for prop in mapper.column_attrs:
        if prop.key in omit:
            continue
        column = prop.columns[0]
        if column.primary_key and given.get(prop.key) is None:
            continue
        if prop.key in given:
            full[prop.key] = given[prop.key]
            continue
        if column.default is not None and column.default.is_scalar:
            full[prop.key] = column.default.arg
        elif column.default is None and column.nullable:
            full[prop.key] = None
        else:
            raise ValueError(f"insert_row({mapper.class_.__name__}) needs a value for {prop.key}")
        missing.append(prop.key)
    return full, missing


def _made_persistent(session: Session, mapper: Mapper[Any], obj: Any, pk: Any, defaults: dict[str, Any]) -> None:
    for key, value in defaults.items():
        setattr(obj, key, value)
    setattr(obj, mapper.primary_key[0].key, pk)
    # As if just loaded: every value it carries becomes its committed state, so nothing is flushed again.
    make_transient_to_detached(obj)
    session.add(obj)
    _changed_in_transaction(session, inspect(obj), new=True)


def find_or_insert_row(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """The row of `cls` holding `values` (by attribute name), inserted now if there is none.

    For a table of values kept once each: the primary key and the columns of `values` are its only columns,
    and a unique index holds each combination (a value may be None: NULL is looked up as NULL, and the
    table needs a unique index for the rows missing it, since NULLs are distinct in a unique index). Safe
    when two transactions insert the same values at once: the INSERT is ON CONFLICT DO NOTHING (on
    PostgreSQL it waits for the other transaction, then does nothing if that one committed) and the row is
    read after it. The row is looked up first, as it usually exists: on PostgreSQL an INSERT that does
    nothing still takes a number from the id sequence. A row inserted here leaves the session if the
    savepoint or transaction around it rolls back, as insert_object's rows do.
    """
    mapper = inspect(cls)
    keys = tuple(sorted(values))
    nulls = tuple(key for key in keys if values[key] is None)
    params = {f"v_{key}": values[key] for key in keys if values[key] is not None}
    found = session.scalars(_find_statement(mapper, keys, nulls), params).one_or_none()
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    pk = session.execute(_insert_missing_statement(mapper, keys, dialect), {f"v_{k}": values[k] for k in keys}).scalar()
    if pk is None:  # another transaction inserted it after the look-up above, and has committed
        return session.scalars(_find_statement(mapper, keys, nulls), params).one()
    obj = cls(**values, **{mapper.primary_key[0].key: pk})
    make_transient_to_detached(obj)
    session.add(obj)
    _changed_in_transaction(session, inspect(obj), new=True)
    return obj


def update_by_id(session: Session, cls: type[Any], pk: Any, values: dict[str, Any]) -> None:
    """UPDATE the row `pk` of `cls` now, whether or not the session has loaded it (for rows without a version column)."""
    mapper = inspect(cls)
    assert mapper.version_id_col is None, "rows with a version column go through update_row"
    loaded = session.identity_map.get(mapper.identity_key_from_primary_key([pk]))
    if loaded is not None:
        update_row(session, loaded, values)
        return
    keys = tuple(sorted(values))
    direct_sql.execute(session, _update_statement(mapper, keys, ()), {**{f"v_{k}": values[k] for k in keys}, "pk": pk})


def insert_rows(session: Session, cls: type[Any], rows: list[dict[str, Any]]) -> None:
    """INSERT rows of `cls` now in one statement (executemany); no objects are made (nothing reads them back)."""
    if not rows:
        return
    mapper = inspect(cls)
    keys = tuple(sorted(rows[0]))
    if any(tuple(sorted(row)) != keys for row in rows):
        raise ValueError("insert_rows needs the same columns in every row")
    session.execute(_insert_statement(mapper, keys), [{f"v_{k}": row[k] for k in keys} for row in rows])


def _changed_in_transaction(session: Session, state: Any, new: bool) -> None:
    """Tell the session's current transaction (a savepoint included) about a row written here, as a flush would.

    If that transaction rolls back, the object is expired (read again when next used) or, when it was
    inserted, removed from the session: a bulk approval undoes one task's savepoint and goes on with
    the next, which must not see the undone values (the audit chain head above all). SQLAlchemy has no
    public call for this, so it is done as its own flush does it (tests/operations/test_rows.py checks it).
    """
    transaction = session._transaction  # noqa: SLF001
    if transaction is None:
        return
    if new:
        transaction._new[state] = True  # noqa: SLF001
    else:
        transaction._dirty[state] = True  # noqa: SLF001


@cache
def _update_statement(mapper: Mapper[Any], keys: tuple[str, ...], expect_keys: tuple[str, ...]) -> Update:
    table = _table(mapper)
    column = mapper.get_property
    sets: dict[Any, Any] = {column(k).columns[0]: bindparam(f"v_{k}") for k in keys}
    statement = update(table).where(mapper.primary_key[0] == bindparam("pk"))
    for key in expect_keys:
        statement = statement.where(column(key).columns[0] == bindparam(f"e_{key}"))
    if mapper.version_id_col is not None:
        sets[mapper.version_id_col] = bindparam("version_new")
        statement = statement.where(mapper.version_id_col == bindparam("version_old"))
    return statement.values(sets)


@cache
def _update_returning_statement(mapper: Mapper[Any], keys: tuple[str, ...], expect_keys: tuple[str, ...]) -> Update:
    return _update_statement(mapper, keys, expect_keys).returning(mapper.primary_key[0])


@cache
def _insert_statement(mapper: Mapper[Any], keys: tuple[str, ...]) -> Insert:
    column = mapper.get_property
    return insert(_table(mapper)).values({column(k).columns[0]: bindparam(f"v_{k}") for k in keys})


@cache
def _insert_returning_statement(mapper: Mapper[Any], keys: tuple[str, ...], ordered: bool) -> Insert:
    return _insert_statement(mapper, keys).returning(mapper.primary_key[0], sort_by_parameter_order=ordered)


@cache
def _update_then_insert_statement(mapper: Mapper[Any], keys: tuple[str, ...], new_mapper: Mapper[Any],
                                  new_keys: tuple[str, ...]) -> Insert:  # fmt: skip
    """WITH updated_row AS (UPDATE … RETURNING id) INSERT INTO … SELECT :n_… FROM updated_row RETURNING id."""
    updated = _update_statement(mapper, keys, ()).returning(mapper.primary_key[0]).cte("updated_row")
    columns = [new_mapper.get_property(k).columns[0] for k in new_keys]
    values = select(*(bindparam(f"n_{key}", type_=column.type) for key, column in zip(new_keys, columns, strict=True)))
    return (insert(_table(new_mapper)).from_select(columns, values.select_from(updated), include_defaults=False)
            .returning(new_mapper.primary_key[0]).add_cte(updated))  # fmt: skip


@cache
def _find_statement(mapper: Mapper[Any], keys: tuple[str, ...], nulls: tuple[str, ...]) -> Select[Any]:
    """Equality for the keys given a value (their unique index finds the row), IS NULL for the others."""
    column = mapper.get_property
    return select(mapper.class_).where(*(
        column(k).columns[0].is_(None) if k in nulls else column(k).columns[0] == bindparam(f"v_{k}") for k in keys
    ))  # fmt: skip


@cache
def _insert_missing_statement(mapper: Mapper[Any], keys: tuple[str, ...], dialect: str) -> Any:
    column = mapper.get_property
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(_table(mapper)).values({column(k).columns[0]: bindparam(f"v_{k}") for k in keys})
    # No conflict target: a pair with a NULL half is kept unique by a partial index, which a target would have
    # to name with its WHERE; DO NOTHING without one applies to every unique index (the id is never given).
    return statement.on_conflict_do_nothing().returning(mapper.primary_key[0])


def _table(mapper: Mapper[Any]) -> Table:
    table = mapper.local_table
    assert isinstance(table, Table)
    return table
