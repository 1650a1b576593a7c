"""SQLite writers queue for the database in the kernel (service/sqlite_writers.py), and only writers do."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from service.db import READ_OPTIONS, make_engine
from service.sqlite_writers import lock_path


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (who TEXT, at REAL)")
    yield engine
    engine.dispose()


def _write(engine: Engine, who: str, hold: float = 0.0, log: list[tuple[str, str, float]] | None = None) -> None:
    with engine.begin() as conn:
        if log is not None:
            log.append((who, "began", time.monotonic()))
        conn.execute(text("INSERT INTO t VALUES (:who, :at)"), {"who": who, "at": time.time()})
        time.sleep(hold)
    if log is not None:
        log.append((who, "committed", time.monotonic()))


def test_a_second_writer_waits_for_the_first_and_then_writes(db):
    log: list[tuple[str, str, float]] = []
    first = threading.Thread(target=_write, args=(db, "first", 0.3, log))
    first.start()
    while not log:
        time.sleep(0.005)
    second = threading.Thread(target=_write, args=(db, "second", 0.0, log))
    second.start()
    first.join(10)
    second.join(10)
    assert [(who, what) for who, what, _ in log] == [("first", "began"), ("first", "committed"),
                                                     ("second", "began"), ("second", "committed")]  # fmt: skip
    with db.connect() as conn:
        assert conn.execute(text("SELECT who FROM t ORDER BY rowid")).scalars().all() == ["first", "second"]


def test_readers_do_not_queue_behind_a_writer(db):
    log: list[tuple[str, str, float]] = []
    writer = threading.Thread(target=_write, args=(db, "writer", 0.5, log))
    writer.start()
    while not log:
        time.sleep(0.005)
    reading = db.execution_options(**READ_OPTIONS)
    started = time.monotonic()
    with reading.begin() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()
    assert time.monotonic() - started < 0.3  # did not wait for the writer's half second
    writer.join(10)


@pytest.mark.parametrize("ending", ["commit", "rollback", "error"])
def test_the_queue_is_left_however_the_transaction_ends(db, ending):
    with pytest.raises(RuntimeError) if ending != "commit" else _nothing():
        with db.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES ('x', 0)"))
            if ending == "rollback":
                conn.get_transaction().rollback()
                raise RuntimeError("rolled back")
            if ending == "error":
                raise RuntimeError("the action failed")
    assert _queue_is_free(db)


def test_a_writer_that_cannot_begin_leaves_the_queue(db, tmp_path):
    """Someone outside the project (the sqlite3 shell) holds SQLite's write lock: our BEGIN IMMEDIATE times out
    as it always did, and the next writer of ours is not stuck behind it."""
    outsider = sqlite3.connect(tmp_path / "w.sqlite3", isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    with db.connect() as conn:
        _busy_timeout(conn, 100)
        with pytest.raises(OperationalError, match="locked"):
            conn.begin()
    assert _queue_is_free(db)
    outsider.execute("ROLLBACK")
    outsider.close()
    _write(db, "after")


def test_a_thread_writing_on_a_second_connection_meets_the_busy_timeout_instead_of_waiting_for_itself(db):
    with db.begin() as first:
        first.execute(text("INSERT INTO t VALUES ('first', 0)"))
        with db.connect() as second:
            _busy_timeout(second, 100)
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                second.begin()
            assert time.monotonic() - started < 5
    assert _queue_is_free(db)


def test_a_writer_killed_in_its_transaction_lets_the_next_one_in(db, tmp_path):
    script = (
        "import sys, time\n"
        "from service.db import make_engine\n"
        "engine = make_engine(sys.argv[1])\n"
        "conn = engine.connect()\n"
        "conn.begin()\n"
        "conn.exec_driver_sql(\"INSERT INTO t VALUES ('killed', 0)\")\n"
        "print('writing', flush=True)\n"
        "time.sleep(60)\n"
    )  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", script, f"sqlite:///{tmp_path / 'w.sqlite3'}"],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        assert not _queue_is_free(db)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        _write(db, "next")  # neither the flock nor SQLite's lock outlives the process
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.stdout.close()
    with db.connect() as conn:
        assert conn.execute(text("SELECT who FROM t")).scalars().all() == ["next"]


def _busy_timeout(conn: Connection, ms: int) -> None:
    """Set on the DBAPI connection itself: a statement through SQLAlchemy would begin a transaction first."""
    conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout={ms}")


def _queue_is_free(db: Engine) -> bool:
    """Whether a writer could take the queue's flock now (tried from a descriptor of our own)."""
    import fcntl

    fd = os.open(lock_path(db.url.database), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also lets go if taken
    return True


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_a_writer_waits_for_the_queue_no_longer_than_the_busy_timeout(db, monkeypatch):
    """A holder that never lets go (a request stuck while writing) must not stop every writer for good: after
    WAIT_S the writer goes on without the flock and SQLite's own lock decides (free here, so it writes)."""
    import fcntl

    from service import sqlite_writers

    monkeypatch.setattr(sqlite_writers, "WAIT_S", 0.3)
    stuck = os.open(lock_path(db.url.database), os.O_RDWR)
    fcntl.flock(stuck, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        _write(db, "after the wait")
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        os.close(stuck)
    with db.connect() as conn:
        assert conn.execute(text("SELECT who FROM t")).scalars().all() == ["after the wait"]
