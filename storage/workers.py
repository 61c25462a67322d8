"""Workers and their chat accounts: find, register, update, unsubscribe, erase."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, select

from storage.conversations import reset_conversations
from storage.inbound import forget_user_messages
from storage.models import ChatAccount, Worker, WorkerSkill, utcnow
from storage.sql import InsertBuilder, per_dialect


@per_dialect
def _touch(insert: InsertBuilder) -> Any:
    table = ChatAccount.__table__  # type: ignore[attr-defined]
    new = insert(table)
    return new.on_conflict_do_update(
        index_elements=[table.c.channel, table.c.user_id],
        set_={"last_inbound_at": new.excluded.last_inbound_at, "window_sends": 0, "reachable": True},
    ).returning(table.c.id, table.c.channel, table.c.user_id)


def touch_accounts(session: Session, people: Iterable[tuple[str, str]], *, now: datetime) -> dict[tuple[str, str], int]:
    """The ids of the accounts these (channel, user_id) messages came from, created if new,
    marked as just heard from.

    Hearing from a person opens WeChat's 48-hour customer-service window again and means
    they can be reached.
    """
    params = [{"channel": channel, "user_id": user_id, "created_at": now, "last_inbound_at": now,
               "window_sends": 0, "reachable": True} for channel, user_id in sorted(set(people))]
    if not params:
        return {}
    return {(row.channel, row.user_id): row.id for row in session.connection().execute(_touch(session), params)}


def touch_account(session: Session, *, channel: str, user_id: str, now: datetime) -> ChatAccount:
    """`touch_accounts` for one person, as the account itself."""
    account_id = touch_accounts(session, [(channel, user_id)], now=now)[(channel, user_id)]
    return session.get_one(ChatAccount, account_id, populate_existing=True)


def get_worker(session: Session, *, account: ChatAccount) -> Worker | None:
    return session.get(Worker, account.worker_id) if account.worker_id else None


def save_worker(session: Session, *, account: ChatAccount, fields: dict[str, Any]) -> Worker:
    """Create the account's worker from the registration answers, or update it."""
    worker = get_worker(session, account=account) or Worker()
    for name, value in fields.items():
        setattr(worker, name, value)
    worker.updated_at = utcnow()
    session.add(worker)
    session.flush()
    sync_skills(session, worker=worker)
    if account.worker_id != worker.id:
        account.worker_id = worker.id
        session.add(account)
    return worker


def sync_skills(session: Session, *, worker: Worker) -> None:
    """Keep the indexed skill rows in step with the worker's skill list."""
    session.exec(delete(WorkerSkill).where(WorkerSkill.worker_id == worker.id))  # type: ignore[call-overload]
    session.add_all(WorkerSkill(worker_id=worker.id, skill=skill) for skill in dict.fromkeys(worker.skills))


def lock_worker(session: Session, *, worker_id: int) -> None:
    """Hold this worker's row until the transaction ends (a write first, as on SQLite it must be)."""
    session.exec(update(Worker).where(Worker.id == worker_id).values(id=Worker.id))  # type: ignore[call-overload]


def set_subscribed(session: Session, *, worker: Worker, subscribed: bool) -> None:
    worker.subscribed = subscribed
    worker.updated_at = utcnow()
    session.add(worker)


def erase_worker(session: Session, *, worker: Worker) -> None:
    """Delete the person's profile and everything said in their chats (注销)."""
    accounts = session.exec(select(ChatAccount).where(ChatAccount.worker_id == worker.id)).all()
    for account in accounts:
        forget_user_messages(session, channel=account.channel, user_ids=[account.user_id])
        reset_conversations(session, channel=account.channel, user_ids=[account.user_id])
        account.worker_id = None
        session.add(account)
    session.delete(worker)
