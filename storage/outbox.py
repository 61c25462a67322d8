"""The durable push outbox: enqueue once per idempotency key, claim due rows safely across
processes, and record each outcome.

A row's life: pending → claimed (by one process, for a lease) → sending (committed just
before the platform is called) → sent, or failed / skipped / cancelled. After a crash, a
`claimed` row whose lease ran out goes back to pending; a `sending` one belongs to a call
that may or may not have arrived, and is marked `doubt` (see `recover_stale`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, Select, String, and_, cast, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Outbox, UTCDateTime, utcnow
from storage.sql import table_of, upsert_insert

PENDING, CLAIMED, SENDING, SENT = "pending", "claimed", "sending", "sent"
FAILED, SKIPPED, CANCELLED, DOUBT, HELD = "failed", "skipped", "cancelled", "doubt", "held"
WAITING = "waiting"  # for the person's next message: WeChat's window had no room (storage.waiting)
UNSENT = (PENDING, HELD, WAITING)  # queued and not yet tried: what a stop cancels
FINAL = (SENT, FAILED, SKIPPED, CANCELLED, DOUBT)
CHUNK = 5000


@dataclass(frozen=True)
class Push:
    """One message to one worker; `key` makes enqueuing it twice a no-op."""

    key: str
    worker_id: int
    kind: str
    texts: tuple[str, ...]
    ref_id: int | None = None
    not_before: datetime | None = None
    params: dict[str, str] | None = None  # fields SMS and voice templates take: {"code": "123456"}, {"title": …}


def _payload(texts: Sequence[str], params: dict[str, str] | None) -> dict[str, Any]:
    """A row's payload: the chat texts, and the fields a channel with fixed templates fills them from."""
    return {"texts": list(texts), **({"params": params} if params else {})}


def _insert(session: Session, rows: list[dict[str, Any]]) -> int:
    table = table_of(Outbox)
    stmt = upsert_insert(session, table).on_conflict_do_nothing().returning(table.c.id)
    return len(session.connection().execute(stmt, rows).all()) if rows else 0


def enqueue(session: Session, pushes: Iterable[Push], *, now: datetime | None = None) -> int:
    """Queue pushes; returns how many were new (a key already queued is never queued again)."""
    now = now or utcnow()
    added, batch = 0, []
    for push in pushes:
        batch.append({
            "idempotency_key": push.key, "worker_id": push.worker_id, "kind": push.kind, "ref_id": push.ref_id,
            "payload": _payload(push.texts, push.params),
            "status": PENDING, "attempts": 0,
            "not_before": push.not_before or now, "created_at": now,
        })
        if len(batch) >= CHUNK:
            added += _insert(session, batch)
            batch = []
    return added + _insert(session, batch)


def enqueue_selected(session: Session, worker_ids: Select, *, key_prefix: str, kind: str, texts: Sequence[str],
                     ref_id: int | None, not_before: datetime, now: datetime,
                     params: dict[str, str] | None = None) -> int:
    """Queue `texts` (and `params`) for each worker id the first column of `worker_ids` yields, keyed
    `<key_prefix><worker id>`, in one INSERT … SELECT: the same rows `enqueue` writes, without
    carrying 100,000 ids through Python. Returns how many were new."""
    ids = worker_ids.subquery()
    worker_id = list(ids.c)[0]
    rows = sa_select(
        literal(key_prefix, String) + cast(worker_id, String), worker_id, literal(kind, String),
        literal(ref_id, Integer), literal(_payload(texts, params), JSON), literal(PENDING, String),
        literal(0, Integer), literal(not_before, UTCDateTime()), literal(now, UTCDateTime()),
    ).where(worker_id.is_not(None))
    table = table_of(Outbox)
    stmt = (upsert_insert(session, table).from_select(_SELECTED_COLUMNS, rows)
            .on_conflict_do_nothing().returning(table.c.id))
    return len(session.connection().execute(stmt).all())


_SELECTED_COLUMNS = ["idempotency_key", "worker_id", "kind", "ref_id", "payload", "status", "attempts",
                     "not_before", "created_at"]


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta,
              kinds: Sequence[str] | None = None, worker_ids: Sequence[int] | None = None) -> list[Outbox]:
    """Take up to `limit` due pending rows for this process, marking them `claimed`.

    One UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) on PostgreSQL, so two
    processes never take the same row; SQLite has a single writer anyway.
    """
    due = sa_select(col(Outbox.id)).where(col(Outbox.status) == PENDING, col(Outbox.not_before) <= now)
    if kinds:
        due = due.where(col(Outbox.kind).in_(kinds))
    if worker_ids is not None:
        due = due.where(col(Outbox.worker_id).in_(worker_ids))
    due = due.order_by(col(Outbox.not_before), col(Outbox.id)).limit(limit)
    if session.connection().execute(due.limit(1)).first() is None:
        return []  # a read first: on SQLite an UPDATE takes the write lock even when nothing is due
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(Outbox).where(col(Outbox.id).in_(due.scalar_subquery()))
        .values(status=CLAIMED, not_before=now + lease)
        .returning(col(Outbox.id))
    )
    ids = [row[0] for row in session.connection().execute(stmt)]
    if not ids:
        return []
    return list(session.exec(select(Outbox).where(col(Outbox.id).in_(ids))
                             .order_by(col(Outbox.id)).execution_options(populate_existing=True)))


def mark_sending(session: Session, *, outbox_id: int) -> bool:
    """Record that the platform is about to be called; False if the row is no longer ours."""
    return session.exec(update(Outbox).where(
        col(Outbox.id) == outbox_id, col(Outbox.status) == CLAIMED).values(status=SENDING,
                                                                           attempts=col(Outbox.attempts) + 1)
    ).rowcount == 1


def finish(session: Session, *, outbox_id: int, status: str, now: datetime, error: str | None = None,
           channel: str | None = None, user_id: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "last_error": (error or None) and error[:500]}
    if status == SENT:
        values.update(sent_at=now, channel=channel, user_id=user_id)
    session.exec(update(Outbox).where(col(Outbox.id) == outbox_id).values(**values))


def retry_later(session: Session, *, outbox_id: int, at: datetime, error: str | None = None,
                status: str = PENDING) -> None:
    """Put a row back to wait until `at` (a transient error, quiet hours, or held for a digest)."""
    session.exec(update(Outbox).where(col(Outbox.id) == outbox_id).values(
        status=status, not_before=at, last_error=(error or None) and error[:500]))


def recover_stale(session: Session, *, now: datetime) -> tuple[int, int]:
    """Rows a dead process left behind, after their lease: (back to pending, marked doubt).

    A `claimed` row was never attempted and simply goes back in the queue. A `sending` row
    was mid-call: neither WeChat's customer-service API nor Telegram can be asked "did this
    arrive?", and sending again could show an elderly reader the same message twice, so it
    is marked `doubt` (reported to staff) instead of being sent again.
    """
    requeued = session.exec(update(Outbox).where(
        col(Outbox.status) == CLAIMED, col(Outbox.not_before) < now).values(status=PENDING, not_before=now)).rowcount
    doubted = session.exec(update(Outbox).where(
        col(Outbox.status) == SENDING, col(Outbox.not_before) < now).values(status=DOUBT,
                                                                            last_error="进程中断，无法确认是否送达")
    ).rowcount
    return requeued, doubted


def cancel(session: Session, *, kind: str, ref_id: int) -> int:
    """Stop what is still queued of one broadcast or push batch."""
    return session.exec(update(Outbox).where(
        col(Outbox.kind) == kind, col(Outbox.ref_id) == ref_id, col(Outbox.status).in_(UNSENT))
        .values(status=CANCELLED)).rowcount


def forget_worker(session: Session, *, worker_id: int) -> None:
    """注销: what still waits for the person is cancelled, and no row keeps their texts or
    where they went (the rows stay, anonymous, in the delivery reports)."""
    session.exec(update(Outbox).where(
        col(Outbox.worker_id) == worker_id, col(Outbox.status).in_((*UNSENT, CLAIMED))).values(
        status=CANCELLED, last_error="已注销"))
    session.exec(update(Outbox).where(col(Outbox.worker_id) == worker_id).values(
        worker_id=None, channel=None, user_id=None, payload={}))


def counts(session: Session, *, kind: str | None = None, ref_id: int | None = None) -> dict[str, int]:
    """How many rows are in each status (a delivery report)."""
    conditions = []
    if kind is not None:
        conditions.append(col(Outbox.kind) == kind)
    if ref_id is not None:
        conditions.append(col(Outbox.ref_id) == ref_id)
    stmt = sa_select(col(Outbox.status), func.count()).group_by(col(Outbox.status))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return {status: n for status, n in session.connection().execute(stmt)}


def pushed_since(session: Session, *, worker_id: int, kind: str, since: datetime) -> int:
    """Pushes of a kind this worker got since a moment, counting those being sent right now."""
    return session.connection().execute(
        sa_select(func.count()).select_from(Outbox).where(
            col(Outbox.worker_id) == worker_id, col(Outbox.kind) == kind,
            or_(col(Outbox.status) == SENDING, and_(col(Outbox.status) == SENT, col(Outbox.sent_at) >= since)))
    ).scalar_one()


def pushed_jobs_since(session: Session, *, worker_id: int, since: datetime) -> list[int]:
    """The jobs queued or sent to this worker as job pushes since a moment."""
    return [r for (r,) in session.connection().execute(
        sa_select(col(Outbox.ref_id)).where(col(Outbox.worker_id) == worker_id, col(Outbox.kind) == "job",
                                       col(Outbox.created_at) >= since,
                                       col(Outbox.status).not_in((CANCELLED, SKIPPED))))
            if r is not None]
