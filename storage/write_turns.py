"""Turns at writing to a SQLite file, taken in line across the processes that write to it most
(the dispatcher answering people and push delivery).

SQLite has one writer; one that finds the file locked waits in SQLite's busy handler, which
sleeps 1, 2, 5 … 100 ms between tries and so misses the moments the lock is free. Delivering
a broadcast writes once or twice per person, one short transaction after another, so a
dispatch could sleep through many of them (py-spy: most of the dispatch process's time in
that sleep, a reply's p99 in the hundreds of ms). Waiting for an exclusive `flock` on a file
beside the database instead, a dispatch is woken by the kernel the moment delivery's turn
ends, and, at a lower nice value than the delivery process, it runs first. Other writers
(the schedule, the staff console) keep to SQLite's own lock, as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

_files: dict[str, tuple[threading.Lock, int]] = {}  # SQLite file → (this process's turn, the lock file)
_opening = threading.Lock()


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """Hold the turn at writing to the engine's SQLite file for the block: threads of this
    process and other processes taking it wait until it is free. Nothing on PostgreSQL or an
    in-memory SQLite database."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    turn, lock_file = _turn(path)
    with turn:  # a flock on one descriptor does not keep out this process's other threads
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _turn(path: str) -> tuple[threading.Lock, int]:
    with _opening:
        if path not in _files:
            _files[path] = threading.Lock(), os.open(f"{path}-turns", os.O_RDWR | os.O_CREAT, 0o600)
        return _files[path]
