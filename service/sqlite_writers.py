"""SQLite writers of one database file wait in a queue the kernel keeps, not in SQLite's busy loop.

SQLite lets one transaction write at a time. A connection that finds the write lock taken (BEGIN
IMMEDIATE) does not wait for it to be released: its busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … ms and
tries again. Where writers hold the lock for a few milliseconds each (a task completion), two processes
writing side by side then spend more time asleep than writing: the lock is free and nobody takes it.

Here every writing transaction of a connection made by make_engine first takes an exclusive flock(2) on a
file beside the database (`<database>-writers`), and gives it back the moment its COMMIT or ROLLBACK has
run. A writer waiting for the flock asks again within half a millisecond (`take`), so the lock passes from
one writer to the next almost without a gap. Each connection opens the file itself: flock locks of two
descriptions of one file exclude each other even within a process, so threads queue too.

Only this project's connections take the flock; anything else writing the file (the sqlite3 shell, a
backup) still meets SQLite's own lock and busy timeout, which stay as they were. A thread that already
holds the flock through one connection and begins writing on a second one does not queue for it (it would
wait for itself): the second connection meets SQLite's busy timeout as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

_FD = "thidua.writers_fd"  # the connection's descriptor of the lock file, in its pool record's info
_HELD = "thidua.writers_held"  # set while this connection holds the flock
_held_by_thread = threading.local()


def lock_path(database: str) -> str:
    return database + "-writers"


def open_for(record_info: dict[str, Any], database: str) -> None:
    """On connect: open the lock file for this connection (closed with it, which also lets go of the flock)."""
    record_info[_FD] = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def close_for(record_info: dict[str, Any]) -> None:
    fd = record_info.pop(_FD, None)
    if fd is not None:
        _forget_held(record_info)
        os.close(fd)  # lets go of the flock, if held


def take(record_info: dict[str, Any]) -> None:
    """Before BEGIN IMMEDIATE: wait for the flock (unless this thread already holds it elsewhere).

    The wait is bounded by WAIT_S, as SQLite's busy timeout bounds its own: a transaction that never ends
    (a request stuck while writing) must not stop every writer for good. flock itself has no timeout, so a
    writer that does not get it at once asks again after 50 µs, then twice as long each time up to 0.5 ms
    (SQLite's busy handler waits 1, 2, 5, 10 … ms between tries). After WAIT_S it goes on without the
    flock, and SQLite's busy timeout decides."""
    fd = record_info.get(_FD)
    if fd is None or record_info.get(_HELD) or getattr(_held_by_thread, "count", 0):
        return
    if not _try(fd):
        deadline, pause = time.monotonic() + WAIT_S, 0.00005
        while True:
            time.sleep(pause)
            if _try(fd):
                break
            if time.monotonic() >= deadline:
                return
            pause = min(pause * 2, 0.0005)
    record_info[_HELD] = True
    _held_by_thread.count = getattr(_held_by_thread, "count", 0) + 1


WAIT_S = 30.0  # as the busy timeout of make_engine's SQLite connections


def _try(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def give_back(record_info: dict[str, Any]) -> None:
    """After COMMIT or ROLLBACK (or when the connection goes back to the pool): let the next writer in."""
    if _forget_held(record_info):
        fcntl.flock(record_info[_FD], fcntl.LOCK_UN)


def _forget_held(record_info: dict[str, Any]) -> bool:
    """Mark the connection as not holding the flock; whether it did."""
    if not record_info.pop(_HELD, False):
        return False
    _held_by_thread.count = max(0, getattr(_held_by_thread, "count", 0) - 1)
    return True
