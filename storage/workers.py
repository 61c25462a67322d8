"""Workers and their chat accounts: find, register, update, unsubscribe, erase."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from storage.conversations import reset_conversations
from storage.inbound import forget_user_messages
from storage.models import ChatAccount, Worker, utcnow
from storage.sql import insert_ignore


def touch_account(session: Session, *, channel: str, user_id: str, now: datetime) -> ChatAccount:
    """The account this message came from, created if new, marked as just heard from.

    Hearing from a person opens WeChat's 48-hour customer-service window again and means
    they can be reached.
    """
    insert_ignore(session, ChatAccount, {"channel": channel, "user_id": user_id, "created_at": now,
                                         "window_sends": 0, "reachable": True})
    session.exec(  # type: ignore[call-overload]
        update(ChatAccount).where(ChatAccount.channel == channel, ChatAccount.user_id == user_id)
        .values(last_inbound_at=now, window_sends=0, reachable=True)
    )
    return session.exec(select(ChatAccount).where(
        ChatAccount.channel == channel, ChatAccount.user_id == user_id
    ).execution_options(populate_existing=True)).one()


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
    if account.worker_id != worker.id:
        account.worker_id = worker.id
        session.add(account)
    return worker


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
