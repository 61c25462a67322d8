"""WeChat's customer-service window, counted on the person's chat account.

The API takes at most 5 customer-service messages within 48 hours of the person's last
message (`ChatAccount.last_inbound_at`; each inbound message resets `window_sends` to 0).
A slot is reserved with one conditional UPDATE before sending, so concurrent senders in
several processes cannot exceed the quota between them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Update, update
from sqlmodel import Session, col, select

from storage.models import ChatAccount

CHANNEL = "wechat"
WINDOW = timedelta(hours=48)
WINDOW_SENDS = 5


def _account(user_id: str) -> Update:
    return update(ChatAccount).where(col(ChatAccount.channel) == CHANNEL, col(ChatAccount.user_id) == user_id)


def reserve_send(session: Session, *, user_id: str, now: datetime) -> bool:
    """Count one customer-service message; False when the window is closed or used up."""
    stmt = (_account(user_id)
            .where(col(ChatAccount.last_inbound_at) > now - WINDOW,
                   col(ChatAccount.window_sends) < WINDOW_SENDS)
            .values(window_sends=col(ChatAccount.window_sends) + 1)
            .returning(col(ChatAccount.id)))
    return session.connection().execute(stmt).first() is not None


def room(session: Session, *, user_id: str, now: datetime) -> int:
    """How many customer-service messages the window takes now (0 when it is closed)."""
    account = session.exec(select(ChatAccount).where(col(ChatAccount.channel) == CHANNEL,
                                                     col(ChatAccount.user_id) == user_id)).first()
    if account is None or account.last_inbound_at is None or account.last_inbound_at <= now - WINDOW:
        return 0
    return max(WINDOW_SENDS - account.window_sends, 0)


def refund_send(session: Session, *, user_id: str) -> None:
    """A reserved message was not delivered: give the slot back."""
    session.connection().execute(_account(user_id).where(col(ChatAccount.window_sends) > 0)
                                 .values(window_sends=col(ChatAccount.window_sends) - 1))

def close_window(session: Session, *, user_id: str) -> None:
    """WeChat said the window is closed or used (45015/45047): believe it until they write again."""
    session.connection().execute(_account(user_id).values(window_sends=WINDOW_SENDS))


def mark_unreachable(session: Session, *, user_id: str) -> None:
    """The person unfollowed or the openid is invalid: no message can reach them."""
    session.connection().execute(_account(user_id).values(reachable=False))
