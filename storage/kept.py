"""Read-mostly tables (open jobs, fairs) kept in memory per database, and read again only when
the table's change stamp has moved: triggers renew it on every change to the table, however
it is written (migration 0012), so one small read per transaction tells whether what is
kept is still right.

A transaction reads each stamp once, when it first needs it (a batch of messages shares
one transaction): only a write of its own can move the stamp it saw, so any statement of
the transaction that is not a SELECT makes it read the stamps again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, bindparam, event, select
from sqlmodel import Session

from storage.models import ChangeStamp
from storage.sql import table_of

Kept = TypeVar("Kept")
Load = Callable[[Connection], Kept]
_STAMPS = table_of(ChangeStamp)
_STAMP = select(_STAMPS.c.stamp).where(_STAMPS.c.name == bindparam("name"))
_SEEN = "kept_stamps"  # connection.info: (the transaction, {table: stamp it read})
_held: dict[tuple[str, str, Load[Any]], tuple[int, Any]] = {}  # (database URL, table, load) → (stamp, value)


def kept(session: Session, table: str, load: Load[Kept]) -> Kept:
    """What `load` reads from `table`, as of this session's transaction or newer: loaded again
    only when the table changed since it was last loaded in this process."""
    connection = session.connection()
    where = (str(connection.engine.url), table, load)
    # The stamp is read before the rows, so what is kept is never older than its stamp.
    stamp = _stamp(connection, table)
    held = _held.get(where)
    if held is not None and stamp is not None and held[0] == stamp:
        return cast(Kept, held[1])
    value = load(connection)
    if stamp is not None:  # no stamp (a test's TRUNCATE emptied the stamps): keep nothing
        _held[where] = (stamp, value)
    return value


def _stamp(connection: Connection, table: str) -> int | None:
    transaction = connection.get_transaction()
    seen = connection.info.get(_SEEN)
    if seen is None or seen[0] is not transaction:
        seen = connection.info[_SEEN] = (transaction, {})
    stamps: dict[str, int | None] = seen[1]
    if table not in stamps:
        stamps[table] = connection.execute(_STAMP, {"name": table}).scalar()
    return stamps[table]


@event.listens_for(Engine, "after_cursor_execute")
def _forget_after_writes(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip()[:6].upper() == "SELECT":
        connection.info.pop(_SEEN, None)
