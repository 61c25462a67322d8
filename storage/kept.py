"""Read-mostly tables (open jobs, fairs) kept in memory per database, and read again only when
the table's change stamp has moved: triggers renew it on every change to the table, however
it is written (migration 0012), so one small read per message tells whether what is kept is
still right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session

from storage.models import ChangeStamp
from storage.sql import table_of

Kept = TypeVar("Kept")
_STAMPS = table_of(ChangeStamp)
_STAMP = select(_STAMPS.c.stamp).where(_STAMPS.c.name == bindparam("name"))
_held: dict[tuple[str, str], tuple[int, Any]] = {}  # (database URL, table) → (stamp, what was loaded)


def kept(session: Session, table: str, load: Callable[[Connection], Kept]) -> Kept:
    """What `load` reads from `table`, as of this session's transaction or newer: loaded again
    only when the table changed since it was last loaded in this process."""
    connection = session.connection()
    where = (str(connection.engine.url), table)
    # The stamp is read before the rows, so what is kept is never older than its stamp.
    stamp = connection.execute(_STAMP, {"name": table}).scalar()
    held = _held.get(where)
    if held is not None and stamp is not None and held[0] == stamp:
        return cast(Kept, held[1])
    value = load(connection)
    if stamp is not None:  # no stamp (a test's TRUNCATE emptied the stamps): keep nothing
        _held[where] = (stamp, value)
    return value
