"""The inbound-message log: each platform message is handled once, across processes.

A message is claimed before it is handled; a retry of a finished one gets the stored reply,
a retry while it is still being handled is told so, and a claim abandoned by a crashed
process is taken over by the next retry.

On PostgreSQL the claims are committed before the handling (see `Dispatcher.dispatch_many`),
so a crash can leave them behind. Each names the server process (backend pid) of the
connection that made it, and the caller holds that connection until its claims are
finished or released: a claim whose backend has left `pg_stat_activity` belongs to a dead
process and is taken over at once. A claim whose backend lives is taken over only after
STALE_CLAIM (one whose release failed). On SQLite a claim shares the handling's
transaction, so a crash rolls it back with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, text, tuple_, update
from sqlmodel import Session, col, select

from storage.models import InboundMessage, utcnow
from storage.sql import InsertBuilder, RowUpdates, insert_rows, table_of, update_all

STALE_CLAIM = timedelta(seconds=60)
_TABLE = table_of(InboundMessage)


@dataclass(frozen=True)
class Claim:
    """`fresh`: handle it now; `reply`: it was handled, here is what we said; neither: in progress."""

    fresh: bool
    reply: dict[str, Any] | None = None


Message = tuple[str, str]  # (channel, dedup_key)


def _claim(insert: InsertBuilder) -> Any:
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    return insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.channel, _TABLE.c.dedup_key)


def claim_messages(session: Session, messages: Iterable[tuple[str, str, str]], *,
                   retake: bool = False) -> dict[Message, Claim]:
    """Claim each (channel, dedup_key, user_id) message; what we may do with each one.

    On PostgreSQL the claims made are tied to this session's connection: keep it (do not
    give it back to the pool) until they are finished or released.

    `retake`: a message still marked in hand is taken over at once (the caller knows the
    process that had it is gone).
    """
    now = utcnow()
    owner = _backend(session)
    rows = {(channel, key): {"channel": channel, "dedup_key": key, "user_id": user_id, "status": "processing",
                             "claimed_by": owner, "created_at": now, "updated_at": now}
            for channel, key, user_id in messages}
    if not rows:
        return {}
    added = insert_rows(session, _claim, list(rows.values())).all()
    claims = {(row.channel, row.dedup_key): Claim(fresh=True) for row in added}
    for channel, key in rows.keys() - claims.keys():
        claims[(channel, key)] = _claim_seen(session, channel, key, now, retake, owner)
    return claims


def _backend(session: Session) -> int | None:
    """The PostgreSQL server process of this session's connection (None on SQLite)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    if "backend_pid" not in connection.info:  # kept with the pooled connection: asked once
        connection.info["backend_pid"] = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    pid: int = connection.info["backend_pid"]
    return pid


def _owner_gone(session: Session, owner: int | None) -> bool:
    if owner is None:
        return False
    return not session.connection().execute(
        text("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)"), {"pid": owner}).scalar_one()


def _claim_seen(session: Session, channel: str, dedup_key: str, now: datetime, retake: bool,
                owner: int | None) -> Claim:
    row = session.exec(select(InboundMessage).where(
        col(InboundMessage.channel) == channel, col(InboundMessage.dedup_key) == dedup_key)).one()
    if row.status == "done":
        return Claim(fresh=False, reply=row.reply)
    if retake or row.updated_at < now - STALE_CLAIM or _owner_gone(session, row.claimed_by):
        taken = session.exec(
            update(InboundMessage)
            .where(col(InboundMessage.id) == row.id, col(InboundMessage.updated_at) == row.updated_at)
            .values(updated_at=now, claimed_by=owner)
        ).rowcount
        return Claim(fresh=taken == 1)
    return Claim(fresh=False)


def finished_messages(finished: Iterable[tuple[str, str, dict[str, Any]]]) -> RowUpdates:
    """The change that marks each (channel, dedup_key, reply) message handled and keeps its
    reply for retries (for `storage.sql.update_all`)."""
    rows = [{"channel": channel, "dedup_key": key, "reply": reply} for channel, key, reply in finished]
    return RowUpdates(_TABLE, ("channel", "dedup_key"), rows, {"status": "done", "updated_at": utcnow()})


def finish_messages(session: Session, finished: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Mark each (channel, dedup_key, reply) message handled and keep its reply for retries."""
    update_all(session, [finished_messages(finished)])


def release_message(session: Session, *, channel: str, dedup_key: str) -> None:
    """Forget a claim whose handling failed, so the platform's retry is handled afresh."""
    session.exec(delete(InboundMessage).where(
        col(InboundMessage.channel) == channel, col(InboundMessage.dedup_key) == dedup_key,
        col(InboundMessage.status) == "processing"))


def release_claims(session: Session, messages: Iterable[Message]) -> None:
    """Forget the claims on these (channel, dedup_key) messages that this session's connection
    made and still holds (on PostgreSQL claims are made outside a transaction: a batch whose
    claiming failed part way leaves those it made)."""
    owner = _backend(session)
    session.exec(delete(InboundMessage).where(
        tuple_(col(InboundMessage.channel), col(InboundMessage.dedup_key)).in_(list(messages)),
        col(InboundMessage.status) == "processing", col(InboundMessage.claimed_by) == owner))


def forget_user_messages(session: Session, *, channel: str, user_ids: list[str]) -> None:
    session.exec(delete(InboundMessage).where(
        col(InboundMessage.channel) == channel, col(InboundMessage.user_id).in_(user_ids)))


def prune_messages(session: Session, *, older_than: datetime) -> int:
    return session.exec(delete(InboundMessage).where(
        col(InboundMessage.created_at) < older_than)).rowcount
