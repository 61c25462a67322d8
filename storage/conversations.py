"""Conversation state rows: load one under a per-person lock, save it back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session

from storage.models import Conversation, utcnow
from storage.sql import InsertBuilder, per_dialect

_TABLE = Conversation.__table__  # type: ignore[attr-defined]
_SAVE = update(_TABLE).where(_TABLE.c.id == bindparam("conversation_id"))  # SET: the columns given


@per_dialect
def _lock(insert: InsertBuilder) -> Any:
    new = insert(_TABLE)
    return new.on_conflict_do_update(
        index_elements=[_TABLE.c.channel, _TABLE.c.user_id],
        set_={"version": _TABLE.c.version + 1, "updated_at": new.excluded.updated_at},
    ).returning(*_TABLE.c)


def lock_conversation(session: Session, *, channel: str, user_id: str) -> Conversation:
    """The person's state row, created if new, locked until the transaction ends.

    One statement writes first (an upsert that bumps `version`), so on PostgreSQL the row
    lock serialises one person's messages across processes, and on SQLite the write lock is
    taken before any read. The row is not tracked by the session: `save_conversation`
    writes it back.
    """
    row = session.connection().execute(_lock(session), {
        "channel": channel, "user_id": user_id, "data": {}, "back": [], "version": 1, "updated_at": utcnow(),
    }).one()
    return Conversation(**row._mapping)


def save_conversation(session: Session, conversation: Conversation) -> None:
    """Write back where the person now is (the row `lock_conversation` gave)."""
    session.connection().execute(_SAVE, {
        "conversation_id": conversation.id, "flow": conversation.flow, "step": conversation.step,
        "data": conversation.data, "back": conversation.back,
    })


def reset_conversations(session: Session, *, channel: str, user_ids: list[str]) -> None:
    """Forget where these people were and what they had answered."""
    session.exec(  # type: ignore[call-overload]
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id.in_(user_ids))  # type: ignore[attr-defined]
        .values(flow=None, step=None, data={}, back=[], updated_at=utcnow())
    )
