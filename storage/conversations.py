"""Conversation state rows: load one under a per-person lock, save it back."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import Conversation, utcnow
from storage.sql import insert_ignore


def lock_conversation(session: Session, *, channel: str, user_id: str) -> Conversation:
    """The person's state row, created if new, locked until the transaction ends.

    The first statement writes, so on PostgreSQL the row lock serialises one person's
    messages across processes, and on SQLite the write lock is taken before any read.
    """
    insert_ignore(session, Conversation, {
        "channel": channel, "user_id": user_id, "data": {}, "back": [], "version": 0, "updated_at": utcnow(),
    })
    session.exec(  # type: ignore[call-overload]
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .values(version=Conversation.version + 1, updated_at=utcnow())
    )
    return session.exec(
        select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
        .execution_options(populate_existing=True)
    ).one()


def reset_conversations(session: Session, *, channel: str, user_ids: list[str]) -> None:
    """Forget where these people were and what they had answered."""
    session.exec(  # type: ignore[call-overload]
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id.in_(user_ids))  # type: ignore[attr-defined]
        .values(flow=None, step=None, data={}, back=[], updated_at=utcnow())
    )
