"""The inbound-message log: each platform message is handled once, across processes.

A message is claimed before it is handled; a retry of a finished one gets the stored reply,
a retry while it is still being handled is told so, and a claim abandoned by a crashed
process can be taken over after a while.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, select

from storage.models import InboundMessage, utcnow
from storage.sql import InsertBuilder, per_dialect

STALE_CLAIM = timedelta(seconds=60)
_TABLE = InboundMessage.__table__  # type: ignore[attr-defined]
_FINISH = update(_TABLE).where(  # SET: status, and the columns given
    _TABLE.c.channel == bindparam("b_channel"), _TABLE.c.dedup_key == bindparam("b_dedup_key"),
).values(status="done")


@dataclass(frozen=True)
class Claim:
    """`fresh`: handle it now; `reply`: it was handled, here is what we said; neither: in progress."""

    fresh: bool
    reply: dict[str, Any] | None = None


Message = tuple[str, str]  # (channel, dedup_key)


@per_dialect
def _claim(insert: InsertBuilder) -> Any:
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    return insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.channel, _TABLE.c.dedup_key)


def claim_messages(session: Session, messages: Iterable[tuple[str, str, str]], *,
                   retake: bool = False) -> dict[Message, Claim]:
    """Claim each (channel, dedup_key, user_id) message; what we may do with each one.

    `retake`: a message still marked in hand is taken over at once, not after STALE_CLAIM
    (the caller knows the process that had it is gone).
    """
    now = utcnow()
    rows = {(channel, key): {"channel": channel, "dedup_key": key, "user_id": user_id, "status": "processing",
                             "created_at": now, "updated_at": now} for channel, key, user_id in messages}
    if not rows:
        return {}
    added = session.connection().execute(_claim(session), list(rows.values())).all()
    claims = {(row.channel, row.dedup_key): Claim(fresh=True) for row in added}
    for channel, key in rows.keys() - claims.keys():
        claims[(channel, key)] = _claim_seen(session, channel, key, now, retake)
    return claims


def _claim_seen(session: Session, channel: str, dedup_key: str, now: datetime, retake: bool) -> Claim:
    row = session.exec(select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.dedup_key == dedup_key)).one()
    if row.status == "done":
        return Claim(fresh=False, reply=row.reply)
    if retake or row.updated_at < now - STALE_CLAIM:
        taken = session.exec(  # type: ignore[call-overload]
            update(InboundMessage)
            .where(InboundMessage.id == row.id, InboundMessage.updated_at == row.updated_at)
            .values(updated_at=now)
        ).rowcount
        return Claim(fresh=taken == 1)
    return Claim(fresh=False)


def finish_messages(session: Session, finished: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Mark each (channel, dedup_key, reply) message handled and keep its reply for retries."""
    now = utcnow()
    params = [{"b_channel": channel, "b_dedup_key": key, "reply": reply, "updated_at": now}
              for channel, key, reply in finished]
    if params:
        session.connection().execute(_FINISH, params)


def release_message(session: Session, *, channel: str, dedup_key: str) -> None:
    """Forget a claim whose handling failed, so the platform's retry is handled afresh."""
    session.exec(delete(InboundMessage).where(  # type: ignore[call-overload]
        InboundMessage.channel == channel, InboundMessage.dedup_key == dedup_key,
        InboundMessage.status == "processing"))


def forget_user_messages(session: Session, *, channel: str, user_ids: list[str]) -> None:
    session.exec(delete(InboundMessage).where(  # type: ignore[call-overload]
        InboundMessage.channel == channel, InboundMessage.user_id.in_(user_ids)))  # type: ignore[attr-defined]


def prune_messages(session: Session, *, older_than: datetime) -> int:
    return session.exec(delete(InboundMessage).where(  # type: ignore[call-overload]
        InboundMessage.created_at < older_than)).rowcount
