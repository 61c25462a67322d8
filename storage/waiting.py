"""Pushes waiting for the person's next message: put there when WeChat's window had no room,
released when she writes again (her chat account's last message is newer than the wait
began), and listed with the reason for staff; and what became of given pushes, in words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, update
from sqlmodel import Session, col, select

from storage import outbox
from storage.broadcasts import STATUS_LABELS
from storage.models import ChatAccount, Outbox, Worker
from storage.push_kinds import kind_of

WINDOW_FULL = "微信48小时内只能发5条，等本人下次发消息再发"


def hold(session: Session, *, outbox_ids: Iterable[int], now: datetime, why: str = WINDOW_FULL) -> int:
    """Park rows until the person writes again; `not_before` records when the wait began."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    return session.exec(update(Outbox).where(col(Outbox.id).in_(ids)).values(
        status=outbox.WAITING, not_before=now, last_error=why)).rowcount


def release_reopened(session: Session, *, now: datetime) -> int:
    """Rows whose person has written since they began to wait go back in the queue, due now."""
    wrote = exists().where(col(ChatAccount.worker_id) == col(Outbox.worker_id),
                           col(ChatAccount.last_inbound_at) > col(Outbox.not_before))
    if session.exec(select(col(Outbox.id)).where(col(Outbox.status) == outbox.WAITING, wrote).limit(1)).first() is None:
        return 0  # a read first: on SQLite an UPDATE takes the write lock even when it changes nothing
    return session.exec(update(Outbox).where(col(Outbox.status) == outbox.WAITING, wrote)
                        .values(status=outbox.PENDING, not_before=now)).rowcount


def waiting(session: Session, *, town: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """What waits and why, oldest first, for the console; `town` keeps to its people."""
    stmt = select(Outbox).where(col(Outbox.status).in_((outbox.WAITING, outbox.HELD)))
    if town is not None:
        stmt = stmt.join(Worker, col(Worker.id) == col(Outbox.worker_id)).where(col(Worker.town) == town)
    rows = session.exec(stmt.order_by(col(Outbox.not_before), col(Outbox.id)).limit(limit))
    return [{"id": r.id, "worker_id": r.worker_id, "kind": r.kind, "label": kind_of(r.kind).label,
             "service": kind_of(r.kind).service, "status": r.status, "status_label": STATUS_LABELS[r.status],
             "at": r.not_before, "why": r.last_error,
             "text": " ".join(r.payload.get("texts", []))[:60]} for r in rows]


def fate(session: Session, *, keys: Iterable[str]) -> dict[str, str]:
    """Idempotency key → what became of that push ("已送达", "未发（退订、免打扰等）：本人选了全部停")."""
    found = list(keys)
    if not found:
        return {}
    rows = session.exec(select(Outbox).where(col(Outbox.idempotency_key).in_(found)))
    return {r.idempotency_key: STATUS_LABELS.get(r.status, r.status) + (f"：{r.last_error}" if r.last_error and
                                                                       r.status != outbox.SENT else "")
            for r in rows}
