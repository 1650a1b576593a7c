"""Database plumbing: declarative Base with naming convention, engines, sessions, UTC times, migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import enum
import functools
import hashlib
import sqlite3
import time
import unicodedata
import uuid
import zlib

from sqlalchemy import BigInteger, DateTime, Engine, LargeBinary, MetaData, Uuid, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from . import pg_driver, sqlite_writers

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# On SQLite a UTC time is stored as integer microseconds since 1970-01-01 UTC: 8 bytes in the row and in
# every index holding it, where the text SQLAlchemy wrote ('2026-03-01 01:00:00.000000') took 26. A chain
# writes about 65 of them (audit events, tasks, notifications; due_at is in the inbox index): 1.4 KiB less
# per chain. The columns stay declared DATETIME (migration 0018 converts the values in place): their
# NUMERIC affinity keeps integers integers.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class EpochMicroseconds(BigInteger):
    """UTCDateTime's storage on SQLite: a plain integer in a column declared DATETIME, so the schema the
    migrations built (DATETIME columns) still compares equal to the models."""

    __visit_name__ = "DATETIME"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: timestamptz on PostgreSQL, integer microseconds since the Unix
    epoch on SQLite (exact, and compared and sorted as numbers). A naive datetime is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(EpochMicroseconds())
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | int | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"not a datetime given to a UTC column: {value!r}")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name != "sqlite":
            return value
        # Exact integer arithmetic. Every datetime (years 1 to 9999) is within ±2.6e17 µs of 1970, far
        # inside SQLite's 64-bit integers, so nothing can overflow on the way in.
        return (value - EPOCH) // MICROSECOND

    def process_result_value(self, value: datetime | int | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, int):
            try:
                return EPOCH + value * MICROSECOND
            except OverflowError:
                raise ValueError(f"a UTC column holds {value}, outside the years 1 to 9999 in µs since 1970") from None
        # Text here is a time written before migration 0018 (or by hand): SQLite sorts it after every number.
        raise ValueError(f"a UTC column holds {value!r}, not integer µs since 1970: is the schema upgraded to 0018?")

    def literal_processor(self, dialect: Any) -> Any:
        # The default would hand the integer to DateTime's literal renderer (it wants a datetime).
        if dialect.name != "sqlite":
            return super().literal_processor(dialect)
        return lambda value: "NULL" if value is None else str(self.process_bind_param(value, dialect))


# Instance states are stored as one byte naming the format, then a zlib stream compressed with that
# format's preset dictionary. The byte is never one a plain zlib stream (migration 0012's format, still
# read) starts with: a zlib stream's first byte has 8 (deflate) in its low four bits. Format 2 (written
# now) has a dictionary built from the engine's compact state text (workflows/state.py); format 1's was
# built from SpiffWorkflow's own form. Either format holds any text: the byte names the dictionary only,
# and the engine reads both forms of state, so a row written in format 1 is rewritten in format 2 the
# next time its instance changes.
STATE_FORMAT_V1 = b"\x01"
STATE_FORMAT_V2 = b"\x02"
STATE_DICTIONARY_V1 = Path(__file__).resolve().parent / "state_dictionary_v1.bin"  # scripts/build_state_dictionary.py
STATE_DICTIONARY_V1_SHA256 = "b604cbd26b7eac8913cdf77bd09646ffaf78ff1ad5b3f445a96edaf931a8ed69"
STATE_DICTIONARY_V2 = Path(__file__).resolve().parent / "state_dictionary_v2.bin"  # scripts/build_state_dictionary.py
STATE_DICTIONARY_V2_SHA256 = "aab93f63f9a2e5a346679998dfdb7322bb304bd955f9719c029b7585d83edb99"
# Level 9 with dictionary v2: a finished chain's compact state (3.6 KB of text) in about 205 bytes, against
# 255 at level 5 and 230 at level 6, in the same time (about 27 µs to compress, 6 µs to decompress,
# measured on 300 finished bench chains): at this size zlib's longer searches cost nothing measurable.
STATE_LEVEL = 9


def _checked_dictionary(path: Path, sha256: str) -> bytes:
    dictionary = path.read_bytes()
    if hashlib.sha256(dictionary).hexdigest() != sha256:
        raise RuntimeError(f"{path} has changed; states written with it could no longer be read")
    return dictionary


@functools.cache
def state_dictionary_v1() -> bytes:
    """The preset dictionary of format 1 (read, no longer written): read once, refused if it has changed."""
    return _checked_dictionary(STATE_DICTIONARY_V1, STATE_DICTIONARY_V1_SHA256)


@functools.cache
def state_dictionary_v2() -> bytes:
    """The preset dictionary of format 2 (written now): read once, and refused if it has changed."""
    return _checked_dictionary(STATE_DICTIONARY_V2, STATE_DICTIONARY_V2_SHA256)


@functools.cache
def _primed_compressor() -> zlib._Compress:
    # Loading the dictionary into a compressor costs about 20 µs; a copy of a primed one is cheaper.
    return zlib.compressobj(STATE_LEVEL, zdict=state_dictionary_v2())


def compress_state(text: str) -> bytes:
    """Format 2: the format byte, then the text compressed with dictionary v2."""
    compressor = _primed_compressor().copy()
    return STATE_FORMAT_V2 + compressor.compress(text.encode("utf-8")) + compressor.flush()


def decompress_state(data: bytes) -> str:
    """Read any stored format: 2 (dictionary v2), 1 (dictionary v1) or plain zlib (migration 0012)."""
    written_as = data[:1]
    if written_as == STATE_FORMAT_V2:
        dictionary = state_dictionary_v2()
    elif written_as == STATE_FORMAT_V1:
        dictionary = state_dictionary_v1()
    else:
        return zlib.decompress(data).decode("utf-8")
    decompressor = zlib.decompressobj(zdict=dictionary)
    raw = decompressor.decompress(data[1:])
    if not decompressor.eof or decompressor.unused_data:
        raise zlib.error("instance state is truncated or followed by stray bytes")
    return raw.decode("utf-8")


class CompressedText(TypeDecorator[str]):
    """Text kept zlib-compressed with a preset dictionary in a binary column: a finished chain's engine
    state (3.6 KB of compact text, 15.8 KB in SpiffWorkflow's own form) is stored in about 205 bytes.
    Python sees the exact text that was written (compression is lossless, key order kept). Rows written
    in format 1 or before the dictionaries (plain zlib) are read as they are."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else compress_state(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else decompress_state(value)


def canonical_uuid(value: object) -> uuid.UUID:
    """The UUID a text in canonical form names (36 characters, lowercase, hyphenated); ValueError for anything else."""
    if isinstance(value, str) and len(value) == 36:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            pass
        else:
            if str(parsed) == value:
                return parsed
    raise ValueError(f"not a UUID in canonical form (lowercase, hyphenated, e.g. '{uuid.UUID(int=0)}'): {value!r}")


class CompactUuid(TypeDecorator[str]):
    """A UUID that Python sees as its canonical text, stored in 16 bytes: PostgreSQL's uuid, raw bytes (BLOB)
    on SQLite, where the text took 36 in the row and 36 again in each index holding it (migration 0019).

    Only the canonical form is taken, in writes and in comparisons alike, so a value reads back exactly
    as it was written and a lookup matches what the same text matched when it was stored as text.
    """

    impl = LargeBinary(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Uuid(as_uuid=True))
        return dialect.type_descriptor(LargeBinary(16))

    def process_bind_param(self, value: str | None, dialect: Any) -> uuid.UUID | bytes | None:
        if value is None:
            return None
        parsed = canonical_uuid(value)
        return parsed if dialect.name == "postgresql" else parsed.bytes

    def process_result_value(self, value: uuid.UUID | bytes | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(bytes=bytes(value)))


def str_enum(enum_cls: type[enum.StrEnum]) -> SAEnum:
    """A StrEnum stored as its value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return SAEnum(
        enum_cls, native_enum=False, length=32, validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


READ_ONLY = "thidua_read_only"  # execution option: this transaction only reads (SQLite begins it deferred)
# Execution options of a transaction that only reads: deferred on SQLite; on PostgreSQL a READ ONLY
# transaction, which refuses any write.
READ_OPTIONS: dict[str, Any] = {READ_ONLY: True, "postgresql_readonly": True}
WRITE_OPTIONS: dict[str, Any] = {READ_ONLY: False, "postgresql_readonly": False}


SQLITE_FOLD = "thidua_fold"


def fold_text(value: str | None) -> str | None:
    """Text as a search compares it: NFC, lower case in every script (Vietnamese capitals too)."""
    return None if value is None else unicodedata.normalize("NFC", value).lower()


class folded(FunctionElement[str]):  # noqa: N801 - used in queries as a SQL function, lower case as func.lower is
    """A column's text folded as fold_text folds it, for `folded(column).like(fold_text(typed))` searches. PostgreSQL's
    lower() folds by the database's ctype, which folds ASCII only when it is "C" or "POSIX" ("Đông" would stay
    "Đông"): there it is lower() under ICU's root collation, which folds every script whatever the database was
    created with. SQLite's lower() folds ASCII only: there it is fold_text itself, registered on each connection."""

    inherit_cache = True
    name = "folded"


# ICU's root locale: every PostgreSQL built with ICU (Debian's, the PGDG packages', the official images') has it.
ICU_ROOT = "und-x-icu"


@compiles(folded)
def _folded_lower(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "{ICU_ROOT}")'


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


class not_driving(FunctionElement[Any]):  # noqa: N801 - used in queries as a SQL function
    """A column, in a condition that must not choose where a join starts: on SQLite `+column` (its documented way to
    keep an index from being used for a term), elsewhere the column as it is. SQLite has no statistics unless ANALYZE
    has run (this product does not run it), so it plans from the indexes alone: an inbox's `process_instance.status =
    'running'` then drove the join from every running process (its status index) and probed the official's task ids
    for each: 2.3 s with ten thousand running processes, where starting from those ids takes 6 ms."""

    inherit_cache = True
    name = "not_driving"

    @property
    def type(self) -> Any:  # the column's own type, so a value compared with it is bound as the column's
        return next(iter(self.clauses)).type


@compiles(not_driving)
def _not_driving(element: not_driving, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(not_driving, "sqlite")
def _not_driving_sqlite(element: not_driving, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling is turned off so that BEGIN below is ours.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 64 MiB of page cache (the default is 2 MiB): past a few hundred MB the indexes' inner
            # pages no longer fit in 2 MiB and every insert re-reads them. Pages are taken as used.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.close()
            # folded() on SQLite: its own lower() folds ASCII letters only ("Đông" would stay "Đông").
            dbapi_conn.create_function(SQLITE_FOLD, 1, fold_text, deterministic=True)

        if engine.url.database and engine.url.database != ":memory:":
            _queue_writers(engine, engine.url.database)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A writing transaction takes the write lock at BEGIN, so two writers queue instead of failing
            # on upgrade. A transaction marked read-only (a web request's reads) begins deferred: in WAL
            # mode it reads its snapshot without waiting for the writer. (SQLite's query_only would refuse
            # its writes as PostgreSQL's READ ONLY does, but changing it expires every prepared statement of
            # the connection: 1.5 ms more per API completion, measured. So on SQLite nothing refuses them:
            # web.context.close_session rolls such a transaction back at the end of a request.)
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
                return
            sqlite_writers.take(conn.connection.info)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                sqlite_writers.give_back(conn.connection.info)
                raise

        return engine
    engine = create_engine(url, **kwargs)
    if engine.dialect.driver == "psycopg":
        pg_driver.keep_long_statements_converted()
        event.listen(engine, "connect", lambda dbapi_conn, _record: pg_driver.tune_connection(dbapi_conn))

    # A pooled connection may have died while it sat in the pool (PostgreSQL restarted or failed over, a
    # firewall dropped an idle socket). SQLAlchemy's pool_pre_ping asks the server on every checkout: a round
    # trip per transaction, two per API request. Here only a connection idle for longer than PING_AFTER_IDLE_S
    # is asked (as HikariCP's alive-bypass window does); one handed back a moment ago is used as it is. A dead
    # one is replaced before the transaction starts (DisconnectionError makes the pool connect anew).
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_CHECKED_IN, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # just connected, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure of the ping means the connection is gone
            raise DisconnectionError(f"connection lost while idle in the pool: {exc}") from exc
        if not alive:
            raise DisconnectionError("connection lost while idle in the pool")

    return engine


def _queue_writers(engine: Engine, database: str) -> None:
    """Writers of the file queue for it in the kernel (service/sqlite_writers.py says why)."""

    @event.listens_for(engine, "connect")
    def _open(_dbapi_conn: Any, record: Any) -> None:
        sqlite_writers.open_for(record.info, database)

    @event.listens_for(engine, "close")
    def _close(_dbapi_conn: Any, record: Any) -> None:
        sqlite_writers.close_for(record.info)

    def _end_then_give_back(conn: Any, end: str) -> None:
        # SQLAlchemy calls these just before it commits or rolls back; the transaction is ended here so the
        # next writer can come in at once. The DBAPI call that follows finds no transaction and does nothing.
        # If this COMMIT fails the transaction is still open: SQLAlchemy's commit runs it again and reports
        # the error as usual, and the flock is given back at the rollback or when the connection is checked in.
        try:
            getattr(conn.connection.dbapi_connection, end)()
        except sqlite3.Error:
            return
        sqlite_writers.give_back(conn.connection.info)

    event.listen(engine, "commit", lambda conn: _end_then_give_back(conn, "commit"))
    event.listen(engine, "rollback", lambda conn: _end_then_give_back(conn, "rollback"))

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            sqlite_writers.give_back(record.info)


PING_AFTER_IDLE_S = 1.0  # a pooled PostgreSQL connection idle this long is pinged before use
_CHECKED_IN = "thidua.checked_in_at"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for a CLI command or a worker job: commit on success, roll back on error."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def snapshot_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One read-only transaction that sees the database as it was when it began, for a long read such as
    walking the whole audit chain: on SQLite it begins deferred (in WAL mode writers go on meanwhile, where
    session_scope's BEGIN IMMEDIATE would hold the write lock for the whole walk); on PostgreSQL it is
    REPEATABLE READ READ ONLY, so rows committed during the walk cannot appear halfway through it."""
    bind = factory.kw["bind"]
    options: dict[str, Any] = dict(READ_OPTIONS)
    if bind.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with factory(bind=bind.execution_options(**options)) as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_schema(url: str) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
