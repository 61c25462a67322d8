"""Scratch databases for the benchmarks: a temporary SQLite file, and a PostgreSQL database
created for the run and dropped after it (skipped when no server answers)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator

from sqlalchemy import text

from storage.db import throwaway_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def scratch_databases(only: str | None = None) -> Iterator[tuple[str, str]]:
    """(name, URL) of each scratch database in turn; each is gone once the next is given."""
    if only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            yield "sqlite", f"sqlite:///{folder}/bench.sqlite3"
    if only == "sqlite":
        return
    name = f"jobbot_bench_{uuid.uuid4().hex[:8]}"
    admin = throwaway_engine(PG_ADMIN).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"[postgresql] skipped: no server at {PG_ADMIN} ({error.__class__.__name__})")
        return
    try:
        yield "postgresql", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
