"""Conversation state rows: load people's rows under a per-person lock, save them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col

from storage.models import Conversation, utcnow
from storage.sql import InsertBuilder, Inserting, RowUpdates, insert_rows, table_of

_TABLE = table_of(Conversation)

Person = tuple[str, str]  # (channel, user_id)


@dataclass
class ConversationState:
    """One person's conversation row as plain data: where they are in a flow and what they said."""

    id: int
    channel: str
    user_id: str
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    back: list[str] = field(default_factory=list)
    version: int = 0


def _lock(insert: InsertBuilder) -> Any:
    new = insert(_TABLE)
    return new.on_conflict_do_update(
        index_elements=[_TABLE.c.channel, _TABLE.c.user_id],
        set_={"version": _TABLE.c.version + 1, "updated_at": new.excluded.updated_at},
    ).returning(_TABLE.c.id, _TABLE.c.channel, _TABLE.c.user_id, _TABLE.c.flow, _TABLE.c.step,
                _TABLE.c.data, _TABLE.c.back, _TABLE.c.version)


def locking(people: Iterable[Person]) -> Inserting:
    """The INSERT of `lock_conversations` and its rows (for `storage.sql.insert_rows_joined`)."""
    now = utcnow()
    return _lock, [{"channel": channel, "user_id": user_id, "data": {}, "back": [], "version": 1, "updated_at": now}
                   for channel, user_id in sorted(set(people))]


def lock_conversations(session: Session, people: Iterable[Person]) -> dict[Person, ConversationState]:
    """These people's state rows, created if new, locked until the transaction ends.

    One statement writes first (an upsert that bumps `version`), so on PostgreSQL the row
    locks serialise each person's messages across processes, and on SQLite the write lock is
    taken before any read. People are locked in one order, so that two processes locking
    overlapping groups cannot deadlock on these rows.
    """
    build, params = locking(people)
    if not params:
        return {}
    rows = insert_rows(session, build, params).all()
    return {(row.channel, row.user_id): ConversationState(*row) for row in rows}


def saved_conversations(states: Iterable[ConversationState]) -> RowUpdates:
    """The change that writes back where each person now is (rows `lock_conversations` gave),
    for `storage.sql.update_all`."""
    rows = [{"id": s.id, "flow": s.flow, "step": s.step, "data": s.data, "back": s.back} for s in states]
    return RowUpdates(_TABLE, ("id",), rows)


def reset_conversations(session: Session, *, channel: str, user_ids: list[str]) -> None:
    """Forget where these people were and what they had answered."""
    session.exec(
        update(Conversation)
        .where(col(Conversation.channel) == channel, col(Conversation.user_id).in_(user_ids))
        .values(flow=None, step=None, data={}, back=[], updated_at=utcnow())
    )


def offer_step(session: Session, *, channel: str, user_id: str, flow: str, step: str, data: dict[str, Any],
               replacing: Iterable[str] = ()) -> bool:
    """Put someone who is in no flow, or only in one of the `replacing` flows (a job list they
    left open), at a step, so that their next answer (a number) is read there; someone in the
    middle of anything else is left alone. True when the step was set."""
    return session.exec(
        update(Conversation)
        .where(col(Conversation.channel) == channel, col(Conversation.user_id) == user_id,
               or_(col(Conversation.flow).is_(None), col(Conversation.flow).in_(list(replacing))))
        .values(flow=flow, step=step, data=data, back=[], updated_at=utcnow())
    ).rowcount == 1
