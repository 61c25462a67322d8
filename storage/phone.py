"""Money spent on SMS and calls: the month's spend reserved against the budget before each send
(one conditional UPDATE, so processes sending at once never overspend together), each paid
send with its provider id and receipt, and the SMS replies kept for staff."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from storage.models import Outbox, PhoneBudget, PhoneSend, PhoneUplink, Worker, saved_id
from storage.sql import insert_ignore


def to_milli(yuan: float) -> int:
    return round(yuan * 1000)


def spent(session: Session, *, month: str) -> int:
    """Thousandths of a yuan reserved this month."""
    row = session.get(PhoneBudget, month)
    return row.spent_milli if row is not None else 0


def reserve(session: Session, *, month: str, cost: int, budget: int, channel: str, user_id: str,
            kind: str) -> int | None:
    """Reserve `cost` of the month's `budget` for one send: the new send's id, or None when the
    budget cannot take it."""
    insert_ignore(session, PhoneBudget, {"month": month, "spent_milli": 0})
    taken = session.connection().execute(
        update(PhoneBudget).where(col(PhoneBudget.month) == month, col(PhoneBudget.spent_milli) + cost <= budget)
        .values(spent_milli=col(PhoneBudget.spent_milli) + cost)).rowcount
    if not taken:
        return None
    send = PhoneSend(channel=channel, user_id=user_id, kind=kind, month=month, cost_milli=cost)
    session.add(send)
    session.flush()
    return saved_id(send)


def settle(session: Session, *, send_id: int, ok: bool, biz_id: str | None, code: str | None) -> None:
    """The provider's answer: accepted (the money is spent), or refused (it goes back to the budget)."""
    send = session.get(PhoneSend, send_id)
    if send is None:
        return
    send.status, send.biz_id, send.code = ("accepted" if ok else "refused"), biz_id, code
    if not ok:
        session.connection().execute(
            update(PhoneBudget).where(col(PhoneBudget.month) == send.month)
            .values(spent_milli=col(PhoneBudget.spent_milli) - send.cost_milli))


def receipt(session: Session, *, channel: str, biz_id: str, delivered: bool, code: str) -> bool:
    """A delivery receipt or call report for a send of ours; False when none has that id."""
    send = session.exec(select(PhoneSend).where(col(PhoneSend.channel) == channel,
                                                col(PhoneSend.biz_id) == biz_id)).first()
    if send is None:
        return False
    send.status, send.code = ("delivered" if delivered else "undelivered"), code[:64] or None
    return True


def keep_uplink(session: Session, *, user_id: str, worker_id: int | None, content: str,
                sequence_id: str | None, now: datetime) -> bool:
    """Keep a reply for staff; False when the provider posted it before."""
    return insert_ignore(session, PhoneUplink, {"user_id": user_id, "worker_id": worker_id, "content": content[:500],
                                                "sequence_id": sequence_id or None, "received_at": now})


def uplinks(session: Session, *, town: str | None = None, limit: int = 100) -> list[tuple[PhoneUplink, Worker | None]]:
    """The newest replies kept for staff, with the person who sent them (only `town`'s people when given)."""
    stmt = select(PhoneUplink, Worker).join(Worker, col(Worker.id) == col(PhoneUplink.worker_id), isouter=town is None)
    if town is not None:
        stmt = stmt.where(col(Worker.town) == town)
    return [(up, worker) for up, worker in session.exec(stmt.order_by(col(PhoneUplink.id).desc()).limit(limit))]


def already_reached(session: Session, *, worker_id: int, kinds: Iterable[str], ref_id: int, channel: str) -> bool:
    """Whether a push of these kinds about `ref_id` went to the worker on `channel`."""
    found = session.exec(select(func.count()).select_from(Outbox).where(
        col(Outbox.worker_id) == worker_id, col(Outbox.kind).in_(list(kinds)), col(Outbox.ref_id) == ref_id,
        col(Outbox.channel) == channel, col(Outbox.status) == "sent")).one()
    return bool(found)
