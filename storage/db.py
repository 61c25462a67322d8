"""Database engines, sessions and schema migrations for SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import orjson
import psycopg
from alembic import command
from alembic.config import Config
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).with_name("migrations")
PING_AFTER_IDLE = 1.0  # seconds in the pool after which a connection is pinged before use
_RETURNED = "returned_at"  # ConnectionPoolEntry.info: when it last went back to the pool


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _use_wal(cursor: Any, *, tries: int = 60) -> None:
    """Put the file in WAL mode. SQLite runs no busy handler for the switch itself, so two
    processes opening one file at once could fail with "database is locked": read the mode
    first (WAL is kept in the file, so this is the usual case and takes no lock), and retry
    the switch a while when another connection holds the file."""
    for attempt in range(tries):
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(min(0.05 * (attempt + 1), 0.5))


def _json_text(value: Any) -> str:
    """JSON columns as orjson writes them: a batch's conversation states and replies cost a
    tenth of the standard library's encoding. Keys that are not text become text, as there."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine tuned for its database: WAL, a busy timeout and foreign keys on SQLite;
    JSON columns read and written with orjson on both."""
    json = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **json)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # Each statement is planned for its own values. A batch's rows come as arrays (storage.sql),
    # and a generic plan, made once psycopg has prepared the statement (its 5th run), is kept
    # until the table is next analysed: made while the inbound log was nearly empty, it read the
    # whole log for every batch (a hash join), so the cost grew with the log. A custom plan knows
    # the arrays' length and the table's size now, and takes the index.
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                           connect_args={"options": "-c plan_cache_mode=force_custom_plan"}, **json)
    _ping_when_idle(engine)
    if engine.dialect.driver == "psycopg":

        @event.listens_for(engine, "connect")
        def _binary_arrays(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            # A batch's rows are bound as arrays (storage.sql.update_rows). In text format psycopg
            # escapes each quote of the JSON in them in Python, ~2 ms for ten conversation states;
            # the binary format copies them as they are.
            cast(psycopg.Connection[Any], dbapi_connection).adapters.register_dumper(list, ListBinaryDumper)

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ask a pooled connection whether the server still answers when it comes out of the pool
    after a pause: a connection idle a while may have been cut (a server restart, a firewall),
    and one that fails the ping is replaced by a fresh one. One back in use within
    PING_AFTER_IDLE goes without: under load a dispatch takes a connection for each batch,
    and pinging each time (pool_pre_ping) cost a round trip a batch. Should the server go away
    in that moment anyway, the statement fails, the pool drops its connections and the
    batch's messages are dispatched again one by one (bot.batches)."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object) -> None:
        returned = record.info.get(_RETURNED)  # None: a new connection, just made
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection failed its ping") from error


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema of the database at `url` up to `revision` (all migrations by default)."""
    _ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def throwaway_engine(url: str) -> Engine:
    """An engine that keeps no pooled connections, for one-off admin work."""
    return create_engine(url, poolclass=NullPool)


@contextmanager
def session_scope(engine: Engine | Connection) -> Iterator[Session]:
    """A session whose work is committed at the end of the block, or rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
