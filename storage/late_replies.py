"""Marks on messages whose reply goes out late (through the channel's sender), not in the
answer to the platform's request (bot.reply_budget).

When a handler overruns its channel's reply budget we acknowledge the message and send the
reply later. The platform may then retry the message; once the dispatcher has finished, a
retry would get the stored reply back and answer it in its request — a second copy. The
`late` mark tells such a retry to acknowledge only. When a retry overruns the budget as
well, both have a reply to send: the `sent` claim lets only the first send it. Both are rows
of the inbound log under derived keys: no schema of their own, pruned and erased with the
person's other messages.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import InboundMessage, utcnow
from storage.sql import insert_ignore

LATE, SENT = "#late", "#sent"


def _mark(session: Session, *, channel: str, dedup_key: str, user_id: str, status: str) -> bool:
    now = utcnow()
    return insert_ignore(session, InboundMessage, {
        "channel": channel, "dedup_key": dedup_key, "user_id": user_id,
        "status": status, "created_at": now, "updated_at": now,
    })


def mark_late(session: Session, *, channel: str, dedup_key: str, user_id: str) -> None:
    """The message's reply goes out late: retries must not answer it passively."""
    _mark(session, channel=channel, dedup_key=dedup_key + LATE, user_id=user_id, status="late")


def is_late(session: Session, *, channel: str, dedup_key: str) -> bool:
    return session.exec(select(col(InboundMessage.id)).where(
        col(InboundMessage.channel) == channel, col(InboundMessage.dedup_key) == dedup_key + LATE)).first() is not None


def claim_send(session: Session, *, channel: str, dedup_key: str, user_id: str) -> bool:
    """True for the first late answer to the message to claim it: that one sends the reply."""
    return _mark(session, channel=channel, dedup_key=dedup_key + SENT, user_id=user_id, status="sent")
