"""The lock that makes one process the leader among all server processes on one database.

PostgreSQL: a session-level advisory lock held on a connection of its own (outside the pool,
autocommit, so it is never idle in a transaction). The server drops the lock the moment that
connection closes: at once when the holder process dies, and within about half a minute when
its whole host vanishes (TCP keepalives set on the session). SQLite, which lives on one
machine: an exclusive `flock` on a file beside the database, dropped by the kernel with its
holder. Both are re-entrant for their holder.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# server side: a silent peer is probed after 10 s idle, every 5 s, given up after 3 probes
_SERVER_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
_HEARTBEAT_TIMEOUT_MS = 5000


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now."""

    def holding(self) -> bool:
        """The heartbeat: whether the lock is still ours (False once it is lost)."""

    def release(self) -> None: ...


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for `name`."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class PostgresLeaderLock:
    def __init__(self, url: str, *, name: str, holder: str):
        self._key = lock_key(name)
        self._engine = create_engine(url, poolclass=NullPool, connect_args={
            # the holder shows in pg_stat_activity, so staff can see who leads
            "application_name": f"jobbot leader {holder}"[:63],
            "options": f"{_SERVER_KEEPALIVES} -c statement_timeout={_HEARTBEAT_TIMEOUT_MS}",
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
            "tcp_user_timeout": 20_000, "connect_timeout": 10,
        })
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            return bool(self._conn.execute(text("select pg_try_advisory_lock(:key)"), {"key": self._key}).scalar())
        except SQLAlchemyError as error:
            log.warning("leader lock: database not reachable (%s)", type(error).__name__)
            self.release()
            return False

    def holding(self) -> bool:
        if self._conn is None:
            return False
        try:
            return bool(self._conn.execute(text(
                "select exists (select 1 from pg_locks where locktype = 'advisory' and granted"
                " and pid = pg_backend_pid())")).scalar())
        except SQLAlchemyError as error:
            log.warning("leader lock: its connection failed (%s)", type(error).__name__)
            self.release()
            return False

    def release(self) -> None:
        """Close the lock's connection, which drops the lock with it."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except SQLAlchemyError:
                conn.invalidate()


class FileLeaderLock:
    def __init__(self, path: Path):
        self._path = path
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        file = self._path.open("ab")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def holding(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()  # closing the last descriptor drops the flock


def leader_lock(url: str, *, name: str, holder: str) -> LeaderLock:
    """The lock for the database at `url`: an advisory lock on PostgreSQL, a file lock on SQLite."""
    if url.startswith("postgresql"):
        return PostgresLeaderLock(url, name=name, holder=holder)
    if url.startswith("sqlite:///") and ":memory:" not in url:
        database = Path(url.removeprefix("sqlite:///"))
        return FileLeaderLock(database.with_name(database.name + f".{name}.lock"))
    raise ValueError(f"no leader lock for this database: {url.split(':', 1)[0]}")
